"""The pulse mail: the question, eleven one-click links (0 to 10) and why the person got it.

`services.send_pulse` builds one per invited person inside the sending transaction and hands
them to the outbox, so a mail exists exactly when its invitation does. The outbox key
`pulse:<survey>:<person>` makes a retried send write no second copy. There is no unsubscribe
link: a person is asked at most once per the pulse's interval, and the mail says so.
"""

from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation

from practica.mail.services import OutgoingMail
from practica.metrics.models import PulseSurvey
from practica.metrics.models.surveys import MAX_SCORE
from practica.metrics.surveys.tokens import answer_page_url, answer_url

TEMPLATE_PREFIX = "metrics/surveys/mail/pulse"


def _zone_of(person: Any) -> ZoneInfo | None:
    """The person's time zone for the closing time in the mail; the site's when unknown."""
    try:
        return ZoneInfo(getattr(person, "time_zone", "") or settings.TIME_ZONE)
    except (ValueError, ZoneInfoNotFoundError):
        return None


def pulse_mail_key(*, survey_id: int, person_id: int) -> str:
    """The outbox key of one person's mail of one pulse."""
    return f"pulse:{survey_id}:{person_id}"


def pulse_mail(*, survey: PulseSurvey, person: Any, token: str) -> OutgoingMail:
    """The mail asking `person` the pulse's question, with links carrying `token`; rendered in
    their language."""
    context = {
        "survey": survey,
        "community": survey.community,
        "person": person,
        "scores": [(score, answer_url(token, score)) for score in range(MAX_SCORE + 1)],
        "answer_page_url": answer_page_url(token),
        "site_url": settings.SITE_URL,
    }
    language = getattr(person, "preferred_language", "") or settings.LANGUAGE_CODE
    with translation.override(language), timezone.override(_zone_of(person)):
        subject = render_to_string(f"{TEMPLATE_PREFIX}_subject.txt", context)
        text = render_to_string(f"{TEMPLATE_PREFIX}.txt", context)
        html = render_to_string(f"{TEMPLATE_PREFIX}.html", context)
    return OutgoingMail(
        to=person.email,
        subject=" ".join(subject.split()),
        body_text=text,
        body_html=html,
        idempotency_key=pulse_mail_key(survey_id=survey.pk, person_id=person.pk),
        # Out-of-office replies and list software should not answer or forward a survey.
        headers={"Auto-Submitted": "auto-generated", "X-Auto-Response-Suppress": "All"},
    )
