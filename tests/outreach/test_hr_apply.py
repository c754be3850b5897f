"""Applying HR imports: joiners, transfers, leavers and returners through the lifecycle, all
or nothing, idempotent by employee number."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from practica.communities.models import GroupRole, LeftReason
from practica.core.models import AuditLogEntry
from practica.outreach.hr_feed.plan import RowKind
from practica.outreach.hr_feed.report import stored_plan
from practica.outreach.models import (
    ChangeKind,
    ChangeSource,
    ContinuityAlert,
    HrImportStatus,
    PersonChange,
)
from practica.outreach.services.hr_imports import (
    HrImportRefused,
    apply_hr_import,
    preview_hr_import,
)
from practica.people.models import Affiliation, OrgUnit, OrgUnitKind, User
from tests.factories.communities import GroupMembershipFactory, MembershipFactory
from tests.factories.people import OrgUnitFactory, UserFactory
from tests.outreach.hr_files import EFFECTIVE_ON, fixture_bytes

pytestmark = [pytest.mark.unit, pytest.mark.django_db]


def run_import(content, *, actor=None, mapping=None, effective_on=EFFECTIVE_ON):
    hr_import = preview_hr_import(
        file_name="hr.csv",
        content=content,
        column_mapping=mapping,
        effective_on=effective_on,
        actor=actor,
    )
    return apply_hr_import(hr_import=hr_import, actor=actor)


def person(number):
    return User.objects.select_related("org_unit", "manager").get(employee_number=number)


def test_joiners_are_created_with_org_units_managers_and_affiliations(staff):
    hr_import = run_import(fixture_bytes("hr_joiners.csv"), actor=staff)
    assert hr_import.status == HrImportStatus.APPLIED
    assert hr_import.applied_at is not None
    grace, alan, ada = person("E100"), person("E101"), person("E102")
    # Ada's row came before her manager's, and his before his: managers resolve all the same.
    assert ada.manager == alan
    assert alan.manager == grace
    assert grace.manager is None
    assert ada.email == "ada.lovelace@example.com"
    assert ada.display_name == "Ada Lovelace"
    assert (ada.job_title, ada.time_zone, ada.country, ada.location) == (
        "Applied Scientist",
        "Europe/Berlin",
        "DE",
        "Berlin",
    )
    assert ada.hired_on == date(2026, 2, 16)
    assert ada.is_active
    assert not ada.has_usable_password()
    research = OrgUnit.objects.get(name="Research")
    vision = OrgUnit.objects.get(name="Vision")
    assert (research.kind, research.parent, research.slug) == (
        OrgUnitKind.DIVISION,
        None,
        "research",
    )
    assert (vision.kind, vision.parent, vision.path) == (
        OrgUnitKind.GROUP,
        research,
        "/research/vision/",
    )
    assert grace.org_unit == research
    assert ada.org_unit == vision
    affiliation = Affiliation.objects.get(person=ada)
    assert (affiliation.org_unit, affiliation.manager, affiliation.job_title) == (
        vision,
        alan,
        "Applied Scientist",
    )
    assert affiliation.valid_from == date(2026, 2, 16)
    assert affiliation.valid_to is None
    changes = PersonChange.objects.filter(hr_import=hr_import)
    assert changes.count() == 3
    assert set(changes.values_list("kind", "source")) == {(ChangeKind.JOINER, ChangeSource.HR_FEED)}
    report = hr_import.report
    assert report["applied"]["counts"]["joiner"] == 3
    assert report["applied"]["person_changes"] == 3
    assert report["applied"]["org_units_created"] == ["Research", "Research / Vision"]
    # The report links each joiner to the account made for them.
    plan = stored_plan(hr_import)
    assert {row.employee_number: row.person_id for row in plan.rows} == {
        "E100": grace.pk,
        "E101": alan.pk,
        "E102": ada.pk,
    }
    audit = AuditLogEntry.objects.get(action="outreach.hr_import_applied")
    assert audit.actor_id == staff.pk
    assert audit.data["joiner"] == 3


def test_applying_the_same_file_twice_changes_nothing_the_second_time(staff):
    run_import(fixture_bytes("hr_joiners.csv"), actor=staff)
    changes, units, affiliations = (
        PersonChange.objects.count(),
        OrgUnit.objects.count(),
        Affiliation.objects.count(),
    )
    again = run_import(fixture_bytes("hr_joiners.csv"), actor=staff)
    assert again.status == HrImportStatus.APPLIED
    plan = stored_plan(again)
    assert [row.kind for row in plan.rows] == [RowKind.UNCHANGED] * 3
    assert again.report["applied"]["counts"] == dict.fromkeys(
        ("joiner", "reactivated", "leaver", "transfer", "update"), 0
    )
    assert again.report["new_org_units"] == []
    assert PersonChange.objects.count() == changes
    assert OrgUnit.objects.count() == units
    assert Affiliation.objects.count() == affiliations
    # The same people in another layout (semicolons, day-first dates, manager emails) too.
    third = run_import(fixture_bytes("hr_semicolon_bom.csv"), actor=staff)
    kinds = {row.employee_number: row.kind for row in stored_plan(third).rows}
    assert kinds["E100"] == RowKind.UNCHANGED
    assert kinds["E101"] == RowKind.UNCHANGED
    assert kinds["E102"] == RowKind.UPDATE  # "Lovelace; Ada" is written differently
    assert person("E102").display_name == "Lovelace; Ada"


def test_transfers_move_the_affiliation_and_record_the_change(staff):
    run_import(fixture_bytes("hr_joiners.csv"), actor=staff)
    content = (
        "Employee ID,Work Email,Job Title,Department,Manager ID\n"
        "E102,ada.lovelace@example.com,Principal Scientist,Research/Robotics,E100\n"
    )
    hr_import = run_import(content.encode(), actor=staff, effective_on=date(2026, 4, 1))
    ada = person("E102")
    assert ada.job_title == "Principal Scientist"
    assert ada.org_unit.name == "Robotics"
    assert ada.org_unit.parent.name == "Research"
    assert ada.manager == person("E100")
    closed, current = Affiliation.objects.filter(person=ada).order_by("valid_from")
    assert (closed.valid_from, closed.valid_to, closed.org_unit.name) == (
        date(2026, 2, 16),
        date(2026, 4, 1),
        "Vision",
    )
    assert (current.valid_from, current.valid_to, current.org_unit.name) == (
        date(2026, 4, 1),
        None,
        "Robotics",
    )
    change = PersonChange.objects.get(hr_import=hr_import)
    assert change.kind == ChangeKind.TRANSFER
    assert change.effective_on == date(2026, 4, 1)
    assert set(change.changes) == {"job_title", "org_unit", "manager"}
    assert hr_import.report["applied"]["counts"]["transfer"] == 1


def test_managers_can_swap_places_in_one_file(staff):
    top = UserFactory(employee_number="E1", email="top@example.com", display_name="Top")
    low = UserFactory(
        employee_number="E2", email="low@example.com", display_name="Low", manager=top
    )
    # Applied row by row in file order, E1 → E2 would first make a loop; the import orders
    # the rows from the top of the new chain down.
    run_import(b"Employee ID,Email,Manager ID\nE1,top@example.com,E2\nE2,low@example.com,\n")
    top.refresh_from_db()
    low.refresh_from_db()
    assert top.manager == low
    assert low.manager is None


def test_a_new_manager_from_the_same_file_is_set_on_existing_people(staff):
    member = UserFactory(employee_number="E5", email="member@example.com")
    run_import(
        b"Employee ID,Email,Name,Manager Email\n"
        b"E5,member@example.com,Member,new.boss@example.com\n"
        b"E6,new.boss@example.com,New Boss,\n",
        actor=staff,
    )
    member.refresh_from_db()
    assert member.manager == person("E6")
    assert PersonChange.objects.get(person=member).kind == ChangeKind.TRANSFER


def test_leavers_are_deprovisioned_with_memberships_ended_and_continuity_alerts(staff):
    leaver = UserFactory(employee_number="E101", email="alan.turing@example.com")
    membership = MembershipFactory(person=leaver)
    GroupMembershipFactory(
        person=leaver, role=GroupRole.OWNER, group__community=membership.community
    )
    hr_import = run_import(fixture_bytes("hr_snapshot.csv"), actor=staff)
    leaver.refresh_from_db()
    assert not leaver.is_active
    assert leaver.left_on == date(2026, 2, 27)
    membership.refresh_from_db()
    assert membership.left_at is not None
    assert membership.left_reason == LeftReason.LEFT_COMPANY
    assert ContinuityAlert.objects.filter(leaver=leaver, community=membership.community).exists()
    change = PersonChange.objects.get(person=leaver)
    assert (change.kind, change.hr_import, change.effective_on) == (
        ChangeKind.LEAVER,
        hr_import,
        date(2026, 2, 27),
    )
    counts = hr_import.report["applied"]["counts"]
    assert (counts["leaver"], counts["joiner"]) == (1, 1)
    # Again: the leaver has left already; nothing changes.
    again = run_import(fixture_bytes("hr_snapshot.csv"), actor=staff)
    assert [row.kind for row in stored_plan(again).rows] == [RowKind.UNCHANGED] * 2


def test_a_full_snapshot_deprovisions_the_people_missing_from_it(staff):
    UserFactory(employee_number="E100", email="grace.hopper@example.com")
    missing = UserFactory(employee_number="E555", email="missing@example.com")
    admin = UserFactory(email="admin@example.com", is_staff=True)
    mapping = {
        "employee_number": "Employee ID",
        "email": "Work Email",
        "display_name": "Name",
        "status": "Status",
        "left_on": "Termination Date",
        "full_snapshot": True,
    }
    hr_import = run_import(fixture_bytes("hr_snapshot.csv"), actor=staff, mapping=mapping)
    missing.refresh_from_db()
    admin.refresh_from_db()
    assert not missing.is_active
    assert missing.left_on == EFFECTIVE_ON
    assert admin.is_active  # no employee number: not the HR system's to remove
    assert hr_import.report["full_snapshot"] is True
    assert hr_import.report["applied"]["counts"]["leaver"] == 1  # E101 never had an account


def test_without_full_snapshot_people_missing_from_the_file_stay(staff):
    missing = UserFactory(employee_number="E555", email="missing@example.com")
    run_import(fixture_bytes("hr_joiners.csv"), actor=staff)
    missing.refresh_from_db()
    assert missing.is_active


def test_someone_who_left_comes_back(staff):
    back = UserFactory(
        employee_number="E6", email="back@example.com", is_active=False, left_on=date(2025, 6, 30)
    )
    hr_import = run_import(b"Employee ID,Email,Title\nE6,back@example.com,Researcher\n")
    back.refresh_from_db()
    assert back.is_active
    assert back.left_on is None
    assert back.job_title == "Researcher"
    assert PersonChange.objects.get(hr_import=hr_import).kind == ChangeKind.REACTIVATED
    assert Affiliation.objects.get(person=back, valid_to__isnull=True).valid_from == EFFECTIVE_ON


def test_a_file_with_a_refused_row_applies_nothing(staff):
    existing = UserFactory(employee_number="E213", email="fine@example.com", job_title="Old")
    hr_import = preview_hr_import(
        file_name="bad.csv",
        content=fixture_bytes("hr_bad_rows.csv"),
        effective_on=EFFECTIVE_ON,
        actor=staff,
    )
    users = User.objects.count()
    with pytest.raises(HrImportRefused) as refused:
        apply_hr_import(hr_import=hr_import, actor=staff)
    messages = refused.value.messages
    assert messages[0] == "The file was not applied; nothing was changed."
    assert "Row 2, Employee ID: The employee number is missing." in messages
    assert User.objects.count() == users
    assert not PersonChange.objects.exists()
    existing.refresh_from_db()
    assert existing.job_title == "Old"
    hr_import.refresh_from_db()
    assert hr_import.status == HrImportStatus.FAILED
    assert hr_import.report["refused"] is True
    assert "refused_at" in hr_import.report
    with pytest.raises(ValidationError, match="was refused"):
        apply_hr_import(hr_import=hr_import, actor=staff)


def test_a_row_the_lifecycle_refuses_while_applying_rolls_back_the_whole_file(staff):
    # The database has a leaving date on an active account; the file's hire date comes after
    # it, which the lifecycle refuses — after the first row was already written.
    UserFactory(employee_number="E9", email="odd@example.com", left_on=date(2020, 1, 1))
    content = (
        b"Employee ID,Email,Name,Hire Date\n"
        b"E1,first@example.com,First,2026-01-05\n"
        b"E9,odd@example.com,Odd,2026-01-05\n"
    )
    hr_import = preview_hr_import(
        file_name="odd.csv", content=content, effective_on=EFFECTIVE_ON, actor=staff
    )
    assert not stored_plan(hr_import).refused
    with pytest.raises(HrImportRefused) as refused:
        apply_hr_import(hr_import=hr_import, actor=staff)
    assert any("Row 3" in message for message in refused.value.messages)
    assert not User.objects.filter(employee_number="E1").exists()
    assert not OrgUnit.objects.exists()
    assert not PersonChange.objects.exists()
    hr_import.refresh_from_db()
    assert hr_import.status == HrImportStatus.FAILED
    rows = {row.line: row for row in stored_plan(hr_import).rows}
    assert rows[3].kind == RowKind.REFUSED
    assert "leaving date cannot be before the hiring date" in rows[3].errors[0].message


def test_applying_checks_the_database_again(staff):
    hr_import = preview_hr_import(
        file_name="hr.csv",
        content=b"Employee ID,Email,Manager ID\nE1,a@example.com,E50\n",
        effective_on=EFFECTIVE_ON,
        actor=staff,
    )
    assert stored_plan(hr_import).refused  # E50 is unknown at preview time …
    UserFactory(employee_number="E50", email="boss@example.com")
    hr_import.refresh_from_db()
    applied = apply_hr_import(hr_import=hr_import, actor=staff)  # … and known when applying
    assert applied.status == HrImportStatus.APPLIED
    assert person("E1").manager == person("E50")


def test_an_import_applies_once(staff):
    hr_import = preview_hr_import(
        file_name="hr.csv",
        content=fixture_bytes("hr_joiners.csv"),
        effective_on=EFFECTIVE_ON,
        actor=staff,
    )
    apply_hr_import(hr_import=hr_import, actor=staff)
    with pytest.raises(ValidationError, match="already applied"):
        apply_hr_import(hr_import=hr_import, actor=staff)
    assert User.objects.filter(employee_number__startswith="E10").count() == 3


def test_only_staff_apply(staff, member):
    hr_import = preview_hr_import(
        file_name="hr.csv",
        content=fixture_bytes("hr_joiners.csv"),
        effective_on=EFFECTIVE_ON,
        actor=staff,
    )
    with pytest.raises(PermissionDenied):
        apply_hr_import(hr_import=hr_import, actor=member)
    hr_import.refresh_from_db()
    assert hr_import.status == HrImportStatus.PREVIEWED
    assert not User.objects.filter(employee_number="E100").exists()


def test_existing_org_units_are_reused_and_blank_placement_cells_clear(staff):
    research = OrgUnitFactory(name="Research", slug="research")
    boss = UserFactory(employee_number="E1", email="boss@example.com")
    someone = UserFactory(
        employee_number="E2",
        email="someone@example.com",
        manager=boss,
        job_title="Engineer",
        org_unit=research,
        time_zone="Asia/Shanghai",
    )
    run_import(
        b"Employee ID,Email,Department,Manager ID,Title,Time Zone\nE2,someone@example.com,,,,\n"
    )
    someone.refresh_from_db()
    assert (someone.manager, someone.org_unit, someone.job_title) == (None, None, "")
    assert someone.time_zone == "Asia/Shanghai"  # a blank time zone is left as it is
    assert OrgUnit.objects.count() == 1
