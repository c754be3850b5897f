"""The successor picker of a continuity alert: a colleague found by the address they sign in
with, as the conference committee and the community's "add a member" forms pick people."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from practica.people.models import User


class SuccessorForm(forms.Form):
    """Who takes over. `cleaned_data["successor"]` is the person; whether they may take over
    (active, not the leaver) is the service's to say, beside the field."""

    successor = forms.EmailField(
        label=_("New owner's email address"),
        max_length=254,
        error_messages={"required": _("Give the email address of who takes over.")},
        widget=forms.EmailInput(
            attrs={"placeholder": _("colleague@example.com"), "autocomplete": "off"}
        ),
    )

    def __init__(self, *args: Any, suggestions: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if suggestions:
            self.fields["successor"].widget.attrs["list"] = suggestions

    def clean_successor(self) -> User:
        address = self.cleaned_data["successor"].strip()
        person = User.objects.filter(email__iexact=address).first()
        if person is None:
            raise forms.ValidationError(
                _("Nobody has the address %(email)s."), params={"email": address}, code="unknown"
            )
        return person
