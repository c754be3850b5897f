"""Forms of the community screens: they validate input; services do the writing."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from practica.communities.models import Access, MembershipRole, Program
from practica.communities.services import MAX_REQUEST_MESSAGE
from practica.people.models import User

MAX_SEARCH_LENGTH = 100


def _search_field(label: Any, placeholder: Any) -> forms.CharField:
    """The free-text box of a search form (GET)."""
    return forms.CharField(
        label=label,
        required=False,
        max_length=MAX_SEARCH_LENGTH,
        widget=forms.SearchInput(attrs={"placeholder": placeholder}),
    )


def _role_field(*, any_role: bool = False, **options: Any) -> forms.ChoiceField:
    """A membership role to choose; `any_role` adds an empty choice, for filtering."""
    choices = [("", _("Any role")), *MembershipRole.choices] if any_role else MembershipRole.choices
    return forms.ChoiceField(label=_("Role"), choices=choices, required=not any_role, **options)


def _request_text_field(label: Any, widget: forms.Widget) -> forms.CharField:
    """Optional free text on a request to join (the asker's message, a manager's reason),
    no longer than the service stores."""
    return forms.CharField(
        label=label, required=False, max_length=MAX_REQUEST_MESSAGE, widget=widget
    )


class CommunitySearchForm(forms.Form):
    """Search and filter the list of communities (GET)."""

    q = _search_field(_("Search by name"), _("e.g. Machine learning"))
    program = forms.ModelChoiceField(
        label=_("Program"),
        queryset=Program.objects.order_by("name"),
        required=False,
        to_field_name="slug",
        empty_label=_("All programs"),
    )
    access = forms.ChoiceField(
        label=_("Access"),
        required=False,
        choices=[
            ("", _("Open and closed")),
            (Access.OPEN, _("Open")),
            (Access.CLOSED, _("Closed")),
        ],
    )
    mine = forms.BooleanField(label=_("Only my communities"), required=False)


class MemberSearchForm(forms.Form):
    """Filter a community's members by name text and role (GET)."""

    q = _search_field(_("Name or email"), _("Search members"))
    role = _role_field(any_role=True)


class JoinRequestForm(forms.Form):
    message = _request_text_field(
        _("Message to the managers"),
        forms.Textarea(
            attrs={
                "rows": 3,
                "placeholder": _("What brings you here? What do you work on?"),
            }
        ),
    )


class DeclineRequestForm(forms.Form):
    reason = _request_text_field(
        _("Reason, sent to the person"),
        forms.TextInput(attrs={"placeholder": _("Reason (optional)")}),
    )


class RoleForm(forms.Form):
    role = _role_field()


class AddMemberForm(forms.Form):
    """A manager adds a colleague by email address; the person must have an active account."""

    email = forms.EmailField(
        label=_("Email address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"placeholder": _("colleague@example.com")}),
    )
    role = _role_field(initial=MembershipRole.MEMBER)

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
