"""Forms of the strategy screens: the draft editor (texts, one statement per line, and rows of
audience, targets and leaders), approval, comparing versions and the maturity assessment.

They check what a form can (types, lengths, choices) and turn the input into the rows the
services take; `strategy.sections` and the services have the last word, and their messages are
shown above the section they concern.
"""

from datetime import date
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.forms import formset_factory
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from practica.communities.models import (
    MaturityCompetency,
    MaturityStage,
    StrategyVersion,
    TargetComparison,
)
from practica.communities.strategy.maturity_services import MAX_ASSESSMENT_NOTE, MAX_SCORE_NOTE
from practica.communities.strategy.sections import (
    MAX_AUDIENCE_LABEL,
    MAX_JOB_TITLE,
    MAX_NOTE_LENGTH,
    MAX_REMIT_LENGTH,
    MAX_ROWS,
    MAX_SUMMARY_LENGTH,
    MAX_TARGET_LABEL,
    MAX_TARGET_VALUE,
    AudienceRow,
    LeaderRow,
    TargetRow,
    clean_statements,
)
from practica.communities.target_metrics import target_metric, target_metric_choices
from practica.people.models import OrgUnit, Role, User

STATEMENT_HELP = _("One per line; blank lines are left out.")
PERCENT = Decimal(100)
DEFAULT_AMBER_MARGIN = 10


def _statements_field(label: Any, help_text: Any, placeholder: Any) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5, "placeholder": placeholder}),
        help_text=help_text,
    )


class DraftTextForm(forms.Form):
    """The draft's texts; `goals`, `scenarios` and `principles` become lists of statements."""

    summary = forms.CharField(
        label=_("Summary"),
        required=False,
        max_length=MAX_SUMMARY_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("The strategy in a few sentences, for every member."),
    )
    goals = _statements_field(
        _("Goals"),
        _("Why the company invests in the community. One per line."),
        _("Faster answers for field engineers in customer meetings"),
    )
    scenarios = _statements_field(
        _("Scenarios"),
        _("What members can do, as “I can…” statements. One per line."),
        _("I can easily find and connect with other practitioners at the company"),
    )
    principles = _statements_field(
        _("Principles"),
        _("How the community is run. One per line."),
        _("We create opportunities for people to contribute"),
    )
    change_note = forms.CharField(
        label=_("What changed"),
        required=False,
        max_length=MAX_NOTE_LENGTH,
        help_text=_("One line for the versions list, e.g. “Targets for 2021; a new principle”."),
    )

    @classmethod
    def for_draft(cls, draft: StrategyVersion) -> "DraftTextForm":
        return cls(
            initial={
                "summary": draft.summary,
                "goals": "\n".join(draft.goals),
                "scenarios": "\n".join(draft.scenarios),
                "principles": "\n".join(draft.principles),
                "change_note": draft.change_note,
            }
        )

    def _statements(self, name: str) -> list[str]:
        items, problems = clean_statements(self.cleaned_data.get(name, "").splitlines())
        if problems:
            raise ValidationError(problems)
        return items

    def clean_goals(self) -> list[str]:
        return self._statements("goals")

    def clean_scenarios(self) -> list[str]:
        return self._statements("scenarios")

    def clean_principles(self) -> list[str]:
        return self._statements("principles")


class AudienceRowForm(forms.Form):
    """One audience row; an empty row is ignored. `row` is the row when filled."""

    label = forms.CharField(label=_("Label"), required=False, max_length=MAX_AUDIENCE_LABEL)
    org_unit = forms.ModelChoiceField(
        label=_("Org unit (and below)"),
        required=False,
        queryset=OrgUnit.objects.order_by("path"),
        empty_label=_("Any org unit"),
    )
    role = forms.ChoiceField(
        label=_("Role"), required=False, choices=[("", _("Any role")), *Role.choices]
    )
    job_title_contains = forms.CharField(
        label=_("Job title contains"), required=False, max_length=MAX_JOB_TITLE
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.row: AudienceRow | None = None
        self.fields["org_unit"].label_from_instance = lambda unit: "· " * unit.depth + unit.name

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        label = (data.get("label") or "").strip()
        org_unit, role = data.get("org_unit"), data.get("role") or ""
        title = (data.get("job_title_contains") or "").strip()
        if not any((label, org_unit, role, title)):
            return data
        if not label:
            raise ValidationError(_("Give the audience a label, e.g. “Data scientists”."))
        self.row = AudienceRow(label=label, org_unit=org_unit, role=role, job_title_contains=title)
        return data


class TargetRowForm(forms.Form):
    """One target; an empty row is ignored. Shares are typed as percentages (60 for 60 %) and
    turned into the metric's 0–1 unit here."""

    metric_key = forms.ChoiceField(label=_("Metric"), required=False)
    comparison = forms.ChoiceField(
        label=_("Comparison"), choices=TargetComparison.choices, initial=TargetComparison.AT_LEAST
    )
    target_value = forms.DecimalField(
        label=_("Target"),
        required=False,
        min_value=Decimal(0),
        max_value=MAX_TARGET_VALUE,
        max_digits=14,
        decimal_places=4,
    )
    label = forms.CharField(label=_("Label"), required=False, max_length=MAX_TARGET_LABEL)
    amber_margin_percent = forms.IntegerField(
        label=_("Amber within (percent of target)"),
        required=False,
        min_value=0,
        max_value=100,
        initial=DEFAULT_AMBER_MARGIN,
        widget=forms.NumberInput(attrs={"placeholder": str(DEFAULT_AMBER_MARGIN)}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.row: TargetRow | None = None
        self.fields["metric_key"].choices = [("", _("Choose…")), *target_metric_choices()]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        key, value = data.get("metric_key") or "", data.get("target_value")
        if not key and value is None and not (data.get("label") or "").strip():
            return data
        if not key:
            raise ValidationError(_("Choose the metric this target is about."))
        if value is None:
            if "target_value" not in self.errors:
                raise ValidationError(_("Give the target value."))
            return data
        metric = target_metric(key)
        if metric is not None and metric.unit == "share":
            if value > PERCENT:
                raise ValidationError(_("A share is a percentage, at most 100."))
            value = value / PERCENT
        self.row = TargetRow(
            metric_key=key,
            comparison=data.get("comparison") or TargetComparison.AT_LEAST,
            target_value=value,
            label=(data.get("label") or "").strip(),
            amber_margin_percent=(
                DEFAULT_AMBER_MARGIN
                if data.get("amber_margin_percent") is None
                else data["amber_margin_percent"]
            ),
        )
        return data


class LeaderRowForm(forms.Form):
    """One member of the leadership team, named by email address; an empty row is ignored."""

    email = forms.EmailField(label=_("Email address"), required=False)
    remit = forms.CharField(label=_("Remit"), required=False, max_length=MAX_REMIT_LENGTH)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.row: LeaderRow | None = None
        self.fields["email"].widget.attrs["list"] = "leadership-candidates"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        email = (data.get("email") or "").strip()
        remit = (data.get("remit") or "").strip()
        if not email and not remit:
            return data
        if not email:
            if "email" not in self.errors:
                raise ValidationError(_("Give the person's email address."))
            return data
        person = User.objects.filter(email__iexact=email).first()
        if person is None:
            raise ValidationError(
                _("No one at the company has the address %(email)s.") % {"email": email}
            )
        self.row = LeaderRow(person=person, remit=remit)
        return data


class RowFormSet(forms.BaseFormSet):
    def rows(self) -> list[Any]:
        """The filled rows, in order, leaving out those marked for removal."""
        return [
            form.row
            for form in self.forms
            if form.row is not None and not (self.can_delete and self._should_delete_form(form))
        ]


def _row_formset(form: type[forms.Form]) -> type[forms.BaseFormSet]:
    return formset_factory(
        form,
        formset=RowFormSet,
        extra=0,
        can_delete=True,
        max_num=MAX_ROWS,
        validate_max=True,
        absolute_max=MAX_ROWS + 5,
    )


AudienceFormSet = _row_formset(AudienceRowForm)
TargetFormSet = _row_formset(TargetRowForm)
LeaderFormSet = _row_formset(LeaderRowForm)


def audience_initial(draft: StrategyVersion) -> list[dict[str, Any]]:
    return [
        {
            "label": row.label,
            "org_unit": row.org_unit_id,
            "role": row.role,
            "job_title_contains": row.job_title_contains,
        }
        for row in draft.audience.all()
    ]


def targets_initial(draft: StrategyVersion) -> list[dict[str, Any]]:
    rows = []
    for row in draft.targets.all():
        metric = target_metric(row.metric_key)
        value = row.target_value
        if metric is not None and metric.unit == "share":
            value = value * PERCENT
        rows.append(
            {
                "metric_key": row.metric_key,
                "comparison": row.comparison,
                "target_value": f"{value.normalize():f}",
                "label": row.label,
                "amber_margin_percent": row.amber_margin_percent,
            }
        )
    return rows


def leaders_initial(draft: StrategyVersion) -> list[dict[str, Any]]:
    return [{"email": row.person.email, "remit": row.remit} for row in draft.leaders.all()]


class ApproveForm(forms.Form):
    approval_note = forms.CharField(
        label=_("Approval note"),
        required=False,
        max_length=MAX_NOTE_LENGTH,
        help_text=_(
            "Who approved it, e.g. “Approved by the sponsor's leadership team on 12 March”."
        ),
    )


class CompareForm(forms.Form):
    """Two versions by number (GET)."""

    older = forms.TypedChoiceField(label=_("From version"), coerce=int)
    newer = forms.TypedChoiceField(label=_("To version"), coerce=int)

    def __init__(self, *args: Any, numbers: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [(number, _("Version %(n)d") % {"n": number}) for number in numbers]
        self.fields["older"].choices = choices
        self.fields["newer"].choices = choices

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("older") is not None and data.get("older") == data.get("newer"):
            raise ValidationError(_("Choose two different versions."))
        return data


STAGE_CHOICES = [(stage.value, f"{stage.value} · {stage.label}") for stage in MaturityStage]


class MaturityForm(forms.Form):
    """An assessment: the day, a stage for each of the eight competencies, notes."""

    assessed_on = forms.DateField(
        label=_("Assessed on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=MAX_ASSESSMENT_NOTE,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Who took part, what the assessment was based on."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("assessed_on", timezone.localdate())
        super().__init__(*args, **kwargs)
        for competency in MaturityCompetency:
            self.fields[f"stage_{competency.value}"] = forms.TypedChoiceField(
                label=competency.label,
                choices=STAGE_CHOICES,
                coerce=int,
                widget=forms.RadioSelect,
            )
            self.fields[f"note_{competency.value}"] = forms.CharField(
                label=_("Why (%(competency)s)") % {"competency": competency.label},
                required=False,
                max_length=MAX_SCORE_NOTE,
            )

    def competency_fields(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        """(stage, note) bound fields per competency, in order, for the template."""
        return [
            (self[f"stage_{competency.value}"], self[f"note_{competency.value}"])
            for competency in MaturityCompetency
        ]

    def clean_assessed_on(self) -> date:
        day = self.cleaned_data["assessed_on"]
        if day > timezone.localdate():
            raise ValidationError(_("An assessment cannot be dated in the future."))
        return day

    def stages(self) -> dict[str, int]:
        return {
            competency.value: self.cleaned_data[f"stage_{competency.value}"]
            for competency in MaturityCompetency
        }

    def score_notes(self) -> dict[str, str]:
        return {
            competency.value: self.cleaned_data.get(f"note_{competency.value}", "")
            for competency in MaturityCompetency
            if self.cleaned_data.get(f"note_{competency.value}")
        }
