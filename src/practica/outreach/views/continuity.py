"""Continuity screens: a community's alerts about leavers (open ones with their hand-over
forms, then the history), one alert's page, and the two hand-overs — one thing, or everything
on the alert to one person in one step.

For the community's managers and leaders (and staff); others get a 403 page. An alert or item
of another community is a 404. Views validate input and call `services.continuity`; a refusal
is shown beside the form that caused it, on the alert's page (status 422); a thing someone
else handed over meanwhile is a message on the alert's page.
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from practica.communities.models import Community
from practica.outreach.forms.continuity import SuccessorForm
from practica.outreach.managed import CONTINUITY_REFUSAL, managed_community
from practica.outreach.models import ContinuityAlert, ContinuityItem
from practica.outreach.queries.continuity import (
    alert_with_items,
    continuity_counts,
    describe_items,
    open_alerts,
    resolved_alerts,
    successor_suggestions,
)
from practica.outreach.services import continuity as services
from practica.outreach.services.continuity import HandOverRefused
from practica.outreach.views.refusals import add_refusal
from practica.outreach.views.refusals import refusal as refusal_text

HISTORY_PER_PAGE = 20
SUGGESTIONS_ID = "continuity-successors"


def _alert_or_404(community: Community, pk: int) -> ContinuityAlert:
    """The community's alert with its items; another community's alert is not found."""
    alert = alert_with_items(pk)
    if alert is None or alert.community_id != community.pk:
        raise Http404
    return alert


def _successor_form(prefix_id: str, data: Any = None) -> SuccessorForm:
    return SuccessorForm(data, auto_id=f"id_{prefix_id}_%s", suggestions=SUGGESTIONS_ID)


def _prepare(
    alert: ContinuityAlert, *, bound: tuple[str, SuccessorForm] | None = None
) -> ContinuityAlert:
    """The alert's items described, and a successor form for it and each waiting item
    (`bound` replaces the one the user just posted, with its errors)."""
    items = list(alert.items.all())
    describe_items([item for item in items if not hasattr(item, "url")])
    alert.item_rows = items
    alert.waiting_count = sum(1 for item in items if item.handed_at is None)
    open_ = alert.resolved_at is None
    alert.form = _successor_form(f"alert{alert.pk}") if open_ else None
    for item in items:
        item.form = _successor_form(f"item{item.pk}") if open_ and item.handed_at is None else None
    if bound is not None:
        target, form = bound
        if target == "alert":
            alert.form = form
        else:
            for item in items:
                if f"item{item.pk}" == target:
                    item.form = form
    return alert


def _common(community: Community) -> dict[str, Any]:
    return {
        "community": community,
        "counts": continuity_counts(community),
        "suggestions": successor_suggestions(community),
        "suggestions_id": SUGGESTIONS_ID,
    }


def _alert_page(
    request: HttpRequest,
    community: Community,
    alert: ContinuityAlert,
    *,
    bound: tuple[str, SuccessorForm] | None = None,
    status: int = 200,
) -> HttpResponse:
    context = {**_common(community), "alert": _prepare(alert, bound=bound)}
    return render(request, "outreach/continuity/alert_detail.html", context, status=status)


def _list_url(community: Community) -> str:
    return reverse("outreach:continuity", args=[community.slug])


def _alert_url(alert: ContinuityAlert) -> str:
    return reverse("outreach:continuity_alert", args=[alert.community.slug, alert.pk])


# --- Pages -------------------------------------------------------------------------------------


@login_required
@require_GET
def continuity_list(request: HttpRequest, slug: str) -> HttpResponse:
    community = managed_community(request.user, slug, refusal=CONTINUITY_REFUSAL)
    alerts = list(open_alerts(community))
    describe_items([item for alert in alerts for item in alert.items.all()])  # in one go
    waiting = [_prepare(alert) for alert in alerts]
    history = Paginator(resolved_alerts(community), HISTORY_PER_PAGE).get_page(
        request.GET.get("page")
    )
    context = {**_common(community), "open_alerts": waiting, "page_obj": history}
    return render(request, "outreach/continuity/alert_list.html", context)


@login_required
@require_GET
def continuity_alert(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    community = managed_community(request.user, slug, refusal=CONTINUITY_REFUSAL)
    return _alert_page(request, community, _alert_or_404(community, pk))


# --- Hand-overs --------------------------------------------------------------------------------


@login_required
@require_POST
def hand_over_item(request: HttpRequest, slug: str, pk: int, item: int) -> HttpResponse:
    community = managed_community(request.user, slug, refusal=CONTINUITY_REFUSAL)
    alert = _alert_or_404(community, pk)
    row = get_object_or_404(ContinuityItem.objects.select_related("alert"), pk=item, alert=alert)
    target = f"item{row.pk}"
    form = _successor_form(target, request.POST)
    if form.is_valid():
        successor = form.cleaned_data["successor"]
        try:
            handed = services.hand_over_item(item=row, successor=successor, actor=request.user)
        except HandOverRefused as refusal:
            messages.error(request, refusal_text(refusal))
            return redirect(_alert_url(alert))
        except (ValidationError, PermissionDenied) as error:
            add_refusal(form, error)
        else:
            messages.success(
                request,
                _("%(name)s now owns “%(label)s”.") % {"name": successor, "label": row.label},
            )
            if handed.alert.resolved_at is not None:
                messages.info(request, _("Everything on this alert has a new owner."))
                return redirect(_list_url(community))
            return redirect(_alert_url(alert))
    return _alert_page(
        request, community, _alert_or_404(community, pk), bound=(target, form), status=422
    )


@login_required
@require_POST
def hand_over_alert(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    community = managed_community(request.user, slug, refusal=CONTINUITY_REFUSAL)
    alert = _alert_or_404(community, pk)
    form = _successor_form(f"alert{alert.pk}", request.POST)
    if form.is_valid():
        successor = form.cleaned_data["successor"]
        try:
            services.hand_over_alert(alert=alert, successor=successor, actor=request.user)
        except HandOverRefused as refusal:
            messages.error(request, refusal_text(refusal))
            return redirect(_alert_url(alert))
        except (ValidationError, PermissionDenied) as error:
            add_refusal(form, error)
        else:
            messages.success(
                request,
                _("%(name)s now owns everything %(leaver)s left behind in %(community)s.")
                % {"name": successor, "leaver": alert.leaver, "community": community.name},
            )
            return redirect(_list_url(community))
    return _alert_page(
        request, community, _alert_or_404(community, pk), bound=("alert", form), status=422
    )


routes: list[URLPattern] = [
    path("communities/<slug:slug>/continuity/", continuity_list, name="continuity"),
    path(
        "communities/<slug:slug>/continuity/<int:pk>/",
        continuity_alert,
        name="continuity_alert",
    ),
    path(
        "communities/<slug:slug>/continuity/<int:pk>/hand-over/",
        hand_over_alert,
        name="continuity_hand_over",
    ),
    path(
        "communities/<slug:slug>/continuity/<int:pk>/items/<int:item>/hand-over/",
        hand_over_item,
        name="continuity_item_hand_over",
    ),
]
