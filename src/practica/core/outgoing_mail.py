"""How any app sends a mail: through Django's mail framework, which Practica points at the outbox.

Apps below `mail` in the dependency order cannot import it, so they send ordinary Django
mail carrying an idempotency key header; `practica.mail.backends.OutboxEmailBackend` turns
each message into an outbox row inside the caller's transaction.
"""

from collections.abc import Mapping, Sequence
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation

IDEMPOTENCY_HEADER = "X-Practica-Idempotency-Key"


def render_templated_mail(
    *,
    to: str,
    template_prefix: str,
    context: Mapping[str, Any],
    idempotency_key: str,
    language: str | None = None,
    headers: Mapping[str, str] | None = None,
    attachments: Sequence[tuple[str, str, str]] = (),
) -> EmailMultiAlternatives:
    """Render `<prefix>_subject.txt`, `<prefix>.txt` and (if present) `<prefix>.html` into a
    mail ready to `.send()`; rendering can happen before a transaction, sending inside it.

    `attachments` are text files as (filename, content, mimetype), e.g. an invitation's `.ics`.
    """
    context = {"site_url": settings.SITE_URL, **context}
    with translation.override(language or settings.LANGUAGE_CODE):
        subject = " ".join(render_to_string(f"{template_prefix}_subject.txt", context).split())
        text = render_to_string(f"{template_prefix}.txt", context)
        try:
            html = render_to_string(f"{template_prefix}.html", context)
        except Exception:
            html = ""
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        to=[to],
        headers={IDEMPOTENCY_HEADER: idempotency_key, **(headers or {})},
    )
    if html:
        message.attach_alternative(html, "text/html")
    for filename, content, mimetype in attachments:
        message.attach(filename, content, mimetype)
    return message


def send_templated_mail(
    *,
    to: str,
    template_prefix: str,
    context: Mapping[str, Any],
    idempotency_key: str,
    language: str | None = None,
    headers: Mapping[str, str] | None = None,
    attachments: Sequence[tuple[str, str, str]] = (),
) -> None:
    """Render (see `render_templated_mail`) and send through the outbox, in the caller's
    transaction. The same `idempotency_key` sent twice produces one message."""
    render_templated_mail(
        to=to,
        template_prefix=template_prefix,
        context=context,
        idempotency_key=idempotency_key,
        language=language,
        headers=headers,
        attachments=attachments,
    ).send()
