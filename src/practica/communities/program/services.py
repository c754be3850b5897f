"""Every write about a program of communities: its description, its office, its communities.

Only the program office and staff (`can_manage_program`) make these changes; each is one
transaction, audited. Locks: every change locks the program row (`select_for_update`, a no-op
on SQLite, where IMMEDIATE transactions serialise writers anyway), so two office members
changing the same program are applied one after the other; taking a community in or out also
locks the community row, so it cannot end up in two programs.
"""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from practica.communities.models import Community, Program
from practica.communities.program.permissions import (
    can_manage_program,
    forget_cached_program_permissions,
)
from practica.core.services import record_audit
from practica.people.models import User

MAX_DESCRIPTION_LENGTH = 5000


def _require_manager(actor: Any, program: Program) -> None:
    if not can_manage_program(actor, program):
        raise PermissionDenied(_("Only the program office and staff manage the program."))


def _locked(program: Program) -> Program:
    return Program.objects.select_for_update().get(pk=program.pk)


def update_program_description(*, program: Program, description: str, actor: User) -> Program:
    """Replace the program's description (at most 5,000 characters); audited."""
    _require_manager(actor, program)
    description = description.strip()
    if len(description) > MAX_DESCRIPTION_LENGTH:
        raise ValidationError(
            {
                "description": _("Keep the description under %(limit)s characters.")
                % {"limit": f"{MAX_DESCRIPTION_LENGTH:,}"}
            }
        )
    if "\x00" in description:
        raise ValidationError({"description": _("The description contains a NUL character.")})
    with transaction.atomic():
        locked = _locked(program)
        if locked.description == description:
            return locked
        locked.description = description
        locked.save(update_fields=["description", "updated_at"])
        record_audit(actor_id=actor.pk, action="program.updated", target=locked)
    program.description = locked.description
    return locked


def add_program_office_member(*, program: Program, person: User, actor: User) -> None:
    """Give `person` (an active account) a seat in the program office; audited. Someone
    already in the office is refused."""
    _require_manager(actor, program)
    if not person.is_active:
        raise ValidationError({"person": _("Only people with an active account join the office.")})
    with transaction.atomic():
        locked = _locked(program)
        if locked.office.filter(pk=person.pk).exists():
            raise ValidationError(
                {
                    "person": _("%(name)s is already in the program office.")
                    % {"name": person.display_name or person.email}
                }
            )
        locked.office.add(person)
        record_audit(
            actor_id=actor.pk,
            action="program.office_added",
            target=locked,
            data={"person": person.pk},
        )
    forget_cached_program_permissions(person)


def remove_program_office_member(*, program: Program, person: User, actor: User) -> None:
    """Take `person`'s seat in the program office away (they may give up their own); audited."""
    _require_manager(actor, program)
    with transaction.atomic():
        locked = _locked(program)
        if not locked.office.filter(pk=person.pk).exists():
            raise ValidationError(
                {
                    "person": _("%(name)s is not in the program office.")
                    % {"name": person.display_name or person.email}
                }
            )
        locked.office.remove(person)
        record_audit(
            actor_id=actor.pk,
            action="program.office_removed",
            target=locked,
            data={"person": person.pk},
        )
    forget_cached_program_permissions(person)
    forget_cached_program_permissions(actor)


def add_community_to_program(*, program: Program, community: Community, actor: User) -> None:
    """Take a community into the program; audited. A community belongs to one program at most:
    one already in another program must leave it first (that program's office decides)."""
    _require_manager(actor, program)
    with transaction.atomic():
        locked = _locked(program)
        current = Community.objects.select_for_update().get(pk=community.pk)
        if current.program_id == locked.pk:
            raise ValidationError(
                {"community": _("%(name)s is already in this program.") % {"name": current.name}}
            )
        if current.program_id is not None:
            raise ValidationError(
                {
                    "community": _(
                        "%(name)s belongs to another program; it must leave that one first."
                    )
                    % {"name": current.name}
                }
            )
        current.program = locked
        current.save(update_fields=["program", "updated_at"])
        record_audit(
            actor_id=actor.pk,
            action="program.community_added",
            target=locked,
            community_id=current.pk,
        )
    community.program = locked
    community.program_id = locked.pk


def remove_community_from_program(*, program: Program, community: Community, actor: User) -> None:
    """Take a community out of the program (it stays, independent); audited."""
    _require_manager(actor, program)
    with transaction.atomic():
        locked = _locked(program)
        current = Community.objects.select_for_update().get(pk=community.pk)
        if current.program_id != locked.pk:
            raise ValidationError(
                {"community": _("%(name)s is not in this program.") % {"name": current.name}}
            )
        current.program = None
        current.save(update_fields=["program", "updated_at"])
        record_audit(
            actor_id=actor.pk,
            action="program.community_removed",
            target=locked,
            community_id=current.pk,
        )
    community.program = None
    community.program_id = None
