"""Sending welcome campaigns: the beat's monthly sends, "send now", test mails and previews.

Exactly once per person and campaign, however often the beat fires and however many workers
run it: each batch is one transaction that first locks the campaign row (`select_for_update`;
SQLite's IMMEDIATE transactions serialise writers anyway), then reads who this campaign has
mailed already, writes the new `CampaignRecipient` rows and their outbox mails together, and
adds them to the month's `CampaignRun`. A second worker waiting on the lock then sees those
rows and skips those people. Behind the lock stand the unique (campaign, person) constraint and
the outbox's unique idempotency key (`campaign-<id>-to-<person>`).

Nobody who opted out of outreach is mailed (checked again inside the lock), nor anyone
inactive, a system account or a placeholder.
"""

import logging
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from practica.core.services import record_audit
from practica.outreach.campaign_rendering import (
    CampaignExtras,
    RenderedCampaign,
    campaign_extras,
    render_campaign,
    values_for,
)
from practica.outreach.campaign_schedule import (
    due_moment,
    earliest_due,
    month_start,
    months_due_around,
)
from practica.outreach.join_links import join_url_for_community, join_url_for_recipient
from practica.outreach.mails.campaigns import campaign_message, send_campaign_messages
from practica.outreach.models import (
    Campaign,
    CampaignRecipient,
    CampaignRun,
    CampaignSchedule,
    OutreachOptOut,
)
from practica.outreach.permissions import require_outreach_manager
from practica.outreach.queries.segments import segment_people
from practica.people.models import User

logger = logging.getLogger(__name__)

BATCH_SIZE = 100
# What a mail needs of a person (and the manager's name): nothing else is read.
PERSON_FIELDS = (
    "id",
    "email",
    "display_name",
    "time_zone",
    "preferred_language",
    "manager__id",
    "manager__email",
    "manager__display_name",
)


@dataclass(frozen=True)
class SendReport:
    """What one send did: the month's run and how many people it mailed now."""

    run: CampaignRun
    mailed: int


def recipient_key(campaign: Campaign, person: User) -> str:
    """The recipient row's and its outbox mail's idempotency key."""
    return f"campaign-{campaign.pk}-to-{person.pk}"


def _run_for(campaign: Campaign, period: date) -> CampaignRun:
    """The month's run, created on first need, with the segment's current audience size
    (the funnel's "HR joiners": opted-out people included)."""
    audience = segment_people(
        campaign.segment, reference_date=period, include_opted_out=True
    ).count()
    run = CampaignRun.objects.filter(campaign=campaign, period=period).first()
    if run is None:
        try:
            with transaction.atomic():
                run = CampaignRun.objects.create(
                    campaign=campaign, period=period, audience_size=audience
                )
        except IntegrityError:
            # Another worker created it first: use theirs.
            run = CampaignRun.objects.get(campaign=campaign, period=period)
    if run.audience_size != audience:
        CampaignRun.objects.filter(pk=run.pk).update(audience_size=audience)
        run.audience_size = audience
    return run


def _pending_people(campaign: Campaign, period: date) -> list[User]:
    """The month's matches this campaign never mailed, opted-out addresses left out."""
    mailed = CampaignRecipient.objects.filter(campaign=campaign, person=OuterRef("pk"))
    return list(
        segment_people(campaign.segment, reference_date=period)
        .exclude(Exists(mailed))
        .select_related("manager")
        .only(*PERSON_FIELDS)
    )


def _chunks(items: Sequence[User], size: int) -> Iterable[Sequence[User]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _rendered_for(
    campaign: Campaign, person: User, join_url: str, extras: CampaignExtras
) -> RenderedCampaign:
    values = values_for(
        person=person, community=campaign.community, join_link=join_url, extras=extras
    )
    return render_campaign(subject=campaign.subject, body=campaign.body, values=values)


def _mail_batch(
    *,
    campaign: Campaign,
    run: CampaignRun,
    people: Sequence[User],
    now: datetime,
    extras: CampaignExtras,
) -> int:
    """Mail the people of one batch this campaign has not mailed yet; one transaction. A
    campaign paused since the run began mails nobody more (read under the campaign's lock)."""
    with transaction.atomic():
        active = (
            Campaign.objects.select_for_update()
            .filter(pk=campaign.pk)
            .values_list("is_active", flat=True)
            .first()
        )
        if not active:
            return 0
        ids = [person.pk for person in people]
        already = set(
            CampaignRecipient.objects.filter(campaign=campaign, person_id__in=ids).values_list(
                "person_id", flat=True
            )
        )
        addresses = [person.email.lower() for person in people if person.pk not in already]
        opted_out = set(
            OutreachOptOut.objects.filter(email__in=addresses).values_list("email", flat=True)
        )
        fresh = [
            person
            for person in people
            if person.pk not in already and person.email.lower() not in opted_out
        ]
        if not fresh:
            return 0
        rows = [
            CampaignRecipient(
                campaign=campaign,
                person=person,
                email=person.email,
                period=run.period,
                mailed_at=now,
                idempotency_key=recipient_key(campaign, person),
            )
            for person in fresh
        ]
        CampaignRecipient.objects.bulk_create(rows)
        if any(row.pk is None for row in rows):  # a database that returns no keys
            ids_by_key = dict(
                CampaignRecipient.objects.filter(
                    idempotency_key__in=[row.idempotency_key for row in rows]
                ).values_list("idempotency_key", "pk")
            )
            for row in rows:
                row.pk = ids_by_key[row.idempotency_key]
        messages = []
        for person, row in zip(fresh, rows, strict=True):
            join_url = join_url_for_recipient(row)
            messages.append(
                campaign_message(
                    to=person.email,
                    community=campaign.community,
                    rendered=_rendered_for(campaign, person, join_url, extras),
                    join_url=join_url,
                    idempotency_key=row.idempotency_key,
                    language=person.preferred_language or None,
                )
            )
        send_campaign_messages(messages)
        CampaignRun.objects.filter(pk=run.pk).update(mailed_count=F("mailed_count") + len(rows))
    return len(rows)


def _send_month(campaign: Campaign, period: date, *, now: datetime, due_only: bool) -> SendReport:
    """Mail the month's pending matches (only those whose local due moment has come when
    `due_only`) in batches; the run's `finished_at` is set once nobody is left to mail."""
    run = _run_for(campaign, period)
    pending = _pending_people(campaign, period)
    due = [
        person
        for person in pending
        if not due_only or due_moment(campaign, period, person.time_zone) <= now
    ]
    mailed = 0
    if due:
        extras = campaign_extras(campaign.community, now=now)
        for batch in _chunks(due, BATCH_SIZE):
            mailed += _mail_batch(campaign=campaign, run=run, people=batch, now=now, extras=extras)
    finished = now if len(due) == len(pending) else None
    CampaignRun.objects.filter(pk=run.pk).update(finished_at=finished)
    run.refresh_from_db()
    return SendReport(run=run, mailed=mailed)


def send_due_campaign_mails(*, now: datetime | None = None) -> int:
    """The beat's work (every 15 minutes): for every active monthly campaign and each month
    that can be due somewhere on earth now, keep the month's run and mail each match whose
    local due moment has come. Returns how many people were mailed. Running it twice, or in
    two workers at once, mails nobody twice. A campaign that fails is logged and the others
    go on."""
    now = now or timezone.now()
    campaigns = (
        Campaign.objects.filter(is_active=True, schedule=CampaignSchedule.MONTHLY)
        .select_related("community", "segment", "segment__community")
        .order_by("pk")
    )
    mailed = 0
    for campaign in campaigns:
        for period in months_due_around(now):
            if now < earliest_due(campaign, period):
                continue
            try:
                mailed += _send_month(campaign, period, now=now, due_only=True).mailed
            except Exception:
                logger.exception("Campaign %s could not send for %s", campaign.pk, period)
    return mailed


def _loaded(campaign: Campaign) -> Campaign:
    return Campaign.objects.select_related("community", "segment", "segment__community").get(
        pk=campaign.pk
    )


def send_campaign_now(
    *, campaign: Campaign, actor: User, now: datetime | None = None
) -> SendReport:
    """Send this month's mail now (managers only): every current match of the segment that
    this campaign never mailed, whatever the schedule's day. Active campaigns only."""
    require_outreach_manager(actor, campaign.community)
    campaign = _loaded(campaign)
    if not campaign.is_active:
        raise ValidationError(_("The campaign is paused: activate it before sending."))
    now = now or timezone.now()
    report = _send_month(campaign, month_start(timezone.localdate(now)), now=now, due_only=False)
    record_audit(
        actor_id=actor.pk,
        action="outreach.campaign_sent",
        target=campaign,
        community_id=campaign.community_id,
        data={"period": report.run.period.isoformat(), "mailed": report.mailed},
    )
    return report


def preview_campaign_mail(campaign: Campaign, person: User) -> tuple[str, str, str]:
    """The mail `person` would get: (subject, HTML, text), with a join link to the community
    (a preview names no recipient). Callers check who may see it."""
    join_url = join_url_for_community(campaign.community_id)
    extras = campaign_extras(campaign.community)
    message = campaign_message(
        to=person.email,
        community=campaign.community,
        rendered=_rendered_for(campaign, person, join_url, extras),
        join_url=join_url,
        idempotency_key="preview",
        language=person.preferred_language or None,
    )
    html = next(
        (str(content) for content, mimetype in message.alternatives if mimetype == "text/html"),
        "",
    )
    return str(message.subject), html, str(message.body)


def send_test_campaign_mail(*, campaign: Campaign, actor: User) -> str:
    """Mail the campaign to the manager alone, as it would read for them, subject marked
    "[TEST]"; no recipient row, so the funnel does not count it. Returns the address."""
    require_outreach_manager(actor, campaign.community)
    campaign = _loaded(campaign)
    person = User.objects.select_related("manager").get(pk=actor.pk)
    join_url = join_url_for_community(campaign.community_id)
    message = campaign_message(
        to=person.email,
        community=campaign.community,
        rendered=_rendered_for(campaign, person, join_url, campaign_extras(campaign.community)),
        join_url=join_url,
        idempotency_key=f"campaign-{campaign.pk}-test-{person.pk}-{uuid.uuid4().hex}",
        language=person.preferred_language or None,
        test=True,
    )
    with transaction.atomic():
        send_campaign_messages([message])
        record_audit(
            actor_id=actor.pk,
            action="outreach.campaign_test_sent",
            target=campaign,
            community_id=campaign.community_id,
        )
    return person.email
