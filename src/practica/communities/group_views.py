"""Grassroots group screens: a community's groups, a group's page and members, and the forms
to found, edit, join, leave, manage members, archive and reopen.

Views validate input and call `group_services` and the group queries, nothing more. A
service's refusal (ValidationError, PermissionDenied) becomes a message on the page, never an
error page. A closed community's groups are for its members (`can_view_group`).
"""

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from practica.communities import group_services as services
from practica.communities.group_forms import (
    AddGroupMemberForm,
    ArchiveGroupForm,
    GroupFilterForm,
    GroupForm,
    GroupRoleForm,
)
from practica.communities.group_health import group_health, groups_health, recent_group_activity
from practica.communities.group_permissions import (
    can_found_group,
    can_join_group,
    can_manage_group,
    can_see_group_health,
    can_view_group,
)
from practica.communities.group_queries import (
    community_groups,
    group_counts,
    group_list_address,
    group_member_count,
    group_members,
    group_owners,
    group_roles_of,
    group_row_of,
    upcoming_group_meetings,
)
from practica.communities.models import Community, Group, GroupMembership, GroupRole
from practica.communities.permissions import can_manage_community, can_view_members, is_member
from practica.communities.view_guards import community_or_404, forbidden, refusal_text

MEMBER_PREVIEW = 12
GROUP_FIELDS = ("name", "kind", "description", "cadence", "meeting_note", "idle_after_days")


def _closed_reason(community: Community) -> str:
    return _("%(name)s is closed: its groups are for its members.") % {"name": community.name}


def _page(request: HttpRequest, items: Any) -> Any:
    return Paginator(items, settings.PRACTICA_PAGE_SIZE).get_page(request.GET.get("page"))


def _optional_url(name: str, **kwargs: str) -> str:
    """A page another app provides for groups, or "" while that app has none."""
    try:
        return reverse(name, kwargs=kwargs)
    except NoReverseMatch:
        return ""


def _group_url(group: Group) -> str:
    return reverse("communities:group", args=[group.community.slug, group.slug])


def _group_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Load the community and group from the URL (404 if unknown) and refuse people who may
    not see the group with the friendly 403 page; the view gets the group."""

    def wrapped(request: HttpRequest, slug: str, group: str, **kwargs: Any) -> HttpResponse:
        community = community_or_404(slug)
        found = get_object_or_404(
            Group.objects.select_related("community", "archived_by"),
            community=community,
            slug=group,
        )
        if not can_view_group(request.user, found):
            return forbidden(request, community, _closed_reason(community))
        return view(request, found, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


def _managing(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Group pages for its owners and the community's managers only."""

    def wrapped(request: HttpRequest, group: Group, **kwargs: Any) -> HttpResponse:
        if not can_manage_group(request.user, group):
            return forbidden(
                request,
                group.community,
                _("Only the group's owners and the community's managers can do that."),
            )
        return view(request, group, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


def _add_form_errors(form: Any, error: ValidationError | PermissionDenied) -> None:
    """Put a service's refusal on the form: per field where the form has that field."""
    if isinstance(error, ValidationError) and hasattr(error, "error_dict"):
        for field, field_errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, field_errors)
    else:
        form.add_error(None, refusal_text(error))


# --- The community's groups -------------------------------------------------------------------


@login_required
@require_GET
def group_list(request: HttpRequest, slug: str) -> HttpResponse:
    community = community_or_404(slug)
    user = request.user
    if not can_view_members(user, community):
        return forbidden(request, community, _closed_reason(community))
    form = GroupFilterForm(request.GET or None)
    kind, archived = "", False
    if form.is_valid():
        kind, archived = form.cleaned_data["kind"], form.cleaned_data["archived"]
    page_obj = _page(request, community_groups(community, kind=kind, archived=archived))
    groups = list(page_obj.object_list)
    health = groups_health(groups)
    my_roles = group_roles_of(user, community)
    manages_community = can_manage_community(user, community)
    for group in groups:
        group.health = health[group.pk]
        group.my_role = my_roles.get(group.pk)
        group.shows_flags = manages_community or group.my_role == GroupRole.OWNER
    page_obj.object_list = groups
    context = {
        "community": community,
        "form": form,
        "kind": kind,
        "archived": archived,
        "page_obj": page_obj,
        "counts": group_counts(community),
        "can_found": can_found_group(user, community),
        "is_member": is_member(user, community),
    }
    return render(request, "communities/groups/list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def group_create(request: HttpRequest, slug: str) -> HttpResponse:
    community = community_or_404(slug)
    if not can_found_group(request.user, community):
        return forbidden(
            request,
            community,
            _("Only the community's organizers, leaders and managers found groups."),
        )
    form = GroupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            group = services.create_group(
                community=community, actor=request.user, **form.cleaned_data
            )
        except (ValidationError, PermissionDenied) as refusal:
            _add_form_errors(form, refusal)
        else:
            messages.success(
                request, _("%(name)s is founded: you are its owner.") % {"name": group.name}
            )
            return redirect(_group_url(group))
    status = 400 if request.method == "POST" else 200
    context = {"community": community, "form": form, "group": None}
    return render(request, "communities/groups/form.html", context, status=status)


# --- A group's page -----------------------------------------------------------------------------


@login_required
@require_GET
@_group_view
def group_detail(request: HttpRequest, group: Group) -> HttpResponse:
    user = request.user
    community = group.community
    may_see_health = can_see_group_health(user, group)
    members = group_members(group)
    context = {
        "community": community,
        "group": group,
        "owners": group_owners(group),
        "member_count": group_member_count(group),
        "member_preview": list(members.filter(role=GroupRole.MEMBER)[:MEMBER_PREVIEW]),
        "my_row": group_row_of(group, user),
        "is_community_member": is_member(user, community),
        "can_join": can_join_group(user, group),
        "can_manage": can_manage_group(user, group),
        "list_address": group_list_address(group),
        "upcoming": upcoming_group_meetings(group),
        "threads_url": _optional_url(
            "discussions:group_threads", community=community.slug, group=group.slug
        ),
        "calendar_url": _optional_url(
            "events:group_calendar", community=community.slug, group=group.slug
        ),
        "health": group_health(group),
        "may_see_health": may_see_health,
        "recent_activity": recent_group_activity(group) if may_see_health else [],
    }
    return render(request, "communities/group_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
@_group_view
@_managing
def group_edit(request: HttpRequest, group: Group) -> HttpResponse:
    if group.is_archived:
        messages.info(request, _("This group is archived: reopen it to change it."))
        return redirect(_group_url(group))
    initial = {field: getattr(group, field) for field in GROUP_FIELDS}
    form = GroupForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.edit_group(group=group, actor=request.user, **form.cleaned_data)
        except (ValidationError, PermissionDenied) as refusal:
            _add_form_errors(form, refusal)
        else:
            messages.success(request, _("The group's details were saved."))
            return redirect(_group_url(group))
    status = 400 if request.method == "POST" else 200
    context = {"community": group.community, "form": form, "group": group}
    return render(request, "communities/groups/form.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
@_group_view
@_managing
def group_archive(request: HttpRequest, group: Group) -> HttpResponse:
    """GET asks why the group ends; POST archives it."""
    if group.is_archived:
        messages.info(request, _("This group is already archived."))
        return redirect(_group_url(group))
    form = ArchiveGroupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.archive_group(group=group, note=form.cleaned_data["note"], actor=request.user)
        except (ValidationError, PermissionDenied) as refusal:
            _add_form_errors(form, refusal)
        else:
            messages.success(
                request,
                _("%(name)s is archived. Everything stays readable.") % {"name": group.name},
            )
            return redirect(_group_url(group))
    status = 400 if request.method == "POST" else 200
    context = {"community": group.community, "group": group, "form": form}
    return render(request, "communities/groups/archive.html", context, status=status)


@login_required
@require_POST
@_group_view
@_managing
def group_reopen(request: HttpRequest, group: Group) -> HttpResponse:
    try:
        services.reopen_group(group=group, actor=request.user)
    except (ValidationError, PermissionDenied) as refusal:
        messages.error(request, refusal_text(refusal))
    else:
        messages.success(request, _("%(name)s is open again.") % {"name": group.name})
    return redirect(_group_url(group))


# --- Joining and leaving -----------------------------------------------------------------------


@login_required
@require_POST
@_group_view
def group_join(request: HttpRequest, group: Group) -> HttpResponse:
    try:
        services.join_group(group=group, actor=request.user)
    except (ValidationError, PermissionDenied) as refusal:
        messages.error(request, refusal_text(refusal))
    else:
        messages.success(request, _("Welcome to %(name)s!") % {"name": group.name})
    return redirect(_group_url(group))


@login_required
@require_http_methods(["GET", "POST"])
@_group_view
def group_leave(request: HttpRequest, group: Group) -> HttpResponse:
    """GET asks for confirmation; POST leaves."""
    row = group_row_of(group, request.user)
    if row is None:
        messages.info(request, _("You are not in %(name)s.") % {"name": group.name})
        return redirect(_group_url(group))
    if request.method == "GET":
        context = {"community": group.community, "group": group, "row": row}
        return render(request, "communities/groups/leave_confirm.html", context)
    try:
        services.leave_group(group=group, actor=request.user)
    except (ValidationError, PermissionDenied) as refusal:
        messages.error(request, refusal_text(refusal))
    else:
        messages.success(request, _("You have left %(name)s.") % {"name": group.name})
    return redirect(_group_url(group))


# --- Members ---------------------------------------------------------------------------------


def _members_page(
    request: HttpRequest, group: Group, add_form: AddGroupMemberForm, status: int = 200
) -> HttpResponse:
    context = {
        "community": group.community,
        "group": group,
        "page_obj": _page(request, group_members(group)),
        "member_count": group_member_count(group),
        "can_manage": can_manage_group(request.user, group),
        "add_form": add_form,
    }
    return render(request, "communities/groups/members.html", context, status=status)


@login_required
@require_GET
@_group_view
def group_members_page(request: HttpRequest, group: Group) -> HttpResponse:
    return _members_page(request, group, AddGroupMemberForm())


def _members_url(group: Group) -> str:
    return reverse("communities:group_members", args=[group.community.slug, group.slug])


@login_required
@require_POST
@_group_view
@_managing
def group_member_add(request: HttpRequest, group: Group) -> HttpResponse:
    form = AddGroupMemberForm(request.POST)
    if form.is_valid():
        person = form.person
        if group_row_of(group, person) is not None:
            form.add_error(
                "email", _("%(person)s is already in %(name)s.") % {"person": person, "name": group}
            )
        else:
            try:
                services.add_group_member(
                    group=group, person=person, actor=request.user, role=form.cleaned_data["role"]
                )
            except (ValidationError, PermissionDenied) as refusal:
                if isinstance(refusal, ValidationError) and hasattr(refusal, "error_dict"):
                    form.add_error("email", refusal.messages)
                else:
                    form.add_error(None, refusal_text(refusal))
            else:
                messages.success(
                    request,
                    _("%(person)s was added to %(name)s.") % {"person": person, "name": group},
                )
                return redirect(_members_url(group))
    return _members_page(request, group, form, status=400)


def _member_row(group: Group, pk: int) -> GroupMembership:
    return get_object_or_404(
        GroupMembership.objects.select_related("person"), pk=pk, group=group, left_at__isnull=True
    )


@login_required
@require_POST
@_group_view
@_managing
def group_member_role(request: HttpRequest, group: Group, pk: int) -> HttpResponse:
    row = _member_row(group, pk)
    form = GroupRoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose owner or member."))
        return redirect(_members_url(group))
    try:
        changed = services.change_group_member_role(
            group=group, person=row.person, role=form.cleaned_data["role"], actor=request.user
        )
    except (ValidationError, PermissionDenied) as refusal:
        messages.error(request, refusal_text(refusal))
    else:
        if changed.role == GroupRole.OWNER:
            note = _("%(person)s is now an owner of the group.")
        else:
            note = _("%(person)s is now a member of the group.")
        messages.success(request, note % {"person": row.person})
    return redirect(_members_url(group))


@login_required
@require_POST
@_group_view
@_managing
def group_member_remove(request: HttpRequest, group: Group, pk: int) -> HttpResponse:
    row = _member_row(group, pk)
    try:
        services.remove_group_member(group=group, person=row.person, actor=request.user)
    except (ValidationError, PermissionDenied) as refusal:
        messages.error(request, refusal_text(refusal))
    else:
        messages.success(
            request,
            _("%(person)s was removed from %(name)s.") % {"person": row.person, "name": group},
        )
    return redirect(_members_url(group))
