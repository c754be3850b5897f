"""The reviewer pool and bidding: volunteering (idempotent), updating, leaving, the chair
setting volunteers aside; bids incl. "conflict" (a declared conflict) and refusing one's own
proposals; the queries behind the bidding page and the chair's pool."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from practica.conference.models import (
    Bid,
    BidLevel,
    DeclaredConflict,
    Edition,
    ProposalState,
    ReviewerVolunteer,
)
from practica.conference.permissions import is_reviewer
from practica.conference.queries.pool import (
    biddable_proposals,
    pool_for_chair,
    pool_summary,
    volunteer_of,
)
from practica.conference.services import pool as services
from practica.conference.services.editions import CallRefused
from tests.factories.conference import (
    EditionFactory,
    ProposalFactory,
    ReviewAssignmentFactory,
    ReviewerVolunteerFactory,
)
from tests.factories.core import TopicFactory
from tests.factories.people import UserFactory

pytestmark = [pytest.mark.unit, pytest.mark.django_db]


@pytest.fixture
def reviewer(edition):
    return ReviewerVolunteerFactory(edition=edition)


# --- Volunteering ----------------------------------------------------------------------------


def test_a_member_volunteers_with_topics_and_load_and_again_is_an_update(edition):
    person = UserFactory()
    nlp = TopicFactory(name="NLP")

    seat = services.volunteer_to_review(
        edition=edition, person=person, topics=[nlp], max_load=5, statement="I build parsers."
    )
    again = services.volunteer_to_review(edition=edition, person=person, max_load=3)

    assert seat.was_created
    assert not again.was_created
    assert again.pk == seat.pk
    fresh = ReviewerVolunteer.objects.get(pk=seat.pk)
    assert fresh.max_load == 3
    assert list(fresh.topics.all()) == []
    assert is_reviewer(person, edition)


def test_the_load_is_bounded_by_the_editions_maximum(edition):
    with pytest.raises(ValidationError) as refused:
        services.volunteer_to_review(edition=edition, person=UserFactory(), max_load=9)
    assert "from 1 to 8" in refused.value.message_dict["max_load"][0]
    with pytest.raises(ValidationError):
        services.volunteer_to_review(edition=edition, person=UserFactory(), max_load=0)
    assert not ReviewerVolunteer.objects.exists()


def test_volunteering_needs_an_announced_edition_and_reviewing_not_over(edition):
    hidden = EditionFactory(is_published=False)
    with pytest.raises(PermissionDenied):
        services.volunteer_to_review(edition=hidden, person=UserFactory())
    Edition.objects.filter(pk=edition.pk).update(
        review_opens_at=timezone.now() - timedelta(days=2),
        review_closes_at=timezone.now() - timedelta(days=1),
        cfp_closes_at=timezone.now() - timedelta(days=3),
        cfp_opens_at=timezone.now() - timedelta(days=9),
    )
    edition.refresh_from_db()
    with pytest.raises(CallRefused) as refused:
        services.volunteer_to_review(edition=edition, person=UserFactory())
    assert refused.value.code == "closed"


def test_only_the_volunteer_updates_or_leaves(edition, reviewer):
    stranger = UserFactory()
    with pytest.raises(PermissionDenied):
        services.update_volunteer(volunteer=reviewer, actor=stranger, max_load=2)
    with pytest.raises(PermissionDenied):
        services.leave_pool(volunteer=reviewer, actor=stranger)
    services.update_volunteer(volunteer=reviewer, actor=reviewer.person, statement="Vision")
    assert ReviewerVolunteer.objects.get(pk=reviewer.pk).statement == "Vision"


def test_leaving_takes_the_bids_but_not_with_assignments(edition, reviewer):
    proposal = ProposalFactory(edition=edition)
    services.set_bid(
        volunteer=reviewer, proposal=proposal, level=BidLevel.CONFLICT, actor=reviewer.person
    )
    services.leave_pool(volunteer=reviewer, actor=reviewer.person)
    assert not ReviewerVolunteer.objects.filter(pk=reviewer.pk).exists()
    assert not Bid.objects.exists()
    assert not DeclaredConflict.objects.exists()

    other = ReviewerVolunteerFactory(edition=edition)
    ReviewAssignmentFactory(proposal=proposal, reviewer=other.person)
    with pytest.raises(CallRefused) as refused:
        services.leave_pool(volunteer=other, actor=other.person)
    assert "ask the chair" in refused.value.messages[0]
    assert ReviewerVolunteer.objects.filter(pk=other.pk).exists()


def test_the_chair_sets_a_volunteer_aside_and_back(edition, reviewer, chair, committee_member):
    with pytest.raises(PermissionDenied):
        services.set_volunteer_active(volunteer=reviewer, actor=committee_member, active=False)
    services.set_volunteer_active(volunteer=reviewer, actor=chair, active=False)
    assert not is_reviewer(reviewer.person, edition)
    with pytest.raises(CallRefused) as refused:
        services.volunteer_to_review(edition=edition, person=reviewer.person)
    assert refused.value.code == "set_aside"
    with pytest.raises(CallRefused):
        services.set_bid(
            volunteer=reviewer,
            proposal=ProposalFactory(edition=edition),
            level=BidLevel.EAGER,
            actor=reviewer.person,
        )
    services.set_volunteer_active(volunteer=reviewer, actor=chair, active=True)
    assert ReviewerVolunteer.objects.get(pk=reviewer.pk).is_active


# --- Bidding ---------------------------------------------------------------------------------


def test_a_bid_is_set_changed_and_taken_back(edition, reviewer):
    proposal = ProposalFactory(edition=edition)
    person = reviewer.person
    services.set_bid(volunteer=reviewer, proposal=proposal, level=BidLevel.EAGER, actor=person)
    services.set_bid(volunteer=reviewer, proposal=proposal, level=BidLevel.WILLING, actor=person)
    assert Bid.objects.get().level == BidLevel.WILLING
    services.clear_bid(volunteer=reviewer, proposal=proposal, actor=person)
    assert not Bid.objects.exists()


def test_a_conflict_bid_declares_a_conflict_and_moving_away_withdraws_it(edition, reviewer):
    proposal = ProposalFactory(edition=edition)
    person = reviewer.person
    services.set_bid(volunteer=reviewer, proposal=proposal, level=BidLevel.CONFLICT, actor=person)
    conflict = DeclaredConflict.objects.get()
    assert (conflict.person, conflict.proposal, conflict.declared_by) == (person, proposal, person)

    services.set_bid(volunteer=reviewer, proposal=proposal, level=BidLevel.EAGER, actor=person)
    assert not DeclaredConflict.objects.exists()


def test_a_conflict_the_chair_declared_stays_when_the_bid_changes(edition, reviewer, chair):
    proposal = ProposalFactory(edition=edition)
    DeclaredConflict.objects.create(
        proposal=proposal, person=reviewer.person, declared_by=chair, reason="Same team"
    )
    person = reviewer.person
    services.set_bid(volunteer=reviewer, proposal=proposal, level=BidLevel.CONFLICT, actor=person)
    services.set_bid(volunteer=reviewer, proposal=proposal, level=BidLevel.WILLING, actor=person)
    assert DeclaredConflict.objects.get().reason == "Same team"


def test_no_bids_on_ones_own_proposal(edition, reviewer):
    own = ProposalFactory(edition=edition, created_by=reviewer.person)
    co_spoken = ProposalFactory(edition=edition, speakers=[reviewer.person])
    for proposal in (own, co_spoken):
        with pytest.raises(ValidationError) as refused:
            services.set_bid(
                volunteer=reviewer, proposal=proposal, level=BidLevel.EAGER, actor=reviewer.person
            )
        assert "speaker of this proposal" in refused.value.messages[0]
    assert not Bid.objects.exists()


@pytest.mark.parametrize(
    ("case", "error"),
    [("other_edition", ValidationError), ("draft", CallRefused), ("level", ValidationError)],
)
def test_bad_bids_are_refused(edition, reviewer, case, error):
    proposal = {
        "other_edition": ProposalFactory,
        "draft": lambda: ProposalFactory(edition=edition, state=ProposalState.DRAFT),
        "level": lambda: ProposalFactory(edition=edition),
    }[case]()
    level = "ecstatic" if case == "level" else BidLevel.EAGER
    with pytest.raises(error):
        services.set_bid(volunteer=reviewer, proposal=proposal, level=level, actor=reviewer.person)
    assert not Bid.objects.exists()


def test_only_the_reviewer_bids_for_themself(edition, reviewer, chair):
    with pytest.raises(PermissionDenied):
        services.set_bid(
            volunteer=reviewer,
            proposal=ProposalFactory(edition=edition),
            level=BidLevel.EAGER,
            actor=chair,
        )


def test_bidding_ends_with_reviewing(edition, reviewer):
    proposal = ProposalFactory(edition=edition)
    Edition.objects.filter(pk=edition.pk).update(
        cfp_opens_at=timezone.now() - timedelta(days=9),
        cfp_closes_at=timezone.now() - timedelta(days=3),
        review_opens_at=timezone.now() - timedelta(days=2),
        review_closes_at=timezone.now() - timedelta(days=1),
    )
    reviewer.edition.refresh_from_db()
    with pytest.raises(CallRefused):
        services.set_bid(
            volunteer=reviewer, proposal=proposal, level=BidLevel.EAGER, actor=reviewer.person
        )


# --- Queries ---------------------------------------------------------------------------------


def test_the_bidding_list_follows_the_reviewers_topics_with_their_bids(edition):
    nlp = TopicFactory(name="NLP")
    parsing = TopicFactory(name="Parsing", parent=nlp)
    vision = TopicFactory(name="Vision")
    seat = ReviewerVolunteerFactory(edition=edition, topics=[nlp])
    on_topic = ProposalFactory(edition=edition, title="Parsing at scale", topics=[parsing])
    off_topic = ProposalFactory(edition=edition, title="Seeing things", topics=[vision])
    ProposalFactory(edition=edition, title="Own", created_by=seat.person, topics=[nlp])
    ProposalFactory(edition=edition, state=ProposalState.DRAFT, topics=[nlp])
    ProposalFactory(edition=edition, state=ProposalState.WITHDRAWN, topics=[nlp])
    ProposalFactory(topics=[nlp])  # another edition
    services.set_bid(volunteer=seat, proposal=on_topic, level=BidLevel.EAGER, actor=seat.person)

    mine = list(biddable_proposals(seat))
    everything = list(biddable_proposals(seat, show_all=True))

    assert [(p.title, p.my_bid, p.topic_matches) for p in mine] == [
        ("Parsing at scale", "eager", 1)
    ]
    assert [p.pk for p in everything] == [on_topic.pk, off_topic.pk]
    assert everything[1].my_bid is None


def test_a_reviewer_without_topics_sees_everything(edition):
    seat = ReviewerVolunteerFactory(edition=edition)
    ProposalFactory(edition=edition, topics=[TopicFactory()])
    assert len(list(biddable_proposals(seat))) == 1


def test_the_chairs_pool_counts_bids_and_assignments(edition):
    busy = ReviewerVolunteerFactory(edition=edition, max_load=2)
    idle = ReviewerVolunteerFactory(edition=edition, max_load=20, is_active=False)
    first, second = ProposalFactory(edition=edition), ProposalFactory(edition=edition)
    services.set_bid(volunteer=busy, proposal=first, level=BidLevel.EAGER, actor=busy.person)
    services.set_bid(volunteer=busy, proposal=second, level=BidLevel.WILLING, actor=busy.person)
    ReviewAssignmentFactory(proposal=first, reviewer=busy.person)
    ReviewAssignmentFactory(proposal=ProposalFactory(), reviewer=busy.person)  # other edition

    rows = {row.pk: row for row in pool_for_chair(edition)}
    assert (rows[busy.pk].bid_count, rows[busy.pk].assigned_count) == (2, 1)
    assert (rows[idle.pk].bid_count, rows[idle.pk].assigned_count) == (0, 0)
    assert [row.pk for row in pool_for_chair(edition, active=False)] == [idle.pk]
    assert pool_summary(edition) == {"active": 1, "set_aside": 1, "capacity": 2, "bids": 2}
    assert volunteer_of(edition, busy.person) == busy
    assert volunteer_of(edition, UserFactory()) is None
