"""The funnel page's filters (GET): a campaign of the community and a range of months."""

from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from practica.communities.models import Community
from practica.outreach.models import Campaign
from practica.outreach.queries.funnel import clean_funnel_filters, parse_month


class MonthInput(forms.TextInput):
    """`<input type="month">`: a month picker where browsers have one, YYYY-MM text elsewhere."""

    input_type = "month"


class FunnelFilterForm(forms.Form):
    campaign = forms.ModelChoiceField(
        label=_("Campaign"),
        queryset=Campaign.objects.none(),
        required=False,
        empty_label=_("All campaigns"),
    )
    period_from = forms.CharField(
        label=_("From (month)"),
        required=False,
        max_length=20,
        widget=MonthInput(attrs={"placeholder": "2026-01", "class": "input"}),
    )
    period_to = forms.CharField(
        label=_("To (month)"),
        required=False,
        max_length=20,
        widget=MonthInput(attrs={"placeholder": "2026-06", "class": "input"}),
    )

    def __init__(self, *args: Any, community: Community, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.community = community
        self.fields["campaign"].queryset = Campaign.objects.filter(  # type: ignore[attr-defined]
            community=community
        ).order_by("name")

    def _month(self, name: str) -> date | None:
        try:
            return parse_month(self.cleaned_data.get(name) or "", field_name=name)
        except ValidationError as error:
            raise forms.ValidationError(error.message_dict[name]) from None

    def clean_period_from(self) -> date | None:
        return self._month("period_from")

    def clean_period_to(self) -> date | None:
        return self._month("period_to")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        try:
            clean_funnel_filters(
                community=self.community,
                campaign=data.get("campaign"),
                period_from=data.get("period_from"),
                period_to=data.get("period_to"),
            )
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                self.add_error(field if field in self.fields else None, messages)
        return data

    @property
    def filtered(self) -> bool:
        return self.is_bound and any(self.data.get(name) for name in self.fields)

    def filters(self) -> dict[str, Any]:
        """The cleaned filters as `campaign_funnel` takes them (call after `is_valid`)."""
        return {
            "campaign": self.cleaned_data.get("campaign"),
            "period_from": self.cleaned_data.get("period_from"),
            "period_to": self.cleaned_data.get("period_to"),
        }
