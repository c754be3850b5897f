"""Forms of the pulse screens: scheduling a pulse, and answering one. They check the shape of
the input; the services decide the rest (times, limits, whether the pulse is open)."""

from datetime import datetime
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from practica.metrics.models.surveys import MAX_SCORE
from practica.metrics.surveys.services import (
    DEFAULT_OPEN_DAYS,
    MAX_COMMENT_LENGTH,
    MAX_OPEN_DAYS,
    MAX_QUESTION_LENGTH,
    MAX_SAMPLE_SIZE,
    default_closes_at,
)

WALL_CLOCK_FORMAT = "%Y-%m-%dT%H:%M"


class LocalDateTimeField(forms.DateTimeField):
    """A date and time typed in `<input type="datetime-local">`, read in the viewer's zone."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format=WALL_CLOCK_FORMAT)
    input_formats = [WALL_CLOCK_FORMAT, "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]


def _local_minute(moment: datetime) -> datetime:
    return timezone.localtime(moment).replace(second=0, microsecond=0, tzinfo=None)


class PulseScheduleForm(forms.Form):
    question = forms.CharField(
        label=_("Question"),
        max_length=MAX_QUESTION_LENGTH,
        help_text=_("Answered on a scale from 0 (not at all likely) to 10 (extremely likely)."),
        error_messages={"required": _("Write the question to ask.")},
    )
    sample_size = forms.IntegerField(
        label=_("Sample size"),
        required=False,
        min_value=1,
        max_value=MAX_SAMPLE_SIZE,
        help_text=_(
            "How many members to ask, drawn at random. Leave empty to ask every member who "
            "may be asked."
        ),
        error_messages={
            "invalid": _("The sample size is a whole number of people."),
            "min_value": _("Ask at least 1 person, or leave the sample size empty for everyone."),
        },
        widget=forms.NumberInput(attrs={"min": 1, "inputmode": "numeric"}),
    )
    send_at = LocalDateTimeField(
        label=_("Send at"),
        help_text=_("In your time zone. Now, or later."),
        error_messages={
            "required": _("Choose when to send the pulse."),
            "invalid": _("Enter a date and time, e.g. 2026-05-04 09:00."),
        },
    )
    closes_at = LocalDateTimeField(
        label=_("Closes at"),
        required=False,
        error_messages={"invalid": _("Enter a date and time, e.g. 2026-05-18 09:00.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            now = timezone.now()
            self.initial.setdefault("send_at", _local_minute(now))
            self.initial.setdefault("closes_at", _local_minute(default_closes_at(now)))
        self.fields["closes_at"].help_text = _(
            "Answers are taken until then: after the send time, at most %(max)d days "
            "(empty: %(default)d days after it)."
        ) % {"max": MAX_OPEN_DAYS, "default": DEFAULT_OPEN_DAYS}

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        send_at = data.get("send_at")
        if send_at is not None and not data.get("closes_at") and "closes_at" not in self.errors:
            data["closes_at"] = default_closes_at(send_at)
        return data


class PulseAnswerForm(forms.Form):
    """The answer page: the score (preselected from the link) and an optional comment."""

    score = forms.TypedChoiceField(
        label=_("Your answer"),
        coerce=int,
        choices=[(score, str(score)) for score in range(MAX_SCORE + 1)],
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose a score from 0 to 10."),
            "invalid_choice": _("Choose a score from 0 to 10."),
        },
    )
    comment = forms.CharField(
        label=_("Anything you would like to add?"),
        required=False,
        max_length=MAX_COMMENT_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Optional. The community manager reads comments without your name; they may "
            "still recognise what you write about."
        ),
    )
