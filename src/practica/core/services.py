"""Writes of the shared kernel: topics, activity rows and audit entries."""

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from practica.core.models import Activity, AuditLogEntry, Topic
from practica.core.tree import child_path, path_depth


def create_topic(
    *, name: str, parent: Topic | None = None, slug: str = "", description: str = ""
) -> Topic:
    """Add a topic to the taxonomy under `parent`; the slug must be unique company-wide."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("A topic needs a name.")})
    slug = slugify(slug or name)[:120]
    if not slug:
        raise ValidationError({"name": _("The name must contain letters or digits.")})
    with transaction.atomic():
        if Topic.objects.filter(slug=slug).exists():
            raise ValidationError({"slug": _("A topic with this slug already exists.")})
        path = child_path(parent.path if parent else None, slug)
        return Topic.objects.create(
            name=name,
            slug=slug,
            parent=parent,
            description=description,
            path=path,
            depth=path_depth(path),
        )


def record_activity(
    *,
    kind: str,
    person_id: int,
    community_id: int | None = None,
    subject: models.Model | None = None,
    counterpart_id: int | None = None,
    occurred_at: datetime | None = None,
    data: Mapping[str, Any] | None = None,
) -> Activity:
    """Append one row to the activity ledger; call it inside the action's transaction."""
    return Activity.objects.create(
        kind=kind,
        person_id=person_id,
        community_id=community_id,
        subject_type=ContentType.objects.get_for_model(subject) if subject is not None else None,
        subject_id=subject.pk if subject is not None else None,
        counterpart_id=counterpart_id,
        occurred_at=occurred_at or timezone.now(),
        data=dict(data or {}),
    )


def record_audit(
    *,
    actor_id: int | None,
    action: str,
    target: models.Model | None = None,
    community_id: int | None = None,
    data: Mapping[str, Any] | None = None,
) -> AuditLogEntry:
    """Record an action taken with authority, for the audit log."""
    return AuditLogEntry.objects.create(
        actor_id=actor_id,
        action=action,
        target_type=ContentType.objects.get_for_model(target) if target is not None else None,
        target_id=target.pk if target is not None else None,
        community_id=community_id,
        data=dict(data or {}),
    )
