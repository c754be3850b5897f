"""The provisioning lifecycle: joiners, transfers, updates, leavers and people who come back,
with their dated affiliations and the change log; duplicates and looping manager chains."""

import datetime

import pytest
from django.db import transaction

from practica.communities.models import GroupMembership, GroupRole, LeftReason, Membership
from practica.outreach.models import (
    ChangeKind,
    ChangeSource,
    ContinuityAlert,
    PersonChange,
    ProvisionedAccount,
)
from practica.outreach.services.lifecycle import (
    ProvisioningError,
    check_manager_chain,
    create_provisioned_person,
    deprovision_person,
    update_provisioned_person,
)
from practica.people.affiliations import record_affiliation
from practica.people.models import Affiliation, User
from tests.factories.communities import (
    GroupFactory,
    GroupMembershipFactory,
    MembershipFactory,
)
from tests.factories.people import OrgUnitFactory, UserFactory

pytestmark = [pytest.mark.unit, pytest.mark.django_db]

JAN = datetime.date(2026, 1, 1)
FEB = datetime.date(2026, 2, 1)
MAR = datetime.date(2026, 3, 1)


def join(**attributes):
    return create_provisioned_person(
        attributes={"email": "ada@example.com", "display_name": "Ada Lovelace", **attributes},
        source=ChangeSource.SCIM,
        effective_on=JAN,
    )


def test_a_joiner_gets_an_account_an_affiliation_and_a_change_row():
    unit = OrgUnitFactory()
    boss = UserFactory()
    person = join(
        email="  Ada@Example.com ",
        employee_number="E-1",
        job_title="Data scientist",
        org_unit=unit,
        manager=boss,
        country="de",
        time_zone="Europe/Berlin",
    )

    person.refresh_from_db()
    assert person.email == "ada@example.com"
    assert person.is_active
    assert not person.has_usable_password()
    assert person.hired_on == JAN  # defaults to the day it takes effect
    assert person.country == "DE"
    affiliation = Affiliation.objects.get(person=person)
    assert (affiliation.org_unit, affiliation.job_title, affiliation.manager) == (
        unit,
        "Data scientist",
        boss,
    )
    assert (affiliation.valid_from, affiliation.valid_to) == (JAN, None)
    change = PersonChange.objects.get(person=person)
    assert (change.kind, change.source, change.effective_on) == (
        ChangeKind.JOINER,
        ChangeSource.SCIM,
        JAN,
    )
    assert change.changes["email"] == [None, "ada@example.com"]
    assert change.changes["org_unit"] == [None, unit.pk]
    assert change.changes["manager"] == [None, boss.pk]
    assert change.changes["hired_on"] == [None, "2026-01-01"]
    assert change.changes["active"] == [None, True]


def test_a_joiner_without_a_name_is_named_after_the_address():
    person = create_provisioned_person(
        attributes={"email": "grace.hopper@example.com"},
        source=ChangeSource.HR_FEED,
        effective_on=JAN,
    )
    assert person.display_name == "grace.hopper"


def test_a_joiner_created_inactive_has_no_affiliation():
    person = join(active=False)
    assert not person.is_active
    assert not Affiliation.objects.filter(person=person).exists()


def test_duplicates_are_refused_and_change_nothing():
    UserFactory(email="taken@example.com", employee_number="E-9")
    with pytest.raises(ProvisioningError) as email_error:
        join(email="TAKEN@example.com")
    assert (email_error.value.code, email_error.value.field) == ("uniqueness", "email")
    with pytest.raises(ProvisioningError) as number_error:
        join(employee_number="E-9")
    assert (number_error.value.code, number_error.value.field) == ("uniqueness", "employee_number")
    assert User.objects.count() == 1
    assert not PersonChange.objects.exists()


def test_an_email_and_a_number_of_two_different_accounts_are_refused():
    UserFactory(email="one@example.com", is_active=False)
    UserFactory(employee_number="E-2", is_active=False)
    with pytest.raises(ProvisioningError) as error:
        join(email="one@example.com", employee_number="E-2")
    assert error.value.code == "uniqueness"


def test_bad_values_are_refused_with_the_field():
    cases = [
        ({"email": "not-an-address"}, "email"),
        ({"country": "Germany"}, "country"),
        ({"time_zone": "Mars/Olympus"}, "time_zone"),
        ({"hired_on": "2026-01-01"}, "hired_on"),
        ({"active": "yes"}, "active"),
        ({"job_title": "x" * 121}, "job_title"),
        ({"hired_on": FEB, "left_on": JAN}, "left_on"),
    ]
    for attributes, field in cases:
        with pytest.raises(ProvisioningError) as error:
            join(**attributes)
        assert (error.value.code, error.value.field) == ("invalidValue", field), attributes
    with pytest.raises(ProvisioningError) as unknown:
        join(shoe_size=44)
    assert unknown.value.code == "invalidSyntax"
    with pytest.raises(ProvisioningError):
        create_provisioned_person(
            attributes={"email": "x@example.com"}, source="fax", effective_on=JAN
        )
    assert not User.objects.exists()


def test_an_active_placeholder_from_the_archive_becomes_the_joiner():
    placeholder = UserFactory(email="ada@example.com", is_placeholder=True, display_name="ada")
    person = join()
    assert person.pk == placeholder.pk
    person.refresh_from_db()
    assert not person.is_placeholder
    assert person.display_name == "Ada Lovelace"
    assert PersonChange.objects.get(person=person).kind == ChangeKind.JOINER


def test_a_transfer_closes_the_affiliation_and_opens_a_new_one():
    old_unit, new_unit = OrgUnitFactory(), OrgUnitFactory()
    person = join(org_unit=old_unit, job_title="Data scientist", country="DE")

    change = update_provisioned_person(
        person=person,
        attributes={"org_unit": new_unit, "job_title": "Senior data scientist", "country": "DE"},
        source=ChangeSource.HR_FEED,
        effective_on=MAR,
    )

    assert change.kind == ChangeKind.TRANSFER
    assert change.changes == {
        "org_unit": [old_unit.pk, new_unit.pk],
        "job_title": ["Data scientist", "Senior data scientist"],
    }
    rows = list(Affiliation.objects.filter(person=person).order_by("valid_from"))
    assert [(row.org_unit, row.valid_from, row.valid_to) for row in rows] == [
        (old_unit, JAN, MAR),
        (new_unit, MAR, None),
    ]
    assert rows[1].job_title == "Senior data scientist"
    person.refresh_from_db()
    assert person.org_unit == new_unit


def test_a_second_transfer_on_the_same_day_rewrites_the_open_row():
    person = join(job_title="Engineer")
    update_provisioned_person(
        person=person, attributes={"job_title": "Scientist"}, source="scim", effective_on=MAR
    )
    update_provisioned_person(
        person=person, attributes={"job_title": "Lead"}, source="scim", effective_on=MAR
    )
    rows = Affiliation.objects.filter(person=person).order_by("valid_from")
    assert [(row.job_title, row.valid_from, row.valid_to) for row in rows] == [
        ("Engineer", JAN, MAR),
        ("Lead", MAR, None),
    ]


def test_a_manager_change_is_a_transfer_and_other_fields_an_update():
    first, second = UserFactory(), UserFactory()
    person = join(manager=first)
    transfer = update_provisioned_person(
        person=person, attributes={"manager": second}, source="scim", effective_on=FEB
    )
    assert transfer.kind == ChangeKind.TRANSFER
    assert transfer.changes == {"manager": [first.pk, second.pk]}

    update = update_provisioned_person(
        person=person,
        attributes={"location": "Shanghai", "time_zone": "Asia/Shanghai", "left_on": None},
        source="scim",
        effective_on=MAR,
    )
    assert update.kind == ChangeKind.UPDATE
    assert update.changes == {
        "location": ["", "Shanghai"],
        "time_zone": ["UTC", "Asia/Shanghai"],
    }
    assert Affiliation.objects.filter(person=person).count() == 2


def test_nothing_changed_records_nothing():
    person = join(job_title="Engineer", country="DE")
    version_before = PersonChange.objects.count()
    assert (
        update_provisioned_person(
            person=person,
            attributes={"job_title": "Engineer", "country": "de", "active": True},
            source="scim",
            effective_on=MAR,
        )
        is None
    )
    assert PersonChange.objects.count() == version_before
    assert Affiliation.objects.filter(person=person).count() == 1


def test_an_update_to_a_taken_email_is_refused_and_changes_nothing():
    UserFactory(email="taken@example.com")
    person = join()
    with pytest.raises(ProvisioningError) as error:
        update_provisioned_person(
            person=person,
            attributes={"email": "taken@example.com", "job_title": "Chief"},
            source="scim",
            effective_on=MAR,
        )
    assert error.value.code == "uniqueness"
    person.refresh_from_db()
    assert (person.email, person.job_title) == ("ada@example.com", "")


def test_every_change_moves_the_scim_version():
    person = join()
    account = ProvisionedAccount.objects.create(person=person, user_name="ada@example.com")
    update_provisioned_person(
        person=person, attributes={"location": "Paris"}, source="hr_feed", effective_on=FEB
    )
    account.refresh_from_db()
    assert account.version == 2


# --- Leavers and comebacks --------------------------------------------------------------------


def test_a_leaver_is_deactivated_and_leaves_with_history_kept(community):
    person = join()
    membership = MembershipFactory(community=community, person=person)
    group_row = GroupMembershipFactory(person=person, role=GroupRole.MEMBER)

    change = deprovision_person(person=person, source=ChangeSource.SCIM, effective_on=MAR)

    person.refresh_from_db()
    assert not person.is_active
    assert person.left_on == MAR
    membership.refresh_from_db()
    assert membership.left_at is not None
    assert membership.left_reason == LeftReason.LEFT_COMPANY
    assert Membership.objects.filter(person=person).count() == 1  # closed, not deleted
    group_row.refresh_from_db()
    assert group_row.left_at is not None
    assert GroupMembership.objects.filter(person=person).count() == 1
    affiliation = Affiliation.objects.get(person=person)
    assert affiliation.valid_to == MAR
    assert change.kind == ChangeKind.LEAVER
    assert change.changes["active"] == [True, False]
    assert change.changes["left_on"] == [None, "2026-03-01"]
    assert change.changes["communities"] == [[community.pk], []]
    assert change.changes["groups"] == [[group_row.group_id], []]


def test_a_leaver_who_owned_a_group_raises_a_continuity_alert_first(community, manager):
    person = join()
    MembershipFactory(community=community, person=person)
    group = GroupFactory(community=community)
    owner_row = GroupMembershipFactory(group=group, person=person, role=GroupRole.OWNER)

    deprovision_person(person=person, source=ChangeSource.HR_FEED, effective_on=MAR)

    alert = ContinuityAlert.objects.get(leaver=person)
    assert alert.community == community
    assert [(item.kind, item.object_id) for item in alert.items.all()] == [("group", group.pk)]
    owner_row.refresh_from_db()
    assert owner_row.left_at is not None  # closed after the alert listed it
    assert deprovision_person(person=person, source="hr_feed", effective_on=MAR) is None
    assert ContinuityAlert.objects.filter(leaver=person).count() == 1


def test_a_leaving_manager_may_leave_their_community(community, manager):
    MembershipFactory(community=community)  # a member besides the last manager
    deprovision_person(person=manager, source="hr_feed", effective_on=MAR)
    row = Membership.objects.get(community=community, person=manager)
    assert row.left_reason == LeftReason.LEFT_COMPANY


def test_deprovisioning_twice_changes_nothing_the_second_time():
    person = join()
    assert deprovision_person(person=person, source="scim", effective_on=MAR) is not None
    assert deprovision_person(person=person, source="scim", effective_on=MAR) is None
    assert PersonChange.objects.filter(person=person, kind=ChangeKind.LEAVER).count() == 1


def test_active_false_in_an_update_deprovisions_with_the_other_changes(community):
    person = join(job_title="Engineer")
    MembershipFactory(community=community, person=person)
    change = update_provisioned_person(
        person=person,
        attributes={"active": False, "job_title": "Former engineer"},
        source="scim",
        effective_on=FEB,
    )
    assert change.kind == ChangeKind.LEAVER
    assert change.changes["job_title"] == ["Engineer", "Former engineer"]
    assert change.changes["active"] == [True, False]
    person.refresh_from_db()
    assert not person.is_active
    assert not Membership.objects.current().filter(person=person).exists()


def test_active_true_reactivates_without_restoring_memberships(community):
    person = join()
    MembershipFactory(community=community, person=person)
    deprovision_person(person=person, source="scim", effective_on=FEB)

    change = update_provisioned_person(
        person=person, attributes={"active": True}, source="scim", effective_on=MAR
    )

    assert change.kind == ChangeKind.REACTIVATED
    assert change.changes == {"left_on": ["2026-02-01", None], "active": [False, True]}
    person.refresh_from_db()
    assert person.is_active
    assert person.left_on is None
    assert not Membership.objects.current().filter(person=person).exists()
    rows = Affiliation.objects.filter(person=person).order_by("valid_from")
    assert [(row.valid_from, row.valid_to) for row in rows] == [(JAN, FEB), (MAR, None)]


def test_a_joiner_matching_someone_who_left_reactivates_them():
    person = join(employee_number="E-7")
    deprovision_person(person=person, source="hr_feed", effective_on=FEB)

    again = create_provisioned_person(
        attributes={"email": "ada.new@example.com", "employee_number": "E-7"},
        source="hr_feed",
        effective_on=MAR,
    )

    assert again.pk == person.pk
    again.refresh_from_db()
    assert again.is_active
    assert again.email == "ada.new@example.com"
    assert again.hired_on == MAR  # a rehire
    change = PersonChange.objects.filter(person=person).first()
    assert change.kind == ChangeKind.REACTIVATED
    assert User.objects.count() == 1


def test_a_failed_step_inside_an_outer_transaction_leaves_nothing():
    def both():
        with transaction.atomic():
            join(email="one@example.com")
            join(email="two@example.com", country="Nowhere")

    with pytest.raises(ProvisioningError):
        both()
    assert not User.objects.exists()
    assert not PersonChange.objects.exists()


# --- Manager chains ---------------------------------------------------------------------------


def test_a_person_cannot_be_their_own_manager():
    person = join()
    with pytest.raises(ProvisioningError) as error:
        update_provisioned_person(
            person=person, attributes={"manager": person}, source="scim", effective_on=FEB
        )
    assert (error.value.code, error.value.field) == ("invalidValue", "manager")


def test_a_manager_chain_that_loops_is_refused():
    top = UserFactory()
    middle = UserFactory(manager=top)
    bottom = UserFactory(manager=middle)
    with pytest.raises(ProvisioningError) as error:
        update_provisioned_person(
            person=top, attributes={"manager": bottom}, source="hr_feed", effective_on=FEB
        )
    assert error.value.field == "manager"
    top.refresh_from_db()
    assert top.manager is None
    assert not PersonChange.objects.exists()
    check_manager_chain(person=bottom, manager=top)  # upwards is fine
    check_manager_chain(person=None, manager=top)


def test_an_existing_loop_above_does_not_hang_the_check():
    first = UserFactory()
    second = UserFactory(manager=first)
    User.objects.filter(pk=first.pk).update(manager=second)
    first.refresh_from_db()
    check_manager_chain(person=UserFactory(), manager=first)


def test_record_affiliation_opens_a_row_for_someone_without_one():
    person = UserFactory(job_title="Engineer")
    row = record_affiliation(person=person, effective_on=JAN)
    assert (row.job_title, row.valid_from, row.valid_to) == ("Engineer", JAN, None)
    assert record_affiliation(person=person, effective_on=FEB).pk == row.pk  # nothing changed
