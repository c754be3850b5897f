"""Every write about segments: create, change and delete a community's rule-based audiences.

Only the community's managers (`can_manage_outreach`) may. Rules are validated by
`queries.segments.validate_segment_rules` and stored in their normal form. Each function is
one transaction; names are unique per community (the constraint settles races). A segment
that a campaign uses cannot be deleted.
"""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from practica.communities.models import Community
from practica.core.services import record_audit
from practica.outreach.models import Segment
from practica.outreach.permissions import can_manage_outreach
from practica.outreach.queries.segments import validate_segment_rules
from practica.people.models import User

MAX_NAME_LENGTH = 160
MAX_DESCRIPTION_LENGTH = 2000


def _check_manager(actor: Any, community: Community) -> None:
    if not can_manage_outreach(actor, community):
        raise PermissionDenied(_("Only the community's managers can manage its outreach."))


def _clean_name(name: Any) -> str:
    text = " ".join(str(name or "").split())
    if not text:
        raise ValidationError({"name": _("Give the segment a name.")})
    if len(text) > MAX_NAME_LENGTH:
        raise ValidationError(
            {"name": _("Keep the name to %(n)d characters.") % {"n": MAX_NAME_LENGTH}}
        )
    if "\x00" in text:
        raise ValidationError({"name": _("The name contains a NUL character.")})
    return text


def _clean_description(description: Any) -> str:
    text = str(description or "").strip()
    if len(text) > MAX_DESCRIPTION_LENGTH:
        raise ValidationError(
            {"description": _("Keep it to %(n)d characters.") % {"n": MAX_DESCRIPTION_LENGTH}}
        )
    if "\x00" in text:
        raise ValidationError({"description": _("The text contains a NUL character.")})
    return text


def _name_taken(community: Community, name: str, exclude_pk: int | None = None) -> bool:
    others = Segment.objects.filter(community=community, name__iexact=name)
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    return others.exists()


def _taken_error(name: str) -> ValidationError:
    return ValidationError(
        {"name": _("This community already has a segment called “%(name)s”.") % {"name": name}}
    )


def create_segment(
    *, community: Community, actor: User, name: str, rules: Any, description: str = ""
) -> Segment:
    """A new segment of `community` (managers only); a ValidationError names each bad field,
    and each bad rule by number."""
    _check_manager(actor, community)
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, Any] = {}
    for field, clean, value in (
        ("name", _clean_name, name),
        ("description", _clean_description, description),
        ("rules", validate_segment_rules, rules),
    ):
        try:
            cleaned[field] = clean(value)
        except ValidationError as error:
            for key, messages in error.message_dict.items():
                errors.setdefault(key, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        if _name_taken(community, cleaned["name"]):
            raise _taken_error(cleaned["name"])
        try:
            with transaction.atomic():
                segment = Segment.objects.create(community=community, created_by=actor, **cleaned)
        except IntegrityError as error:
            raise _taken_error(cleaned["name"]) from error
        record_audit(
            actor_id=actor.pk,
            action="outreach.segment_created",
            target=segment,
            community_id=community.pk,
            data={"name": segment.name, "rules": segment.rules},
        )
    return segment


def update_segment(
    *,
    segment: Segment,
    actor: User,
    name: str | None = None,
    description: str | None = None,
    rules: Any = None,
) -> Segment:
    """Change the fields given (None: unchanged). Campaigns using the segment read the new
    rules from their next run on; people already mailed are never mailed again."""
    community = segment.community
    _check_manager(actor, community)
    changes: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for field, clean, value in (
        ("name", _clean_name, name),
        ("description", _clean_description, description),
        ("rules", validate_segment_rules, rules),
    ):
        if value is None:
            continue
        try:
            changes[field] = clean(value)
        except ValidationError as error:
            for key, messages in error.message_dict.items():
                errors.setdefault(key, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = Segment.objects.select_for_update().get(pk=segment.pk)
        if "name" in changes and _name_taken(community, changes["name"], exclude_pk=locked.pk):
            raise _taken_error(changes["name"])
        changed = {key: value for key, value in changes.items() if getattr(locked, key) != value}
        if not changed:
            return locked
        for key, value in changed.items():
            setattr(locked, key, value)
        try:
            with transaction.atomic():
                locked.save(update_fields=[*changed, "updated_at"])
        except IntegrityError as error:
            raise _taken_error(changed.get("name", locked.name)) from error
        record_audit(
            actor_id=actor.pk,
            action="outreach.segment_changed",
            target=locked,
            community_id=community.pk,
            data={"changed": sorted(changed)},
        )
    locked.community = community
    return locked


def delete_segment(*, segment: Segment, actor: User) -> None:
    """Delete a segment no campaign uses (managers only)."""
    community = segment.community
    _check_manager(actor, community)
    with transaction.atomic():
        locked = Segment.objects.select_for_update().filter(pk=segment.pk).first()
        if locked is None:
            return
        used_by = list(locked.campaigns.order_by("name").values_list("name", flat=True))
        if used_by:
            raise ValidationError(
                _("Campaigns use this segment (%(names)s): change their segment first.")
                % {"names": ", ".join(used_by)}
            )
        record_audit(
            actor_id=actor.pk,
            action="outreach.segment_deleted",
            target=None,
            community_id=community.pk,
            data={"segment": locked.pk, "name": locked.name},
        )
        locked.delete()
