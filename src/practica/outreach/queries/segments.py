"""Segments: rule-based audiences over the people data, and who matches them.

A segment's `rules` is a list of conditions, all of which must hold. The vocabulary:

- ``{"field": "hired_on", "op": "in_previous_month"}`` — hired in the calendar month before
  the reference date's (relative: a monthly campaign's run for May reads April's hires).
- ``{"field": "hired_on", "op": "within_days", "value": 30}`` — hired in the N days up to
  and including the reference date (1–3660).
- ``{"field": "hired_on", "op": "between", "value": ["2026-01-01", "2026-03-31"]}`` — both
  days included.
- ``{"field": "job_title", "op": "matches", "value": "data scientist|applied scientist"}`` —
  a case-insensitive regular expression found anywhere in the title.
- ``{"field": "role", "op": "in", "value": ["data_scientist", "applied_scientist"]}`` — the
  people app's role codes.
- ``{"field": "org_unit", "op": "under", "value": "<org unit slug>"}`` — in that unit or any
  unit below it in the org chart.
- ``{"field": "country", "op": "in", "value": ["DE", "US"]}`` — ISO 3166 two-letter codes.
- ``{"field": "membership", "op": "not_member"}`` / ``{"field": "membership", "op": "member"}``
  — currently (not) a member of the segment's community.

Only active people count: never system accounts, placeholders from the list archive or
deactivated accounts; addresses that opted out of outreach are left out unless asked for
(a campaign's audience size includes them, its mailing never does).
"""

import re
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from practica.communities.models import Membership
from practica.core.tree import subtree_filter
from practica.outreach.models import OutreachOptOut, Segment
from practica.people.models import OrgUnit, Role, User

MAX_RULES = 20
MAX_PATTERN_LENGTH = 300
MAX_LIST_VALUES = 50
MAX_WITHIN_DAYS = 3660
COUNTRY_RE = re.compile(r"^[A-Z]{2}$")

# field → {operator: what its value is}; None: the operator takes no value.
SEGMENT_FIELDS: dict[str, dict[str, str | None]] = {
    "hired_on": {"in_previous_month": None, "within_days": "days", "between": "dates"},
    "job_title": {"matches": "pattern"},
    "role": {"in": "roles"},
    "org_unit": {"under": "org_unit"},
    "country": {"in": "countries"},
    "membership": {"not_member": None, "member": None},
}

FIELD_LABELS = {
    "hired_on": gettext_lazy("Hired on"),
    "job_title": gettext_lazy("Job title"),
    "role": gettext_lazy("Role"),
    "org_unit": gettext_lazy("Org unit"),
    "country": gettext_lazy("Country"),
    "membership": gettext_lazy("Membership"),
}

OPERATOR_LABELS = {
    "in_previous_month": gettext_lazy("in the previous calendar month"),
    "within_days": gettext_lazy("within the last N days"),
    "between": gettext_lazy("between two dates"),
    "matches": gettext_lazy("matches (regular expression)"),
    "in": gettext_lazy("is one of"),
    "under": gettext_lazy("is or is under"),
    "not_member": gettext_lazy("not a member yet"),
    "member": gettext_lazy("already a member"),
}


def _field_names() -> str:
    return ", ".join(SEGMENT_FIELDS)


def _check_pattern(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValidationError(_("give a regular expression, e.g. “data scientist|ML engineer”."))
    pattern = value.strip()
    if len(pattern) > MAX_PATTERN_LENGTH:
        raise ValidationError(
            _("keep the expression to %(n)d characters.") % {"n": MAX_PATTERN_LENGTH}
        )
    if "\x00" in pattern:
        raise ValidationError(_("the expression contains a NUL character."))
    try:
        re.compile(pattern)
    except re.error as error:
        raise ValidationError(
            _("“%(pattern)s” is not a valid regular expression (%(error)s).")
            % {"pattern": pattern, "error": error}
        ) from error
    if connection.vendor == "postgresql" and not _postgres_accepts(pattern):
        raise ValidationError(
            _("“%(pattern)s” uses regular-expression syntax the database does not support.")
            % {"pattern": pattern}
        )
    return pattern


def _postgres_accepts(pattern: str) -> bool:
    """PostgreSQL's regular expressions differ from Python's in places; ask the database."""
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT '' ~* %s", [pattern])
    except DatabaseError:
        return False
    return True


def _check_days(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ValidationError(_("give a whole number of days."))
    try:
        days = int(value)
    except ValueError as error:
        raise ValidationError(_("give a whole number of days.")) from error
    if not 1 <= days <= MAX_WITHIN_DAYS:
        raise ValidationError(
            _("give a number of days from 1 to %(max)d.") % {"max": MAX_WITHIN_DAYS}
        )
    return days


def _check_dates(value: Any) -> list[str]:
    if not isinstance(value, list | tuple) or len(value) != 2:
        raise ValidationError(_("give two dates, the first and the last day (YYYY-MM-DD)."))
    days = []
    for item in value:
        try:
            days.append(date.fromisoformat(str(item)) if not isinstance(item, date) else item)
        except ValueError as error:
            raise ValidationError(
                _("“%(value)s” is not a date (YYYY-MM-DD).") % {"value": item}
            ) from error
    if days[0] > days[1]:
        raise ValidationError(_("the first day comes after the last."))
    return [day.isoformat() for day in days]


def _check_list(value: Any) -> list[str]:
    if isinstance(value, str):
        value = [part for part in re.split(r"[,\s]+", value) if part]
    if not isinstance(value, list | tuple) or not value:
        raise ValidationError(_("give at least one value."))
    if len(value) > MAX_LIST_VALUES:
        raise ValidationError(_("give at most %(n)d values.") % {"n": MAX_LIST_VALUES})
    if not all(isinstance(item, str) for item in value):
        raise ValidationError(_("give the values as text."))
    return list(dict.fromkeys(item.strip() for item in value if item.strip()))


def _check_roles(value: Any) -> list[str]:
    roles = _check_list(value)
    unknown = [role for role in roles if role not in Role.values]
    if unknown or not roles:
        raise ValidationError(
            _("unknown roles: %(unknown)s (use %(known)s).")
            % {"unknown": ", ".join(unknown) or "—", "known": ", ".join(Role.values)}
        )
    return roles


def _check_countries(value: Any) -> list[str]:
    countries = [country.upper() for country in _check_list(value)]
    wrong = [country for country in countries if not COUNTRY_RE.match(country)]
    if wrong or not countries:
        raise ValidationError(
            _("%(codes)s: use two-letter country codes such as DE or US.")
            % {"codes": ", ".join(wrong) or "—"}
        )
    return list(dict.fromkeys(countries))


def _check_org_unit(value: Any) -> str:
    slug = value.strip() if isinstance(value, str) else ""
    if not slug:
        raise ValidationError(_("give the org unit's slug."))
    if not OrgUnit.objects.filter(slug=slug).exists():
        raise ValidationError(_("there is no org unit “%(slug)s”.") % {"slug": slug[:160]})
    return slug


_CHECKS = {
    "days": _check_days,
    "dates": _check_dates,
    "pattern": _check_pattern,
    "roles": _check_roles,
    "countries": _check_countries,
    "org_unit": _check_org_unit,
}


def validate_segment_rule(rule: Any) -> dict[str, Any]:
    """One rule in its normal form; raises ValidationError with the problem (no rule number)."""
    if not isinstance(rule, dict):
        raise ValidationError(_("a rule is an object with “field”, “op” and maybe “value”."))
    extra = sorted(set(rule) - {"field", "op", "value"})
    if extra:
        raise ValidationError(
            _("unknown keys %(keys)s (a rule has field, op and value).")
            % {"keys": ", ".join(str(key) for key in extra)}
        )
    field = rule.get("field")
    if field not in SEGMENT_FIELDS:
        raise ValidationError(
            _("unknown field “%(field)s” (use %(fields)s).")
            % {"field": field if isinstance(field, str) else "", "fields": _field_names()}
        )
    operators = SEGMENT_FIELDS[field]
    op = rule.get("op")
    if op not in operators:
        raise ValidationError(
            _("%(field)s takes the operators %(ops)s, not “%(op)s”.")
            % {"field": field, "ops": ", ".join(operators), "op": op if isinstance(op, str) else ""}
        )
    kind = operators[op]
    if kind is None:
        if rule.get("value") not in (None, "", []):
            raise ValidationError(
                _("“%(op)s” on %(field)s takes no value.") % {"field": field, "op": op}
            )
        return {"field": field, "op": op}
    if "value" not in rule or rule["value"] in (None, "", []):
        raise ValidationError(
            _("“%(op)s” on %(field)s needs a value.") % {"field": field, "op": op}
        )
    return {"field": field, "op": op, "value": _CHECKS[kind](rule["value"])}


def validate_segment_rules(rules: Any) -> list[dict[str, Any]]:
    """The rules in their normal form; a ValidationError under "rules" lists each bad rule
    as "Rule N: problem". A segment needs at least one rule (so that no campaign mails the
    whole company by accident) and at most MAX_RULES."""
    if not isinstance(rules, list | tuple):
        raise ValidationError({"rules": [_("Rules are a list of conditions.")]})
    if not rules:
        raise ValidationError({"rules": [_("Add at least one rule.")]})
    if len(rules) > MAX_RULES:
        raise ValidationError({"rules": [_("Keep to %(n)d rules.") % {"n": MAX_RULES}]})
    normal, problems = [], []
    for number, rule in enumerate(rules, start=1):
        try:
            normal.append(validate_segment_rule(rule))
        except ValidationError as error:
            problems.append(
                _("Rule %(number)d: %(problem)s")
                % {"number": number, "problem": " ".join(error.messages)}
            )
    if problems:
        raise ValidationError({"rules": problems})
    return normal


def previous_month(reference_date: date) -> tuple[date, date]:
    """The first and last day of the calendar month before `reference_date`'s."""
    last = reference_date.replace(day=1) - timedelta(days=1)
    return last.replace(day=1), last


def _condition(rule: dict[str, Any], segment: Segment, reference_date: date) -> Q:
    field, op = rule["field"], rule["op"]
    value: Any = rule.get("value")
    if field == "hired_on":
        if op == "in_previous_month":
            first, last = previous_month(reference_date)
        elif op == "within_days":
            first, last = reference_date - timedelta(days=int(value) - 1), reference_date
        else:
            first, last = date.fromisoformat(value[0]), date.fromisoformat(value[1])
        return Q(hired_on__gte=first, hired_on__lte=last)
    if field == "job_title":
        return Q(job_title__iregex=value)
    if field == "role":
        return Q(role__in=value)
    if field == "country":
        return Q(country__in=value)
    if field == "org_unit":
        unit = OrgUnit.objects.filter(slug=value).only("path").first()
        # A unit removed since the rule was saved matches nobody.
        return subtree_filter(unit.path, "org_unit__path") if unit else Q(pk__in=[])
    current = Membership.objects.current().filter(
        community_id=segment.community_id, person=OuterRef("pk")
    )
    return Q(Exists(current)) if op == "member" else ~Q(Exists(current))


def opted_out_filter() -> Q:
    """People whose address opted out of outreach (stored lower-cased)."""
    return Q(Exists(OutreachOptOut.objects.filter(email=Lower(OuterRef("email")))))


def mailable_people() -> QuerySet[User]:
    """Everyone outreach may consider: active people, no system accounts or placeholders."""
    return User.objects.filter(is_active=True, is_system=False, is_placeholder=False)


def segment_people(
    segment: Segment,
    *,
    reference_date: date | None = None,
    include_opted_out: bool = False,
) -> QuerySet[User]:
    """The people matching every rule of `segment` on `reference_date` (today by default),
    by name. Stored rules are trusted to be valid (the services validate them on save)."""
    reference_date = reference_date or timezone.localdate()
    people = mailable_people()
    for rule in segment.rules or []:
        people = people.filter(_condition(rule, segment, reference_date))
    if not include_opted_out:
        people = people.exclude(opted_out_filter())
    return people.order_by("display_name", "pk")


def segment_count(segment: Segment, *, reference_date: date | None = None) -> int:
    """How many people match (opted-out addresses left out): the live count."""
    return segment_people(segment, reference_date=reference_date).count()


def segment_preview(segment: Segment, *, reference_date: date | None = None) -> QuerySet[User]:
    """The matching people with what the preview list shows (name, title, org unit, hired on)."""
    return (
        segment_people(segment, reference_date=reference_date)
        .select_related("org_unit")
        .only("id", "display_name", "email", "job_title", "hired_on", "org_unit__name")
    )


def segments_of(community_id: int) -> QuerySet[Segment]:
    """A community's segments by name, each with how many campaigns use it."""
    return (
        Segment.objects.filter(community_id=community_id)
        .annotate(campaign_count=Count("campaigns"))
        .order_by("name", "pk")
    )


def rule_label(rule: dict[str, Any]) -> str:
    """A rule as a short sentence for lists: "Job title matches (…) data scientist"."""
    field = str(FIELD_LABELS.get(rule.get("field", ""), rule.get("field", "")))
    op = str(OPERATOR_LABELS.get(rule.get("op", ""), rule.get("op", "")))
    value = rule.get("value")
    if value in (None, "", []):
        return f"{field} {op}"
    if isinstance(value, list | tuple):
        shown = (
            _("%(first)s to %(last)s") % {"first": value[0], "last": value[1]}
            if rule.get("op") == "between"
            else ", ".join(str(item) for item in value)
        )
    else:
        shown = str(value)
    return f"{field} {op}: {shown}"
