"""The welcome mail itself: its text, and the outbox rows and bounces of every month's run.

Each recipient's mail is what `outreach.services.campaign_sending` queues: the manager's text
with the variables filled in by `campaign_rendering` (the events then upcoming and the
month's top questions, read once per run as the sender does), the join and opt-out links
(signed as the demo is built, so a demo visitor can follow them), in the campaign mail's text
frame. For speed the text is filled in once per run with markers that each recipient's values
then replace. The demo keeps the text body only.
"""

import json
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from email.utils import format_datetime
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from practica.demo.growth import ML
from practica.demo.outreach import mail_moment
from practica.demo.people import PersonPlan
from practica.discussions.models import ThreadKind
from practica.events.models import EventStatus
from practica.events.templatetags.event_times import zone_named
from practica.mail.models import (
    Bounce,
    BounceKind,
    InboundMessage,
    InboundStatus,
    InboundVia,
    MailboxHealth,
    MessageStatus,
)
from practica.mail.services.outbox import site_mail_domain
from practica.outreach.campaign_rendering import (
    CampaignExtras,
    CampaignValues,
    ListedLink,
    fill_subject,
    fill_text,
)
from practica.outreach.join_links import CAMPAIGN, JoinTicket, join_url, opt_out_url
from practica.outreach.models import Campaign

if TYPE_CHECKING:
    from practica.demo.story import DemoStory

SUBJECT = "Welcome, {{ first_name }}: meet the {{ community }} community"
BODY = """Hi {{ first_name }},

welcome to the company! I'm Dana, and I look after **{{ community }}**, the company's community \
of practice for everyone who builds with machine learning: researchers, engineers, data \
scientists and applied scientists from every division.

{{ manager }} and your new team will get you going on the work itself. The community is where \
you meet the colleagues who solved your next problem before you: ask a question and a \
practitioner usually answers within the hour, and there are talks, tutorials and study groups \
every week, and our own conference twice a year.

**Coming up**

{{ upcoming_events }}

**What members asked in the last 30 days**

{{ top_questions }}

**Join with one click:** {{ join_link }}

It takes a second, and you can leave whenever you like.

Dana Whitfield
Community manager, Machine Learning
"""
FIRST, MANAGER, JOIN, STOP, TEXT = "@@FIRST@@", "@@MANAGER@@", "@@JOIN@@", "@@STOP@@", "@@TEXT@@"
UNDELIVERABLE = "550 5.1.1 Recipient address rejected: User unknown"
MESSAGE_COLUMNS = (
    "idempotency_key", "from_email", "to_email", "subject", "body_text", "body_html", "headers",
    "attachments", "message_id", "list_id", "status", "attempts", "next_attempt_at", "last_error",
    "created_at", "sent_at",
)  # fmt: skip


@dataclass
class Mailed:
    """One recipient of a run, as planned."""

    person: PersonPlan
    mailed_at: datetime
    status: str = MessageStatus.SENT
    bounced: bool = False
    clicked_at: datetime | None = None
    joined_at: datetime | None = None
    opted_out_at: datetime | None = None
    id: int = 0
    key: str = ""  # the recipient's idempotency key, its mail's too


# --- What each run's mail lists -----------------------------------------------------------------


def run_extras(story: "DemoStory", periods: list[date]) -> dict[date, CampaignExtras]:
    """Per run: the community's next five events and its top five questions of the last 30
    days, as the sender reads them when the run starts (its first Monday in UTC+14)."""
    from bisect import bisect_left, bisect_right

    events = sorted(
        (
            e
            for e in story.events
            if (e.community == ML or ML in e.co_hosts) and e.status == EventStatus.PUBLISHED
        ),
        key=lambda e: e.ends_at,
    )
    ends = [e.ends_at for e in events]
    questions = sorted(
        (t for t in story.threads if t.community == ML and t.kind == ThreadKind.QUESTION),
        key=lambda t: t.created_at,
    )
    asked = [t.created_at for t in questions]
    site = settings.SITE_URL
    event_path, thread_path = (
        reverse("events:detail", args=[0]),
        reverse("discussions:thread", args=[0]),
    )
    extras = {}
    for period in periods:
        at = mail_moment(period, "Pacific/Kiritimati")
        upcoming = sorted(
            (e for e in events[bisect_right(ends, at) :] if e.created_at <= at),
            key=lambda e: e.starts_at,
        )[:5]
        recent = sorted(
            questions[bisect_left(asked, at - timedelta(days=30)) : bisect_right(asked, at)],
            key=lambda t: (-t.posts[0].score, -(len(t.posts) - 1), -t.created_at.timestamp()),
        )[:5]
        extras[period] = CampaignExtras(
            upcoming_events=tuple(
                ListedLink(
                    title=e.title,
                    url=site + event_path.replace("/0/", f"/{e.id}/"),
                    note=e.starts_at.astimezone(zone_named(e.time_zone)).strftime("%Y-%m-%d %H:%M")
                    + f" ({e.time_zone})",
                )
                for e in upcoming
            ),
            top_questions=tuple(
                ListedLink(title=t.title, url=site + thread_path.replace("/0/", f"/{t.id}/"))
                for t in recent
            ),
        )
    return extras


# --- The outbox rows ----------------------------------------------------------------------------


def _frame(campaign: Campaign) -> str:
    """The campaign mail's text template around markers."""
    return render_to_string(
        "outreach/mail/campaign_message.txt",
        {
            "site_url": settings.SITE_URL,
            "community": campaign.community,
            "body_text": TEXT,
            "join_url": JOIN,
            "opt_out_url": STOP,
            "test": False,
        },
    )


def message_rows(
    story: "DemoStory",
    campaign: Campaign,
    runs: list[tuple[date, list[Mailed]]],
    *,
    rng: random.Random,
    dt: Callable[[datetime | None], Any],
    js: Callable[[Any], Any],
) -> Iterator[tuple[Any, ...]]:
    """The outbox row of every recipient (`MESSAGE_COLUMNS`)."""
    domain = site_mail_domain()
    names = {p.user.id: p.user.display_name for p in story.people}
    sender, community = settings.DEFAULT_FROM_EMAIL, campaign.community.name
    extras = run_extras(story, [period for period, _people in runs])
    # The headers as JSON with a marker for the opt-out link (which needs no JSON escaping).
    headers = js_text(
        {
            "List-Unsubscribe": f"<{STOP}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Precedence": "bulk",
            "Auto-Submitted": "auto-generated",
        }
    )
    no_attachments = js([])
    with translation.override(settings.LANGUAGE_CODE):
        frame = _frame(campaign)
        markers = CampaignValues(FIRST, MANAGER, community, JOIN, CampaignExtras())
        subject = fill_subject(SUBJECT, markers)
        for period, people in runs:
            values = CampaignValues(FIRST, MANAGER, community, JOIN, extras[period])
            text = frame.replace(TEXT, fill_text(BODY, values))
            for mailed in people:
                user = mailed.person.user
                stamp = int(mailed.mailed_at.timestamp())
                join = join_url(JoinTicket(CAMPAIGN, mailed.id))
                stop = opt_out_url(user.email)
                first = user.display_name.split(" ")[0]
                body = (
                    text.replace(FIRST, first)
                    .replace(MANAGER, names.get(user.manager_id, ""))
                    .replace(JOIN, join)
                    .replace(STOP, stop)
                )
                failed = mailed.status == MessageStatus.FAILED
                sent = None if failed else mailed.mailed_at + timedelta(seconds=3)
                at = dt(mailed.mailed_at)
                yield (
                    mailed.key, sender, user.email,
                    subject.replace(FIRST, first), body, "", headers.replace(STOP, stop),
                    no_attachments, f"<{stamp}.{rng.getrandbits(40):010x}@{domain}>", "",
                    mailed.status, 5 if failed else 1, at, UNDELIVERABLE if failed else "", at,
                    dt(sent),
                )  # fmt: skip


def js_text(value: Any) -> str:
    """A JSON column's value as text: both SQLite and PostgreSQL's COPY take it so."""
    return json.dumps(value)


# --- Bounces ------------------------------------------------------------------------------------


def _bounce_raw(address: str, at: datetime, message_id: str) -> bytes:
    """The delivery status notification as the mail server sent it (plain text)."""
    return (
        "From: Mail Delivery System <mailer-daemon@mx.corp.example.com>\r\n"
        f"To: bounce@{site_mail_domain()}\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\n"
        f"Date: {format_datetime(at)}\r\n"
        f"Message-ID: {message_id}\r\n"
        'Content-Type: text/plain; charset="utf-8"\r\n'
        "MIME-Version: 1.0\r\n\r\n"
        "This is the mail system at host mx.corp.example.com.\r\n\r\n"
        "I'm sorry to have to inform you that your message could not be delivered.\r\n\r\n"
        f"<{address}>: host mailstore said: 550 5.1.1 User unknown\r\n"
    ).encode()


def save_bounces(bounced: list[Mailed], rng: random.Random) -> None:
    """The bounce of each undeliverable address, read from mail in minutes after the send,
    and the person's mailbox health (one hard bounce)."""
    if not bounced:
        return
    inbound, health = [], []
    known = set(MailboxHealth.objects.values_list("person_id", flat=True))
    for mailed in bounced:
        user = mailed.person.user
        at = mailed.mailed_at + timedelta(minutes=rng.uniform(1, 20))
        raw = _bounce_raw(user.email, at, f"<{rng.getrandbits(48):012x}@mx.corp.example.com>")
        inbound.append(
            InboundMessage(
                raw=raw,
                size=len(raw),
                via=InboundVia.LMTP,
                recipients=[f"bounce@{site_mail_domain()}"],
                from_address="mailer-daemon@mx.corp.example.com",
                subject="Undelivered Mail Returned to Sender",
                received_at=at,
                status=InboundStatus.BOUNCE,
                person_id=user.pk,
            )
        )
        if user.pk not in known:
            known.add(user.pk)
            health.append(MailboxHealth(person_id=user.pk, hard_bounces=1, last_bounce_at=at))
    InboundMessage.objects.bulk_create(inbound)
    Bounce.objects.bulk_create(
        Bounce(
            person_id=row.person_id,
            address=mailed.person.user.email,
            kind=BounceKind.HARD,
            status_code="5.1.1",
            diagnostic=f"550 5.1.1 <{mailed.person.user.email}>: Recipient address rejected: "
            "User unknown",
            inbound=row,
            received_at=row.received_at,
        )
        for mailed, row in zip(bounced, inbound, strict=True)
    )
    MailboxHealth.objects.bulk_create(health)
