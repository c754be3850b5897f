"""An edition's parts: tracks (the program's themes), session formats (with their length,
open to proposals or by invitation), rooms (with their seats) and the review form's criteria
(scored 1–5, weighted). Chairs only; one transaction each, locking the edition row so two
chairs adding the same name at once can't both succeed.

A part in use is not removed (`CallRefused`, code `in_use`): a track or format proposals are
in, a room or track the program has sessions in, a criterion reviews have scored.
"""

from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from practica.conference.models import (
    Edition,
    ReviewCriterion,
    Room,
    SessionFormat,
    SessionKind,
    Track,
)
from practica.conference.services.editions import (
    CallRefused,
    audit_part,
    locked_edition,
    require_chair,
)


def _text(value: Any, field: str, limit: int, *, required: bool, label: str = "") -> str:
    cleaned = " ".join(str(value or "").split()) if field == "name" else str(value or "").strip()
    if required and not cleaned:
        raise ValidationError({field: label or _("This can't be empty.")})
    if len(cleaned) > limit:
        raise ValidationError({field: _("Keep it under %(max)s characters.") % {"max": limit}})
    return cleaned


def _position(value: Any) -> int:
    if not isinstance(value, int) or not 0 <= value <= 999:
        raise ValidationError({"position": _("Give a position from 0 to 999.")})
    return value


def _unique_name(
    model: Any, edition: Edition, name: str, exclude: Any = None, **extra: Any
) -> None:
    rows = model.objects.filter(edition=edition, name__iexact=name, **extra)
    if exclude is not None:
        rows = rows.exclude(pk=exclude.pk)
    if rows.exists():
        raise ValidationError({"name": _("The edition already has one by this name.")})


def add_track(
    *, edition: Edition, actor: Any, name: str, description: str = "", position: int = 0
) -> Track:
    """Add a track (a theme of the program proposals choose from). Chairs only."""
    require_chair(actor, edition)
    name = _text(name, "name", 120, required=True, label=_("Give the track a name."))
    description = _text(description, "description", 2000, required=False)
    with transaction.atomic():
        locked_edition(edition)
        _unique_name(Track, edition, name)
        track = Track.objects.create(
            edition=edition, name=name, description=description, position=_position(position)
        )
        audit_part(actor, "track_added", track, edition, name=name)
    return track


def update_track(*, track: Track, actor: Any, **changes: Any) -> Track:
    """Rename, describe or move a track (`name`, `description`, `position`). Chairs only."""
    edition = track.edition
    require_chair(actor, edition)
    with transaction.atomic():
        locked_edition(edition)
        if "name" in changes:
            track.name = _text(
                changes["name"], "name", 120, required=True, label=_("Give the track a name.")
            )
            _unique_name(Track, edition, track.name, exclude=track)
        if "description" in changes:
            track.description = _text(changes["description"], "description", 2000, required=False)
        if "position" in changes:
            track.position = _position(changes["position"])
        track.save()
        audit_part(actor, "track_updated", track, edition, fields=sorted(changes))
    return track


def remove_track(*, track: Track, actor: Any) -> None:
    """Remove a track no proposal or program session is in. Chairs only."""
    edition = track.edition
    require_chair(actor, edition)
    with transaction.atomic():
        locked_edition(edition)
        used = track.proposals.count()
        if used:
            raise CallRefused(
                ngettext(
                    "%(count)s proposal is in this track: move it to another track first.",
                    "%(count)s proposals are in this track: move them to another track first.",
                    used,
                )
                % {"count": used},
                "in_use",
            )
        if track.slots.exists():
            raise CallRefused(
                _("The program has sessions in this track: move them first."), "in_use"
            )
        audit_part(actor, "track_removed", track, edition, name=track.name)
        track.delete()


def _clean_minutes(value: Any) -> int:
    if not isinstance(value, int) or not 5 <= value <= 480:
        raise ValidationError({"minutes": _("A session lasts from 5 to 480 minutes.")})
    return value


def _clean_kind(value: Any) -> str:
    if value not in SessionKind.values:
        raise ValidationError({"kind": _("Choose a kind of session from the list.")})
    return str(value)


def add_format(
    *,
    edition: Edition,
    actor: Any,
    kind: str,
    name: str,
    minutes: int,
    open_for_proposals: bool = True,
) -> SessionFormat:
    """Offer a kind of session (talk, lightning talk, tutorial…) with its length. Chairs only."""
    require_chair(actor, edition)
    name = _text(name, "name", 80, required=True, label=_("Give the format a name."))
    values = {
        "kind": _clean_kind(kind),
        "minutes": _clean_minutes(minutes),
        "open_for_proposals": bool(open_for_proposals),
    }
    with transaction.atomic():
        locked_edition(edition)
        _unique_name(SessionFormat, edition, name)
        session_format = SessionFormat.objects.create(edition=edition, name=name, **values)
        audit_part(actor, "format_added", session_format, edition, name=name)
    return session_format


def update_format(*, session_format: SessionFormat, actor: Any, **changes: Any) -> SessionFormat:
    """Change a format's `kind`, `name`, `minutes` or `open_for_proposals`. Chairs only.

    Closing a format to proposals keeps the proposals already in it; drafts in it can't be
    submitted until their speakers choose another format.
    """
    edition = session_format.edition
    require_chair(actor, edition)
    with transaction.atomic():
        locked_edition(edition)
        if "kind" in changes:
            session_format.kind = _clean_kind(changes["kind"])
        if "name" in changes:
            session_format.name = _text(
                changes["name"], "name", 80, required=True, label=_("Give the format a name.")
            )
            _unique_name(SessionFormat, edition, session_format.name, exclude=session_format)
        if "minutes" in changes:
            session_format.minutes = _clean_minutes(changes["minutes"])
        if "open_for_proposals" in changes:
            session_format.open_for_proposals = bool(changes["open_for_proposals"])
        session_format.save()
        audit_part(actor, "format_updated", session_format, edition, fields=sorted(changes))
    return session_format


def remove_format(*, session_format: SessionFormat, actor: Any) -> None:
    """Remove a format no proposal uses (close it to proposals instead). Chairs only."""
    edition = session_format.edition
    require_chair(actor, edition)
    with transaction.atomic():
        locked_edition(edition)
        used = session_format.proposals.count()
        if used:
            raise CallRefused(
                ngettext(
                    "%(count)s proposal uses this format: close it to new proposals instead.",
                    "%(count)s proposals use this format: close it to new proposals instead.",
                    used,
                )
                % {"count": used},
                "in_use",
            )
        audit_part(actor, "format_removed", session_format, edition, name=session_format.name)
        session_format.delete()


def _clean_capacity(value: Any) -> int | None:
    if value is not None and (not isinstance(value, int) or not 0 <= value <= 1_000_000):
        raise ValidationError({"capacity": _("Seats are a whole number from 0 up.")})
    return value


def add_room(
    *,
    edition: Edition,
    actor: Any,
    name: str,
    venue: str = "",
    capacity: int | None = None,
    position: int = 0,
) -> Room:
    """Add a room of one of the edition's venues, with its seats. Chairs only."""
    require_chair(actor, edition)
    name = _text(name, "name", 120, required=True, label=_("Give the room a name."))
    venue = _text(venue, "venue", 160, required=False)
    with transaction.atomic():
        locked_edition(edition)
        _unique_name(Room, edition, name, venue__iexact=venue)
        room = Room.objects.create(
            edition=edition,
            name=name,
            venue=venue,
            capacity=_clean_capacity(capacity),
            position=_position(position),
        )
        audit_part(actor, "room_added", room, edition, name=name)
    return room


def update_room(*, room: Room, actor: Any, **changes: Any) -> Room:
    """Change a room's `name`, `venue`, `capacity` or `position`. Chairs only."""
    edition = room.edition
    require_chair(actor, edition)
    with transaction.atomic():
        locked_edition(edition)
        if "name" in changes:
            room.name = _text(
                changes["name"], "name", 120, required=True, label=_("Give the room a name.")
            )
        if "venue" in changes:
            room.venue = _text(changes["venue"], "venue", 160, required=False)
        if {"name", "venue"} & set(changes):
            _unique_name(Room, edition, room.name, exclude=room, venue__iexact=room.venue)
        if "capacity" in changes:
            room.capacity = _clean_capacity(changes["capacity"])
        if "position" in changes:
            room.position = _position(changes["position"])
        room.save()
        audit_part(actor, "room_updated", room, edition, fields=sorted(changes))
    return room


def remove_room(*, room: Room, actor: Any) -> None:
    """Remove a room the program has no session in. Chairs only."""
    edition = room.edition
    require_chair(actor, edition)
    with transaction.atomic():
        locked_edition(edition)
        if room.slots.exists():
            raise CallRefused(
                _("The program has sessions in this room: move them first."), "in_use"
            )
        audit_part(actor, "room_removed", room, edition, name=room.name)
        room.delete()


def _clean_weight(value: Any) -> Decimal:
    try:
        weight = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ValidationError({"weight": _("Give a weight such as 1 or 1.5.")}) from None
    if not weight.is_finite() or not Decimal(0) <= weight <= Decimal("99.99"):
        raise ValidationError({"weight": _("A weight is from 0 to 99.99.")})
    return weight.quantize(Decimal("0.01"))


def add_criterion(
    *,
    edition: Edition,
    actor: Any,
    name: str,
    description: str = "",
    weight: Any = 1,
    position: int = 0,
) -> ReviewCriterion:
    """Add a scored criterion (1–5) to the review form, with its weight. Chairs only."""
    require_chair(actor, edition)
    name = _text(name, "name", 80, required=True, label=_("Give the criterion a name."))
    description = _text(description, "description", 300, required=False)
    with transaction.atomic():
        locked_edition(edition)
        _unique_name(ReviewCriterion, edition, name)
        criterion = ReviewCriterion.objects.create(
            edition=edition,
            name=name,
            description=description,
            weight=_clean_weight(weight),
            position=_position(position),
        )
        audit_part(actor, "criterion_added", criterion, edition, name=name)
    return criterion


def update_criterion(*, criterion: ReviewCriterion, actor: Any, **changes: Any) -> ReviewCriterion:
    """Change a criterion's `name`, `description`, `weight` or `position`. Chairs only.

    Reviews already submitted keep the weighted score they were submitted with.
    """
    edition = criterion.edition
    require_chair(actor, edition)
    with transaction.atomic():
        locked_edition(edition)
        if "name" in changes:
            criterion.name = _text(
                changes["name"], "name", 80, required=True, label=_("Give the criterion a name.")
            )
            _unique_name(ReviewCriterion, edition, criterion.name, exclude=criterion)
        if "description" in changes:
            criterion.description = _text(
                changes["description"], "description", 300, required=False
            )
        if "weight" in changes:
            criterion.weight = _clean_weight(changes["weight"])
        if "position" in changes:
            criterion.position = _position(changes["position"])
        criterion.save()
        audit_part(actor, "criterion_updated", criterion, edition, fields=sorted(changes))
    return criterion


def remove_criterion(*, criterion: ReviewCriterion, actor: Any) -> None:
    """Remove a criterion no review has scored yet. Chairs only."""
    edition = criterion.edition
    require_chair(actor, edition)
    with transaction.atomic():
        locked_edition(edition)
        if criterion.scores.exists():
            raise CallRefused(
                _("Reviews have scored this criterion already; it can't be removed now."),
                "in_use",
            )
        audit_part(actor, "criterion_removed", criterion, edition, name=criterion.name)
        criterion.delete()
