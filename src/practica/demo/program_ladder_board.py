"""Machine Learning's opportunities board: open calls with their first volunteers, closed
calls with the volunteers the manager accepted (their VOLUNTEERED ledger rows) or declined,
and the audit entries the services write."""

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.contrib.contenttypes.models import ContentType
from django.db.models.functions import Coalesce

from practica.communities.models import (
    Opportunity,
    OpportunityKind,
    OpportunityStatus,
    Volunteer,
    VolunteerStatus,
)
from practica.core.models import Activity, ActivityKind, AuditLogEntry
from practica.demo.growth import ML
from practica.demo.logins import MEMBER_EMAIL
from practica.demo.program_people import Roster, manager

if TYPE_CHECKING:
    from practica.demo.story import DemoStory


@dataclass(frozen=True)
class CallSpec:
    key: str
    kind: str
    title: str  # {edition}
    description: str
    seats: int | None
    opened_days_ago: int
    closes_in_days: int  # negative: closed that many days ago
    accepted: int
    offered: int = 0  # left waiting for an answer
    declined: int = 0
    withdrawn: int = 0


CALLS = (
    CallSpec(
        "reviewers", OpportunityKind.REVIEWERS, "Reviewers wanted: {current}",
        "Read and score about eight proposals in two weeks, with the review guide and a "
        "short training call. First-time reviewers are paired with an experienced one.",
        10, 20, 12, accepted=2, offered=3,
    ),
    CallSpec(
        "speakers", OpportunityKind.SPEAKERS, "Speakers wanted for ML Monthly",
        "Forty minutes on a problem you solved, then questions. We help with the slides and "
        "a dry run; every kind of machine-learning work is welcome.",
        None, 12, 30, accepted=1, offered=2,
    ),
    CallSpec(
        "organizers", OpportunityKind.ORGANIZERS,
        "Organizers for a new computer vision study group",
        "Two people to start a fortnightly study group on computer vision: choose the "
        "material, book a room, keep the sessions going. A small grant covers food and books.",
        2, 9, 10, accepted=0, offered=1,
    ),
    CallSpec(
        "hosts", OpportunityKind.HOSTS, "Hosts for the ML Hackathon",
        "Welcome the teams, keep time, run the demos on day two.",
        4, 200, -170, accepted=3, declined=1,
    ),
    CallSpec(
        "past_reviewers", OpportunityKind.REVIEWERS, "Reviewers wanted: {previous}",
        "Read and score about eight proposals in two weeks, with the review guide.",
        12, 330, -300, accepted=6, withdrawn=1,
    ),
)  # fmt: skip
MESSAGES = (
    "Happy to help; I reviewed for my team's internal conference last year.",
    "I'd love to, this is close to what I work on.",
    "Count me in if there is still room.",
    "First time volunteering: I'd like to give it a try.",
)
MEMBER_LOGIN_MESSAGE = "I'm new, but I'd love to help start it: I work on OCR for translation."


def _edition_names(story: "DemoStory") -> dict[str, str]:
    current = next((e.name for e in story.editions if e.is_current), "the next conference")
    past = [e.name for e in story.editions if not e.is_current]
    return {"current": current, "previous": past[-1] if past else "the last conference"}


def _closed_call_dates(story: "DemoStory", spec: CallSpec) -> tuple[datetime, datetime] | None:
    """When a closed call opened and closed: the weeks before the last hackathon, or before
    the previous edition's review opened."""
    now = story.now
    if spec.key == "hosts":
        held = [e.starts_at for e in story.events if e.series == "hackathon" and e.starts_at < now]
        if held:
            return held[-1] - timedelta(days=40), held[-1] - timedelta(days=10)
    if spec.key == "past_reviewers":
        past = [e.review_opens_at for e in story.editions if not e.is_current]
        if past:
            return past[-1] - timedelta(days=30), past[-1] - timedelta(days=2)
    return None


def save_board(story: "DemoStory", rng: random.Random) -> dict[str, Opportunity]:
    """The calls and volunteers; returns the calls by their key in `CALLS`."""
    ml, now = story.communities[ML].pk, story.now
    staff = manager(story)
    member = story.logins[MEMBER_EMAIL]
    names = _edition_names(story)
    calls, volunteers = [], []
    roster = Roster(story, ML)
    for spec in CALLS:
        opened = now - timedelta(days=spec.opened_days_ago, hours=rng.uniform(0, 8))
        closed_at = now + timedelta(days=spec.closes_in_days, hours=18)
        closed = spec.closes_in_days < 0
        if closed:
            opened, closed_at = _closed_call_dates(story, spec) or (opened, closed_at)
        closes = closed_at.date()
        call = Opportunity(
            community_id=ml, kind=spec.kind, title=spec.title.format(**names),
            description=spec.description, seats=spec.seats, closes_on=closes,
            status=OpportunityStatus.CLOSED if closed else OpportunityStatus.OPEN,
            created_by_id=staff.user.pk, created_at=opened,
            closed_at=closed_at if closed else None,
        )  # fmt: skip
        calls.append(call)
        pool = [
            m.person
            for m in roster.at(opened)
            if m.person is not staff and m.person is not member and m.left_at is None
        ]
        outcomes = (
            [VolunteerStatus.ACCEPTED] * spec.accepted
            + [VolunteerStatus.DECLINED] * spec.declined
            + [VolunteerStatus.WITHDRAWN] * spec.withdrawn
            + [VolunteerStatus.OFFERED] * spec.offered
        )
        people = rng.sample(pool, min(len(pool), len(outcomes)))
        if spec.key == "organizers":
            people.append(member)
            outcomes.append(VolunteerStatus.OFFERED)
        end = call.closed_at or now
        for person, status in zip(people, outcomes, strict=False):
            offered = opened + (end - opened) * rng.uniform(0.05, 0.5)
            decided = None
            if status not in (VolunteerStatus.OFFERED, VolunteerStatus.WITHDRAWN):
                decided = min(offered + timedelta(days=rng.uniform(0.5, 4)), end)
            message = MEMBER_LOGIN_MESSAGE if person is member else rng.choice(MESSAGES)
            volunteers.append(
                (call, Volunteer(person_id=person.user.pk, message=message, status=status,
                                 offered_at=offered, decided_at=decided,
                                 decided_by_id=staff.user.pk if decided else None))
            )  # fmt: skip
    Opportunity.objects.bulk_create(calls)
    Opportunity.objects.filter(pk__in=[c.pk for c in calls]).update(
        updated_at=Coalesce("closed_at", "created_at")
    )
    for call, volunteer in volunteers:
        volunteer.opportunity = call
    Volunteer.objects.bulk_create([v for _call, v in volunteers])
    _ledger_and_audit(story, calls, [v for _call, v in volunteers], staff.user.pk)
    return {spec.key: call for spec, call in zip(CALLS, calls, strict=True)}


def _ledger_and_audit(
    story: "DemoStory", calls: list[Opportunity], volunteers: list[Volunteer], by: int
) -> None:
    ml = story.communities[ML].pk
    types = ContentType.objects.get_for_models(Opportunity, Volunteer)
    call_type, volunteer_type = types[Opportunity], types[Volunteer]
    audit = []
    for call in calls:
        audit.append(AuditLogEntry(actor_id=by, action="opportunity.opened", target_type=call_type,
                                   target_id=call.pk, community_id=ml, created_at=call.created_at,
                                   data={"kind": call.kind, "seats": call.seats}))  # fmt: skip
        if call.closed_at is not None:
            audit.append(AuditLogEntry(actor_id=by, action="opportunity.closed",
                                       target_type=call_type, target_id=call.pk,
                                       community_id=ml, created_at=call.closed_at))  # fmt: skip
    ledger = []
    for v in volunteers:
        call = v.opportunity
        data = {"opportunity": call.pk, "person": v.person_id}
        if v.status == VolunteerStatus.ACCEPTED and v.decided_at is not None:
            ledger.append(Activity(kind=ActivityKind.VOLUNTEERED, person_id=v.person_id,
                                   community_id=ml, subject_type=call_type, subject_id=call.pk,
                                   counterpart_id=by, occurred_at=v.decided_at,
                                   data={"opportunity": call.pk, "kind": call.kind}))  # fmt: skip
        if v.decided_at is not None:
            audit.append(AuditLogEntry(actor_id=by, action=f"opportunity.volunteer_{v.status}",
                                       target_type=volunteer_type, target_id=v.pk,
                                       community_id=ml, created_at=v.decided_at,
                                       data=data))  # fmt: skip
    Activity.objects.bulk_create(ledger)
    AuditLogEntry.objects.bulk_create(audit)
