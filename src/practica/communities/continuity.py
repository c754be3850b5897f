"""What a person owns across the apps, so a leaver's things can be handed to someone else.

Communities stands before the apps that own things (events, conference, discussions) in the
dependency order, and outreach (which raises the continuity alerts) beside them, so neither
can import the others. Instead each app registers an ownership provider in its
`AppConfig.ready()`: one per kind of thing ("group", "event_series", "committee_seat",
"routed_question", ...). A provider finds what a person owns (`owned_by`) and hands one thing
over to a successor (`hand_over`), through its own app's services.

This module imports no other app: it is only the registry.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

if TYPE_CHECKING:
    from practica.people.models import User


@dataclass(frozen=True)
class OwnedThing:
    """One thing a person owns, as a provider reports it."""

    kind: str  # the provider's kind, e.g. "group", "event_series", "committee_seat"
    object_id: int
    label: str  # e.g. "Reading group: Deep RL papers"
    community_id: int
    url: str  # the page of the thing (site-relative)


@runtime_checkable
class OwnershipProvider(Protocol):
    """Finds and hands over one kind of owned thing.

    `hand_over` runs inside the caller's transaction, checks what its app's services check
    (raising `PermissionDenied` or `ValidationError`), and makes `successor` the owner in the
    leaver's place. A thing that no longer exists needs no new owner: it returns quietly.
    `url_for` names the page of a thing by id, so an alert can link to it after hand-over. A
    provider whose `url_for` reads the database may also offer `urls_for(object_ids)`, the
    same for many things in a fixed number of queries (see `thing_urls`).
    """

    kind: str
    verbose_name: Any  # lazy-translated, e.g. "Group"

    def owned_by(self, person: User) -> list[OwnedThing]: ...

    def hand_over(self, *, object_id: int, leaver: User, successor: User, actor: User) -> None: ...

    def url_for(self, object_id: int) -> str: ...


_PROVIDERS: dict[str, OwnershipProvider] = {}


def register_ownership_provider(provider: OwnershipProvider) -> None:
    """Register `provider` under its kind (from an AppConfig.ready()).

    Registering the same kind again with a provider of the same class replaces it (ready() may
    run twice in tests); a different class claiming a registered kind is a programming error.
    """
    kind = provider.kind
    if not kind:
        raise ValueError("An ownership provider needs a kind.")
    existing = _PROVIDERS.get(kind)
    if existing is not None and type(existing) is not type(provider):
        raise ValueError(
            f"Ownership kind {kind!r} is already provided by {type(existing).__qualname__}."
        )
    _PROVIDERS[kind] = provider


def ownership_provider(kind: str) -> OwnershipProvider:
    """The provider of `kind`; `LookupError` if no app registered it."""
    try:
        return _PROVIDERS[kind]
    except KeyError:
        raise LookupError(f"No ownership provider for kind {kind!r}.") from None


def thing_urls(kind: str, object_ids: Iterable[int]) -> dict[int, str]:
    """The pages of things of one kind by id ("" for one that is gone), in one go when the
    provider offers `urls_for`; `LookupError` if no app registered the kind."""
    provider = ownership_provider(kind)
    ids = list(dict.fromkeys(object_ids))
    urls_for = getattr(provider, "urls_for", None)
    if urls_for is not None:
        return urls_for(ids)
    return {object_id: provider.url_for(object_id) for object_id in ids}


def ownership_providers() -> list[OwnershipProvider]:
    """Every registered provider, in the order they were registered."""
    return list(_PROVIDERS.values())


def owned_things(person: User) -> list[OwnedThing]:
    """Everything `person` owns today, provider by provider, in each provider's order."""
    things: list[OwnedThing] = []
    for provider in _PROVIDERS.values():
        things.extend(provider.owned_by(person))
    return things
