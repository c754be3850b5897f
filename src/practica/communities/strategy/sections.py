"""The sections of a strategy draft as input rows, and how each is checked.

Services (`strategy.services`) call these before writing; forms and the API send the same rows,
so a problem reads the same everywhere. Each `clean_*` answers the cleaned rows and a list of
human messages ("Row 2: …"), empty when all is well.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from practica.communities.models import Community, Membership, TargetComparison
from practica.communities.target_metrics import target_metric
from practica.people.models import OrgUnit, Role, User

MAX_SUMMARY_LENGTH = 5000
MAX_NOTE_LENGTH = 500
MAX_LIST_ITEMS = 30
MAX_ITEM_LENGTH = 300
MAX_ROWS = 30
MAX_AUDIENCE_LABEL = 160
MAX_JOB_TITLE = 120
MAX_TARGET_LABEL = 200
MAX_REMIT_LENGTH = 300
MAX_TARGET_VALUE = Decimal("10000000")
TARGET_PLACES = Decimal("0.0001")


@dataclass(frozen=True)
class AudienceRow:
    """Whom to reach: people in `org_unit` (and below), with `role`, whose job title contains
    `job_title_contains` — every criterion given must hold."""

    label: str
    org_unit: OrgUnit | None = None
    role: str = ""
    job_title_contains: str = ""


@dataclass(frozen=True)
class TargetRow:
    """A target bound to the registered metric `metric_key`, in that metric's unit (a share
    is 0–1)."""

    metric_key: str
    comparison: str
    target_value: Decimal
    label: str = ""
    amber_margin_percent: int = 10


@dataclass(frozen=True)
class LeaderRow:
    person: User
    remit: str


def _one_line(value: str) -> str:
    return " ".join(value.split())


def _has_nul(value: str) -> bool:
    return "\x00" in value


def clean_statements(values: Any) -> tuple[list[str], list[str]]:
    """A list of short statements (goals, "I can…" scenarios, principles): each trimmed to one
    line, blanks dropped. Answers the statements and the problems found (none: valid)."""
    if isinstance(values, str) or not isinstance(values, Sequence):
        return [], [_("Give a list of short statements.")]
    items: list[str] = []
    problems: list[str] = []
    seen: set[str] = set()
    for value in values:
        if not isinstance(value, str):
            problems.append(_("Each statement must be text."))
            continue
        text = _one_line(value)
        if not text:
            continue
        if _has_nul(text):
            problems.append(_("A statement contains a NUL character."))
        elif len(text) > MAX_ITEM_LENGTH:
            problems.append(
                _("“%(start)s…” is longer than %(n)d characters: keep each statement short.")
                % {"start": text[:40], "n": MAX_ITEM_LENGTH}
            )
        elif text.casefold() in seen:
            problems.append(_("“%(text)s” is listed twice.") % {"text": text})
        else:
            seen.add(text.casefold())
            items.append(text)
    if len(items) > MAX_LIST_ITEMS:
        problems.append(_("List at most %(n)d statements.") % {"n": MAX_LIST_ITEMS})
    return items, problems


def clean_text(value: Any, max_length: int, *, multiline: bool = False) -> tuple[str, str]:
    """Trimmed text and a problem ("" when fine)."""
    if not isinstance(value, str):
        return "", _("Give text.")
    text = value.strip() if multiline else _one_line(value)
    if _has_nul(text):
        return text, _("The text contains a NUL character.")
    if len(text) > max_length:
        return text, _("Keep it to %(n)d characters (it has %(count)d).") % {
            "n": max_length,
            "count": len(text),
        }
    return text, ""


def _row_problem(index: int, message: str) -> str:
    return _("Row %(n)d: %(problem)s") % {"n": index + 1, "problem": message}


def _too_many_rows(rows: Sequence[Any]) -> str:
    if len(rows) > MAX_ROWS:
        return _("At most %(n)d rows.") % {"n": MAX_ROWS}
    return ""


def clean_audience(rows: Sequence[AudienceRow]) -> tuple[list[AudienceRow], list[str]]:
    """The audience rows trimmed, and the problems found, one message per row."""
    cleaned: list[AudienceRow] = []
    problems = [problem for problem in [_too_many_rows(rows)] if problem]
    labels: set[str] = set()
    for index, row in enumerate(rows):
        label, label_problem = clean_text(row.label, MAX_AUDIENCE_LABEL)
        title, title_problem = clean_text(row.job_title_contains, MAX_JOB_TITLE)
        if not label:
            problems.append(_row_problem(index, _("give the audience a label.")))
        elif label_problem or title_problem:
            problems.append(_row_problem(index, label_problem or title_problem))
        elif row.role and row.role not in Role.values:
            problems.append(
                _row_problem(index, _("“%(role)s” is not a known role.") % {"role": row.role})
            )
        elif row.org_unit is None and not row.role and not title:
            problems.append(
                _row_problem(
                    index,
                    _(
                        "choose an org unit, a role or a job title: without one the row would "
                        "count the whole company."
                    ),
                )
            )
        elif label.casefold() in labels:
            problems.append(
                _row_problem(index, _("“%(label)s” is listed twice.") % {"label": label})
            )
        else:
            labels.add(label.casefold())
            cleaned.append(
                AudienceRow(
                    label=label, org_unit=row.org_unit, role=row.role, job_title_contains=title
                )
            )
    return cleaned, problems


def clean_target_value(value: Any, *, unit: str) -> tuple[Decimal | None, str]:
    """A target in the metric's unit, to four places, and a problem ("" when fine)."""
    if isinstance(value, bool):
        return None, _("Give the target as a number.")
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None, _("Give the target as a number.")
    if not number.is_finite():
        return None, _("Give the target as a number.")
    if number < 0:
        return None, _("A target cannot be negative.")
    if number > MAX_TARGET_VALUE:
        return None, _("%(value)s is beyond any sensible target (at most 10,000,000).") % {
            "value": number
        }
    if unit == "share" and number > 1:
        return None, _("A share is between 0 and 1: 60 percent is 0.6.")
    return number.quantize(TARGET_PLACES), ""


def clean_targets(rows: Sequence[TargetRow]) -> tuple[list[TargetRow], list[str]]:
    """The target rows checked against the registered metrics, and the problems found."""
    cleaned: list[TargetRow] = []
    problems = [problem for problem in [_too_many_rows(rows)] if problem]
    keys: set[str] = set()
    for index, row in enumerate(rows):
        metric = target_metric(row.metric_key) if isinstance(row.metric_key, str) else None
        label, label_problem = clean_text(row.label, MAX_TARGET_LABEL)
        if metric is None:
            problems.append(
                _row_problem(
                    index,
                    _("“%(key)s” is not a metric the platform computes.") % {"key": row.metric_key},
                )
            )
            continue
        if row.comparison not in TargetComparison.values:
            problems.append(_row_problem(index, _("choose “at least” or “at most”.")))
            continue
        value, value_problem = clean_target_value(row.target_value, unit=metric.unit)
        margin = row.amber_margin_percent
        if value_problem:
            problems.append(_row_problem(index, value_problem))
        elif label_problem:
            problems.append(_row_problem(index, label_problem))
        elif isinstance(margin, bool) or not isinstance(margin, int) or not 0 <= margin <= 100:
            problems.append(_row_problem(index, _("the amber margin is a percentage, 0 to 100.")))
        elif metric.key in keys:
            problems.append(
                _row_problem(
                    index, _("%(metric)s has a target already.") % {"metric": metric.label}
                )
            )
        else:
            keys.add(metric.key)
            cleaned.append(
                TargetRow(
                    metric_key=metric.key,
                    comparison=row.comparison,
                    target_value=value or Decimal(0),
                    label=label,
                    amber_margin_percent=margin,
                )
            )
    return cleaned, problems


def clean_leaders(
    community: Community, rows: Sequence[LeaderRow]
) -> tuple[list[LeaderRow], list[str]]:
    """The leadership team: each a current member of the community, once, with a remit."""
    cleaned: list[LeaderRow] = []
    problems = [problem for problem in [_too_many_rows(rows)] if problem]
    members = set(
        Membership.objects.current()
        .filter(community=community, person_id__in=[row.person.pk for row in rows])
        .values_list("person_id", flat=True)
    )
    seen: set[int] = set()
    for index, row in enumerate(rows):
        remit, remit_problem = clean_text(row.remit, MAX_REMIT_LENGTH)
        name = row.person.display_name or row.person.email
        if row.person.pk not in members:
            problems.append(
                _row_problem(
                    index,
                    _("%(name)s is not a member of %(community)s.")
                    % {"name": name, "community": community.name},
                )
            )
        elif not remit:
            problems.append(
                _row_problem(index, _("say what %(name)s is responsible for.") % {"name": name})
            )
        elif remit_problem:
            problems.append(_row_problem(index, remit_problem))
        elif row.person.pk in seen:
            problems.append(_row_problem(index, _("%(name)s is listed twice.") % {"name": name}))
        else:
            seen.add(row.person.pk)
            cleaned.append(LeaderRow(person=row.person, remit=remit))
    return cleaned, problems
