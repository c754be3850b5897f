"""NPS pulses: every six months since 2015 the manager asked a sample of members how likely
they are to recommend the community to a colleague.

Scores climb as the community matures (detractors give way to promoters), 30–50 per cent of
those asked answer, within days, and some leave a comment. The pulse still open at the
story's present has only the answers given so far, and the next one is scheduled. Rows go in
with `bulk_create` as `metrics.surveys.services.send_pulse` and `record_pulse_answer` would
have left them; no mail is sent (the tokens are random and never shown, as after a real pulse).
"""

import hashlib
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings

from practica.demo.communities import AI
from practica.demo.growth import ML
from practica.demo.logins import MANAGER_EMAIL
from practica.demo.memberships import MembershipPlan
from practica.metrics.models import PulseInvitation, PulseStatus, PulseSurvey

if TYPE_CHECKING:
    from practica.demo.story import DemoStory

QUESTION = "How likely are you to recommend this community to a colleague?"
FIRST_YEAR = 2015
SEND_DAYS = ((3, 16), (9, 14))  # mid-March and mid-September, between the conferences
OPEN_DAYS = 14
SAMPLE_SHARE = {ML: 0.15, AI: 0.2}
SMALLEST_SAMPLE = 20
LARGEST_SAMPLE = 1200
ANSWER_MEAN_HOURS = 40.0
COMMENT_SHARE = 0.22
# Promoter and detractor shares in 2015 and how much each moves a year (promoters up).
PROMOTERS_2015, PROMOTERS_PER_YEAR = 0.25, 0.03
DETRACTORS_2015, DETRACTORS_PER_YEAR = 0.32, -0.02
COMMENTS = {
    "promoter": (
        "The fastest way to get an answer in the company. I send every new hire here.",
        "Routing found me an expert in another division within the hour.",
        "The conference talks are the best training I get all year.",
        "People answer kindly, even to beginner questions.",
        "I learned more from the reading group than from any course.",
    ),
    "passive": (
        "Useful, but it's hard to keep up with everything that is posted.",
        "Good answers; I'd like more events in my time zone.",
        "Great for questions, less so for finding people to work with.",
        "I mostly read. It helps, but I don't feel part of it yet.",
    ),
    "detractor": (
        "My question waited days for an answer.",
        "Too much noise for my area; I wish I could follow fewer topics.",
        "The events are always at times I can't make.",
        "It feels like a club for researchers.",
    ),
}


@dataclass(frozen=True)
class PulsePlan:
    community: str
    send_at: datetime
    closes_at: datetime


def _send_dates(today: date) -> list[datetime]:
    moments = []
    for year in range(FIRST_YEAR, today.year + 2):
        for month, day in SEND_DAYS:
            moments.append(datetime(year, month, day, 9, tzinfo=UTC))
    return moments


def _members_at(memberships: list[MembershipPlan], moment: datetime) -> list[MembershipPlan]:
    return [
        m
        for m in memberships
        if m.joined_at <= moment
        and (m.left_at is None or moment < m.left_at)
        and not m.person.user.is_system
        and not m.person.user.is_placeholder
    ]


def _score(story: "DemoStory", moment: datetime) -> tuple[int, str]:
    """A 0–10 score drawn from the year's promoter / passive / detractor shares, and its band."""
    rng = story.rng
    years = (moment - datetime(FIRST_YEAR, 1, 1, tzinfo=UTC)).days / 365.25
    promoters = min(0.62, PROMOTERS_2015 + PROMOTERS_PER_YEAR * years)
    detractors = max(0.10, DETRACTORS_2015 + DETRACTORS_PER_YEAR * years)
    draw = rng.random()
    if draw < promoters:
        return (10 if rng.random() < 0.45 else 9), "promoter"
    if draw < promoters + detractors:
        return rng.choices(range(7), weights=(1, 1, 2, 3, 4, 7, 10))[0], "detractor"
    return (8 if rng.random() < 0.55 else 7), "passive"


def _token_hash(story: "DemoStory") -> str:
    """The hash of a random token nobody holds: old invitations cannot be answered again."""
    return hashlib.sha256(f"demo-pulse-{story.rng.getrandbits(128):032x}".encode()).hexdigest()


def save_pulses(story: "DemoStory") -> None:
    """Pulses of Machine Learning and Artificial Intelligence with their invitations and answers."""
    rng, now = story.rng, story.now
    manager = story.logins.get(MANAGER_EMAIL)
    interval = settings.PULSE_MIN_INTERVAL_DAYS
    surveys: list[PulseSurvey] = []
    invited: list[list[MembershipPlan]] = []
    for slug, share in SAMPLE_SHARE.items():
        community = story.communities.get(slug)
        if community is None:
            continue
        memberships = [m for m in story.memberships if m.community == slug]
        scheduled = False
        for send_at in _send_dates(story.today):
            if send_at.date() < community.founded_on or scheduled:
                continue
            closes_at = send_at + timedelta(days=OPEN_DAYS)
            members = _members_at(memberships, min(send_at, now))
            wanted = max(SMALLEST_SAMPLE, round(share * len(members)))
            size = min(len(members), LARGEST_SAMPLE, wanted)
            future = send_at >= now
            scheduled = future
            status = (
                PulseStatus.SCHEDULED
                if future
                else PulseStatus.OPEN
                if closes_at > now
                else PulseStatus.CLOSED
            )
            sample = [] if future else rng.sample(members, size)
            surveys.append(
                PulseSurvey(
                    community=community,
                    question=QUESTION,
                    sample_size=size,
                    send_at=send_at,
                    closes_at=closes_at,
                    min_interval_days=interval,
                    status=status,
                    created_by=manager.user if manager is not None else None,
                    created_at=min(now, send_at - timedelta(days=10)),
                    sent_at=None if future else send_at,
                    invited_count=len(sample),
                )
            )
            invited.append(sample)
    PulseSurvey.objects.bulk_create(surveys)
    rows: list[PulseInvitation] = []
    for survey, sample in zip(surveys, invited, strict=True):
        response_rate = rng.uniform(0.30, 0.50)
        invited_at = survey.send_at + timedelta(seconds=30)
        for membership in sample:
            answered_at = None
            score, comment = None, ""
            if rng.random() < response_rate:
                answered_at = invited_at + timedelta(hours=rng.expovariate(1 / ANSWER_MEAN_HOURS))
                if answered_at >= min(survey.closes_at, now):
                    answered_at = None
            if answered_at is not None:
                score, band = _score(story, answered_at)
                if rng.random() < COMMENT_SHARE:
                    comment = rng.choice(COMMENTS[band])
            rows.append(
                PulseInvitation(
                    survey=survey,
                    person_id=membership.person.user.pk,
                    token_hash=_token_hash(story),
                    invited_at=invited_at,
                    score=score,
                    comment=comment,
                    answered_at=answered_at,
                )
            )
    PulseInvitation.objects.bulk_create(rows, batch_size=2000)
    story.counts["pulses"] = len(surveys)
    story.counts["pulse_invitations"] = len(rows)
