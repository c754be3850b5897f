"""Community screens: list, page, members, manage, and the POST actions behind their buttons.

Views validate input and call services and queries, nothing more. A service's refusal
(ValidationError, PermissionDenied) becomes a message on the page, never an error page.
"""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from practica.communities import queries, services
from practica.communities.forms import (
    AddMemberForm,
    CommunitySearchForm,
    DeclineRequestForm,
    JoinRequestForm,
    MemberSearchForm,
    RoleForm,
)
from practica.communities.models import (
    Community,
    LeftReason,
    Membership,
    MembershipRequest,
    MembershipRole,
)
from practica.communities.permissions import (
    can_manage_community,
    can_moderate_community,
    can_view_members,
    current_role,
    is_in_leadership,
    is_member,
)

COMMUNITIES_PER_PAGE = 24
MEMBERS_PER_PAGE = 25
RECENT_JOINERS = 8


def _community(slug: str) -> Community:
    return get_object_or_404(queries.communities_with_member_counts(), slug=slug)


def _refusal(error: ValidationError | PermissionDenied) -> str:
    """The human sentence inside a service's refusal."""
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error) or _("You are not allowed to do that.")


def _forbidden(request: HttpRequest, community: Community, reason: str) -> HttpResponse:
    context = {"community": community, "reason": reason}
    return render(request, "communities/forbidden.html", context, status=403)


def _back(request: HttpRequest, default: str) -> HttpResponseRedirect:
    """Redirect to the safe `next` the form carried, or to `default`."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect(default)


def _page(request: HttpRequest, items: Any, per_page: int) -> Any:
    return Paginator(items, per_page).get_page(request.GET.get("page"))


def _member_search(
    request: HttpRequest, community: Community
) -> tuple[MemberSearchForm, bool, Any]:
    """The members and manage pages' search: its form, whether it filters, the page it finds."""
    form = MemberSearchForm(request.GET or None)
    text, role = "", ""
    if form.is_valid():
        text, role = form.cleaned_data["q"], form.cleaned_data["role"]
    members = queries.current_members(community, text=text, role=role)
    return form, bool(text or role), _page(request, members, MEMBERS_PER_PAGE)


# --- Pages -------------------------------------------------------------------------------


@login_required
@require_GET
def community_list(request: HttpRequest) -> HttpResponse:
    form = CommunitySearchForm(request.GET or None)
    my_roles = queries.current_roles_of(request.user)
    data = form.cleaned_data if form.is_valid() else {}
    communities = queries.search_communities(
        text=data.get("q", ""),
        program=data.get("program"),
        access=data.get("access", ""),
        among=list(my_roles) if data.get("mine") else None,
    )
    filtered = any(data.values())
    page_obj = _page(request, communities, COMMUNITIES_PER_PAGE)
    page_obj.object_list = list(page_obj.object_list)
    for community in page_obj.object_list:
        community.my_role = my_roles.get(community.pk)
        community.my_role_label = (
            MembershipRole(community.my_role).label if community.my_role else ""
        )
    context = {
        "form": form,
        "page_obj": page_obj,
        "filtered": filtered,
        "total": page_obj.paginator.count,
        "my_count": len(my_roles),
    }
    return render(request, "communities/list.html", context)


@login_required
@require_GET
def community_detail(request: HttpRequest, slug: str) -> HttpResponse:
    community = _community(slug)
    user = request.user
    role = current_role(user, community)
    may_view_members = can_view_members(user, community)
    context = {
        "community": community,
        "my_role": role,
        "my_role_label": MembershipRole(role).label if role else "",
        "my_membership": (
            queries.current_members(community).filter(person=user).first() if role else None
        ),
        "pending_request": (
            queries.pending_request_of(community, user)
            if community.is_closed and not role
            else None
        ),
        "request_form": JoinRequestForm(),
        "topics": community.topics.order_by("path"),
        "sisters": queries.sister_communities(community),
        "leadership": [
            (MembershipRole(key).label, people)
            for key, people in queries.community_leadership(community).items()
        ],
        "can_view_members": may_view_members,
        "can_manage": can_manage_community(user, community),
        "can_moderate": can_moderate_community(user, community),
        "in_leadership": is_in_leadership(user, community),
        "recent_joiners": (
            queries.current_members(community)[:RECENT_JOINERS] if may_view_members else []
        ),
    }
    return render(request, "communities/detail.html", context)


@login_required
@require_GET
def community_members(request: HttpRequest, slug: str) -> HttpResponse:
    community = _community(slug)
    if not can_view_members(request.user, community):
        return _forbidden(
            request,
            community,
            _("%(name)s is a closed community: only its members can see who belongs to it.")
            % {"name": community.name},
        )
    form, filtered, page_obj = _member_search(request, community)
    context = {
        "community": community,
        "form": form,
        "page_obj": page_obj,
        "filtered": filtered,
        "can_manage": can_manage_community(request.user, community),
    }
    return render(request, "communities/members.html", context)


def _manage_context(request: HttpRequest, community: Community) -> dict[str, Any]:
    form, filtered, page_obj = _member_search(request, community)
    return {
        "community": community,
        "filter_form": form,
        "filtered": filtered,
        "page_obj": page_obj,
        "requests": queries.pending_requests(community),
        "counts": queries.membership_counts(community),
        "role_choices": MembershipRole.choices,
        "manage_url": request.get_full_path(),
    }


@login_required
@require_GET
def community_manage(request: HttpRequest, slug: str) -> HttpResponse:
    community = _community(slug)
    if not can_manage_community(request.user, community):
        return _forbidden(
            request, community, _("Only the community's managers and leaders can manage it.")
        )
    context = _manage_context(request, community)
    context["add_form"] = AddMemberForm()
    return render(request, "communities/manage.html", context)


# --- A member's own actions --------------------------------------------------------------


@login_required
@require_POST
def join(request: HttpRequest, slug: str) -> HttpResponse:
    community = _community(slug)
    detail = reverse("communities:detail", args=[community.slug])
    if is_member(request.user, community):
        messages.info(request, _("You are already a member of %(name)s.") % {"name": community})
        return _back(request, detail)
    try:
        services.join_community(community=community, person=request.user)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, _refusal(error))
    else:
        messages.success(request, _("Welcome to %(name)s!") % {"name": community.name})
    return _back(request, detail)


@login_required
@require_http_methods(["GET", "POST"])
def leave(request: HttpRequest, slug: str) -> HttpResponse:
    """GET asks for confirmation; POST leaves."""
    community = _community(slug)
    detail = reverse("communities:detail", args=[community.slug])
    if not is_member(request.user, community):
        messages.info(request, _("You are not a member of %(name)s.") % {"name": community.name})
        return redirect(detail)
    if request.method == "GET":
        return render(request, "communities/leave_confirm.html", {"community": community})
    try:
        services.leave_community(community=community, person=request.user)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, _refusal(error))
    else:
        messages.success(request, _("You have left %(name)s.") % {"name": community.name})
    return redirect(detail)


@login_required
@require_POST
def request_to_join(request: HttpRequest, slug: str) -> HttpResponse:
    community = _community(slug)
    detail = reverse("communities:detail", args=[community.slug])
    form = JoinRequestForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(detail)
    try:
        services.request_to_join(
            community=community, person=request.user, message=form.cleaned_data["message"]
        )
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, _refusal(error))
    else:
        messages.success(
            request,
            _("Your request to join %(name)s was sent to its managers.") % {"name": community.name},
        )
    return redirect(detail)


@login_required
@require_POST
def withdraw_request(request: HttpRequest, slug: str) -> HttpResponse:
    community = _community(slug)
    detail = reverse("communities:detail", args=[community.slug])
    pending = queries.pending_request_of(community, request.user)
    if pending is None:
        messages.info(request, _("You have no pending request to withdraw."))
        return redirect(detail)
    try:
        services.withdraw_membership_request(join_request=pending, actor=request.user)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, _refusal(error))
    else:
        messages.success(request, _("Your request was withdrawn."))
    return redirect(detail)


# --- Managers' row actions (htmx swaps the row; without JavaScript, a plain POST) ---------


def _row_response(
    request: HttpRequest,
    community: Community,
    partial: str,
    context: dict[str, Any],
    *,
    note: str = "",
    error: str = "",
) -> HttpResponse:
    """The re-rendered row for htmx, plus the manager's counts swapped out of band."""
    shared = {
        "community": community,
        "role_choices": MembershipRole.choices,
        "manage_url": request.POST.get("next") or "",
        "note": note,
        "error": error,
        "counts": queries.membership_counts(community),
    }
    row = render_to_string(
        f"communities/manage.html#{partial}", {**shared, **context}, request=request
    )
    counts = render_to_string(
        "communities/manage.html#counts", {**shared, "oob": True}, request=request
    )
    return HttpResponse(row + counts)


def _manage_back(request: HttpRequest, community: Community) -> HttpResponseRedirect:
    return _back(request, reverse("communities:manage", args=[community.slug]))


def _manager_only(view: Any) -> Any:
    """Managers' actions answer others with the friendly 403 page."""

    def wrapped(request: HttpRequest, slug: str, **kwargs: Any) -> HttpResponse:
        community = _community(slug)
        if not can_manage_community(request.user, community):
            return _forbidden(
                request, community, _("Only the community's managers and leaders can do that.")
            )
        return view(request, community, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


def _attempt(act: Callable[[], str]) -> tuple[str, str]:
    """Run a manager's action: `act` calls the service and words the outcome.

    Returns (note, error): the note on success, or the service's refusal as the error.
    """
    try:
        return act(), ""
    except (ValidationError, PermissionDenied) as refusal:
        return "", _refusal(refusal)


def _row_outcome(
    request: HttpRequest,
    community: Community,
    partial: str,
    row: Callable[[], dict[str, Any]],
    *,
    note: str,
    error: str,
) -> HttpResponse:
    """Answer a row action: htmx gets the re-rendered row, a plain POST a message and a redirect.

    `row` gives the row's context; it is called for htmx only, so that the row is read again
    after the action without costing the plain POST a query.
    """
    if request.htmx:
        return _row_response(request, community, partial, row(), note=note, error=error)
    (messages.error if error else messages.success)(request, error or note)
    return _manage_back(request, community)


def _join_request(community: Community, pk: int) -> MembershipRequest:
    return get_object_or_404(
        MembershipRequest.objects.select_related("person", "community"),
        pk=pk,
        community=community,
    )


def _decision_outcome(
    request: HttpRequest,
    community: Community,
    join_request: MembershipRequest,
    *,
    note: str,
    error: str,
) -> HttpResponse:
    """Answer a decision on a request to join; htmx gets the request's row as it now stands."""

    def row() -> dict[str, Any]:
        join_request.refresh_from_db()
        return {"join_request": join_request}

    return _row_outcome(request, community, "request-row", row, note=note, error=error)


@login_required
@require_POST
@_manager_only
def approve_request(request: HttpRequest, community: Community, pk: int) -> HttpResponse:
    join_request = _join_request(community, pk)

    def approve() -> str:
        services.approve_membership_request(join_request=join_request, actor=request.user)
        return _("%(person)s is now a member.") % {"person": join_request.person}

    note, error = _attempt(approve)
    return _decision_outcome(request, community, join_request, note=note, error=error)


@login_required
@require_POST
@_manager_only
def decline_request(request: HttpRequest, community: Community, pk: int) -> HttpResponse:
    join_request = _join_request(community, pk)
    form = DeclineRequestForm(request.POST)

    def decline() -> str:
        services.decline_membership_request(
            join_request=join_request, actor=request.user, reason=form.cleaned_data["reason"]
        )
        return _("The request of %(person)s was declined.") % {"person": join_request.person}

    if form.is_valid():
        note, error = _attempt(decline)
    else:
        note, error = "", " ".join(form.errors.get("reason", []))
    return _decision_outcome(request, community, join_request, note=note, error=error)


def _current_membership(community: Community, pk: int) -> Membership:
    return get_object_or_404(
        Membership.objects.current().select_related("person", "person__org_unit", "community"),
        pk=pk,
        community=community,
    )


@login_required
@require_POST
@_manager_only
def change_role(request: HttpRequest, community: Community, pk: int) -> HttpResponse:
    membership = _current_membership(community, pk)
    form = RoleForm(request.POST)

    def change() -> str:
        changed = services.change_member_role(
            membership=membership, role=form.cleaned_data["role"], actor=request.user
        )
        return _("%(person)s is now %(role)s.") % {
            "person": changed.person,
            "role": changed.get_role_display().lower(),
        }

    if form.is_valid():
        note, error = _attempt(change)
    else:
        note, error = "", _("Choose one of the listed roles.")
    return _row_outcome(
        request,
        community,
        "member-row",
        lambda: {"membership": _current_membership(community, pk)},
        note=note,
        error=error,
    )


@login_required
@require_http_methods(["GET", "POST"])
@_manager_only
def remove_member(request: HttpRequest, community: Community, pk: int) -> HttpResponse:
    """GET asks for confirmation (the no-JavaScript path); POST removes."""
    membership = _current_membership(community, pk)
    if request.method == "GET":
        context = {"community": community, "membership": membership}
        return render(request, "communities/remove_confirm.html", context)

    def remove() -> str:
        services.leave_community(
            community=community,
            person=membership.person,
            actor=request.user,
            reason=LeftReason.REMOVED,
        )
        return _("%(person)s was removed from %(name)s.") % {
            "person": membership.person,
            "name": community.name,
        }

    note, error = _attempt(remove)
    return _row_outcome(
        request,
        community,
        "member-row",
        lambda: {"membership": membership, "removed": not error},
        note=note,
        error=error,
    )


@login_required
@require_POST
@_manager_only
def add_member(request: HttpRequest, community: Community) -> HttpResponse:
    form = AddMemberForm(request.POST)
    if form.is_valid():
        person = form.person
        if is_member(person, community):
            form.add_error(
                "email",
                _("%(person)s is already a member of %(name)s.")
                % {"person": person, "name": community.name},
            )
        else:
            try:
                services.add_member(
                    community=community,
                    person=person,
                    actor=request.user,
                    role=form.cleaned_data["role"],
                )
            except (ValidationError, PermissionDenied) as refusal:
                form.add_error(None, _refusal(refusal))
            else:
                messages.success(
                    request,
                    _("%(person)s was added to %(name)s.")
                    % {"person": person, "name": community.name},
                )
                return redirect("communities:manage", slug=community.slug)
    context = _manage_context(request, community)
    context["add_form"] = form
    return render(request, "communities/manage.html", context, status=400)
