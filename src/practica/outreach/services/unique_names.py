"""Rows named uniquely within their community (segments, campaigns): created or changed so
that a name already taken — seen first, or lost to a concurrent write that the unique
constraint settles — is one ValidationError on `name` (the `taken` one), never an
IntegrityError. Case is ignored when looking; the caller holds the transaction."""

from collections.abc import Callable
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Model

from practica.communities.models import Community

M = TypeVar("M", bound=Model)
Taken = Callable[[str], ValidationError]


def name_taken(
    model: type[Model], community_id: int, name: str, *, exclude_pk: int | None = None
) -> bool:
    others = model._default_manager.filter(community_id=community_id, name__iexact=name)
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    return others.exists()


def create_named(model: type[M], *, community: Community, taken: Taken, **fields: Any) -> M:
    """A new row of `community` with `fields` (its `name` among them)."""
    if name_taken(model, community.pk, fields["name"]):
        raise taken(fields["name"])
    try:
        with transaction.atomic():
            return model._default_manager.create(community=community, **fields)
    except IntegrityError as error:
        raise taken(fields["name"]) from error


def save_changes(locked: Model, changes: dict[str, Any], *, taken: Taken) -> list[str]:
    """Save what `changes` changes on the (locked) row; the fields changed, [] for none."""
    if "name" in changes and name_taken(
        type(locked),
        locked.community_id,  # type: ignore[attr-defined]
        changes["name"],
        exclude_pk=locked.pk,
    ):
        raise taken(changes["name"])
    changed = [key for key, value in changes.items() if getattr(locked, key) != value]
    if not changed:
        return []
    for key in changed:
        setattr(locked, key, changes[key])
    try:
        with transaction.atomic():
            locked.save(update_fields=[*changed, "updated_at"])
    except IntegrityError as error:
        raise taken(locked.name) from error  # type: ignore[attr-defined]
    return changed
