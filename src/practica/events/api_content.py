"""Materials, the library of past content and costs over HTTP.

Part of the events router (`events.api` includes it); writes go through
`events.services.materials` and `events.services.costs`, as on the event pages.
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.pagination import paginate

from practica.api.fields import Id
from practica.api.pagination import Page
from practica.communities.models import Community
from practica.core.models import Topic
from practica.events.api_access import ERRORS, managed_event, visible_event
from practica.events.models import Event, EventCost, EventMaterial
from practica.events.queries.attendance import cost_lines, cost_totals, library
from practica.events.schemas_attendance import (
    CostIn,
    CostOut,
    CostsOut,
    CostUpdateIn,
    LibraryEventOut,
    LibraryFilters,
    MaterialIn,
    MaterialOut,
)
from practica.events.services.costs import add_cost, remove_cost, update_cost
from practica.events.services.materials import add_material, remove_material

router = Router(tags=["materials"])


# --- Materials -----------------------------------------------------------------------------


def _material(event: Event, material_id: int) -> EventMaterial:
    material = get_object_or_404(EventMaterial, pk=material_id, event_id=event.pk)
    material.event = event
    return material


@router.get("/events/{event_id}/materials", response={200: list[MaterialOut], **ERRORS})
def list_materials(request: HttpRequest, event_id: Id) -> QuerySet[EventMaterial]:
    """The event's recordings, slides, notebooks, code and other links."""
    event = visible_event(request, event_id)
    return EventMaterial.objects.filter(event_id=event.pk).order_by("kind", "pk")


@router.post(
    "/events/{event_id}/materials", response={200: MaterialOut, 201: MaterialOut, **ERRORS}
)
def attach_material(request: HttpRequest, event_id: Id, payload: MaterialIn) -> Status:
    """Attach a link: 201 when new, 200 when the event already had this link (its title is
    updated if one is given). Organizers and hosts only; not to a cancelled event (422)."""
    event = managed_event(request, event_id)
    existed = EventMaterial.objects.filter(event_id=event.pk, url=payload.url.strip()).exists()
    material = add_material(
        event=event, actor=request.auth, kind=payload.kind, url=payload.url, title=payload.title
    )
    return Status(200 if existed else 201, material)


@router.delete("/events/{event_id}/materials/{material_id}", response={200: MaterialOut, **ERRORS})
def detach_material(request: HttpRequest, event_id: Id, material_id: Id) -> EventMaterial:
    """Remove a link from the event; the answer is the removed material. Organizers only."""
    event = managed_event(request, event_id)
    material = _material(event, material_id)
    remove_material(material=material, actor=request.auth)
    return material


def _by_slug(model: Any, slug: str | None, field: str, message: str) -> Any:
    if not slug:
        return None
    found = model.objects.filter(slug=slug).first()
    if found is None:
        raise ValidationError({field: message})
    return found


@router.get("/library", response={200: list[LibraryEventOut], **ERRORS}, tags=["library"])
@paginate(Page)
def search_library(request: HttpRequest, filters: Query[LibraryFilters]) -> QuerySet[Event]:
    """Past events that left something to watch or read, latest first, with their materials:
    search words, a topic (sub-topics included), a format, a kind of material, a community.
    Unknown topic or community slugs are a 422."""
    return library(
        text=filters.q,
        topic=_by_slug(Topic, filters.topic, "topic", _("There is no such topic.")),
        format=filters.format or "",
        kind=filters.kind or "",
        community=_by_slug(
            Community, filters.community, "community", _("There is no such community.")
        ),
    )


# --- Costs ---------------------------------------------------------------------------------


def _cost(event: Event, cost_id: int) -> EventCost:
    cost = get_object_or_404(EventCost, pk=cost_id, event_id=event.pk)
    cost.event = event
    return cost


@router.get("/events/{event_id}/costs", response={200: CostsOut, **ERRORS}, tags=["costs"])
def list_costs(request: HttpRequest, event_id: Id) -> dict[str, Any]:
    """The event's cost lines and totals per currency and per category. Organizers only."""
    event = managed_event(request, event_id)
    totals = cost_totals(event)
    return {
        "lines": list(cost_lines(event)),
        "totals": [
            {"currency": currency, "total": total} for currency, total in totals.by_currency
        ],
        # Rows are (category, …, currency, total): read the ends, whatever sits between.
        "by_category": [
            {"category": row[0], "currency": row[-2], "total": row[-1]}
            for row in totals.by_category
        ],
    }


@router.post("/events/{event_id}/costs", response={201: CostOut, **ERRORS}, tags=["costs"])
def add_event_cost(request: HttpRequest, event_id: Id, payload: CostIn) -> Status:
    """Add a cost line (category, amount with at most two decimals, currency, date)."""
    event = managed_event(request, event_id)
    cost = add_cost(
        event=event,
        actor=request.auth,
        category=payload.category,
        amount=payload.amount,
        currency=payload.currency,
        description=payload.description,
        incurred_on=payload.incurred_on,
    )
    return Status(201, cost)


@router.patch(
    "/events/{event_id}/costs/{cost_id}", response={200: CostOut, **ERRORS}, tags=["costs"]
)
def change_event_cost(
    request: HttpRequest, event_id: Id, cost_id: Id, payload: CostUpdateIn
) -> EventCost:
    """Change a cost line: only the fields sent. Organizers only."""
    event = managed_event(request, event_id)
    return update_cost(
        cost=_cost(event, cost_id), actor=request.auth, **payload.model_dump(exclude_unset=True)
    )


@router.delete(
    "/events/{event_id}/costs/{cost_id}", response={200: CostOut, **ERRORS}, tags=["costs"]
)
def remove_event_cost(request: HttpRequest, event_id: Id, cost_id: Id) -> EventCost:
    """Delete a cost line entered by mistake; the answer is the removed line."""
    event = managed_event(request, event_id)
    cost = _cost(event, cost_id)
    remove_cost(cost=cost, actor=request.auth)
    return cost
