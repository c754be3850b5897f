"""The provisioning log of the demo's present: the month's HR import (its file, mapping,
report and the person changes it wrote: the month's joiners, a transfer, the leaver whose
group raised the open continuity alert), the older leaver's change, and the SCIM token of the
company's identity provider, set up weeks ago for the move from the HR file to SCIM and not
used yet (its secret generated, hashed and forgotten: shown nowhere).
"""

import csv
import io
import secrets
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from practica.demo.logins import ADMIN_EMAIL
from practica.demo.outreach import OutreachPlan
from practica.demo.outreach_hires import Transfer
from practica.demo.people import PersonPlan
from practica.outreach.hr_feed.mapping import ColumnMapping
from practica.outreach.hr_feed.plan import Plan, PlannedRow, RowKind
from practica.outreach.models import (
    ChangeKind,
    ChangeSource,
    HrImport,
    HrImportStatus,
    PersonChange,
    ProvisioningToken,
)
from practica.people.models import User
from practica.people.services import hash_token_secret

if TYPE_CHECKING:
    from practica.demo.story import DemoStory

IDENTITY_PROVIDER = "Microsoft Entra ID"
HR_HEADERS = (
    "Employee ID", "Work Email", "First Name", "Last Name", "Job Title", "Department",
    "Manager ID", "Hire Date", "Termination Date", "Status", "Country", "Location", "Time Zone",
)  # fmt: skip
HR_FIELDS = (
    "employee_number", "email", "first_name", "last_name", "job_title", "org_unit",
    "manager_employee_number", "hired_on", "left_on", "status", "country", "location",
    "time_zone",
)  # fmt: skip


def _unit_labels(story: "DemoStory") -> dict[int, str]:
    """Org unit id → its path of names, as the HR import's report shows units."""
    labels = {division.pk: division.name for division in story.divisions.values()}
    for team in story.teams_by_slug.values():
        division = story.divisions[team.division_key]
        labels[team.group.pk] = f"{division.name} / {team.group.name}"
        labels[team.unit.pk] = f"{division.name} / {team.group.name} / {team.unit.name}"
    return labels


def _hr_line(user: User, numbers: dict[int, str], units: dict[int, str], status: str) -> list:
    first, _space, last = user.display_name.partition(" ")
    return [
        user.employee_number, user.email, first, last, user.job_title,
        units.get(user.org_unit_id, ""), numbers.get(user.manager_id, ""),
        user.hired_on.strftime("%d/%m/%Y") if user.hired_on else "",
        user.left_on.strftime("%d/%m/%Y") if user.left_on else "", status, user.country,
        user.location, user.time_zone,
    ]  # fmt: skip


def _manager_label(people: dict[int, User], pk: int | None) -> str | None:
    manager = people.get(pk) if pk else None
    if manager is None:
        return None
    return f"{manager.display_name} ({manager.employee_number})"


def hr_import_of_the_month(
    story: "DemoStory", plan: OutreachPlan, transfer: Transfer | None, applied: datetime
) -> tuple[HrImport, list[PersonChange]]:
    """The month's HR file, as uploaded, previewed and applied: the month's joiners, the
    transfer and the leaver, with the report and the person changes the import wrote."""
    leaver = plan.pending_leaver
    effective = leaver.user.left_on if leaver else story.today - timedelta(days=7)
    users = {p.user.pk: p.user for p in story.people}
    numbers = {pk: user.employee_number for pk, user in users.items()}
    units = _unit_labels(story)
    joiners = sorted(
        (
            p
            for p in story.people
            if p.user.hired_on is not None
            and effective - timedelta(days=30) < p.user.hired_on <= effective
            and not p.user.is_system
        ),
        key=lambda p: (p.user.hired_on, p.user.email),
    )[:12]
    lines, rows, changes = [], [], []
    mapping = ColumnMapping(columns=dict(zip(HR_FIELDS, HR_HEADERS, strict=True)))

    def add(person: PersonPlan, kind: str, shown: dict, stored: dict, status: str) -> None:
        """A line of the file, its row in the report (`shown`: labels) and the change the
        lifecycle recorded (`stored`: ids and ISO dates)."""
        user = person.user
        lines.append(_hr_line(user, numbers, units, status))
        rows.append(
            PlannedRow(
                line=len(lines) + 1, employee_number=user.employee_number, email=user.email,
                name=user.display_name, kind=kind, person_id=user.pk, changes=shown,
            )
        )  # fmt: skip
        on = user.hired_on if kind == RowKind.JOINER else effective
        changes.append(
            PersonChange(
                person_id=user.pk, kind=kind, source=ChangeSource.HR_FEED, effective_on=on,
                changes=stored, recorded_at=applied,
            )
        )  # fmt: skip

    for person in joiners:
        user = person.user
        values = {
            "employee_number": user.employee_number, "email": user.email,
            "display_name": user.display_name, "job_title": user.job_title,
            "org_unit": user.org_unit_id, "manager": user.manager_id,
            "hired_on": user.hired_on.isoformat(), "time_zone": user.time_zone,
            "country": user.country, "location": user.location,
        }  # fmt: skip
        labels = {
            **values,
            "org_unit": units.get(user.org_unit_id),
            "manager": _manager_label(users, user.manager_id),
        }
        shown = {key: [None, value] for key, value in labels.items() if value}
        stored = {key: [None, value] for key, value in values.items() if value}
        add(person, RowKind.JOINER, shown, {**stored, "active": [None, True]}, "Active")
    if transfer is not None:
        user = transfer.person.user
        before = {"job_title": transfer.job_title, "org_unit": transfer.org_unit_id,
                  "manager": transfer.manager_id}  # fmt: skip
        after = {"job_title": user.job_title, "org_unit": user.org_unit_id,
                 "manager": user.manager_id}  # fmt: skip
        moved = [key for key in before if before[key] != after[key]]
        label = {
            "job_title": lambda value: value,
            "org_unit": units.get,
            "manager": lambda pk: _manager_label(users, pk),
        }
        shown = {key: [label[key](before[key]), label[key](after[key])] for key in moved}
        stored = {key: [before[key], after[key]] for key in moved}
        add(transfer.person, RowKind.TRANSFER, shown, stored, "Active")
    if leaver is not None:
        left_on = leaver.user.left_on.isoformat()
        shown = {"active": [True, False], "left_on": [None, left_on]}
        add(leaver, RowKind.LEAVER, shown, dict(shown), "Terminated")
    content = io.StringIO()
    writer = csv.writer(content, lineterminator="\n")
    writer.writerow(HR_HEADERS)
    writer.writerows(lines)
    report = Plan(
        effective_on=effective,
        mapping=mapping,
        headers=list(HR_HEADERS),
        rows=rows,
        rows_total=len(rows),
    ).to_json()
    counts = report["counts"]
    report["applied"] = {
        "at": applied.isoformat(),
        "counts": {kind: counts[kind] for kind in counts if kind not in ("unchanged", "refused")},
        "org_units_created": [],
        "person_changes": len(changes),
    }
    admin = next((p.user.pk for p in story.people if p.user.email == ADMIN_EMAIL), None)
    hr_import = HrImport.objects.create(
        file_name=f"workday-changes-{effective:%Y-%m-%d}.csv",
        content=content.getvalue(),
        column_mapping=mapping.to_json(),
        effective_on=effective,
        status=HrImportStatus.APPLIED,
        uploaded_by_id=admin,
        created_at=applied - timedelta(minutes=6),
        applied_at=applied,
        rows_total=len(rows),
        report=report,
    )
    for change in changes:
        change.hr_import = hr_import
    return hr_import, changes


def _left_communities(story: "DemoStory", person: PersonPlan) -> list[int]:
    return sorted(
        story.communities[slug].pk
        for slug, membership in person.memberships.items()
        if membership.left_at is not None and membership.left_at == person.left_at
    )


def leaver_change(
    story: "DemoStory", person: PersonPlan, groups: list[int], source: str, at: datetime
) -> PersonChange:
    changes: dict[str, list[Any]] = {
        "active": [True, False],
        "left_on": [None, person.user.left_on.isoformat()],
        "communities": [_left_communities(story, person), []],
    }
    if groups:
        changes["groups"] = [groups, []]
    return PersonChange(
        person_id=person.user.pk,
        kind=ChangeKind.LEAVER,
        source=source,
        effective_on=person.user.left_on,
        changes=changes,
        recorded_at=at,
    )


def save_token(story: "DemoStory") -> None:
    """The identity provider's SCIM token; its secret is generated, hashed and forgotten."""
    admin = next((p.user.pk for p in story.people if p.user.email == ADMIN_EMAIL), None)
    prefix = secrets.token_hex(6)
    secret = f"scim_{prefix}_{secrets.token_urlsafe(32)}"
    # Set up weeks ago for the move from the monthly HR file to SCIM; not used yet.
    ProvisioningToken.objects.create(
        name=f"{IDENTITY_PROVIDER} provisioning",
        lookup_prefix=prefix,
        token_hash=hash_token_secret(secret),
        created_by_id=admin,
        created_at=story.now - timedelta(days=19, hours=5, minutes=12),
    )
