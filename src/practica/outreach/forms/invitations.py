"""The "Invite colleagues" form: addresses one per line and an optional message."""

from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from practica.outreach.services.invitations import (
    MAX_ADDRESSES_PER_REQUEST,
    MAX_MESSAGE,
    split_addresses,
)


class InviteColleaguesForm(forms.Form):
    emails = forms.CharField(
        label=_("Email addresses"),
        max_length=MAX_ADDRESSES_PER_REQUEST * 300,
        widget=forms.Textarea(
            attrs={"rows": 5, "autocomplete": "off", "spellcheck": "false", "inputmode": "email"}
        ),
    )
    message = forms.CharField(
        label=_("A note from you"),
        help_text=_("Shown in the mail above the join link."),
        required=False,
        max_length=MAX_MESSAGE,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["emails"].help_text = gettext(
            "One address per line, up to %(max)s at a time."
        ) % {"max": MAX_ADDRESSES_PER_REQUEST}

    def clean_emails(self) -> list[str]:
        addresses = split_addresses(self.cleaned_data["emails"])
        if not addresses:
            raise forms.ValidationError(_("Give at least one email address."))
        if len(addresses) > MAX_ADDRESSES_PER_REQUEST:
            raise forms.ValidationError(
                gettext("Invite at most %(max)s addresses at a time; you gave %(count)s.")
                % {"max": MAX_ADDRESSES_PER_REQUEST, "count": len(addresses)}
            )
        return addresses

    def clean_message(self) -> str:
        message: Any = self.cleaned_data.get("message") or ""
        if "\x00" in message:
            raise forms.ValidationError(_("The message contains a character we can't store."))
        return str(message).strip()
