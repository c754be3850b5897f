"""Recordings, slides, notebooks and code of an event, attached by link.

The library of past content (`events.queries.attendance.library`) reads these rows. No lock:
adding inserts a row (the same link twice on one event returns the first), removing deletes one.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from practica.core.services import record_audit
from practica.events.models import Event, EventMaterial, EventStatus, MaterialKind
from practica.events.permissions import can_manage_event
from practica.people.models import User

MAX_URL_LENGTH = 500
MAX_TITLE_LENGTH = 200
MAX_MATERIALS_PER_EVENT = 50


def clean_material_url(url: str) -> str:
    url = str(url or "").strip()
    if not url:
        raise ValidationError({"url": _("Give the link to the material.")})
    if len(url) > MAX_URL_LENGTH:
        raise ValidationError(
            {"url": _("The link is too long (at most %(n)s characters).") % {"n": MAX_URL_LENGTH}}
        )
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        raise ValidationError(
            {"url": _("Enter a full web address starting with https:// or http://.")}
        ) from None
    return url


def add_material(
    *, event: Event, actor: User, kind: str, url: str, title: str = ""
) -> EventMaterial:
    """Attach a recording, slides, a notebook, code or another link to an event.

    The event's organizers and hosts may; not to a cancelled event. Idempotent on the link:
    adding one already attached returns the existing row (its title updated if a new one is
    given). At most MAX_MATERIALS_PER_EVENT links per event.
    """
    if not can_manage_event(actor, event):
        raise PermissionDenied(_("Only the event's organizers and hosts can add materials."))
    if event.status == EventStatus.CANCELLED:
        raise ValidationError(_("This event was cancelled: it has no materials."))
    if kind not in MaterialKind.values:
        raise ValidationError({"kind": _("Choose a recording, slides, a notebook, code or other.")})
    url = clean_material_url(url)
    title = " ".join(str(title or "").split())
    if len(title) > MAX_TITLE_LENGTH:
        raise ValidationError(
            {
                "title": _("The title is too long (at most %(n)s characters).")
                % {"n": MAX_TITLE_LENGTH}
            }
        )
    with transaction.atomic():
        existing = EventMaterial.objects.filter(event=event, url=url).first()
        if existing is not None:
            if title and title != existing.title:
                existing.title = title
                existing.save(update_fields=["title"])
            return existing
        if EventMaterial.objects.filter(event=event).count() >= MAX_MATERIALS_PER_EVENT:
            raise ValidationError(
                _("An event can have at most %(n)s materials.") % {"n": MAX_MATERIALS_PER_EVENT}
            )
        material = EventMaterial.objects.create(
            event=event, kind=kind, url=url, title=title, added_by=actor, added_at=timezone.now()
        )
        record_audit(
            actor_id=actor.pk,
            action="events.material_added",
            target=event,
            community_id=event.community_id,
            data={"material": material.pk, "kind": kind, "url": url},
        )
    return material


def remove_material(*, material: EventMaterial, actor: User) -> None:
    """Detach a material from its event (the organizers and hosts of the event may)."""
    event = material.event
    if not can_manage_event(actor, event):
        raise PermissionDenied(_("Only the event's organizers and hosts can remove materials."))
    with transaction.atomic():
        deleted, _rows = EventMaterial.objects.filter(pk=material.pk).delete()
        if deleted:
            record_audit(
                actor_id=actor.pk,
                action="events.material_removed",
                target=event,
                community_id=event.community_id,
                data={"kind": material.kind, "url": material.url},
            )
