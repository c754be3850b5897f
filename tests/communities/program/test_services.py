"""Managing a program: description, office, communities; permissions and audit."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError

from practica.communities.models import Community, MembershipRole, Program
from practica.communities.program import services
from practica.communities.program.permissions import (
    can_manage_program,
    can_view_program,
    can_view_program_dashboard,
)
from practica.core.models import AuditLogEntry
from tests.factories.communities import CommunityFactory, MembershipFactory, ProgramFactory
from tests.factories.people import UserFactory

pytestmark = [pytest.mark.unit, pytest.mark.django_db]


def audit_actions(program):
    return list(
        AuditLogEntry.objects.filter(target_id=program.pk, action__startswith="program.")
        .order_by("pk")
        .values_list("action", flat=True)
    )


# --- Permissions ---------------------------------------------------------------------------


def test_anyone_signed_in_sees_a_program_but_not_anonymous(program, member):
    assert can_view_program(member, program)
    assert not can_view_program(AnonymousUser(), program)


def test_the_office_and_staff_manage_the_program(program, office_member, staff, member):
    assert can_manage_program(office_member, program)
    assert can_manage_program(staff, program)
    assert not can_manage_program(member, program)
    assert not can_manage_program(AnonymousUser(), program)


def test_a_deactivated_office_member_manages_nothing(program, office_member):
    office_member.is_active = False
    office_member.save()
    assert not can_manage_program(office_member, program)


def test_the_office_of_another_program_does_not_manage_this_one(program, office_member):
    other = ProgramFactory()
    assert not can_manage_program(office_member, other)


@pytest.mark.parametrize(
    ("role", "sees"),
    [
        (MembershipRole.MANAGER, True),
        (MembershipRole.LEADER, True),
        (MembershipRole.EXECUTIVE_SPONSOR, True),
        (MembershipRole.ORGANIZER, False),
        (MembershipRole.MEMBER, False),
    ],
)
def test_the_dashboard_is_for_the_leadership_of_any_community_in_the_program(ml, role, sees):
    person = MembershipFactory(community=ml, role=role).person
    assert can_view_program_dashboard(person, ml.program) is sees


def test_leading_a_community_outside_the_program_does_not_open_its_dashboard(program, outsider):
    person = MembershipFactory(community=outsider, role=MembershipRole.MANAGER).person
    assert not can_view_program_dashboard(person, program)


def test_a_former_leader_no_longer_sees_the_dashboard(ml):
    membership = MembershipFactory(
        community=ml, role=MembershipRole.LEADER, left_at="2020-01-01T00:00:00Z"
    )
    assert not can_view_program_dashboard(membership.person, ml.program)


def test_office_and_staff_see_the_dashboard(program, office_member, staff):
    assert can_view_program_dashboard(office_member, program)
    assert can_view_program_dashboard(staff, program)


# --- Description ---------------------------------------------------------------------------


def test_the_office_edits_the_description(program, office_member):
    services.update_program_description(
        program=program, description="  All communities of practice.  ", actor=office_member
    )

    program.refresh_from_db()
    assert program.description == "All communities of practice."
    assert audit_actions(program) == ["program.updated"]


def test_saving_the_same_description_records_nothing(program, office_member):
    services.update_program_description(
        program=program, description=program.description, actor=office_member
    )
    assert audit_actions(program) == []


def test_staff_edit_the_description(program, staff):
    services.update_program_description(program=program, description="New", actor=staff)
    program.refresh_from_db()
    assert program.description == "New"


def test_a_member_may_not_edit_the_description(program, ml_leader):
    before = program.description
    with pytest.raises(PermissionDenied):
        services.update_program_description(program=program, description="Mine", actor=ml_leader)
    program.refresh_from_db()
    assert program.description == before


@pytest.mark.parametrize(("text", "message"), [("x" * 5001, "5,000"), ("a\x00b", "NUL")])
def test_a_bad_description_is_refused(program, office_member, text, message):
    with pytest.raises(ValidationError) as refusal:
        services.update_program_description(program=program, description=text, actor=office_member)
    assert message in refusal.value.message_dict["description"][0]


# --- Office --------------------------------------------------------------------------------


def test_the_office_adds_and_removes_a_colleague(program, office_member):
    colleague = UserFactory(display_name="Cora Colleague")

    services.add_program_office_member(program=program, person=colleague, actor=office_member)
    assert can_manage_program(colleague, program)

    services.remove_program_office_member(program=program, person=colleague, actor=office_member)
    assert set(program.office.all()) == {office_member}
    colleague.refresh_from_db()
    assert not can_manage_program(colleague, program)
    assert audit_actions(program) == ["program.office_added", "program.office_removed"]
    added = AuditLogEntry.objects.get(action="program.office_added")
    assert added.data == {"person": colleague.pk}
    assert added.actor_id == office_member.pk


def test_someone_already_in_the_office_is_not_added_twice(program, office_member):
    with pytest.raises(ValidationError) as refusal:
        services.add_program_office_member(
            program=program, person=office_member, actor=office_member
        )
    assert "already in the program office" in refusal.value.message_dict["person"][0]


def test_a_deactivated_account_cannot_join_the_office(program, office_member):
    gone = UserFactory(is_active=False)
    with pytest.raises(ValidationError):
        services.add_program_office_member(program=program, person=gone, actor=office_member)
    assert not program.office.filter(pk=gone.pk).exists()


def test_removing_someone_not_in_the_office_is_refused(program, office_member, member):
    with pytest.raises(ValidationError) as refusal:
        services.remove_program_office_member(program=program, person=member, actor=office_member)
    assert "not in the program office" in refusal.value.message_dict["person"][0]


def test_an_office_member_may_give_up_their_own_seat(program, office_member):
    services.remove_program_office_member(
        program=program, person=office_member, actor=office_member
    )
    assert not can_manage_program(office_member, program)
    assert program.office.count() == 0


def test_only_the_office_changes_the_office(program, ml_leader, member):
    with pytest.raises(PermissionDenied):
        services.add_program_office_member(program=program, person=member, actor=ml_leader)
    assert not program.office.filter(pk=member.pk).exists()


# --- Communities ---------------------------------------------------------------------------


def test_the_office_takes_a_community_in_and_out(program, office_member, outsider):
    services.add_community_to_program(program=program, community=outsider, actor=office_member)
    outsider.refresh_from_db()
    assert outsider.program == program

    services.remove_community_from_program(program=program, community=outsider, actor=office_member)
    outsider.refresh_from_db()
    assert outsider.program is None
    assert audit_actions(program) == ["program.community_added", "program.community_removed"]
    assert set(
        AuditLogEntry.objects.filter(action__startswith="program.community").values_list(
            "community_id", flat=True
        )
    ) == {outsider.pk}


def test_a_community_of_another_program_must_leave_it_first(program, office_member):
    elsewhere = CommunityFactory(program=ProgramFactory(name="Engineering Guilds"))

    with pytest.raises(ValidationError) as refusal:
        services.add_community_to_program(program=program, community=elsewhere, actor=office_member)

    assert "another program" in refusal.value.message_dict["community"][0]
    elsewhere.refresh_from_db()
    assert elsewhere.program.name == "Engineering Guilds"


def test_a_community_already_in_the_program_is_refused(program, office_member, ml):
    with pytest.raises(ValidationError) as refusal:
        services.add_community_to_program(program=program, community=ml, actor=office_member)
    assert "already in this program" in refusal.value.message_dict["community"][0]


def test_taking_out_a_community_not_in_the_program_is_refused(program, office_member, outsider):
    with pytest.raises(ValidationError):
        services.remove_community_from_program(
            program=program, community=outsider, actor=office_member
        )


def test_the_manager_of_a_community_may_not_move_it_between_programs(ml):
    manager = MembershipFactory(community=ml, role=MembershipRole.MANAGER).person
    with pytest.raises(PermissionDenied):
        services.remove_community_from_program(program=ml.program, community=ml, actor=manager)
    assert Community.objects.get(pk=ml.pk).program_id == ml.program_id


def test_a_stale_community_object_does_not_fool_the_check(program, office_member, outsider):
    # Another office moved the community meanwhile; this copy still says "no program".
    Community.objects.filter(pk=outsider.pk).update(program=ProgramFactory())
    with pytest.raises(ValidationError):
        services.add_community_to_program(program=program, community=outsider, actor=office_member)
    assert Program.objects.get(pk=program.pk).communities.count() == 0
