"""The dashboards' filter forms. They only draw the controls with the values asked for: the
filters are read and checked by `metrics.queries.filters.parse_filters`, whose messages the
page shows above the form."""

from collections.abc import Mapping, Sequence
from typing import TypeVar

from django import forms
from django.utils.translation import gettext_lazy as _

from practica.communities.models import Community, MembershipRole
from practica.core.models import Topic
from practica.people.models import OrgUnit

FormT = TypeVar("FormT", bound="PeriodFilterForm")

PERIOD_CHOICES = [
    ("30d", _("Last 30 days")),
    ("90d", _("Last 90 days")),
    ("12m", _("Last 12 months")),
    ("ytd", _("This year so far")),
    ("all", _("All time")),
    ("custom", _("Custom dates")),
]
GRANULARITY_CHOICES = [
    ("", _("Automatic")),
    ("day", _("Day")),
    ("week", _("Week")),
    ("month", _("Month")),
    ("quarter", _("Quarter")),
    ("year", _("Year")),
]

GRANULARITY_PHRASES = {
    "day": _("a point per day"),
    "week": _("a point per week"),
    "month": _("a point per month"),
    "quarter": _("a point per quarter"),
    "year": _("a point per year"),
}


def used_params(params: Mapping[str, str], *, exclude: tuple[str, ...] = ()) -> dict[str, str]:
    """The filters actually given: a form sent without JavaScript sends its empty fields too,
    and an empty field means "not filtered". The form sends its dates whatever the period, so
    a preset period (not "custom") wins over them rather than being refused."""
    given = {
        key: value
        for key, value in params.items()
        if key not in exclude and value.strip() != "" and key != "page"
    }
    if given.get("period", "custom") != "custom":
        given.pop("start", None)
        given.pop("end", None)
    return given


class PeriodFilterForm(forms.Form):
    """Period and split (org unit, role, topic): what every dashboard filters by."""

    period = forms.ChoiceField(label=_("Period"), choices=PERIOD_CHOICES, initial="12m")
    start = forms.DateField(
        label=_("From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("With “Custom dates”."),
    )
    end = forms.DateField(
        label=_("To"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("With “Custom dates”."),
    )
    org_unit = forms.ChoiceField(label=_("Division"), required=False)
    role = forms.ChoiceField(label=_("Role"), required=False)
    topic = forms.ChoiceField(label=_("Topic"), required=False, help_text=_("Questions only."))

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        divisions = OrgUnit.objects.filter(depth=0).order_by("name").values_list("pk", "name")
        self.choice_field("org_unit").choices = [("", _("Every division"))] + [
            (str(pk), name) for pk, name in divisions
        ]
        self.choice_field("role").choices = [("", _("Every role")), *MembershipRole.choices]
        topics = Topic.objects.order_by("path").values_list("pk", "name", "depth")
        self.choice_field("topic").choices = [("", _("Every topic"))] + [
            # Indented by depth so the tree reads in a plain select.
            (str(pk), "\u2003" * depth + name)
            for pk, name, depth in topics
        ]

    def choice_field(self, name: str) -> forms.ChoiceField:
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)  # the fields declared above
        return field


class DashboardFilterForm(PeriodFilterForm):
    """The community dashboard's filters: the period's buckets too."""

    granularity = forms.ChoiceField(
        label=_("Points per"), choices=GRANULARITY_CHOICES, required=False
    )

    field_order = ["period", "start", "end", "granularity", "org_unit", "role", "topic"]


def filter_form(form_class: type[FormT], params: Mapping[str, str]) -> FormT:
    """The form showing what was asked for. Unbound: the checking is parse_filters', whose
    messages stand above the form, so the fields carry no second copy of them."""
    return form_class(initial={"period": "12m", **used_params(params)})


class ProgramFilterForm(PeriodFilterForm):
    """The program comparison's filters: which of the program's communities too (all when
    none is ticked)."""

    community = forms.MultipleChoiceField(
        label=_("Communities"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("All of the program’s communities when none is ticked."),
    )

    def set_communities(self, communities: Sequence[Community], *, chosen: Sequence[str]) -> None:
        self.choice_field("community").choices = [(c.slug, c.name) for c in communities]
        self.initial["community"] = list(chosen)
