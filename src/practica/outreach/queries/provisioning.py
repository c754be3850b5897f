"""Reads about provisioning: the SCIM tokens, the log of person changes with its filters, and
the change rows described in words (ids named) for the staff page."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db.models import Count, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from practica.communities.models import Community, Group
from practica.outreach.models import ChangeKind, PersonChange, ProvisionedAccount, ProvisioningToken
from practica.people.models import OrgUnit, User

FIELD_LABELS = {
    "email": _("Email address"),
    "display_name": _("Name"),
    "employee_number": _("Employee number"),
    "job_title": _("Job title"),
    "org_unit": _("Org unit"),
    "manager": _("Manager"),
    "hired_on": _("Hired on"),
    "left_on": _("Left on"),
    "time_zone": _("Time zone"),
    "country": _("Country"),
    "location": _("Location"),
    "active": _("Active"),
    "placeholder": _("Placeholder from the list archive"),
    "communities": _("Communities"),
    "groups": _("Groups"),
}


def provisioning_tokens() -> QuerySet[ProvisioningToken]:
    """Every SCIM token, newest first, live ones before revoked ones."""
    return ProvisioningToken.objects.select_related("created_by").order_by(
        "revoked_at", "-created_at"
    )


def person_changes(
    *,
    kind: str = "",
    source: str = "",
    person_id: int | None = None,
    hr_import_id: int | None = None,
    effective_from: date | None = None,
    effective_to: date | None = None,
) -> QuerySet[PersonChange]:
    """The change log, newest first, narrowed by whichever filters are given."""
    rows = PersonChange.objects.select_related("person", "hr_import")
    if kind:
        rows = rows.filter(kind=kind)
    if source:
        rows = rows.filter(source=source)
    if person_id is not None:
        rows = rows.filter(person_id=person_id)
    if hr_import_id is not None:
        rows = rows.filter(hr_import_id=hr_import_id)
    if effective_from is not None:
        rows = rows.filter(effective_on__gte=effective_from)
    if effective_to is not None:
        rows = rows.filter(effective_on__lte=effective_to)
    return rows.order_by("-recorded_at", "-pk")


@dataclass(frozen=True)
class ProvisioningSummary:
    live_tokens: int
    scim_accounts: int
    changes_by_kind: list[tuple[str, str, int]]  # (kind, label, count) over the last 30 days


def provisioning_summary() -> ProvisioningSummary:
    since = timezone.localdate() - timedelta(days=30)
    by_kind = (
        PersonChange.objects.filter(effective_on__gte=since)
        .values("kind")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts = {row["kind"]: row["n"] for row in by_kind}
    return ProvisioningSummary(
        live_tokens=ProvisioningToken.objects.filter(revoked_at__isnull=True).count(),
        scim_accounts=ProvisionedAccount.objects.count(),
        changes_by_kind=[
            (value, str(label), counts.get(value, 0)) for value, label in ChangeKind.choices
        ],
    )


@dataclass(frozen=True)
class ChangeLine:
    field: str
    label: str
    before: str
    after: str


def describe_changes(rows: Iterable[PersonChange]) -> list[PersonChange]:
    """The rows, each with `lines`: its changes in words, the ids of org units, managers,
    communities and groups replaced by their names (one query per kind for all rows)."""
    rows = list(rows)
    wanted: dict[str, set[int]] = {"org_unit": set(), "manager": set(), "communities": set()}
    wanted["groups"] = set()
    for row in rows:
        for field, pair in (row.changes or {}).items():
            if field in wanted:
                for value in pair if isinstance(pair, list) else []:
                    values = value if isinstance(value, list) else [value]
                    wanted[field].update(item for item in values if isinstance(item, int))
    names = {
        "org_unit": {
            pk: unit.name for pk, unit in OrgUnit.objects.in_bulk(wanted["org_unit"]).items()
        },
        "manager": {
            pk: str(person) for pk, person in User.objects.in_bulk(wanted["manager"]).items()
        },
        "communities": {
            pk: community.name
            for pk, community in Community.objects.in_bulk(wanted["communities"]).items()
        },
        "groups": {pk: group.name for pk, group in Group.objects.in_bulk(wanted["groups"]).items()},
    }
    for row in rows:
        lines = []
        for field, pair in (row.changes or {}).items():
            before, after = pair if isinstance(pair, list) and len(pair) == 2 else (None, pair)
            lines.append(
                ChangeLine(
                    field=field,
                    label=str(FIELD_LABELS.get(field, field)),
                    before=_shown(before, names.get(field)),
                    after=_shown(after, names.get(field)),
                )
            )
        row.lines = lines  # type: ignore[attr-defined]
    return rows


def _shown(value: Any, names: dict[int, str] | None) -> str:
    if value is None or value in ("", []):
        return "—"
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if isinstance(value, list):
        return ", ".join(_shown(item, names) for item in value)
    if names is not None and isinstance(value, int):
        return names.get(value, f"#{value}")
    return str(value)
