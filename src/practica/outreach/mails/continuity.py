"""The continuity alert mail: a community's managers and leaders are told that a leaver owned
things needing a new owner, with a link to the page where they hand them over.

Called by `services.continuity.raise_continuity_alerts` inside its transaction, so the mail is
queued in the outbox exactly when the alert (or its new items) is saved. The idempotency key
names the alert, the items it tells about and the manager: raising again adds no mail unless
new things were found, and then only about those.
"""

import hashlib

from django.conf import settings
from django.urls import reverse
from django.utils import translation

from practica.core.outgoing_mail import send_templated_mail
from practica.outreach.models import ContinuityAlert, ContinuityItem
from practica.outreach.queries.continuity import item_kind_name, item_urls, managers_to_tell


def alert_url(alert: ContinuityAlert) -> str:
    """The alert's page, absolute."""
    path = reverse("outreach:continuity_alert", args=[alert.community.slug, alert.pk])
    return f"{settings.SITE_URL}{path}"


def items_key(items: list[ContinuityItem]) -> str:
    """A short, stable name for a set of items, for idempotency keys."""
    ids = ",".join(str(pk) for pk in sorted(item.pk for item in items))
    return hashlib.sha256(ids.encode()).hexdigest()[:16]


def mail_continuity_alert(
    *, alert: ContinuityAlert, items: list[ContinuityItem], is_new: bool
) -> int:
    """Mail each manager and leader of the alert's community (not the leaver) about `items`,
    in their language. Returns how many mails were queued."""
    if not items:
        return 0
    community = alert.community
    leaver = alert.leaver
    links = item_urls(items)
    url = alert_url(alert)
    key = items_key(items)
    sent = 0
    for manager in managers_to_tell(community, leaver=leaver):
        if not manager.email:
            continue
        language = manager.preferred_language or None
        with translation.override(language or settings.LANGUAGE_CODE):
            context = {
                "alert": alert,
                "community": community,
                "leaver": leaver,
                "manager": manager,
                "is_new": is_new,
                "items": [
                    {
                        "kind": str(item_kind_name(item.kind)),
                        "label": item.label,
                        "url": f"{settings.SITE_URL}{links[item.pk]}" if links[item.pk] else "",
                    }
                    for item in items
                ],
                "alert_url": url,
            }
        send_templated_mail(
            to=manager.email,
            template_prefix="outreach/mail/continuity_alert",
            context=context,
            idempotency_key=f"continuity-alert-{alert.pk}-items-{key}-to-{manager.pk}",
            language=language,
        )
        sent += 1
    return sent
