"""Forms of the screens at and after an event: the check-in list's search, walk-ins, the attendee
list import, self check-in, materials, the library's filters, the feedback survey, AMA questions
and cost lines. They validate input; services do the writing.
"""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from practica.core.queries import topic_tree
from practica.events.models import CostCategory, EventFormat, MaterialKind, SeatMode
from practica.events.services.ama import MAX_QUESTION_LENGTH
from practica.events.services.costs import MAX_DESCRIPTION_LENGTH
from practica.events.services.feedback import MAX_COMMENT_LENGTH
from practica.events.services.materials import MAX_TITLE_LENGTH, MAX_URL_LENGTH
from practica.people.forms import TopicChoiceField

MAX_SEARCH_LENGTH = 200
MAX_UPLOAD_BYTES = 5_000_000
UPLOAD_ENCODINGS = ("utf-8-sig", "cp1252")


def decode_upload(data: bytes) -> str:
    """The text of an uploaded attendee list: UTF-8 (with or without BOM), UTF-16 (Teams
    exports it), else Windows-1252; latin-1 always decodes, so this never fails."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    for encoding in UPLOAD_ENCODINGS:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1", errors="replace")


CHECK_IN_STATUS_CHOICES = [
    ("", _("Everyone")),
    ("not_checked_in", _("Not checked in yet")),
    ("checked_in", _("Checked in")),
    ("waitlisted", _("On the waiting list")),
]


class CheckInSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Name or email"),
        required=False,
        max_length=MAX_SEARCH_LENGTH,
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "class": "search-input",
                "placeholder": _("Search registrants…"),
                "autocomplete": "off",
            }
        ),
    )
    status = forms.ChoiceField(label=_("Show"), choices=CHECK_IN_STATUS_CHOICES, required=False)


class WalkInForm(forms.Form):
    email = forms.EmailField(
        label=_("Member's email"),
        max_length=254,
        help_text=_("Admits them even if they did not register, raising the capacity if full."),
    )
    mode = forms.ChoiceField(label=_("Seat"), choices=SeatMode.choices, required=False)

    def __init__(self, *args: Any, event: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        modes = event.seat_modes if event is not None else list(SeatMode.values)
        if len(modes) < 2:
            del self.fields["mode"]
        else:
            self.fields["mode"].choices = [
                (value, label) for value, label in SeatMode.choices if value in modes
            ]


class AttendeeImportForm(forms.Form):
    file = forms.FileField(
        label=_("Attendee list (CSV)"),
        required=False,
        help_text=_("The participants report of Zoom, Teams, Meet or Webex, with an email column."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,text/csv,text/plain"}),
    )
    text = forms.CharField(
        label=_("…or paste it here"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6, "spellcheck": "false"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        upload = data.get("file")
        if upload is not None:
            if upload.size > MAX_UPLOAD_BYTES:
                raise forms.ValidationError(
                    _("The file is too large (at most %(n)s MB).")
                    % {"n": MAX_UPLOAD_BYTES // 1_000_000}
                )
            data["csv_text"] = decode_upload(upload.read())
        elif (data.get("text") or "").strip():
            data["csv_text"] = data["text"]
        else:
            raise forms.ValidationError(_("Choose the attendee list file or paste its contents."))
        return data


class SelfCheckInForm(forms.Form):
    code = forms.CharField(
        label=_("Check-in code"),
        max_length=20,
        help_text=_("The six characters shown at the event."),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        ),
    )


class MaterialForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=MaterialKind.choices)
    url = forms.CharField(
        label=_("Link"),
        max_length=MAX_URL_LENGTH,
        widget=forms.URLInput(attrs={"placeholder": "https://"}),
    )
    title = forms.CharField(label=_("Title"), max_length=MAX_TITLE_LENGTH, required=False)


MATERIAL_KIND_FILTER = [("", _("Any kind")), *MaterialKind.choices]
FORMAT_FILTER = [("", _("Any format")), *EventFormat.choices]


class LibraryFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=MAX_SEARCH_LENGTH,
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "class": "search-input",
                "placeholder": _("Title, description or material…"),
            }
        ),
    )
    topic = TopicChoiceField(
        label=_("Topic"),
        queryset=topic_tree(),
        to_field_name="slug",
        required=False,
        empty_label=_("Any topic"),
        error_messages={"invalid_choice": _("There is no such topic.")},
    )
    format = forms.ChoiceField(label=_("Format"), choices=FORMAT_FILTER, required=False)
    kind = forms.ChoiceField(label=_("Material"), choices=MATERIAL_KIND_FILTER, required=False)


SATISFACTION_CHOICES = [
    (5, _("5 — Excellent")),
    (4, _("4 — Good")),
    (3, _("3 — Fair")),
    (2, _("2 — Poor")),
    (1, _("1 — Very poor")),
]
RECOMMEND_CHOICES = [("", _("Rather not say"))] + [(n, str(n)) for n in range(11)]


class FeedbackForm(forms.Form):
    satisfaction = forms.TypedChoiceField(
        label=_("How satisfied were you with this event?"),
        choices=SATISFACTION_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": _("Rate the event from 1 (poor) to 5 (excellent).")},
    )
    would_recommend = forms.TypedChoiceField(
        label=_("How likely are you to recommend this community to a colleague? (0–10)"),
        choices=RECOMMEND_CHOICES,
        coerce=int,
        empty_value=None,
        required=False,
    )
    comment = forms.CharField(
        label=_("Anything else?"),
        required=False,
        max_length=MAX_COMMENT_LENGTH,
        help_text=_("The organizers see your comment without your name."),
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class AmaQuestionForm(forms.Form):
    text = forms.CharField(
        label=_("Your question"),
        max_length=MAX_QUESTION_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    anonymous = forms.BooleanField(label=_("Ask anonymously"), required=False)

    def __init__(self, *args: Any, allow_anonymous: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if allow_anonymous:
            self.fields["anonymous"].help_text = _("Nobody will see your name, not even the hosts.")
        else:
            del self.fields["anonymous"]


AMA_ACTIONS = [("hide", _("Hide")), ("answer", _("Mark answered")), ("reopen", _("Reopen"))]


class AmaModerationForm(forms.Form):
    action = forms.ChoiceField(choices=AMA_ACTIONS)


class AmaVoteForm(forms.Form):
    value = forms.ChoiceField(choices=[("up", "up"), ("withdraw", "withdraw")])


class CostForm(forms.Form):
    category = forms.ChoiceField(label=_("Category"), choices=CostCategory.choices)
    description = forms.CharField(
        label=_("Description"), max_length=MAX_DESCRIPTION_LENGTH, required=False
    )
    amount = forms.DecimalField(
        label=_("Amount"),
        min_value=0,
        max_digits=12,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.01", "min": "0", "inputmode": "decimal"}),
    )
    currency = forms.CharField(
        label=_("Currency"),
        max_length=3,
        min_length=3,
        initial="USD",
        widget=forms.TextInput(attrs={"size": 4, "autocapitalize": "characters"}),
    )
    incurred_on = forms.DateField(
        label=_("Date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
