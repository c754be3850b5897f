"""Forms of the segment editor: the name and description, and rows of rules (field, operator,
value). A row's value is typed as text ("30", "2026-01-01 to 2026-03-31", "DE, US") and turned
into the rule's value here; `queries.segments.validate_segment_rule` has the last word, and its
message is shown on the row."""

import re
from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.forms import formset_factory
from django.utils.translation import gettext_lazy as _

from practica.outreach.queries.segments import (
    FIELD_LABELS,
    MAX_RULES,
    OPERATOR_LABELS,
    SEGMENT_FIELDS,
    validate_segment_rule,
)
from practica.outreach.services.segments import MAX_DESCRIPTION_LENGTH, MAX_NAME_LENGTH

DATE_SPLIT = re.compile(r"\s+(?:to|until|–|-)\s+|\s*[,;]\s*|\s+")


def _operator_choices() -> list[tuple[Any, Any]]:
    groups: list[tuple[Any, Any]] = [("", _("Choose…"))]
    for field, operators in SEGMENT_FIELDS.items():
        groups.append((FIELD_LABELS[field], [(op, OPERATOR_LABELS[op]) for op in operators]))
    return groups


class SegmentForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=MAX_NAME_LENGTH)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=MAX_DESCRIPTION_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Who this audience is, for the other managers."),
    )


class RuleRowForm(forms.Form):
    """One rule. An empty row is ignored; `rule` is the rule when the row is filled."""

    field = forms.ChoiceField(
        label=_("Field"),
        required=False,
        choices=[("", _("Choose…")), *FIELD_LABELS.items()],
    )
    op = forms.ChoiceField(label=_("Operator"), required=False, choices=_operator_choices)
    value = forms.CharField(
        label=_("Value"),
        required=False,
        max_length=500,
        help_text=_(
            "Days: 30 · dates: 2026-01-01 to 2026-03-31 · a regular expression · roles or "
            "countries separated by commas · an org unit's slug"
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rule: dict[str, Any] | None = None
        # The help is shown once above the rows, not under every value box.
        self.fields["value"].help_text = ""

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        field, op = data.get("field") or "", data.get("op") or ""
        text = (data.get("value") or "").strip()
        if not field and not op and not text:
            return data
        if not field:
            raise ValidationError(_("Choose the field this rule is about."))
        if not op:
            raise ValidationError(_("Choose the operator."))
        rule: dict[str, Any] = {"field": field, "op": op}
        kind = SEGMENT_FIELDS.get(field, {}).get(op)
        if text:
            rule["value"] = _typed_value(kind, text)
        try:
            self.rule = validate_segment_rule(rule)
        except ValidationError as error:
            problem = " ".join(error.messages)
            raise ValidationError(problem[:1].upper() + problem[1:]) from error
        return data


def _typed_value(kind: str | None, text: str) -> Any:
    if kind == "dates":
        return [part for part in DATE_SPLIT.split(text) if part][:3]
    if kind == "days":
        return text
    return text


class BaseRuleFormSet(forms.BaseFormSet):
    def rules(self) -> list[dict[str, Any]]:
        """The filled rows' rules, in order, leaving out rows marked for removal."""
        return [
            form.rule
            for form in self.forms
            if form.rule is not None and not (self.can_delete and self._should_delete_form(form))
        ]


RuleFormSet = formset_factory(
    RuleRowForm,
    formset=BaseRuleFormSet,
    extra=0,
    can_delete=True,
    max_num=MAX_RULES,
    validate_max=True,
    absolute_max=MAX_RULES + 5,
)


def rule_rows(rules: list[dict[str, Any]]) -> list[dict[str, str]]:
    """A segment's rules as the editor's initial rows."""
    rows = []
    for rule in rules or []:
        value = rule.get("value")
        if isinstance(value, list | tuple):
            shown = f"{value[0]} to {value[1]}" if rule.get("op") == "between" else ", ".join(value)
        elif isinstance(value, date):
            shown = value.isoformat()
        else:
            shown = "" if value is None else str(value)
        rows.append({"field": rule.get("field", ""), "op": rule.get("op", ""), "value": shown})
    return rows


class ReferenceDateForm(forms.Form):
    on = forms.DateField(
        label=_("As on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Relative rules (previous month, last N days) count back from this day."),
    )
