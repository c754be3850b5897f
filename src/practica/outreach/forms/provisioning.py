"""Forms of the provisioning page: naming a new SCIM token, and filtering the change log."""

from django import forms
from django.utils.translation import gettext_lazy as _

from practica.outreach.models import ChangeKind, ChangeSource
from practica.outreach.services.tokens import MAX_NAME_LENGTH


class ProvisioningTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Token name"),
        max_length=MAX_NAME_LENGTH,
        help_text=_("The identity provider that uses it, e.g. “Entra ID production”."),
    )


class PersonChangeFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Change"), required=False, choices=[("", _("Any change")), *ChangeKind.choices]
    )
    source = forms.ChoiceField(
        label=_("Source"), required=False, choices=[("", _("Any source")), *ChangeSource.choices]
    )
