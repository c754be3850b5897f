"""A grassroots group's threads: the list of them and starting one (its members only)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from practica.communities.group_permissions import is_group_member
from practica.communities.models import Group
from practica.discussions.forms import AskForm, ThreadFilterForm
from practica.discussions.group_queries import group_of, group_thread_list, open_question_count
from practica.discussions.models import ThreadKind
from practica.discussions.permissions import (
    can_read_community_threads,
    can_start_group_thread,
)
from practica.discussions.services.threads import create_thread
from practica.discussions.views.lists import THREADS_PER_PAGE
from practica.discussions.views.shared import (
    add_refusal,
    closed_reason,
    forbidden,
    page_of,
    response_target_minutes,
    thread_url,
)
from practica.mail.addresses import group_list_address


def _why_not(request: HttpRequest, group: Group) -> str:
    """Why the viewer cannot start a thread in the group."""
    if group.is_archived:
        return _("%(group)s is archived: it takes no new threads.") % {"group": group.name}
    if not is_group_member(request.user, group):
        return _("Only members of %(group)s can start its threads: join the group first.") % {
            "group": group.name
        }
    return closed_reason(group.community)


@login_required
@require_GET
def group_threads(request: HttpRequest, community: str, group: str) -> HttpResponse:
    found = group_of(community, group)
    if not can_read_community_threads(request.user, found.community):
        return forbidden(request, found.community, closed_reason(found.community))
    form = ThreadFilterForm(request.GET or None, community=found.community)
    filters = form.filters()
    threads = group_thread_list(
        user=request.user,
        group=found,
        kind=filters.get("kind", ""),
        state=filters.get("state", ""),
        topic=filters.get("topic"),
        unanswered=bool(filters.get("unanswered")),
        urgent=bool(filters.get("urgent")),
        sort=filters.get("sort") or "activity",
    )
    context = {
        "community": found.community,
        "group": found,
        "form": form,
        "filtered": bool({key for key in filters if key != "sort"}),
        "page_obj": page_of(request, threads, THREADS_PER_PAGE),
        "list_url": request.path,
        "open_questions": open_question_count(found),
        "can_start": can_start_group_thread(request.user, found),
        "list_address": group_list_address(found.community.slug, found.slug),
    }
    template = "discussions/group_threads.html"
    if request.htmx and not request.htmx.boosted:
        template += "#results"
    return render(request, template, context)


@login_required
@require_http_methods(["GET", "POST"])
def group_ask(request: HttpRequest, community: str, group: str) -> HttpResponse:
    found = group_of(community, group)
    if not can_start_group_thread(request.user, found):
        return forbidden(request, found.community, _why_not(request, found))
    target = response_target_minutes(found.community)
    form = AskForm(
        request.POST or None,
        community=found.community,
        target_minutes=target,
        initial={"kind": request.GET.get("kind") or ThreadKind.DISCUSSION},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            thread = create_thread(
                community=found.community,
                author=request.user,
                kind=data["kind"],
                title=data["title"],
                body=data["body"],
                topics=data["topics"],
                is_urgent=data["is_urgent"],
                group=found,
            )
        except (ValidationError, PermissionDenied) as error:
            add_refusal(form, error)
        else:
            messages.success(
                request,
                _("Your thread is started in %(group)s; its members get it by mail.")
                % {"group": found.name},
            )
            return redirect(thread_url(thread))
    context = {
        "community": found.community,
        "group": found,
        "form": form,
        "target_minutes": target,
        "list_address": group_list_address(found.community.slug, found.slug),
    }
    status = 400 if form.errors else 200
    return render(request, "discussions/group_ask.html", context, status=status)
