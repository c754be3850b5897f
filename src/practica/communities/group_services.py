"""Every write about grassroots groups (reading groups, study groups, teams) affiliated with a
community: founding one, adding members, handing its ownership on.

Minimal for now: what continuity after a leaver needs (a group to own, and a way to hand it
to someone else). Each function is one transaction. Group memberships are like community
memberships: rows are closed, never deleted, and the partial unique constraint
`one_current_group_membership` allows one current row per person and group. Changes of
ownership lock the group row (`select_for_update`, a no-op on SQLite, where IMMEDIATE
transactions serialise writers anyway) so two hand-overs of one group queue up.
"""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from practica.communities.group_permissions import can_manage_group
from practica.communities.models import Community, Group, GroupKind, GroupMembership, GroupRole
from practica.communities.permissions import can_moderate_community
from practica.core.services import record_audit
from practica.people.models import User

MAX_NAME = Group._meta.get_field("name").max_length or 160
MAX_DESCRIPTION = Group._meta.get_field("description").max_length or 5000


def _require_active(person: Any, field: str = "person") -> None:
    if person is None or not person.is_active or person.is_placeholder or person.is_system:
        raise ValidationError({field: _("Choose an active colleague.")})


def _current_row(group: Group, person: User) -> GroupMembership | None:
    return GroupMembership.objects.filter(group=group, person=person, left_at__isnull=True).first()


def _open_row(*, group: Group, person: User, role: str) -> tuple[GroupMembership, bool]:
    """The person's current row in the group, or a new one; True when a new one was opened.
    An existing member asked to become an owner is promoted (never demoted)."""
    existing = _current_row(group, person)
    if existing is None:
        try:
            with transaction.atomic():
                return GroupMembership.objects.create(group=group, person=person, role=role), True
        except IntegrityError:
            # A concurrent add of the same person won the race: theirs is the row.
            existing = _current_row(group, person)
            if existing is None:
                raise
    if role == GroupRole.OWNER and existing.role != GroupRole.OWNER:
        existing.role = GroupRole.OWNER
        existing.save(update_fields=["role"])
    return existing, False


def create_group(
    *,
    community: Community,
    name: str,
    actor: User,
    kind: str = GroupKind.STUDY,
    description: str = "",
    slug: str = "",
    owner: User | None = None,
) -> Group:
    """Found a group in `community`; `owner` (default: the actor) becomes its first owner.

    The community's organizers, leaders and managers only. The slug (from the name unless
    given) is unique within the community.
    """
    if not can_moderate_community(actor, community):
        raise PermissionDenied(_("Only the community's organizers can found groups."))
    name = " ".join((name or "").split())
    slug = slugify(slug or name)[:160]
    errors: dict[str, str] = {}
    if not name or not slug:
        errors["name"] = _("A group needs a name with letters or digits.")
    elif len(name) > MAX_NAME:
        errors["name"] = _("Keep the name under %(max)s characters.") % {"max": MAX_NAME}
    if kind not in GroupKind.values:
        errors["kind"] = _("Choose a kind of group from the list.")
    if len(description or "") > MAX_DESCRIPTION:
        errors["description"] = _("The description is too long.")
    if errors:
        raise ValidationError(errors)
    owner = owner or actor
    _require_active(owner, "owner")
    with transaction.atomic():
        if Group.objects.filter(community=community, slug=slug).exists():
            raise ValidationError(
                {"slug": _("This community already has a group at this address.")}
            )
        group = Group.objects.create(
            community=community, name=name, slug=slug, kind=kind, description=description or ""
        )
        GroupMembership.objects.create(group=group, person=owner, role=GroupRole.OWNER)
        record_audit(
            actor_id=actor.pk,
            action="group.created",
            target=group,
            community_id=community.pk,
            data={"owner": owner.pk},
        )
    return group


def add_group_member(
    *, group: Group, person: User, actor: User, role: str = GroupRole.MEMBER
) -> GroupMembership:
    """Add `person` to the group (or make a current member an owner with `role` owner).

    The group's owners and the community's managers add anyone; a person may join as a member
    themself. Adding someone already in the group returns their row. An archived group takes
    nobody new.
    """
    if role not in GroupRole.values:
        raise ValidationError({"role": _("Choose owner or member.")})
    joining_themself = actor.pk == person.pk and role == GroupRole.MEMBER
    if not joining_themself and not can_manage_group(actor, group):
        raise PermissionDenied(
            _("Only the group's owners and the community's managers add people.")
        )
    _require_active(person)
    if group.archived_at is not None:
        raise ValidationError(_("This group is archived."))
    with transaction.atomic():
        row, created = _open_row(group=group, person=person, role=role)
        if created or role == GroupRole.OWNER:
            record_audit(
                actor_id=actor.pk,
                action="group.member_added",
                target=row,
                community_id=group.community_id,
                data={"group": group.pk, "person": person.pk, "role": row.role},
            )
    return row


def hand_over_group_ownership(
    *, group: Group, leaver: User, successor: User, actor: User
) -> GroupMembership:
    """Make `successor` an owner of the group in `leaver`'s place: their member row is promoted
    (or an owner row opened), and the leaver's current row, if any, is closed.

    The group's owners and the community's managers (the continuity alert's hand-over). Locks
    the group row. The successor must be an active colleague other than the leaver.
    """
    if not can_manage_group(actor, group):
        raise PermissionDenied(
            _("Only the group's owners and the community's managers hand it on.")
        )
    _require_active(successor, "successor")
    if successor.pk == leaver.pk:
        raise ValidationError({"successor": _("Choose someone other than the leaver.")})
    with transaction.atomic():
        Group.objects.select_for_update().filter(pk=group.pk).first()
        row, _created = _open_row(group=group, person=successor, role=GroupRole.OWNER)
        closed = GroupMembership.objects.filter(
            group=group, person=leaver, left_at__isnull=True
        ).update(left_at=timezone.now())
        record_audit(
            actor_id=actor.pk,
            action="group.ownership_handed_over",
            target=group,
            community_id=group.community_id,
            data={"leaver": leaver.pk, "successor": successor.pk, "leaver_row_closed": closed},
        )
    return row
