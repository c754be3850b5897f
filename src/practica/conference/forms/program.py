"""Forms of the program builder: place a proposal, add a keynote, a break or a plenary, move a
slot. Times are asked as a day of the edition and a wall-clock time in the edition's zone;
`starts_at` in `cleaned_data` is that moment, aware. Services do the writing and the checks
(room taken, days, lengths); these forms only read and shape the input.
"""

from datetime import date, datetime
from typing import Any

from django import forms
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from practica.conference.models import Edition, SessionKind, SlotKind
from practica.conference.queries.editions import edition_zone
from practica.conference.queries.program import edition_days, unscheduled_proposals
from practica.conference.services.program import MAX_MINUTES, MAX_TITLE, MIN_MINUTES
from practica.people.models import User


class SlotTimeForm(forms.Form):
    """Room, day, time and length, shared by every builder form."""

    room = forms.ModelChoiceField(label=_("Room"), queryset=None, required=False)
    day = forms.TypedChoiceField(label=_("Day"), coerce=date.fromisoformat)
    time = forms.TimeField(
        label=_("Starts at"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    minutes = forms.IntegerField(
        label=_("Minutes"),
        required=False,
        min_value=MIN_MINUTES,
        max_value=MAX_MINUTES,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )

    room_required = False
    all_rooms_label = _("All rooms")

    def __init__(self, *args: Any, edition: Edition, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.edition = edition
        room_field = self.fields["room"]
        room_field.queryset = edition.rooms.order_by("position", "name")  # type: ignore[attr-defined]
        room_field.required = self.room_required
        room_field.empty_label = None if self.room_required else self.all_rooms_label  # type: ignore[attr-defined]
        self.fields["day"].choices = [  # type: ignore[attr-defined]
            (day.isoformat(), f"{date_format(day, 'l')}, {date_format(day, 'DATE_FORMAT')}")
            for day in edition_days(edition)
        ]
        self.fields["time"].help_text = _("In %(zone)s, the edition's time zone.") % {
            "zone": edition_zone(edition).key.replace("_", " ")
        }

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        day, at = cleaned.get("day"), cleaned.get("time")
        if day is not None and at is not None:
            cleaned["starts_at"] = datetime.combine(day, at, tzinfo=edition_zone(self.edition))
        return cleaned


class PlaceProposalForm(SlotTimeForm):
    """Place an accepted or confirmed proposal (a keynote-format one becomes a keynote)."""

    proposal = forms.ModelChoiceField(label=_("Proposal"), queryset=None)
    field_order = ["proposal", "room", "day", "time", "minutes"]
    room_required = True

    def __init__(self, *args: Any, edition: Edition, **kwargs: Any) -> None:
        super().__init__(*args, edition=edition, **kwargs)
        self.fields["proposal"].queryset = unscheduled_proposals(edition)  # type: ignore[attr-defined]
        self.fields["proposal"].label_from_instance = lambda proposal: (  # type: ignore[attr-defined]
            f"{proposal.title} · {proposal.format.name}"
            + (f" · {proposal.track.name}" if proposal.track_id else "")
        )
        self.fields["minutes"].help_text = _("Leave empty for the length of its format.")


class KeynoteForm(SlotTimeForm):
    """A keynote: a keynote-format proposal, or a title and the member who gives it."""

    proposal = forms.ModelChoiceField(
        label=_("Keynote proposal"),
        queryset=None,
        required=False,
        empty_label=_("None: an invited speaker"),
    )
    title = forms.CharField(label=_("Title"), max_length=MAX_TITLE, required=False)
    speaker = forms.EmailField(
        label=_("Speaker's email"),
        required=False,
        help_text=_("The member who gives the keynote, when there is no proposal."),
    )
    field_order = ["proposal", "title", "speaker", "room", "day", "time", "minutes"]

    def __init__(self, *args: Any, edition: Edition, **kwargs: Any) -> None:
        super().__init__(*args, edition=edition, **kwargs)
        self.fields["proposal"].queryset = unscheduled_proposals(edition).filter(  # type: ignore[attr-defined]
            format__kind=SessionKind.KEYNOTE
        )

    def clean_speaker(self) -> User | None:
        email = self.cleaned_data.get("speaker")
        if not email:
            return None
        person = User.objects.filter(email__iexact=email, is_active=True).first()
        if person is None:
            raise forms.ValidationError(_("No active member has this email."))
        return person

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if not cleaned.get("proposal") and not self.errors:
            if not (cleaned.get("title") or "").strip():
                self.add_error("title", _("Give the keynote a title, or choose its proposal."))
            if cleaned.get("speaker") is None:
                self.add_error("speaker", _("Name the member who gives the keynote."))
        return cleaned


class BreakForm(SlotTimeForm):
    """A break, or a plenary (opening, closing) for everyone or in one room."""

    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[
            (SlotKind.BREAK, SlotKind.BREAK.label),
            (SlotKind.PLENARY, SlotKind.PLENARY.label),
        ],
    )
    title = forms.CharField(
        label=_("Title"),
        max_length=MAX_TITLE,
        required=False,
        help_text=_("e.g. Lunch, Coffee, Opening; empty shows the kind."),
    )
    field_order = ["kind", "title", "room", "day", "time", "minutes"]


class MoveSlotForm(SlotTimeForm):
    """Move a slot: another room, day or time, or another length."""

    def __init__(self, *args: Any, edition: Edition, session: bool = False, **kwargs: Any) -> None:
        self.room_required = session
        super().__init__(*args, edition=edition, **kwargs)
        self.fields["minutes"].required = True
