"""The monthly welcome mail of Machine Learning since January 2014, month by month.

The community manager's segment (hired the month before, a data-science, applied-science or
machine-learning-engineering title, not a member) and campaign (the first Monday, 09:00 in each
recipient's zone) are saved as she set them up in December 2013. Each month's run counts the
segment's matches (`CampaignRun.audience_size`, opted-out people included) and mails the rest,
as the beat would: a `CampaignRecipient` and an outbox message each, the text filled in with
the campaign's variables, the events then upcoming and the month's top questions, a join link
signed when the mail went out (long expired). Then, as in life: a few addresses bounce (with
the bounce read from mail in), a few sends fail, 40–55 % click, the members `outreach` chose
join (their membership's own moment, source welcome mail), a few opt out.

Rows go in as tuples through `practica.core.bulk`; the segment, the campaign, the runs and the few
bounces and opt-outs through the ORM. The mail itself: `outreach_mail`.
"""

import random
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from practica.core.bulk import adapters, first_id, insert_rows, reset_sequences
from practica.demo.growth import ML
from practica.demo.logins import MANAGER_EMAIL
from practica.demo.outreach import (
    TITLE_PATTERN,
    TITLE_RE,
    OutreachPlan,
    add_months,
    mail_moment,
    month_start,
)
from practica.demo.outreach_mail import (
    BODY,
    MESSAGE_COLUMNS,
    SUBJECT,
    Mailed,
    message_rows,
    save_bounces,
)
from practica.demo.people import PersonPlan
from practica.mail.models import MessageStatus, OutboundMessage
from practica.outreach.models import (
    Campaign,
    CampaignRecipient,
    CampaignRun,
    CampaignSchedule,
    OutreachOptOut,
    Segment,
)
from practica.outreach.services.campaign_sending import recipient_key

if TYPE_CHECKING:
    from practica.demo.story import DemoStory

SEGMENT_NAME = CAMPAIGN_NAME = "Monthly welcome"
BEAT_MINUTES = 15  # the beat mails whoever is due every quarter of an hour
FAILED_SHARE, BOUNCED_SHARE = 0.008, 0.02
OPTED_OUT_BEFORE = 0.006  # of the audience: opted out already, never mailed
OPT_OUT_AFTER = 0.015  # of those delivered who did not click
RECIPIENT_COLUMNS = (
    "id", "campaign_id", "person_id", "email", "period", "mailed_at", "idempotency_key",
    "clicked_at", "joined_at",
)  # fmt: skip


def click_chance(year: int) -> float:
    """Of those delivered who will not join, the share who clicked anyway."""
    return min(0.3, 0.2 + 0.006 * (year - 2014))


def _set_up(story: "DemoStory", manager_id: int | None) -> tuple[Segment, Campaign]:
    ml = story.communities[ML]
    at = datetime(2013, 12, 9, 15, 40, tzinfo=story.now.tzinfo)
    segment = Segment.objects.create(
        community=ml,
        name=SEGMENT_NAME,
        description="Last month's new hires in data science, applied science and machine "
        "learning engineering who are not members yet.",
        rules=[
            {"field": "hired_on", "op": "in_previous_month"},
            {"field": "job_title", "op": "matches", "value": TITLE_PATTERN},
            {"field": "membership", "op": "not_member"},
        ],
        created_by_id=manager_id,
        created_at=at,
    )
    campaign = Campaign.objects.create(
        community=ml,
        name=CAMPAIGN_NAME,
        segment=segment,
        subject=SUBJECT,
        body=BODY,
        schedule=CampaignSchedule.MONTHLY,
        weekday=0,
        week_of_month=1,
        local_hour=9,
        created_by_id=manager_id,
        created_at=at + timedelta(minutes=25),
    )
    Segment.objects.filter(pk=segment.pk).update(updated_at=at)
    Campaign.objects.filter(pk=campaign.pk).update(updated_at=at + timedelta(minutes=25))
    return segment, campaign


def _is_member_at(person: PersonPlan, moment: datetime) -> bool:
    membership = person.memberships.get(ML)
    return (
        membership is not None
        and membership.joined_at <= moment
        and (membership.left_at is None or membership.left_at > moment)
    )


def _audiences(story: "DemoStory", plan: OutreachPlan) -> dict[date, list[PersonPlan]]:
    """Each run's segment matches: hired the month before, a matching title, at the company
    and not a member when the mail was due."""
    runs = set(plan.periods)
    found: dict[date, list[PersonPlan]] = {}
    for person in story.people:
        user = person.user
        if user.is_system or user.hired_on is None or not TITLE_RE.search(user.job_title or ""):
            continue
        period = add_months(month_start(user.hired_on), 1)
        if period not in runs:
            continue
        due = mail_moment(period, user.time_zone)
        if (person.left_at is not None and person.left_at <= due) or _is_member_at(person, due):
            continue
        found.setdefault(period, []).append(person)
    for people in found.values():
        people.sort(key=lambda p: p.user.email)
    return found


def _outcome(
    rng: random.Random, story: "DemoStory", plan: OutreachPlan, person: PersonPlan, period: date
) -> Mailed:
    now, due = story.now, mail_moment(period, person.user.time_zone)
    membership = person.memberships.get(ML)
    joins = membership is not None and plan.joiners.get(id(membership)) == period
    latest = BEAT_MINUTES * 60
    if joins:  # mailed by a tick before they joined
        latest = min(latest, (membership.joined_at - due).total_seconds() - 240)
    mailed = Mailed(person, due + timedelta(seconds=rng.uniform(5, max(5, latest))))
    if joins:
        mailed.joined_at = membership.joined_at
        earliest = mailed.mailed_at + timedelta(minutes=1)
        mailed.clicked_at = max(
            earliest, mailed.joined_at - timedelta(seconds=rng.uniform(40, 400))
        )
        return mailed
    draw = rng.random()
    if draw < FAILED_SHARE:
        mailed.status = MessageStatus.FAILED
        return mailed
    if draw < FAILED_SHARE + BOUNCED_SHARE:
        mailed.bounced = True
        return mailed
    if rng.random() < click_chance(period.year):
        clicked = mailed.mailed_at + timedelta(hours=rng.expovariate(1 / 20))
        mailed.clicked_at = clicked if clicked < now else None
    elif rng.random() < OPT_OUT_AFTER:
        opted = mailed.mailed_at + timedelta(hours=rng.expovariate(1 / 40))
        mailed.opted_out_at = opted if opted < now else None
    return mailed


def save_campaigns(story: "DemoStory", plan: OutreachPlan) -> Campaign:
    """The segment, the campaign, a run per month and its recipients, mail, bounces, opt-outs."""
    rng = plan.rng
    manager = next((p for p in story.people if p.user.email == MANAGER_EMAIL), None)
    _segment, campaign = _set_up(story, manager.user.pk if manager else None)
    campaign.community = story.communities[ML]
    audiences = _audiences(story, plan)
    runs: list[tuple[date, list[Mailed]]] = []
    run_rows, opt_outs = [], []
    for period in plan.periods:
        audience = audiences.get(period, [])
        mailed = []
        for person in audience:
            membership = person.memberships.get(ML)
            joiner = membership is not None and plan.joiners.get(id(membership)) == period
            if not joiner and rng.random() < OPTED_OUT_BEFORE:
                # Opted out after hiring (a colleague's invitation had the link), before the run.
                due = mail_moment(period, person.user.time_zone)
                hired = person.user.date_joined
                opt_outs.append((person, hired + (due - hired) * rng.uniform(0.2, 0.9)))
                continue
            mailed.append(_outcome(rng, story, plan, person, period))
        runs.append((period, mailed))
        started = min((m.mailed_at for m in mailed), default=mail_moment(period, "UTC"))
        finished = max((m.mailed_at for m in mailed), default=started)
        run_rows.append(
            CampaignRun(
                campaign=campaign,
                period=period,
                audience_size=len(audience),
                mailed_count=len(mailed),
                started_at=started,
                finished_at=finished + timedelta(seconds=2),
            )
        )
    CampaignRun.objects.bulk_create(run_rows)
    _save_recipients(story, campaign, runs, rng)
    opt_outs += [(m.person, m.opted_out_at) for _p, ms in runs for m in ms if m.opted_out_at]
    OutreachOptOut.objects.bulk_create(
        OutreachOptOut(email=person.user.email.lower(), person_id=person.user.pk, created_at=at)
        for person, at in opt_outs
    )
    save_bounces([m for _p, ms in runs for m in ms if m.bounced], rng)
    _unmatched_joiners(story, plan, runs)
    story.counts["campaign_recipients"] = sum(len(ms) for _p, ms in runs)
    return campaign


def _save_recipients(
    story: "DemoStory", campaign: Campaign, runs: list[tuple[date, list[Mailed]]], rng
) -> None:
    dt, js = adapters()
    next_id = first_id(CampaignRecipient)
    for _period, people in runs:
        for mailed in people:
            mailed.id, next_id = next_id, next_id + 1
            mailed.key = recipient_key(campaign, mailed.person.user)
    insert_rows(
        CampaignRecipient,
        RECIPIENT_COLUMNS,
        (
            (m.id, campaign.id, m.person.user.id, m.person.user.email, period.isoformat(),
             dt(m.mailed_at), m.key, dt(m.clicked_at),
             dt(m.joined_at))
            for period, people in runs
            for m in people
        ),
    )  # fmt: skip
    reset_sequences(CampaignRecipient)
    insert_rows(
        OutboundMessage, MESSAGE_COLUMNS, message_rows(story, campaign, runs, rng=rng, dt=dt, js=js)
    )


def _unmatched_joiners(
    story: "DemoStory", plan: OutreachPlan, runs: list[tuple[date, list[Mailed]]]
) -> None:
    """A chosen joiner the segment did not match after all (promoted to a title outside it
    when the teams got their leads) joined on their own: their membership says so."""
    from practica.communities.models import Membership, MembershipSource
    from practica.core.models import Activity, ActivityKind

    mailed = {id(m.person) for _p, ms in runs for m in ms if m.joined_at is not None}
    strays = [m for m in plan.joiner_plans if id(m.person) not in mailed]
    if not strays:
        return
    ml = story.communities[ML].pk
    Membership.objects.filter(
        community_id=ml,
        person_id__in=[m.person.user.pk for m in strays],
        source=MembershipSource.WELCOME_MAIL,
    ).update(source=MembershipSource.ORGANIC)
    Activity.objects.filter(
        kind=ActivityKind.JOINED,
        community_id=ml,
        person_id__in=[m.person.user.pk for m in strays],
        data__source=MembershipSource.WELCOME_MAIL,
    ).update(data={"source": MembershipSource.ORGANIC, "role": "member"})
    for membership in strays:
        membership.source = MembershipSource.ORGANIC
        plan.joiners.pop(id(membership), None)
    plan.joiner_plans = [m for m in plan.joiner_plans if id(m) in plan.joiners]
