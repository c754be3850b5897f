"""The opportunities board's screens: the open and closed calls, one call with its
volunteers, opening and editing a call, and the POST actions behind the buttons.

Views validate input and call services and queries, nothing more. A service's refusal
becomes a message on the page (or errors on the form), never an error page.
"""

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from practica.communities.ladder import opportunity_queries as board_queries
from practica.communities.ladder import opportunity_services as board_services
from practica.communities.ladder.forms import DecisionForm, OpportunityForm, VolunteerForm
from practica.communities.ladder.permissions import (
    can_ask_to_contribute,
    can_edit_ladder,
    can_run_opportunities,
    can_view_board,
    can_volunteer,
)
from practica.communities.models import Community, Opportunity, Volunteer, VolunteerStatus
from practica.communities.view_guards import (
    attach_refusal,
    community_or_404,
    forbidden,
    refusal_text,
)

BOARD_STATES = ("open", "closed")


def _board_url(community: Community) -> str:
    return reverse("communities:opportunities", args=[community.slug])


def _call_url(opportunity: Opportunity) -> str:
    return reverse(
        "communities:opportunities_detail", args=[opportunity.community.slug, opportunity.pk]
    )


def _not_for_you(request: HttpRequest, community: Community) -> HttpResponse:
    return forbidden(
        request,
        community,
        _("%(name)s is a closed community: its board is for its members.")
        % {"name": community.name},
    )


def _runners_only(request: HttpRequest, community: Community) -> HttpResponse:
    return forbidden(
        request,
        community,
        _("Only the community's managers, leaders and organizers run the board."),
    )


def _call(community: Community, pk: int) -> Opportunity:
    return get_object_or_404(
        board_queries.with_volunteer_counts(
            Opportunity.objects.filter(community=community).select_related(
                "community", "created_by"
            )
        ),
        pk=pk,
    )


@login_required
@require_GET
def opportunities(request: HttpRequest, slug: str) -> HttpResponse:
    """The board: open calls (or the closed ones), each with its places and the viewer's
    own offer."""
    community = community_or_404(slug)
    user = request.user
    if not can_view_board(user, community):
        return _not_for_you(request, community)
    state = request.GET.get("state", "open")
    if state not in BOARD_STATES:
        state = "open"
    calls = board_queries.board(community, state=state)  # type: ignore[arg-type]
    page_obj = Paginator(calls, settings.PRACTICA_PAGE_SIZE).get_page(request.GET.get("page"))
    page_obj.object_list = list(page_obj.object_list)
    mine: dict[int, Volunteer] = {}
    for offer in Volunteer.objects.filter(
        person=user, opportunity__in=[call.pk for call in page_obj.object_list]
    ).order_by("offered_at", "pk"):
        mine[offer.opportunity_id] = offer  # the latest offer per call wins
    for call in page_obj.object_list:
        call.my_offer = mine.get(call.pk)
        call.state = board_queries.opportunity_state(call)
    context = {
        "community": community,
        "state": state,
        "page_obj": page_obj,
        "open_count": board_queries.board(community, state="open").count(),
        "closed_count": board_queries.board(community, state="closed").count(),
        "my_offers": list(board_queries.offers_of(community, user.pk)[:5]),
        "can_run": can_run_opportunities(user, community),
        "leadership": can_ask_to_contribute(user, community),
        "can_edit": can_edit_ladder(user, community),
    }
    return render(request, "communities/ladder/board.html", context)


def _detail_context(
    request: HttpRequest, community: Community, call: Opportunity, **extra: Any
) -> dict[str, Any]:
    user = request.user
    runs = can_run_opportunities(user, community)
    state = board_queries.opportunity_state(call)
    my_offer = board_queries.latest_offer_of(call, user.pk)
    full = call.seats is not None and call.accepted_count >= call.seats  # type: ignore[attr-defined]
    return {
        "community": community,
        "call": call,
        "state": state,
        "full": full,
        "my_offer": my_offer,
        "can_volunteer": (
            can_volunteer(user, community)
            and state == "open"
            and not full
            and (my_offer is None or my_offer.status not in board_services.LIVE_STATUSES)
        ),
        "is_member": can_volunteer(user, community),
        "can_run": runs,
        "can_ask": can_ask_to_contribute(user, community) and state == "open",
        "volunteers": list(board_queries.volunteers_of(call)) if runs else [],
        "volunteer_form": extra.pop("volunteer_form", None) or VolunteerForm(),
        "offered": VolunteerStatus.OFFERED,
        **extra,
    }


@login_required
@require_GET
def opportunities_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    community = community_or_404(slug)
    if not can_view_board(request.user, community):
        return _not_for_you(request, community)
    call = _call(community, pk)
    return render(
        request, "communities/ladder/opportunity.html", _detail_context(request, community, call)
    )


@login_required
@require_http_methods(["GET", "POST"])
def opportunities_new(request: HttpRequest, slug: str) -> HttpResponse:
    community = community_or_404(slug)
    if not can_run_opportunities(request.user, community):
        return _runners_only(request, community)
    form = OpportunityForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            call = board_services.open_opportunity(
                community=community, actor=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            attach_refusal(form, error)
        else:
            messages.success(request, _("The call is on the board."))
            return redirect(_call_url(call))
    context = {"community": community, "form": form, "call": None}
    status = 422 if request.method == "POST" else 200
    return render(request, "communities/ladder/opportunity_form.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def opportunities_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    community = community_or_404(slug)
    if not can_run_opportunities(request.user, community):
        return _runners_only(request, community)
    call = _call(community, pk)
    form = OpportunityForm(request.POST or None, opportunity=call)
    if request.method == "POST" and form.is_valid():
        try:
            board_services.update_opportunity(
                opportunity=call, actor=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            attach_refusal(form, error)
        else:
            messages.success(request, _("The call was saved."))
            return redirect(_call_url(call))
    context = {"community": community, "form": form, "call": call}
    status = 422 if request.method == "POST" else 200
    return render(request, "communities/ladder/opportunity_form.html", context, status=status)


@login_required
@require_POST
def opportunities_close(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    community = community_or_404(slug)
    if not can_run_opportunities(request.user, community):
        return _runners_only(request, community)
    call = _call(community, pk)
    try:
        board_services.close_opportunity(opportunity=call, actor=request.user)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, refusal_text(error))
    else:
        messages.success(request, _("The call is closed: it takes no more volunteers."))
    return redirect(_call_url(call))


@login_required
@require_POST
def opportunities_volunteer(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    community = community_or_404(slug)
    if not can_view_board(request.user, community):
        return _not_for_you(request, community)
    call = _call(community, pk)
    form = VolunteerForm(request.POST)
    if form.is_valid():
        try:
            board_services.volunteer_for_opportunity(
                opportunity=call, person=request.user, message=form.cleaned_data["message"]
            )
        except ValidationError as error:
            if "message" not in getattr(error, "error_dict", {}):
                # Closed, past its day or full: the page says why and offers no form.
                messages.error(request, refusal_text(error))
                return redirect(_call_url(call))
            attach_refusal(form, error)
        except PermissionDenied as error:
            messages.error(request, refusal_text(error))
            return redirect(_call_url(call))
        else:
            messages.success(request, _("Thank you! The organizers will answer you by mail."))
            return redirect(_call_url(call))
    context = _detail_context(request, community, call, volunteer_form=form)
    return render(request, "communities/ladder/opportunity.html", context, status=422)


@login_required
@require_POST
def opportunities_withdraw(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    community = community_or_404(slug)
    call = _call(community, pk)
    offer = board_queries.live_offer_of(call, request.user.pk)
    if offer is None:
        messages.info(request, _("You have no offer to withdraw."))
        return redirect(_call_url(call))
    try:
        board_services.withdraw_volunteering(volunteer=offer, actor=request.user)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, refusal_text(error))
    else:
        messages.success(request, _("Your offer was withdrawn."))
    return redirect(_call_url(call))


def _decide(
    request: HttpRequest, slug: str, pk: int, volunteer_id: int, accept: bool
) -> HttpResponse:
    community = community_or_404(slug)
    if not can_run_opportunities(request.user, community):
        return _runners_only(request, community)
    call = _call(community, pk)
    offer = get_object_or_404(
        Volunteer.objects.select_related("person", "opportunity__community"),
        pk=volunteer_id,
        opportunity=call,
    )
    form = DecisionForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    if not form.is_valid():
        messages.error(request, " ".join(form.errors.get("note", [])))
        return redirect(_call_url(call))
    decide = board_services.accept_volunteer if accept else board_services.decline_volunteer
    try:
        decide(volunteer=offer, actor=request.user, note=note)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, refusal_text(error))
    else:
        done = (
            _("%(person)s is accepted and hears by mail.")
            if accept
            else _("%(person)s's offer was declined; they hear by mail.")
        )
        messages.success(request, done % {"person": offer.person.display_name})
    return redirect(_call_url(call))


@login_required
@require_POST
def opportunities_accept(request: HttpRequest, slug: str, pk: int, volunteer: int) -> HttpResponse:
    return _decide(request, slug, pk, volunteer, accept=True)


@login_required
@require_POST
def opportunities_decline(request: HttpRequest, slug: str, pk: int, volunteer: int) -> HttpResponse:
    return _decide(request, slug, pk, volunteer, accept=False)
