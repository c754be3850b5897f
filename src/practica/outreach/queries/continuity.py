"""Reads about continuity alerts: a community's alerts with their items, the figures for a
badge, and who is told when one is raised."""

from collections.abc import Iterable
from typing import Any

from django.db.models import Count, F, Prefetch, Q, QuerySet

from practica.communities.continuity import ownership_provider, thing_urls
from practica.communities.models import Community
from practica.communities.permissions import MANAGING_ROLES, MODERATING_ROLES
from practica.outreach.models import ContinuityAlert, ContinuityItem
from practica.people.models import User


def _with_items(alerts: QuerySet[ContinuityAlert]) -> QuerySet[ContinuityAlert]:
    items = ContinuityItem.objects.select_related("handed_to", "handed_by").order_by(
        "kind", "label", "pk"
    )
    return alerts.select_related("community", "leaver").prefetch_related(
        Prefetch("items", queryset=items)
    )


def community_alerts(community: Community, *, state: str = "") -> QuerySet[ContinuityAlert]:
    """The community's alerts with their items: open ones first (oldest first, they have
    waited longest), then resolved ones, latest first. `state` "open" or "resolved" keeps
    only those."""
    alerts = ContinuityAlert.objects.filter(community=community)
    if state == "open":
        alerts = alerts.filter(resolved_at__isnull=True)
    elif state == "resolved":
        alerts = alerts.filter(resolved_at__isnull=False)
    alerts = alerts.annotate(
        waiting=Count("items", filter=Q(items__handed_at__isnull=True)),
        total=Count("items"),
    )
    return _with_items(alerts).order_by(F("resolved_at").desc(nulls_first=True), "created_at", "pk")


def open_alerts(community: Community) -> QuerySet[ContinuityAlert]:
    """The community's alerts still waiting for a hand-over, oldest first."""
    return community_alerts(community, state="open")


def resolved_alerts(community: Community) -> QuerySet[ContinuityAlert]:
    """The community's resolved alerts, latest first: the hand-over history."""
    return community_alerts(community, state="resolved").order_by("-resolved_at", "-pk")


def alert_with_items(pk: int) -> ContinuityAlert | None:
    """One alert with its community, leaver and items; None if there is no such alert."""
    return _with_items(ContinuityAlert.objects.filter(pk=pk)).first()


def continuity_counts(community: Community) -> dict[str, int]:
    """For a badge: how many alerts are open and how many things on them wait for an owner."""
    figures = ContinuityAlert.objects.filter(
        community=community, resolved_at__isnull=True
    ).aggregate(
        alerts=Count("pk", distinct=True),
        items=Count("items", filter=Q(items__handed_at__isnull=True)),
    )
    return {"open_alerts": figures["alerts"] or 0, "items_waiting": figures["items"] or 0}


def item_kind_name(kind: str) -> Any:
    """The provider's name for a kind of thing ("Group"), or the kind itself if unknown."""
    try:
        return ownership_provider(kind).verbose_name
    except LookupError:
        return kind


def item_url(item: ContinuityItem) -> str:
    """The page of the thing an item names (site-relative), or "" if its kind is unknown."""
    try:
        return ownership_provider(item.kind).url_for(item.object_id)
    except LookupError:
        return ""


def item_urls(items: Iterable[ContinuityItem]) -> dict[int, str]:
    """Each item's `item_url` by its id, kind by kind in a fixed number of queries."""
    by_kind: dict[str, list[ContinuityItem]] = {}
    for item in items:
        by_kind.setdefault(item.kind, []).append(item)
    urls: dict[int, str] = {}
    for kind, of_kind in by_kind.items():
        try:
            found = thing_urls(kind, [item.object_id for item in of_kind])
        except LookupError:
            found = {}
        urls.update({item.pk: found.get(item.object_id, "") for item in of_kind})
    return urls


def describe_items(items: list[ContinuityItem]) -> list[ContinuityItem]:
    """The items with `kind_name` and `url` set, for pages and the API (one call for all the
    items on a page keeps the links to a few queries)."""
    urls = item_urls(items)
    for item in items:
        item.kind_name = item_kind_name(item.kind)  # type: ignore[attr-defined]
        item.url = urls[item.pk]  # type: ignore[attr-defined]
    return items


def managers_to_tell(community: Community, *, leaver: User) -> QuerySet[User]:
    """Who is mailed about a continuity alert: the community's current managers and leaders
    with an active account, never the leaver themself."""
    return (
        User.objects.filter(
            memberships__community=community,
            memberships__left_at__isnull=True,
            memberships__role__in=MANAGING_ROLES,
            is_active=True,
        )
        .exclude(pk=leaver.pk)
        .distinct()
        .order_by("pk")
    )


SUGGESTIONS = 50


def successor_suggestions(community: Community) -> list[User]:
    """Likely new owners to offer in the picker: the community's current organizers, leaders
    and managers who can take things over (active, real, still at the company)."""
    return list(
        User.objects.filter(
            memberships__community=community,
            memberships__left_at__isnull=True,
            memberships__role__in=MODERATING_ROLES,
            is_active=True,
            is_system=False,
            is_placeholder=False,
            left_on__isnull=True,
        )
        .distinct()
        .order_by("display_name", "pk")[:SUGGESTIONS]
    )
