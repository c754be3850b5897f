"""Editions: creating one with its conference event and defaults, editing and announcing it,
its tracks, formats, rooms and criteria, and the committee — bad input and permissions."""

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from practica.communities.models import MembershipRole
from practica.conference.models import (
    CommitteeMember,
    DecisionTemplate,
    Edition,
    ReviewCriterion,
    SessionFormat,
    SessionKind,
    Track,
)
from practica.conference.permissions import is_chair, is_committee
from practica.conference.services import committee as committee_services
from practica.conference.services import edition_parts as parts
from practica.conference.services import editions as services
from practica.conference.services.editions import CallRefused
from practica.core.models import Activity, ActivityKind, AuditLogEntry
from practica.events.models import Event, EventFormat, EventStatus
from tests.conference.call_helpers import draft, edition_values, member_of
from tests.events.outbox import outbox_backend  # noqa: F401 — the fixture
from tests.factories.conference import (
    CommitteeMemberFactory,
    ProposalFactory,
    ReviewAssignmentFactory,
)
from tests.factories.core import TopicFactory
from tests.factories.people import UserFactory

pytestmark = [pytest.mark.unit, pytest.mark.django_db, pytest.mark.usefixtures("outbox_backend")]


@pytest.fixture
def manager(community):
    return member_of(community, MembershipRole.MANAGER)


# --- Creating --------------------------------------------------------------------------------


def test_a_manager_creates_an_edition_with_its_conference_event_and_defaults(community, manager):
    topic = TopicFactory(name="NLP")
    edition = services.create_edition(
        community=community, actor=manager, topics=[topic], **edition_values()
    )

    assert edition.slug == "autumn-2031"
    assert not edition.is_published
    assert list(edition.topics.all()) == [topic]
    event = edition.event
    assert event.format == EventFormat.CONFERENCE
    assert event.status == EventStatus.DRAFT
    assert event.time_zone == "Europe/Berlin"
    local_start = event.starts_at.astimezone(ZoneInfo("Europe/Berlin"))
    assert (local_start.date(), local_start.hour) == (edition.starts_on, 9)
    assert event.seats.get().capacity == 1000
    assert community.name in event.title
    formats = {row.kind: row for row in SessionFormat.objects.filter(edition=edition)}
    assert set(formats) == set(SessionKind.values)
    assert formats[SessionKind.TALK].minutes == 30
    assert formats[SessionKind.LIGHTNING].minutes == 10
    assert formats[SessionKind.TUTORIAL].minutes == 90
    assert not formats[SessionKind.KEYNOTE].open_for_proposals
    assert formats[SessionKind.PANEL].open_for_proposals
    assert list(ReviewCriterion.objects.filter(edition=edition).values_list("name", flat=True)) == [
        "Relevance",
        "Originality",
        "Clarity",
    ]
    assert DecisionTemplate.objects.filter(edition=edition).count() == 3
    assert AuditLogEntry.objects.filter(action="conference.edition_created").exists()


def test_creating_and_announcing_at_once_publishes_the_event(community, manager):
    edition = services.create_edition(
        community=community, actor=manager, publish=True, **edition_values()
    )
    assert edition.is_published
    assert edition.event.status == EventStatus.PUBLISHED


def test_without_defaults_the_edition_starts_empty(community, manager):
    edition = services.create_edition(
        community=community, actor=manager, with_defaults=False, **edition_values()
    )
    assert not edition.formats.exists()
    assert not edition.criteria.exists()


@pytest.mark.parametrize("role", [MembershipRole.MEMBER, MembershipRole.ORGANIZER, None], ids=str)
def test_only_managers_and_leaders_create_editions(community, role):
    actor = member_of(community, role) if role else UserFactory()
    with pytest.raises(PermissionDenied):
        services.create_edition(community=community, actor=actor, **edition_values())
    assert not Edition.objects.exists()
    assert not Event.objects.exists()


def test_a_leader_may_create_one(community):
    leader = member_of(community, MembershipRole.LEADER)
    assert services.create_edition(community=community, actor=leader, **edition_values())


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"name": "  "}, "name"),
        ({"time_zone": "Mars/Olympus"}, "time_zone"),
        ({"cfp_closes_at": "later"}, "cfp_closes_at"),
        ({"reviewers_per_proposal": 0}, "reviewers_per_proposal"),
        ({"reviewer_min_load": 9, "reviewer_max_load": 4}, "reviewer_max_load"),
    ],
)
def test_bad_fields_are_refused_by_name(community, manager, changes, field):
    with pytest.raises(ValidationError) as refused:
        services.create_edition(community=community, actor=manager, **edition_values(**changes))
    assert field in refused.value.message_dict
    assert not Edition.objects.exists()


def test_dates_must_follow_each_other(community, manager):
    values = edition_values()
    values["cfp_closes_at"] = values["cfp_opens_at"] - timedelta(hours=1)
    values["review_opens_at"] = values["cfp_opens_at"]
    with pytest.raises(ValidationError) as refused:
        services.create_edition(community=community, actor=manager, **values)
    assert "after the call opens" in refused.value.message_dict["cfp_closes_at"][0]

    values = edition_values()
    values["decisions_due_at"] = timezone.now() + timedelta(days=400)
    with pytest.raises(ValidationError) as refused:
        services.create_edition(community=community, actor=manager, **values)
    assert "before the conference starts" in refused.value.message_dict["decisions_due_at"][0]

    values = edition_values()
    values["ends_on"] = values["starts_on"] - timedelta(days=1)
    with pytest.raises(ValidationError) as refused:
        services.create_edition(community=community, actor=manager, **values)
    assert "ends_on" in refused.value.message_dict


def test_naive_times_are_refused(community, manager):
    values = edition_values()
    values["review_closes_at"] = values["review_closes_at"].replace(tzinfo=None)
    with pytest.raises(ValidationError) as refused:
        services.create_edition(community=community, actor=manager, **values)
    assert "time zone" in refused.value.message_dict["review_closes_at"][0]


def test_an_in_person_edition_needs_a_place_and_nothing_is_left_behind(community, manager):
    with pytest.raises(ValidationError) as refused:
        services.create_edition(community=community, actor=manager, **edition_values(venue_city=""))
    assert "venue_city" in refused.value.message_dict
    assert not Event.objects.exists()


def test_slugs_are_unique_per_community(community, manager):
    services.create_edition(community=community, actor=manager, **edition_values())
    with pytest.raises(ValidationError) as refused:
        services.create_edition(community=community, actor=manager, **edition_values())
    assert "slug" in refused.value.message_dict
    assert Edition.objects.count() == 1
    assert Event.objects.count() == 1


# --- Editing and announcing ------------------------------------------------------------------


def test_the_chair_edits_and_moving_the_days_moves_the_event(community, manager):
    edition = services.create_edition(community=community, actor=manager, **edition_values())
    later = edition.starts_on + timedelta(days=7)
    sequence = edition.event.sequence

    edited = services.update_edition(
        edition=edition,
        actor=manager,
        name="Autumn 2031 (Zurich)",
        starts_on=later,
        ends_on=later + timedelta(days=2),
        double_blind=True,
    )

    edited.refresh_from_db()
    assert edited.name == "Autumn 2031 (Zurich)"
    assert edited.double_blind
    event = Event.objects.get(pk=edition.event_id)
    assert event.sequence == sequence + 1
    assert "Zurich" in event.title
    assert (event.ends_at - event.starts_at) > timedelta(days=2)


def test_a_committee_chair_may_edit_but_not_move_the_event(edition):
    chair = CommitteeMemberFactory(edition=edition, is_chair=True).person
    services.update_edition(edition=edition, actor=chair, reviewers_per_proposal=4)
    edition.refresh_from_db()
    assert edition.reviewers_per_proposal == 4


def test_a_committee_chair_without_community_role_cannot_move_the_conference_event(
    community, manager
):
    edition = services.create_edition(community=community, actor=manager, **edition_values())
    chair = CommitteeMemberFactory(edition=edition, is_chair=True).person
    with pytest.raises(PermissionDenied):
        services.update_edition(
            edition=edition, actor=chair, starts_on=edition.starts_on + timedelta(days=1)
        )
    edition.refresh_from_db()
    assert edition.starts_on == edition_values()["starts_on"]


def test_non_chairs_cannot_edit(edition, committee_member):
    for actor in (committee_member, UserFactory()):
        with pytest.raises(PermissionDenied):
            services.update_edition(edition=edition, actor=actor, name="Hacked")
    edition.refresh_from_db()
    assert edition.name != "Hacked"


def test_unknown_fields_and_bad_values_change_nothing(edition, chair):
    with pytest.raises(ValidationError):
        services.update_edition(edition=edition, actor=chair, is_published=False)
    with pytest.raises(ValidationError):
        services.update_edition(edition=edition, actor=chair, review_opens_at=edition.cfp_opens_at)
    fresh = Edition.objects.get(pk=edition.pk)
    assert fresh.review_opens_at == edition.review_opens_at


def test_announcing_is_idempotent_and_for_chairs(community, manager):
    edition = services.create_edition(community=community, actor=manager, **edition_values())
    with pytest.raises(PermissionDenied):
        services.announce_edition(edition=edition, actor=UserFactory())

    services.announce_edition(edition=edition, actor=manager)
    services.announce_edition(edition=edition, actor=manager)

    edition.refresh_from_db()
    assert edition.is_published
    assert Event.objects.get(pk=edition.event_id).status == EventStatus.PUBLISHED
    assert AuditLogEntry.objects.filter(action="conference.edition_announced").count() == 1


def test_an_edition_without_proposals_is_deleted_and_its_event_cancelled(community, manager):
    edition = services.create_edition(
        community=community, actor=manager, publish=True, **edition_values()
    )
    event_id = edition.event_id
    chair = CommitteeMemberFactory(edition=edition, is_chair=True).person
    with pytest.raises(PermissionDenied):
        services.delete_edition(edition=edition, actor=chair)

    services.delete_edition(edition=edition, actor=manager)

    assert not Edition.objects.exists()
    assert Event.objects.get(pk=event_id).status == EventStatus.CANCELLED


def test_an_edition_with_proposals_is_not_deleted(edition, chair):
    ProposalFactory(edition=edition, state="draft")
    with pytest.raises(CallRefused) as refused:
        services.delete_edition(edition=edition, actor=chair)
    assert refused.value.code == "in_use"
    assert Edition.objects.filter(pk=edition.pk).exists()


# --- Tracks, formats, rooms, criteria --------------------------------------------------------


def test_tracks_are_added_renamed_and_removed(edition, chair):
    track = parts.add_track(edition=edition, actor=chair, name="  Product ", position=3)
    assert track.name == "Product"
    with pytest.raises(ValidationError):
        parts.add_track(edition=edition, actor=chair, name="product")
    parts.update_track(track=track, actor=chair, name="Products", description="Shipping")
    track.refresh_from_db()
    assert (track.name, track.description) == ("Products", "Shipping")
    parts.remove_track(track=track, actor=chair)
    assert not Track.objects.filter(pk=track.pk).exists()


def test_a_track_in_use_is_not_removed(edition, chair):
    track = Track.objects.get(edition=edition, name="Research")
    ProposalFactory(edition=edition, track=track)
    with pytest.raises(CallRefused) as refused:
        parts.remove_track(track=track, actor=chair)
    assert "1 proposal is in this track" in refused.value.messages[0]
    assert Track.objects.filter(pk=track.pk).exists()


def test_formats_are_offered_closed_and_kept_while_used(edition, chair):
    poster = parts.add_format(
        edition=edition, actor=chair, kind="poster", name="Poster", minutes=60
    )
    with pytest.raises(ValidationError) as refused:
        parts.add_format(edition=edition, actor=chair, kind="opera", name="Opera", minutes=60)
    assert "kind" in refused.value.message_dict
    with pytest.raises(ValidationError):
        parts.update_format(session_format=poster, actor=chair, minutes=2)
    parts.update_format(session_format=poster, actor=chair, open_for_proposals=False)
    poster.refresh_from_db()
    assert not poster.open_for_proposals

    ProposalFactory(edition=edition, format=poster)
    with pytest.raises(CallRefused) as refused:
        parts.remove_format(session_format=poster, actor=chair)
    assert "close it to new proposals instead" in refused.value.messages[0]
    assert SessionFormat.objects.filter(pk=poster.pk).exists()


def test_rooms_and_criteria(edition, chair):
    room = parts.add_room(edition=edition, actor=chair, name="Auditorium", capacity=800)
    with pytest.raises(ValidationError):
        parts.add_room(edition=edition, actor=chair, name="Aud", capacity=-1)
    parts.update_room(room=room, actor=chair, capacity=900, venue="HQ")
    room.refresh_from_db()
    assert (room.capacity, room.venue) == (900, "HQ")
    parts.remove_room(room=room, actor=chair)

    criterion = parts.add_criterion(edition=edition, actor=chair, name="Originality", weight="1.5")
    assert str(criterion.weight) == "1.50"
    with pytest.raises(ValidationError):
        parts.update_criterion(criterion=criterion, actor=chair, weight="heavy")
    parts.remove_criterion(criterion=criterion, actor=chair)
    assert not ReviewCriterion.objects.filter(pk=criterion.pk).exists()


def test_a_scored_criterion_is_not_removed(edition, chair):
    from practica.conference.models import Review, ReviewScore

    criterion = ReviewCriterion.objects.get(edition=edition, name="Clarity")
    assignment = ReviewAssignmentFactory(proposal=ProposalFactory(edition=edition))
    review = Review.objects.create(assignment=assignment)
    ReviewScore.objects.create(review=review, criterion=criterion, score=4)
    with pytest.raises(CallRefused):
        parts.remove_criterion(criterion=criterion, actor=chair)


def test_parts_are_for_chairs_only(edition, committee_member):
    track = Track.objects.get(edition=edition, name="Research")
    with pytest.raises(PermissionDenied):
        parts.add_track(edition=edition, actor=committee_member, name="Other")
    with pytest.raises(PermissionDenied):
        parts.remove_track(track=track, actor=committee_member)
    with pytest.raises(PermissionDenied):
        parts.add_room(edition=edition, actor=UserFactory(), name="Closet")


# --- The committee ---------------------------------------------------------------------------


def test_seating_a_member_records_that_they_served_once(edition, chair):
    person = UserFactory()
    seat = committee_services.add_committee_member(edition=edition, actor=chair, person=person)
    again = committee_services.add_committee_member(
        edition=edition, actor=chair, person=person, is_chair=True
    )

    assert again.pk == seat.pk
    assert again.is_chair
    assert is_chair(person, edition)
    rows = Activity.objects.filter(kind=ActivityKind.SERVED_ON_COMMITTEE, person=person)
    assert rows.count() == 1
    assert rows.get().community_id == edition.community_id


def test_chairs_are_set_and_unset_and_members_removed(edition, chair):
    seat = CommitteeMemberFactory(edition=edition)
    committee_services.set_committee_chair(seat=seat, actor=chair, is_chair=True)
    assert CommitteeMember.objects.get(pk=seat.pk).is_chair
    committee_services.set_committee_chair(seat=seat, actor=chair, is_chair=False)
    assert not CommitteeMember.objects.get(pk=seat.pk).is_chair

    person = seat.person
    committee_services.remove_committee_member(seat=seat, actor=chair)
    assert not is_committee(person, edition)


def test_only_chairs_change_the_committee(edition, committee_member):
    with pytest.raises(PermissionDenied):
        committee_services.add_committee_member(
            edition=edition, actor=committee_member, person=UserFactory()
        )
    inactive = UserFactory(is_active=False)
    chair = CommitteeMemberFactory(edition=edition, is_chair=True).person
    with pytest.raises(ValidationError):
        committee_services.add_committee_member(edition=edition, actor=chair, person=inactive)


def test_defaults_accept_the_default_formats_for_proposals(community, manager):
    """The created edition takes proposals in its default formats once the call opens."""
    edition = services.create_edition(
        community=community,
        actor=manager,
        publish=True,
        **edition_values(cfp_opens_at=timezone.now() - timedelta(hours=1)),
    )
    talk = SessionFormat.objects.get(edition=edition, kind=SessionKind.TALK)
    proposal = draft(edition, UserFactory(), format=talk, track=None)
    assert proposal.format == talk
