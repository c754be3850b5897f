"""Cross-org answers against a hand-built org chart with transfers on both sides."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from practica.discussions.models import ThreadKind
from practica.metrics.definitions.collaboration import (
    cross_org_answer_share,
    cross_org_figures,
)
from tests.factories.discussions import PostFactory, QASettingsFactory, QuestionFactory
from tests.factories.metrics import AffiliationFactory
from tests.factories.people import OrgUnitFactory, UserFactory
from tests.metrics.conftest import AS_OF, before

pytestmark = pytest.mark.django_db

SINCE = date(2020, 1, 1)


def on(day: int, month: int = 3) -> datetime:
    return datetime(2026, month, day, 10, 0, tzinfo=UTC)


@pytest.fixture
def org(db):
    """Division A with groups A1 (and its team A1x) and A2; division B with group B1."""
    division_a = OrgUnitFactory(name="A")
    division_b = OrgUnitFactory(name="B")
    units = {"A": division_a, "B": division_b}
    units["A1"] = OrgUnitFactory(name="A1", parent=division_a, kind="group")
    units["A2"] = OrgUnitFactory(name="A2", parent=division_a, kind="group")
    units["B1"] = OrgUnitFactory(name="B1", parent=division_b, kind="group")
    units["A1x"] = OrgUnitFactory(name="A1x", parent=units["A1"], kind="team")
    return units


def person_in(unit, *, history=True, **fields):
    person = UserFactory(org_unit=unit, **fields)
    if history:
        AffiliationFactory(person=person, org_unit=unit, valid_from=SINCE)
    return person


def question(community, asker, asked):
    return QuestionFactory(community=community, author=asker, created_at=asked)


def answer(thread, answerer, at, **fields):
    fields.setdefault("author_org_unit", answerer.org_unit)
    return PostFactory(thread=thread, author=answerer, created_at=at, **fields)


@pytest.fixture
def scene(community, other_community, org):
    asker = person_in(org["A1"])
    # 1. Same group at depth 1 (a team of the asker's group).
    answer(question(community, asker, on(1)), person_in(org["A1x"]), on(2))
    # 2. Another division.
    answer(question(community, asker, on(1)), person_in(org["B1"]), on(3))
    # 3. The answerer moved from A2 to A1 on 1 March; the post's own record (wrongly A1 for
    #    the first answer) is overridden by the history.
    mover = UserFactory(org_unit=org["A1"])
    AffiliationFactory(
        person=mover, org_unit=org["A2"], valid_from=SINCE, valid_to=date(2026, 3, 1)
    )
    AffiliationFactory(person=mover, org_unit=org["A1"], valid_from=date(2026, 3, 1))
    answer(question(community, asker, on(15, 2)), mover, on(20, 2))  # in A2 then: cross
    answer(question(community, asker, on(5)), mover, on(10))  # in A1 now: same group
    # 4. The asker moved from B1 to A1 on 5 March: as of the question, B1.
    moved_asker = UserFactory(org_unit=org["A1"])
    AffiliationFactory(
        person=moved_asker, org_unit=org["B1"], valid_from=SINCE, valid_to=date(2026, 3, 5)
    )
    AffiliationFactory(person=moved_asker, org_unit=org["A1"], valid_from=date(2026, 3, 5))
    answer(question(community, moved_asker, on(1)), person_in(org["A1"]), on(8))
    # 5. No affiliation history: the org unit the post recorded stands in (B1).
    answer(question(community, asker, on(1)), person_in(org["B1"], history=False), on(2))
    # 6. Unknown org unit: counted as an answer, left out of the share.
    answer(question(community, asker, on(1)), person_in(None, history=False), on(2))

    # Not answers, or not this window's or community's.
    own = question(community, asker, on(1))
    answer(own, asker, on(2))  # a self-answer
    answer(question(community, asker, on(1)), person_in(org["B1"]), on(2), is_hidden=True)
    hidden_thread = QuestionFactory(community=community, author=asker, is_hidden=True)
    answer(hidden_thread, person_in(org["B1"]), on(2))
    discussion = QuestionFactory(community=community, author=asker, kind=ThreadKind.DISCUSSION)
    answer(discussion, person_in(org["B1"]), on(2))
    answer(question(community, asker, on(1)), person_in(org["B1"], is_system=True), on(2))
    answer(question(other_community, asker, on(1)), person_in(org["B1"]), on(2))
    answer(question(community, asker, before(days=100)), person_in(org["B1"]), before(days=91))
    answer(question(community, asker, on(1)), person_in(org["B1"]), before(days=-1))
    return community


def test_cross_org_share_reads_affiliations_as_of_each_side(scene):
    figures = cross_org_figures(scene.pk, AS_OF)
    assert (figures.answers, figures.compared, figures.cross_org) == (7, 6, 4)
    assert cross_org_answer_share(scene.pk, AS_OF) == Decimal("0.6667")


@pytest.mark.parametrize(("depth", "expected"), [(0, "0.5000"), (1, "0.6667"), (2, "0.8333")])
def test_the_community_chooses_the_org_level(scene, depth, expected):
    # Divisions: A2 → A1 and A1x → A1 stay inside A. Teams: A1x differs from its group A1.
    QASettingsFactory(community=scene, cross_org_depth=depth)
    assert cross_org_answer_share(scene.pk, AS_OF) == Decimal(expected)


def test_as_of_before_the_transfer(scene):
    # On 25 February only the answer of 20 February had been given: the mover, then in A2.
    assert cross_org_answer_share(scene.pk, on(25, 2)) == Decimal("1.0000")


def test_no_answers_is_none(community, org):
    asker = person_in(org["A1"])
    question(community, asker, on(1))
    assert cross_org_answer_share(community.pk, AS_OF) is None


def test_only_unknown_org_units_is_none(community, org):
    asker = person_in(None, history=False)
    answer(question(community, asker, on(1)), person_in(org["B1"]), on(2))
    figures = cross_org_figures(community.pk, AS_OF)
    assert (figures.answers, figures.compared) == (1, 0)
    assert cross_org_answer_share(community.pk, AS_OF) is None
