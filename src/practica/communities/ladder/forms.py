"""Forms of the ladder and board screens: they validate input; services do the writing."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from practica.communities.ladder import opportunity_services, services
from practica.communities.ladder.contributions import CONTRIBUTION_KINDS
from practica.communities.models import (
    Community,
    LadderRung,
    Opportunity,
    OpportunityKind,
    OpportunityStatus,
)

REQUIREMENT_PREFIX = "needs_"


class RungForm(forms.Form):
    """A rung: its name and description, and how many of each contribution earn it (empty:
    not needed; all empty: only the manager puts people on it)."""

    name = forms.CharField(label=_("Name"), max_length=services.MAX_RUNG_NAME)
    description = forms.CharField(
        label=_("What it means"),
        required=False,
        max_length=services.MAX_RUNG_DESCRIPTION,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, rung: LadderRung | None = None, **kwargs: Any) -> None:
        if rung is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "name": rung.name,
                "description": rung.description,
                **{
                    f"{REQUIREMENT_PREFIX}{key}": count
                    for key, count in (rung.requirements or {}).items()
                },
            }
        super().__init__(*args, **kwargs)
        for key, kind in CONTRIBUTION_KINDS.items():
            self.fields[f"{REQUIREMENT_PREFIX}{key}"] = forms.IntegerField(
                label=kind.label,
                required=False,
                min_value=1,
                max_value=services.MAX_REQUIRED_COUNT,
                widget=forms.NumberInput(attrs={"inputmode": "numeric", "placeholder": "—"}),
            )

    def requirement_fields(self) -> list[forms.BoundField]:
        return [self[f"{REQUIREMENT_PREFIX}{key}"] for key in CONTRIBUTION_KINDS]

    def requirements(self) -> dict[str, int]:
        """The counts given, by contribution kind (call after `is_valid`)."""
        return {
            key: self.cleaned_data[f"{REQUIREMENT_PREFIX}{key}"]
            for key in CONTRIBUTION_KINDS
            if self.cleaned_data.get(f"{REQUIREMENT_PREFIX}{key}")
        }


class LadderFilterForm(forms.Form):
    """Filter the ladder's member list by name and rung (GET)."""

    UNPLACED = "none"

    q = forms.CharField(
        label=_("Search by name"),
        required=False,
        max_length=100,
        widget=forms.SearchInput(attrs={"placeholder": _("Name or email")}),
    )
    rung = forms.ChoiceField(label=_("Rung"), required=False)

    def __init__(self, *args: Any, rungs: list[LadderRung], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["rung"].choices = [
            ("", _("Any rung")),
            *[(str(rung.pk), rung.name) for rung in reversed(rungs)],
            (self.UNPLACED, _("Not on the ladder yet")),
        ]


class SetRungForm(forms.Form):
    rung = forms.ModelChoiceField(label=_("Rung"), queryset=LadderRung.objects.none())
    note = forms.CharField(
        label=_("Why"),
        max_length=services.MAX_STEP_NOTE,
        help_text=_("Kept in their history, e.g. “Chaired the 2014 program committee”."),
    )

    def __init__(self, *args: Any, community: Community, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["rung"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = LadderRung.objects.filter(community=community).order_by("-position")


class AskForm(forms.Form):
    opportunity = forms.ModelChoiceField(
        label=_("For an open call"),
        queryset=Opportunity.objects.none(),
        required=False,
        empty_label=_("No particular call"),
    )
    note = forms.CharField(
        label=_("Your note"),
        required=False,
        max_length=services.MAX_ASK_NOTE,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Sent in the mail. Say what you noticed and what you would like them to do."),
    )

    def __init__(self, *args: Any, community: Community, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["opportunity"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Opportunity.objects.filter(
            community=community, status=OpportunityStatus.OPEN
        ).order_by("closes_on", "-created_at")


class OpportunityForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of call"), choices=OpportunityKind.choices)
    title = forms.CharField(
        label=_("Title"),
        max_length=opportunity_services.MAX_TITLE,
        widget=forms.TextInput(
            attrs={"placeholder": _("e.g. Reviewers wanted for the 2025 conference")}
        ),
    )
    description = forms.CharField(
        label=_("What it involves"),
        required=False,
        max_length=opportunity_services.MAX_DESCRIPTION,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("How much time it takes, when, and who would be a good fit."),
    )
    seats = forms.IntegerField(
        label=_("People wanted"),
        required=False,
        min_value=1,
        max_value=opportunity_services.MAX_SEATS,
        help_text=_("Leave empty for no limit."),
    )
    closes_on = forms.DateField(
        label=_("Closes on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("The last day to volunteer. Leave empty to close it by hand."),
    )

    def __init__(self, *args: Any, opportunity: Opportunity | None = None, **kwargs: Any) -> None:
        if opportunity is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "kind": opportunity.kind,
                "title": opportunity.title,
                "description": opportunity.description,
                "seats": opportunity.seats,
                "closes_on": opportunity.closes_on,
            }
        super().__init__(*args, **kwargs)


class VolunteerForm(forms.Form):
    message = forms.CharField(
        label=_("A word to the organizers"),
        required=False,
        max_length=opportunity_services.MAX_MESSAGE,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Why you, and when you are available."),
    )


class DecisionForm(forms.Form):
    note = forms.CharField(
        label=_("Note to the volunteer"),
        required=False,
        max_length=opportunity_services.MAX_DECISION_NOTE,
    )
