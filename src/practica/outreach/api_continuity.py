"""Continuity alerts over HTTP: a community's alerts, one alert, and the two hand-overs (one
thing, or everything on the alert in one step).

For the community's managers and leaders (and staff): listing a community's alerts is a 403
for anyone else; an alert of a community the caller does not manage is a 404, as is an item
of another alert. A successor who cannot take over is a 422 on `successor_id`; handing over
an item already handed, or an alert already resolved, is a 409. Writes go through
`outreach.services.continuity`, as on the web pages.
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.pagination import paginate

from practica.api.errors import error_responses
from practica.api.fields import Id, Slug
from practica.api.pagination import Page
from practica.outreach.managed import CONTINUITY_REFUSAL, managed_community
from practica.outreach.models import ContinuityAlert, ContinuityItem
from practica.outreach.permissions import can_manage_outreach
from practica.outreach.queries.continuity import (
    alert_with_items,
    community_alerts,
    describe_items,
)
from practica.outreach.schemas_continuity import (
    ContinuityAlertOut,
    ContinuityFilters,
    ContinuityItemOut,
    HandOverIn,
    HandOverRefusalOut,
)
from practica.outreach.services import continuity as services
from practica.outreach.services.continuity import HandOverRefused
from practica.people.models import User

router = Router(tags=["outreach"])

ERRORS = error_responses(401, 403, 404, 422)
REFUSALS = {**ERRORS, 409: HandOverRefusalOut}


class AlertPage(Page):
    """A page of alerts whose items' links are looked up for the whole page at once."""

    def paginate_queryset(
        self, queryset: QuerySet, pagination: Any, request: HttpRequest, **params: Any
    ) -> Any:
        page = super().paginate_queryset(queryset, pagination, request, **params)
        alerts = list(page["items"])
        describe_items([item for alert in alerts for item in alert.items.all()])
        return {**page, "items": alerts}


def _managed_alert(request: HttpRequest, alert_id: int) -> ContinuityAlert:
    """The alert with its items, if the caller manages its community; otherwise not found."""
    alert = alert_with_items(alert_id)
    if alert is None or not can_manage_outreach(request.auth, alert.community):
        raise Http404
    return alert


def _described(alert: ContinuityAlert | None) -> ContinuityAlert | None:
    if alert is not None:
        describe_items(list(alert.items.all()))
    return alert


def _successor(payload: HandOverIn) -> User:
    person = User.objects.filter(pk=payload.successor_id).first()
    if person is None:
        raise ValidationError({"successor_id": _("There is no such member.")})
    return person


def _as_successor_id(error: ValidationError) -> ValidationError:
    """The service names the field `successor`; the API's input is `successor_id`."""
    if hasattr(error, "error_dict") and "successor" in error.error_dict:
        return ValidationError({"successor_id": error.error_dict["successor"]})
    return error


def _refused(refusal: HandOverRefused) -> Status:
    return Status(409, {"detail": refusal.messages[0], "code": refusal.code or "refused"})


@router.get(
    "/outreach/communities/{slug}/continuity-alerts",
    response={200: list[ContinuityAlertOut], **ERRORS},
)
@paginate(AlertPage)
def list_continuity_alerts(
    request: HttpRequest, slug: Slug, filters: Query[ContinuityFilters]
) -> QuerySet[ContinuityAlert]:
    """The community's continuity alerts with their items: open ones first (oldest first),
    then resolved ones (latest first). The community's managers only."""
    community = managed_community(request.auth, slug, refusal=CONTINUITY_REFUSAL)
    state = "" if filters.state == "all" else filters.state
    return community_alerts(community, state=state)


@router.get("/outreach/continuity-alerts/{alert_id}", response={200: ContinuityAlertOut, **ERRORS})
def get_continuity_alert(request: HttpRequest, alert_id: Id) -> ContinuityAlert:
    """One alert with its items. The managers of its community only (404 for others)."""
    return _described(_managed_alert(request, alert_id))


@router.post(
    "/outreach/continuity-alerts/{alert_id}/items/{item_id}/hand-over",
    response={200: ContinuityItemOut, **REFUSALS},
)
def hand_over_continuity_item(
    request: HttpRequest, alert_id: Id, item_id: Id, payload: HandOverIn
) -> ContinuityItem | Status:
    """Make `successor_id` the new owner of one thing on the alert; the alert is resolved when
    it was the last thing waiting. 409 `handed` if the thing already has a new owner."""
    alert = _managed_alert(request, alert_id)
    item = get_object_or_404(ContinuityItem, pk=item_id, alert=alert)
    item.alert = alert
    successor = _successor(payload)
    try:
        return services.hand_over_item(item=item, successor=successor, actor=request.auth)
    except HandOverRefused as refusal:
        return _refused(refusal)
    except ValidationError as error:
        raise _as_successor_id(error) from None


@router.post(
    "/outreach/continuity-alerts/{alert_id}/hand-over",
    response={200: ContinuityAlertOut, **REFUSALS},
)
def hand_over_continuity_alert(
    request: HttpRequest, alert_id: Id, payload: HandOverIn
) -> ContinuityAlert | Status:
    """The one-step hand-over: every thing on the alert not handed over yet goes to
    `successor_id`, and the alert is resolved; all or nothing. 409 `resolved` if the alert is
    already resolved."""
    alert = _managed_alert(request, alert_id)
    successor = _successor(payload)
    try:
        services.hand_over_alert(alert=alert, successor=successor, actor=request.auth)
    except HandOverRefused as refusal:
        return _refused(refusal)
    except ValidationError as error:
        raise _as_successor_id(error) from None
    return _described(alert_with_items(alert.pk))
