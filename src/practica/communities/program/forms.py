"""Forms of the program screens: they validate input; services do the writing."""

from datetime import date
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from practica.communities.models import Community, Program
from practica.communities.program.calendar_queries import MAX_WINDOW_DAYS
from practica.communities.program.queries import communities_outside_programs
from practica.communities.program.services import MAX_DESCRIPTION_LENGTH
from practica.people.models import User

FIRST_YEAR = 2000
LAST_YEAR = 2100


# The days before today the .ics download starts at, so a recent meeting stays in clients.
FEED_DAYS_BEFORE = 30
FEED_DAYS_AHEAD = 180


class ProgramCommunityFilterForm(forms.Form):
    """A GET form with an optional filter on one of the program's communities (by slug)."""

    community = forms.ModelChoiceField(
        label=_("Community"),
        queryset=Community.objects.none(),
        required=False,
        to_field_name="slug",
        empty_label=_("All communities"),
    )

    def __init__(self, *args: Any, program: Program, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["community"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Community.objects.filter(program=program).order_by("name")


class CalendarFilterForm(ProgramCommunityFilterForm):
    """The calendar's month (YYYY-MM), view (month grid or list) and community (GET)."""

    VIEWS = [("month", _("Month")), ("list", _("List"))]

    month = forms.CharField(label=_("Month"), required=False, max_length=7)
    view = forms.ChoiceField(label=_("View"), choices=VIEWS, required=False)

    def clean_month(self) -> date | None:
        value = (self.cleaned_data.get("month") or "").strip()
        if not value:
            return None
        year_text, _separator, month_text = value.partition("-")
        if not (year_text.isdigit() and month_text.isdigit() and len(year_text) == 4):
            raise forms.ValidationError(_("Give the month as YYYY-MM, e.g. 2024-05."))
        year, month = int(year_text), int(month_text)
        if not (FIRST_YEAR <= year <= LAST_YEAR and 1 <= month <= 12):
            raise forms.ValidationError(
                _("Choose a month between %(first)s and %(last)s.")
                % {"first": FIRST_YEAR, "last": LAST_YEAR}
            )
        return date(year, month, 1)


class FeedFilterForm(ProgramCommunityFilterForm):
    """The .ics download: an optional community and how many days ahead (GET); it starts
    FEED_DAYS_BEFORE days ago."""

    days = forms.IntegerField(
        label=_("Days ahead"),
        required=False,
        min_value=1,
        max_value=MAX_WINDOW_DAYS - FEED_DAYS_BEFORE - 1,
    )


class ProgramDescriptionForm(forms.Form):
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=MAX_DESCRIPTION_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What the program is for and who runs it; shown at the top of its page."),
    )


class OfficeMemberForm(forms.Form):
    """Add a colleague to the program office by email; they need an active account."""

    email = forms.EmailField(
        label=_("Email address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"placeholder": _("colleague@example.com")}),
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


class AddCommunityForm(forms.Form):
    """Take in a community that belongs to no program yet."""

    community = forms.ModelChoiceField(
        label=_("Community"),
        queryset=Community.objects.none(),
        to_field_name="slug",
        empty_label=_("Choose a community"),
        help_text=_("Only communities outside any program are listed."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["community"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = communities_outside_programs()
