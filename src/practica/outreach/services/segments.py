"""Every write about segments: create, change and delete a community's rule-based audiences.

Only the community's managers (`can_manage_outreach`) may. Rules are validated by
`queries.segments.validate_segment_rules` and stored in their normal form. Each function is
one transaction; names are unique per community (the constraint settles races). A segment
that a campaign uses cannot be deleted.
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from practica.communities.models import Community
from practica.core.services import record_audit
from practica.outreach.models import Segment
from practica.outreach.permissions import require_outreach_manager
from practica.outreach.queries.segments import validate_segment_rules
from practica.outreach.services.unique_names import create_named, save_changes
from practica.people.models import User

MAX_NAME_LENGTH = 160
MAX_DESCRIPTION_LENGTH = 2000


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


def _taken_error(name: str) -> ValidationError:
    return ValidationError(
        {"name": _("This community already has a segment called “%(name)s”.") % {"name": name}}
    )


CLEANERS = {
    "name": _clean_name,
    "description": _clean_description,
    "rules": validate_segment_rules,
}


def _cleaned(values: dict[str, Any]) -> dict[str, Any]:
    """The given fields, checked; one ValidationError names each bad field, and each bad rule
    by number."""
    cleaned: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for field, value in values.items():
        try:
            cleaned[field] = CLEANERS[field](value)
        except ValidationError as error:
            for key, messages in error.message_dict.items():
                errors.setdefault(key, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    return cleaned


def create_segment(
    *, community: Community, actor: User, name: str, rules: Any, description: str = ""
) -> Segment:
    """A new segment of `community` (managers only); a ValidationError names each bad field,
    and each bad rule by number."""
    require_outreach_manager(actor, community)
    cleaned = _cleaned({"name": name, "description": description, "rules": rules})
    with transaction.atomic():
        segment = create_named(
            Segment, community=community, taken=_taken_error, created_by=actor, **cleaned
        )
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
    require_outreach_manager(actor, community)
    given = {"name": name, "description": description, "rules": rules}
    changes = _cleaned({field: value for field, value in given.items() if value is not None})
    with transaction.atomic():
        locked = Segment.objects.select_for_update().get(pk=segment.pk)
        changed = save_changes(locked, changes, taken=_taken_error)
        if changed:
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
    require_outreach_manager(actor, community)
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
