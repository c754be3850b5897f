"""Program screens: the directory of programs and a program's page with its communities.

Views validate input and call services and queries, nothing more. The calendar, the dashboard
and the management page are in their own modules (`calendar_views`, `dashboard_views`,
`manage_views`); the helpers they share are here.
"""

from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from practica.communities.models import MembershipRole, Program
from practica.communities.program.calendar_queries import PALETTE_SIZE, upcoming_by_community
from practica.communities.program.permissions import (
    can_manage_program,
    can_view_program,
    can_view_program_dashboard,
)
from practica.communities.program.queries import (
    community_managers,
    office_members,
    program_communities,
    programs_for_directory,
    roles_in,
)


def program_or_404(slug: str) -> Program:
    return get_object_or_404(Program, slug=slug)


def forbidden(request: HttpRequest, program: Program, reason: str) -> HttpResponse:
    context = {"program": program, "reason": reason}
    return render(request, "communities/program/forbidden.html", context, status=403)


def program_context(request: HttpRequest, program: Program, section: str) -> dict[str, Any]:
    """What every program page's header and tabs need."""
    return {
        "program": program,
        "section": section,
        "can_manage": can_manage_program(request.user, program),
        "can_view_dashboard": can_view_program_dashboard(request.user, program),
    }


@login_required
@require_GET
def program_list(request: HttpRequest) -> HttpResponse:
    """Every program, with how many communities and people it brings together."""
    page_obj = Paginator(programs_for_directory(), settings.PRACTICA_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "communities/program/list.html", {"page_obj": page_obj})


@login_required
@require_GET
def program_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """A program's communities: what each is about, its size, managers, topics, next entries
    on the calendar, and the way in."""
    program = program_or_404(slug)
    if not can_view_program(request.user, program):
        return forbidden(request, program, _("Sign in to see the program."))
    communities = list(program_communities(program))
    ids = [community.pk for community in communities]
    managers = community_managers(ids)
    roles = roles_in(request.user, ids)
    upcoming = upcoming_by_community(program, now=timezone.now())
    for index, community in enumerate(communities):
        # The same order and colours as the calendar's (`community_labels`).
        community.colour = index % PALETTE_SIZE
        community.managers = managers.get(community.pk, [])
        community.my_role = roles.get(community.pk)
        community.my_role_label = (
            MembershipRole(community.my_role).label if community.my_role else ""
        )
        community.upcoming = upcoming.get(community.pk, [])
    context = {
        **program_context(request, program, "communities"),
        "communities": communities,
        "office": list(office_members(program)),
        # Distinct people: someone in two sister communities counts once.
        "people_total": programs_for_directory()
        .filter(pk=program.pk)
        .values_list("member_count", flat=True)
        .first()
        or 0,
    }
    return render(request, "communities/program/detail.html", context)
