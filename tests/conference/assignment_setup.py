"""Builders shared by the assignment tests: an org chart of two divisions, reviewers in the
pool with expertise, and proposals with speakers and topics."""

from practica.people.models import OrgUnitKind
from tests.factories.conference import ProposalFactory, ReviewerVolunteerFactory
from tests.factories.core import TopicFactory
from tests.factories.people import OrgUnitFactory, UserFactory


class OrgChart:
    """Division North (group N › teams N1, N2) and division South (team S1)."""

    def __init__(self):
        self.north = OrgUnitFactory(name="North", kind=OrgUnitKind.DIVISION)
        self.north_group = OrgUnitFactory(
            name="North Group", kind=OrgUnitKind.GROUP, parent=self.north
        )
        self.n1 = OrgUnitFactory(name="Team N1", kind=OrgUnitKind.TEAM, parent=self.north_group)
        self.n2 = OrgUnitFactory(name="Team N2", kind=OrgUnitKind.TEAM, parent=self.north_group)
        self.south = OrgUnitFactory(name="South", kind=OrgUnitKind.DIVISION)
        self.s1 = OrgUnitFactory(name="Team S1", kind=OrgUnitKind.TEAM, parent=self.south)


def person(unit=None, manager=None, **fields):
    return UserFactory(org_unit=unit, manager=manager, **fields)


def reviewer(edition, unit=None, manager=None, *, topics=(), max_load=8, **fields):
    """A person in the edition's reviewer pool; returns the person."""
    member = person(unit, manager, **fields)
    ReviewerVolunteerFactory(edition=edition, person=member, topics=list(topics), max_load=max_load)
    return member


def proposal(edition, speaker, *, co_speakers=(), topics=(), **fields):
    fmt = edition.formats.filter(open_for_proposals=True).first()
    return ProposalFactory(
        edition=edition,
        created_by=speaker,
        format=fmt,
        speakers=list(co_speakers),
        topics=list(topics),
        **fields,
    )


def topic_tree():
    """ml › nlp › translation, and vision."""
    ml = TopicFactory(name="Machine learning", slug="ml")
    nlp = TopicFactory(name="Natural language processing", slug="nlp", parent=ml)
    translation = TopicFactory(name="Machine translation", slug="translation", parent=nlp)
    vision = TopicFactory(name="Computer vision", slug="vision")
    return ml, nlp, translation, vision
