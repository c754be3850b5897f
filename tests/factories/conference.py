"""Factories for conference editions, proposals, the reviewer pool and reviews."""

from datetime import date, timedelta

import factory
from django.utils import timezone

from practica.conference.models import (
    CommitteeMember,
    Edition,
    Proposal,
    ProposalSpeaker,
    ProposalState,
    ReviewAssignment,
    ReviewCriterion,
    ReviewerVolunteer,
    Room,
    SessionFormat,
    SessionKind,
    SpeakerStatus,
    Track,
)
from tests.factories.communities import CommunityFactory
from tests.factories.people import UserFactory


def _now():
    return timezone.now().replace(microsecond=0)


class EditionFactory(factory.django.DjangoModelFactory):
    """An announced edition whose call is open now; reviewing opens after the deadline."""

    class Meta:
        model = Edition

    community = factory.SubFactory(CommunityFactory)
    name = factory.Sequence(lambda n: f"Spring {2027 + n}")
    slug = factory.Sequence(lambda n: f"spring-{2027 + n}")
    starts_on = factory.LazyFunction(lambda: date.today() + timedelta(days=90))
    ends_on = factory.LazyAttribute(lambda edition: edition.starts_on + timedelta(days=1))
    time_zone = "Europe/Berlin"
    cfp_opens_at = factory.LazyFunction(lambda: _now() - timedelta(days=10))
    cfp_closes_at = factory.LazyFunction(lambda: _now() + timedelta(days=10))
    review_opens_at = factory.LazyAttribute(lambda edition: edition.cfp_closes_at)
    review_closes_at = factory.LazyAttribute(
        lambda edition: edition.review_opens_at + timedelta(days=21)
    )
    decisions_due_at = factory.LazyAttribute(
        lambda edition: edition.review_closes_at + timedelta(days=7)
    )
    is_published = True


class TrackFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Track

    edition = factory.SubFactory(EditionFactory)
    name = factory.Sequence(lambda n: f"Track {n}")


class SessionFormatFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SessionFormat

    edition = factory.SubFactory(EditionFactory)
    kind = SessionKind.TALK
    name = factory.Sequence(lambda n: f"Talk {n}")
    minutes = 30


class RoomFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Room

    edition = factory.SubFactory(EditionFactory)
    name = factory.Sequence(lambda n: f"Room {n}")
    venue = "Building 1"
    capacity = 100


class ReviewCriterionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReviewCriterion

    edition = factory.SubFactory(EditionFactory)
    name = factory.Sequence(lambda n: f"Criterion {n}")
    weight = 1


class CommitteeMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CommitteeMember

    edition = factory.SubFactory(EditionFactory)
    person = factory.SubFactory(UserFactory)
    is_chair = False


class ProposalFactory(factory.django.DjangoModelFactory):
    """A submitted proposal whose creator is its accepted submitting speaker."""

    class Meta:
        model = Proposal
        skip_postgeneration_save = True

    edition = factory.SubFactory(EditionFactory)
    title = factory.Sequence(lambda n: f"Proposal {n}")
    abstract = "What we learned shipping a model to production."
    format = factory.LazyAttribute(lambda proposal: SessionFormatFactory(edition=proposal.edition))
    state = ProposalState.SUBMITTED
    submitted_at = factory.LazyFunction(_now)
    created_by = factory.SubFactory(UserFactory)

    @factory.post_generation
    def speakers(self, create, extracted, **kwargs):
        if not create:
            return
        ProposalSpeaker.objects.create(
            proposal=self,
            person=self.created_by,
            email=self.created_by.email,
            status=SpeakerStatus.ACCEPTED,
            is_submitter=True,
            responded_at=self.created_at,
        )
        for position, person in enumerate(extracted or (), start=1):
            ProposalSpeaker.objects.create(
                proposal=self,
                person=person,
                email=person.email,
                status=SpeakerStatus.ACCEPTED,
                position=position,
            )

    @factory.post_generation
    def topics(self, create, extracted, **kwargs):
        if create and extracted:
            self.topics.set(extracted)


class ReviewerVolunteerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReviewerVolunteer
        skip_postgeneration_save = True

    edition = factory.SubFactory(EditionFactory)
    person = factory.SubFactory(UserFactory)
    max_load = 8

    @factory.post_generation
    def topics(self, create, extracted, **kwargs):
        if create and extracted:
            self.topics.set(extracted)


class ReviewAssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReviewAssignment

    proposal = factory.SubFactory(ProposalFactory)
    reviewer = factory.SubFactory(UserFactory)
    source = "manual"


def edition_with_parts(community):
    """An edition with its call open, formats Talk/Lightning/Tutorial/Keynote (by invitation),
    tracks Research/Engineering, rooms Main hall 400 / Room B 60, criteria Relevance (weight 2)
    and Clarity (weight 1)."""
    edition = EditionFactory(community=community)
    SessionFormatFactory(edition=edition, kind="talk", name="Talk", minutes=30)
    SessionFormatFactory(edition=edition, kind="lightning", name="Lightning talk", minutes=10)
    SessionFormatFactory(edition=edition, kind="tutorial", name="Tutorial", minutes=90)
    SessionFormatFactory(
        edition=edition, kind="keynote", name="Keynote", minutes=45, open_for_proposals=False
    )
    TrackFactory(edition=edition, name="Research", position=1)
    TrackFactory(edition=edition, name="Engineering", position=2)
    RoomFactory(edition=edition, name="Main hall", capacity=400, position=1)
    RoomFactory(edition=edition, name="Room B", capacity=60, position=2)
    ReviewCriterionFactory(edition=edition, name="Relevance", weight=2, position=1)
    ReviewCriterionFactory(edition=edition, name="Clarity", weight=1, position=2)
    return edition
