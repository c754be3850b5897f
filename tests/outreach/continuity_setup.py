"""A leaver who owned one of everything in a community, for the continuity tests; and the
outbox fixture, to read the alert mails back."""

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.utils import timezone

from practica.communities.models import Group, GroupRole, MembershipRole
from practica.conference.models import CommitteeMember, Edition
from practica.discussions.models import RoutedExpert, RoutingReason, RoutingRound, Thread
from practica.events.models import Event, EventHost, EventSeries, EventStatus, SpeakerRole
from practica.people.models import User
from tests.events.outbox import outbox_backend, sent_mails
from tests.factories.communities import (
    CommunityFactory,
    GroupFactory,
    GroupMembershipFactory,
    MembershipFactory,
)
from tests.factories.conference import EditionFactory
from tests.factories.discussions import QuestionFactory
from tests.factories.events import EventFactory
from tests.factories.people import UserFactory

KINDS = {"group", "event_series", "hosted_event", "committee_seat", "routed_question"}


@dataclass
class Owned:
    leaver: User
    group: Group
    series: EventSeries
    event: Event
    edition: Edition
    question: Thread


def route(thread: Thread, person: User, *, rank: int = 1) -> RoutedExpert:
    routing_round, _created = RoutingRound.objects.get_or_create(
        thread=thread, number=1, defaults={"reason": RoutingReason.POSTED}
    )
    return RoutedExpert.objects.create(
        round=routing_round, thread=thread, person=person, rank=rank, score=0.5
    )


def give_everything(community, leaver: User) -> Owned:
    """One thing of each kind owned by `leaver` in `community`, plus things that need no new
    owner (an archived group, a past and a cancelled event, a finished edition, an answered
    question)."""
    group = GroupFactory(community=community, name="Deep RL papers")
    GroupMembershipFactory(group=group, person=leaver, role=GroupRole.OWNER)
    GroupMembershipFactory(group=group)  # a plain member
    archived = GroupFactory(community=community, archived_at=timezone.now())
    GroupMembershipFactory(group=archived, person=leaver, role=GroupRole.OWNER)

    series = EventSeries.objects.create(
        community=community, title="Paper of the month", owner=leaver
    )
    event = EventFactory(community=community, series=series, title="Diffusion models")
    EventHost.objects.create(
        event=event, guest_name="Ada Guest", role=SpeakerRole.SPEAKER, position=0
    )
    EventHost.objects.create(event=event, person=leaver, role=SpeakerRole.HOST, position=1)
    past = EventFactory(
        community=community,
        starts_at=timezone.now() - timedelta(days=3),
        ends_at=timezone.now() - timedelta(days=3) + timedelta(hours=1),
    )
    EventHost.objects.create(event=past, person=leaver, role=SpeakerRole.HOST)
    cancelled = EventFactory(community=community, status=EventStatus.CANCELLED)
    EventHost.objects.create(event=cancelled, person=leaver, role=SpeakerRole.HOST)

    edition = EditionFactory(community=community, name="Spring 2027")
    CommitteeMember.objects.create(edition=edition, person=leaver, is_chair=True)
    finished = EditionFactory(
        community=community,
        starts_on=timezone.localdate() - timedelta(days=30),
        ends_on=timezone.localdate() - timedelta(days=29),
    )
    CommitteeMember.objects.create(edition=finished, person=leaver)

    question = QuestionFactory(community=community, title="How do I tune PPO?")
    route(question, leaver)
    answered = QuestionFactory(community=community)
    done = route(answered, leaver)
    RoutedExpert.objects.filter(pk=done.pk).update(
        answered_at=timezone.now(), closed_at=timezone.now()
    )
    return Owned(leaver, group, series, event, edition, question)


def leavers_with_groups_and_series(community, count: int) -> list[User]:
    """`count` leavers, each owning two groups and two event series of `community` (one series
    with an event coming, one without): things whose links need the database."""
    leavers = []
    for number in range(count):
        person = MembershipFactory(community=community).person
        for which in ("a", "b"):
            group = GroupFactory(community=community, name=f"Group {number}{which}")
            GroupMembershipFactory(group=group, person=person, role=GroupRole.OWNER)
        coming = EventSeries.objects.create(
            community=community, title=f"Series {number} with an event", owner=person
        )
        EventFactory(community=community, series=coming)
        EventSeries.objects.create(community=community, title=f"Series {number}", owner=person)
        leavers.append(person)
    return leavers


@pytest.fixture
def leaver(community):
    return MembershipFactory(community=community).person


@pytest.fixture
def owned(community, leaver):
    return give_everything(community, leaver)


@pytest.fixture
def successor(community):
    return MembershipFactory(community=community, role=MembershipRole.ORGANIZER).person


@pytest.fixture
def other_community(db):
    return CommunityFactory(name="Data Engineering")


__all__ = [
    "KINDS",
    "Owned",
    "UserFactory",
    "give_everything",
    "leaver",
    "leavers_with_groups_and_series",
    "other_community",
    "outbox_backend",
    "owned",
    "route",
    "sent_mails",
    "successor",
]
