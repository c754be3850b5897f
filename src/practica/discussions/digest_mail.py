"""The list digest: a community's new threads and its unanswered questions, daily or weekly.

Nothing here writes: `services.list_digest` picks who is due and enqueues what this builds.
A digest is rendered once per language and time zone (dates are shown in the reader's zone)
and personalised only by the unsubscribe link.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from email.utils import formataddr, parseaddr

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from practica.communities.models import Community
from practica.discussions.email import (
    TEMPLATE_DIR,
    absolute_url,
    mail_language,
    mail_zone,
    notification_message_id,
    thread_path,
)
from practica.discussions.models import Thread
from practica.mail.addresses import bounce_address, list_address, list_id, loop_marker
from practica.mail.models import DeliveryMode
from practica.mail.services import OutgoingMail
from practica.mail.services.subscriptions import list_unsubscribe_url

_UNSUBSCRIBE_SLOT = "\x00unsubscribe\x00"


@dataclass(frozen=True)
class DigestRecipient:
    person_id: int
    email: str
    language: str
    time_zone: str
    idempotency_key: str


@dataclass(frozen=True)
class DigestContent:
    """What one community's digest for one period shows (the same for every reader)."""

    community: Community
    mode: str
    since: datetime
    new_threads: Sequence[Thread]
    unanswered: Sequence[Thread]
    unanswered_total: int

    @property
    def is_empty(self) -> bool:
        return not self.new_threads and not self.unanswered


def digest_key(*, mode: str, community_id: int, person_id: int, period: str) -> str:
    return f"list.digest.{mode}.{community_id}.to-{person_id}.{period}"


def digest_subject(content: DigestContent) -> str:
    count = len(content.new_threads)
    name = content.community.name
    if content.mode == DeliveryMode.WEEKLY:
        return ngettext(
            "[%(list)s] Weekly digest: %(count)d new thread",
            "[%(list)s] Weekly digest: %(count)d new threads",
            count,
        ) % {"list": name, "count": count}
    return ngettext(
        "[%(list)s] Daily digest: %(count)d new thread",
        "[%(list)s] Daily digest: %(count)d new threads",
        count,
    ) % {"list": name, "count": count}


def _headers(community: Community) -> dict[str, str]:
    address = list_address(community.slug)
    return {
        "From": formataddr(
            (
                _("%(list)s digest") % {"list": community.name},
                parseaddr(settings.DEFAULT_FROM_EMAIL)[1],
            )
        ),
        "List-Id": f"{community.name} <{list_id(community.slug)}>",
        "List-Post": f"<mailto:{address}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        "Precedence": "list",
        "Auto-Submitted": "auto-generated",
        "X-Auto-Response-Suppress": "All",
        "X-Loop": loop_marker(),
    }


def _render(content: DigestContent, language: str, zone: str, delivery_url: str) -> tuple[str, str]:
    with translation.override(language), timezone.override(mail_zone(zone)):
        context = {
            "community": content.community,
            "mode": content.mode,
            "is_weekly": content.mode == DeliveryMode.WEEKLY,
            "since": content.since,
            "new_threads": [
                (thread, absolute_url(thread_path(thread))) for thread in content.new_threads
            ],
            "unanswered": [
                (thread, absolute_url(thread_path(thread))) for thread in content.unanswered
            ],
            "unanswered_more": max(0, content.unanswered_total - len(content.unanswered)),
            "list_address": list_address(content.community.slug),
            "delivery_url": delivery_url,
            "unsubscribe_url": _UNSUBSCRIBE_SLOT,
        }
        return (
            render_to_string(f"{TEMPLATE_DIR}/list_digest.txt", context),
            render_to_string(f"{TEMPLATE_DIR}/list_digest.html", context),
        )


def digest_mails(
    *, content: DigestContent, recipients: Sequence[DigestRecipient], delivery_url: str
) -> list[OutgoingMail]:
    headers = _headers(content.community)
    rendered: dict[tuple[str, str], tuple[str, str, str]] = {}
    mails = []
    for recipient in recipients:
        language = mail_language(recipient.language)
        group = (language, recipient.time_zone)
        if group not in rendered:
            with translation.override(language):
                subject = digest_subject(content)
            rendered[group] = (
                subject,
                *_render(content, language, recipient.time_zone, delivery_url),
            )
        subject, text, html = rendered[group]
        unsubscribe = list_unsubscribe_url(
            person_id=recipient.person_id, community_id=content.community.pk
        )
        mails.append(
            OutgoingMail(
                to=recipient.email,
                subject=subject,
                body_text=text.replace(_UNSUBSCRIBE_SLOT, unsubscribe),
                body_html=html.replace(_UNSUBSCRIBE_SLOT, unsubscribe),
                idempotency_key=recipient.idempotency_key,
                from_email=bounce_address(person_id=recipient.person_id),
                headers={
                    **headers,
                    "Message-ID": notification_message_id(recipient.idempotency_key),
                    "List-Unsubscribe": f"<{unsubscribe}>",
                },
            )
        )
    return mails
