"""Forms of the community screens: they validate input; services do the writing."""

from django import forms
from django.utils.translation import gettext_lazy as _

from practica.communities.models import Access, MembershipRole, Program
from practica.communities.services import MAX_REQUEST_MESSAGE
from practica.people.models import User

MAX_SEARCH_LENGTH = 100


class CommunitySearchForm(forms.Form):
    """Search and filter the list of communities (GET)."""

    q = forms.CharField(
        label=_("Search by name"),
        required=False,
        max_length=MAX_SEARCH_LENGTH,
        widget=forms.SearchInput(attrs={"placeholder": _("e.g. Machine learning")}),
    )
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

    q = forms.CharField(
        label=_("Name or email"),
        required=False,
        max_length=MAX_SEARCH_LENGTH,
        widget=forms.SearchInput(attrs={"placeholder": _("Search members")}),
    )
    role = forms.ChoiceField(
        label=_("Role"),
        required=False,
        choices=[("", _("Any role")), *MembershipRole.choices],
    )


class JoinRequestForm(forms.Form):
    message = forms.CharField(
        label=_("Message to the managers"),
        required=False,
        max_length=MAX_REQUEST_MESSAGE,
        widget=forms.Textarea(
            attrs={
                "rows": 3,
                "placeholder": _("What brings you here? What do you work on?"),
            }
        ),
    )


class DeclineRequestForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason, sent to the person"),
        required=False,
        max_length=MAX_REQUEST_MESSAGE,
        widget=forms.TextInput(attrs={"placeholder": _("Reason (optional)")}),
    )


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=MembershipRole.choices)


class AddMemberForm(forms.Form):
    """A manager adds a colleague by email address; the person must have an active account."""

    email = forms.EmailField(
        label=_("Email address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"placeholder": _("colleague@example.com")}),
    )
    role = forms.ChoiceField(
        label=_("Role"), choices=MembershipRole.choices, initial=MembershipRole.MEMBER
    )

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
