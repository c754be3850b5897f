"""Every write about grassroots groups (reading groups, study groups, teams) affiliated with a
community: founding and editing one, joining and leaving, adding and removing members, naming
owners, handing a group on, archiving it when it has run its course and reopening it.

Each function is one transaction. Group memberships are like community memberships: rows are
closed, never deleted, and the partial unique constraint `one_current_group_membership`
allows one current row per person and group. Changes that could leave a group without an
owner, and archiving, lock the group row (`select_for_update`, a no-op on SQLite, where
IMMEDIATE transactions serialise writers anyway) so two of them queue up instead of both
passing the "another owner remains" check.

Becoming an owner (founding, being named owner, taking a group over) records an
`ORGANIZED_GROUP` activity with `data={"group": id}`: the contributor ladder counts it and
the group's health reads it as activity.
"""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from practica.communities.group_permissions import can_found_group, can_manage_group
from practica.communities.models import (
    Community,
    Group,
    GroupCadence,
    GroupHealthAlert,
    GroupKind,
    GroupMembership,
    GroupRole,
)
from practica.communities.permissions import is_member
from practica.core.models import ActivityKind
from practica.core.services import record_activity, record_audit
from practica.people.models import User

MAX_NAME = Group._meta.get_field("name").max_length or 160
MAX_DESCRIPTION = Group._meta.get_field("description").max_length or 5000
MAX_MEETING_NOTE = Group._meta.get_field("meeting_note").max_length or 200
MAX_ARCHIVE_NOTE = Group._meta.get_field("archive_note").max_length or 500
MIN_IDLE_DAYS = 7
MAX_IDLE_DAYS = 730
DEFAULT_IDLE_DAYS = 90
# Paths under /communities/<slug>/groups/ that are pages, not groups.
RESERVED_SLUGS = frozenset({"new"})


def _require_active(person: Any, field: str = "person") -> None:
    if person is None or not person.is_active or person.is_placeholder or person.is_system:
        raise ValidationError({field: _("Choose an active colleague.")})


def _current_row(group: Group, person: User) -> GroupMembership | None:
    return GroupMembership.objects.filter(group=group, person=person, left_at__isnull=True).first()


def _lock(group: Group) -> None:
    Group.objects.select_for_update().filter(pk=group.pk).first()


def _record_organizing(group: Group, person: User) -> None:
    record_activity(
        kind=ActivityKind.ORGANIZED_GROUP,
        person_id=person.pk,
        community_id=group.community_id,
        subject=group,
        data={"group": group.pk},
    )


def _open_row(*, group: Group, person: User, role: str) -> tuple[GroupMembership, bool]:
    """The person's current row in the group, or a new one; True when a new one was opened.
    An existing member asked to become an owner is promoted (never demoted)."""
    existing = _current_row(group, person)
    if existing is None:
        try:
            with transaction.atomic():
                row = GroupMembership.objects.create(group=group, person=person, role=role)
        except IntegrityError:
            # A concurrent add of the same person won the race: theirs is the row.
            existing = _current_row(group, person)
            if existing is None:
                raise
        else:
            if role == GroupRole.OWNER:
                _record_organizing(group, person)
            return row, True
    if role == GroupRole.OWNER and existing.role != GroupRole.OWNER:
        existing.role = GroupRole.OWNER
        existing.save(update_fields=["role"])
        _record_organizing(group, person)
    return existing, False


def _other_owners(group: Group, person: User) -> int:
    return (
        GroupMembership.objects.filter(group=group, role=GroupRole.OWNER, left_at__isnull=True)
        .exclude(person=person)
        .count()
    )


def _others_in_group(group: Group, person: User) -> int:
    return (
        GroupMembership.objects.filter(group=group, left_at__isnull=True)
        .exclude(person=person)
        .count()
    )


def _check_not_last_owner(group: Group, row: GroupMembership) -> None:
    """Refuse to take the last owner away while other people remain in the group."""
    if (
        row.role == GroupRole.OWNER
        and _other_owners(group, row.person) == 0
        and _others_in_group(group, row.person) > 0
    ):
        raise ValidationError(
            _("%(person)s is the group's last owner: make someone else an owner first.")
            % {"person": row.person}
        )


# --- Founding and editing -------------------------------------------------------------------


def _clean_details(
    *,
    name: str | None,
    kind: str | None,
    description: str | None,
    cadence: str | None,
    meeting_note: str | None,
    idle_after_days: int | None,
) -> dict[str, Any]:
    """The given details, tidied; a ValidationError naming every bad field. None means "not
    given" (left as it is when editing)."""
    cleaned: dict[str, Any] = {}
    errors: dict[str, str] = {}
    if name is not None:
        name = " ".join(name.split())
        if not name or not slugify(name):
            errors["name"] = _("A group needs a name with letters or digits.")
        elif len(name) > MAX_NAME:
            errors["name"] = _("Keep the name under %(max)s characters.") % {"max": MAX_NAME}
        cleaned["name"] = name
    if kind is not None:
        if kind not in GroupKind.values:
            errors["kind"] = _("Choose a kind of group from the list.")
        cleaned["kind"] = kind
    if description is not None:
        description = description.strip()
        if len(description) > MAX_DESCRIPTION:
            errors["description"] = _("The description is too long.")
        cleaned["description"] = description
    if cadence is not None:
        if cadence not in GroupCadence.values:
            errors["cadence"] = _("Choose how often the group meets from the list.")
        cleaned["cadence"] = cadence
    if meeting_note is not None:
        meeting_note = " ".join(meeting_note.split())
        if len(meeting_note) > MAX_MEETING_NOTE:
            errors["meeting_note"] = _("Keep the note under %(max)s characters.") % {
                "max": MAX_MEETING_NOTE
            }
        cleaned["meeting_note"] = meeting_note
    if idle_after_days is not None:
        if (
            isinstance(idle_after_days, bool)
            or not isinstance(idle_after_days, int)
            or not MIN_IDLE_DAYS <= idle_after_days <= MAX_IDLE_DAYS
        ):
            errors["idle_after_days"] = _("Choose between %(min)s and %(max)s days.") % {
                "min": MIN_IDLE_DAYS,
                "max": MAX_IDLE_DAYS,
            }
        cleaned["idle_after_days"] = idle_after_days
    if errors:
        raise ValidationError(errors)
    return cleaned


def create_group(
    *,
    community: Community,
    name: str,
    actor: User,
    kind: str = GroupKind.STUDY,
    description: str = "",
    slug: str = "",
    owner: User | None = None,
    cadence: str = GroupCadence.IRREGULAR,
    meeting_note: str = "",
    idle_after_days: int = DEFAULT_IDLE_DAYS,
) -> Group:
    """Found a group in `community`; `owner` (default: the actor) becomes its first owner and
    an `ORGANIZED_GROUP` activity is recorded for them.

    The community's organizers, leaders and managers only. The slug (from the name unless
    given) is unique within the community; `idle_after_days` (7–730) is how long without
    activity before the group counts as idle.
    """
    if not can_found_group(actor, community):
        raise PermissionDenied(_("Only the community's organizers can found groups."))
    details = _clean_details(
        name=name or "",
        kind=kind,
        description=description or "",
        cadence=cadence,
        meeting_note=meeting_note or "",
        idle_after_days=idle_after_days,
    )
    slug = slugify(slug or details["name"])[:160]
    if slug in RESERVED_SLUGS:
        raise ValidationError(
            {
                "slug": _("“%(slug)s” is the address of a page: choose another name.")
                % {"slug": slug}
            }
        )
    owner = owner or actor
    _require_active(owner, "owner")
    taken = ValidationError({"slug": _("This community already has a group at this address.")})
    with transaction.atomic():
        if Group.objects.filter(community=community, slug=slug).exists():
            raise taken
        try:
            with transaction.atomic():
                group = Group.objects.create(community=community, slug=slug, **details)
        except IntegrityError:
            # Another founder took the address a moment ago (`group_slug_per_community`).
            raise taken from None
        GroupMembership.objects.create(group=group, person=owner, role=GroupRole.OWNER)
        _record_organizing(group, owner)
        record_audit(
            actor_id=actor.pk,
            action="group.created",
            target=group,
            community_id=community.pk,
            data={"owner": owner.pk},
        )
    return group


def edit_group(
    *,
    group: Group,
    actor: User,
    name: str | None = None,
    kind: str | None = None,
    description: str | None = None,
    cadence: str | None = None,
    meeting_note: str | None = None,
    idle_after_days: int | None = None,
) -> Group:
    """Change the group's details; what is None stays as it is. The address (slug) never
    changes, so links keep working.

    The group's owners and the community's managers. An archived group is reopened first.
    """
    if not can_manage_group(actor, group):
        raise PermissionDenied(_("Only the group's owners and the community's managers edit it."))
    details = _clean_details(
        name=name,
        kind=kind,
        description=description,
        cadence=cadence,
        meeting_note=meeting_note,
        idle_after_days=idle_after_days,
    )
    with transaction.atomic():
        locked = Group.objects.select_for_update().get(pk=group.pk)
        if locked.is_archived:
            raise ValidationError(_("This group is archived: reopen it to change it."))
        changed = {
            field: [getattr(locked, field), value]
            for field, value in details.items()
            if getattr(locked, field) != value
        }
        if changed:
            for field, (_before, value) in changed.items():
                setattr(locked, field, value)
            locked.save(update_fields=[*changed, "updated_at"])
            record_audit(
                actor_id=actor.pk,
                action="group.edited",
                target=locked,
                community_id=locked.community_id,
                data={"changed": sorted(changed)},
            )
    return locked


# --- Members --------------------------------------------------------------------------------


def join_group(*, group: Group, actor: User) -> GroupMembership:
    """The actor joins the group as a member. Open to any current member of the community;
    joining twice returns the current row. An archived group takes nobody new."""
    _require_active(actor)
    if not is_member(actor, group.community):
        raise PermissionDenied(
            _("Join %(name)s first: its groups are for its members.")
            % {"name": group.community.name}
        )
    if group.is_archived:
        raise ValidationError(_("This group is archived."))
    with transaction.atomic():
        row, _created = _open_row(group=group, person=actor, role=GroupRole.MEMBER)
    return row


def _close_row(group: Group, person: User, *, missing: str) -> GroupMembership:
    """Close the person's current row (locks the group); `missing` is the refusal when they
    have none. The last owner stays while others remain."""
    _lock(group)
    row = (
        GroupMembership.objects.select_related("person")
        .filter(group=group, person=person, left_at__isnull=True)
        .first()
    )
    if row is None:
        raise ValidationError(missing)
    _check_not_last_owner(group, row)
    row.left_at = timezone.now()
    row.save(update_fields=["left_at"])
    return row


def leave_group(*, group: Group, actor: User) -> GroupMembership:
    """The actor leaves the group (the row is kept as history). The last owner cannot leave
    while others remain: they name another owner first. Locks the group row."""
    with transaction.atomic():
        return _close_row(group, actor, missing=_("You are not in this group."))


def add_group_member(
    *, group: Group, person: User, actor: User, role: str = GroupRole.MEMBER
) -> GroupMembership:
    """Add `person` to the group (or make a current member an owner with `role` owner).

    The group's owners and the community's managers add anyone; a person may join as a member
    themself. A closed community's groups take its members only. Adding someone already in
    the group returns their row. An archived group takes nobody new.
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
    if group.community.is_closed and not is_member(person, group.community):
        raise ValidationError(
            {
                "person": _("%(person)s is not a member of %(name)s, which is closed.")
                % {"person": person, "name": group.community.name}
            }
        )
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


def remove_group_member(*, group: Group, person: User, actor: User) -> GroupMembership:
    """Take `person` out of the group (the row is kept as history).

    The group's owners and the community's managers. The last owner stays while others
    remain: name another owner first. Locks the group row.
    """
    if not can_manage_group(actor, group):
        raise PermissionDenied(
            _("Only the group's owners and the community's managers remove people.")
        )
    with transaction.atomic():
        row = _close_row(
            group, person, missing=_("%(person)s is not in this group.") % {"person": person}
        )
        record_audit(
            actor_id=actor.pk,
            action="group.member_removed",
            target=row,
            community_id=group.community_id,
            data={"group": group.pk, "person": person.pk},
        )
    return row


def change_group_member_role(
    *, group: Group, person: User, role: str, actor: User
) -> GroupMembership:
    """Make a current member an owner, or an owner a plain member.

    The group's owners and the community's managers. The last owner is not made a member
    while others remain. Becoming an owner records an `ORGANIZED_GROUP` activity. Locks the
    group row.
    """
    if role not in GroupRole.values:
        raise ValidationError({"role": _("Choose owner or member.")})
    if not can_manage_group(actor, group):
        raise PermissionDenied(
            _("Only the group's owners and the community's managers name owners.")
        )
    with transaction.atomic():
        _lock(group)
        row = (
            GroupMembership.objects.select_related("person")
            .filter(group=group, person=person, left_at__isnull=True)
            .first()
        )
        if row is None:
            raise ValidationError(_("%(person)s is not in this group.") % {"person": person})
        if row.role == role:
            return row
        if role == GroupRole.OWNER:
            _require_active(person)
            if group.is_archived:
                raise ValidationError(_("This group is archived."))
        else:
            _check_not_last_owner(group, row)
        previous = row.role
        row.role = role
        row.save(update_fields=["role"])
        if role == GroupRole.OWNER:
            _record_organizing(group, person)
        record_audit(
            actor_id=actor.pk,
            action="group.role_changed",
            target=row,
            community_id=group.community_id,
            data={"group": group.pk, "person": person.pk, "from": previous, "to": role},
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
        _lock(group)
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


# --- Archiving --------------------------------------------------------------------------------


def archive_group(*, group: Group, note: str, actor: User) -> Group:
    """Archive a group that has run its course, saying why: it stays readable, takes nobody
    new and its open health alerts are resolved (no more alerts while archived).

    The group's owners and the community's managers. Locks the group row.
    """
    if not can_manage_group(actor, group):
        raise PermissionDenied(
            _("Only the group's owners and the community's managers archive it.")
        )
    note = " ".join((note or "").split())
    if not note:
        raise ValidationError({"note": _("Say in a sentence why the group ends.")})
    if len(note) > MAX_ARCHIVE_NOTE:
        raise ValidationError(
            {"note": _("Keep the note under %(max)s characters.") % {"max": MAX_ARCHIVE_NOTE}}
        )
    with transaction.atomic():
        locked = Group.objects.select_for_update().get(pk=group.pk)
        if locked.is_archived:
            raise ValidationError(_("This group is already archived."))
        now = timezone.now()
        locked.archived_at = now
        locked.archived_by = actor
        locked.archive_note = note
        locked.save(update_fields=["archived_at", "archived_by", "archive_note", "updated_at"])
        GroupHealthAlert.objects.filter(group=locked, resolved_at__isnull=True).update(
            resolved_at=now
        )
        record_audit(
            actor_id=actor.pk,
            action="group.archived",
            target=locked,
            community_id=locked.community_id,
            data={"note": note},
        )
    return locked


def reopen_group(*, group: Group, actor: User) -> Group:
    """Reopen an archived group: it takes members again and its health is watched again.

    The group's owners and the community's managers. Locks the group row.
    """
    if not can_manage_group(actor, group):
        raise PermissionDenied(_("Only the group's owners and the community's managers reopen it."))
    with transaction.atomic():
        locked = Group.objects.select_for_update().get(pk=group.pk)
        if not locked.is_archived:
            raise ValidationError(_("This group is not archived."))
        previous_note = locked.archive_note
        locked.archived_at = None
        locked.archived_by = None
        locked.archive_note = ""
        locked.save(update_fields=["archived_at", "archived_by", "archive_note", "updated_at"])
        record_audit(
            actor_id=actor.pk,
            action="group.reopened",
            target=locked,
            community_id=locked.community_id,
            data={"archive_note": previous_note},
        )
    return locked
