"""Forms of the group pages: they validate input; `group_services` does the writing."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from practica.communities.group_services import (
    DEFAULT_IDLE_DAYS,
    MAX_ARCHIVE_NOTE,
    MAX_DESCRIPTION,
    MAX_IDLE_DAYS,
    MAX_MEETING_NOTE,
    MAX_NAME,
    MIN_IDLE_DAYS,
)
from practica.communities.models import GroupCadence, GroupKind, GroupRole
from practica.people.models import User


class GroupForm(forms.Form):
    """Found a group or edit one: what it is and when it meets."""

    name = forms.CharField(
        label=_("Name"),
        max_length=MAX_NAME,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. Deep RL paper club")}),
    )
    kind = forms.ChoiceField(label=_("Kind of group"), choices=GroupKind.choices)
    description = forms.CharField(
        label=_("What the group does"),
        required=False,
        max_length=MAX_DESCRIPTION,
        widget=forms.Textarea(
            attrs={"rows": 5, "placeholder": _("Who it is for, what you read or build together.")}
        ),
    )
    cadence = forms.ChoiceField(
        label=_("Meets"), choices=GroupCadence.choices, initial=GroupCadence.IRREGULAR
    )
    meeting_note = forms.CharField(
        label=_("When and where"),
        required=False,
        max_length=MAX_MEETING_NOTE,
        help_text=_("For example: Thursdays 12:00 Shanghai time, room 3.14 or online."),
    )
    idle_after_days = forms.IntegerField(
        label=_("Idle after (days)"),
        min_value=MIN_IDLE_DAYS,
        max_value=MAX_IDLE_DAYS,
        initial=DEFAULT_IDLE_DAYS,
        help_text=_(
            "With no activity for this long the group counts as idle and the community's "
            "managers hear about it."
        ),
    )


class GroupFilterForm(forms.Form):
    """The groups page's filters (GET): a kind, and running or archived groups."""

    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("Every kind")), *GroupKind.choices]
    )
    archived = forms.BooleanField(label=_("Archived groups"), required=False)


class ArchiveGroupForm(forms.Form):
    note = forms.CharField(
        label=_("Why the group ends"),
        max_length=MAX_ARCHIVE_NOTE,
        widget=forms.Textarea(
            attrs={
                "rows": 3,
                "placeholder": _("e.g. We finished the book; the study group met its goal."),
            }
        ),
        help_text=_("Shown on the group's page. Everything stays readable."),
    )


def _role_field(**options: Any) -> forms.ChoiceField:
    return forms.ChoiceField(label=_("Role in the group"), choices=GroupRole.choices, **options)


class AddGroupMemberForm(forms.Form):
    """An owner or manager adds a colleague by email address (an active account)."""

    email = forms.EmailField(
        label=_("Email address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"placeholder": _("colleague@example.com")}),
    )
    role = _role_field(initial=GroupRole.MEMBER)

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        person = User.objects.filter(email__iexact=email, is_active=True).first()
        if person is None:
            raise forms.ValidationError(
                _("Nobody with the email address %(email)s has an active account."),
                params={"email": email},
                code="unknown_person",
            )
        self.person = person
        return email


class GroupRoleForm(forms.Form):
    role = _role_field()
