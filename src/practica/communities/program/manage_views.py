"""Managing a program: its description, its office, and which communities belong to it. For the
program office and staff (`can_manage_program`).

Each form posts to its own view; a bad form re-renders the page with its errors (400), a
service's refusal comes back as a message, and success returns to the page.
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from practica.communities.models import Community, Program
from practica.communities.program import services
from practica.communities.program.forms import (
    AddCommunityForm,
    OfficeMemberForm,
    ProgramDescriptionForm,
)
from practica.communities.program.permissions import can_manage_program
from practica.communities.program.queries import office_members, program_communities
from practica.communities.program.views import (
    forbidden,
    program_context,
    program_or_404,
)
from practica.communities.view_guards import refusal_text
from practica.people.models import User

MANAGE_REFUSAL = gettext_lazy("Only the program office and staff manage the program.")


def _manage_url(program: Program) -> str:
    return reverse("programs:manage", args=[program.slug])


def _render_manage(
    request: HttpRequest, program: Program, *, status: int = 200, **forms: Any
) -> HttpResponse:
    context = {
        **program_context(request, program, "manage"),
        "description_form": forms.get("description_form")
        or ProgramDescriptionForm(initial={"description": program.description}),
        "office_form": forms.get("office_form") or OfficeMemberForm(),
        "community_form": forms.get("community_form") or AddCommunityForm(),
        "office": list(office_members(program)),
        "communities": list(program_communities(program)),
    }
    return render(request, "communities/program/manage.html", context, status=status)


def _managed(request: HttpRequest, slug: str) -> tuple[Program, HttpResponse | None]:
    """The program, and a 403 page when the user may not manage it."""
    program = program_or_404(slug)
    if not can_manage_program(request.user, program):
        return program, forbidden(request, program, str(MANAGE_REFUSAL))
    return program, None


@login_required
@require_GET
def program_manage(request: HttpRequest, slug: str) -> HttpResponse:
    program, refused = _managed(request, slug)
    return refused or _render_manage(request, program)


@login_required
@require_POST
def program_edit_description(request: HttpRequest, slug: str) -> HttpResponse:
    program, refused = _managed(request, slug)
    if refused:
        return refused
    form = ProgramDescriptionForm(request.POST)
    if not form.is_valid():
        return _render_manage(request, program, status=400, description_form=form)
    try:
        services.update_program_description(
            program=program, description=form.cleaned_data["description"], actor=request.user
        )
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, refusal_text(error))
    else:
        messages.success(request, _("The description is saved."))
    return redirect(_manage_url(program))


@login_required
@require_POST
def program_add_office_member(request: HttpRequest, slug: str) -> HttpResponse:
    program, refused = _managed(request, slug)
    if refused:
        return refused
    form = OfficeMemberForm(request.POST)
    if not form.is_valid():
        return _render_manage(request, program, status=400, office_form=form)
    try:
        services.add_program_office_member(program=program, person=form.person, actor=request.user)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, refusal_text(error))
    else:
        messages.success(
            request,
            _("%(name)s joined the program office.") % {"name": form.person.display_name},
        )
    return redirect(_manage_url(program))


@login_required
@require_POST
def program_remove_office_member(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    program, refused = _managed(request, slug)
    if refused:
        return refused
    person = get_object_or_404(User, pk=pk)
    try:
        services.remove_program_office_member(program=program, person=person, actor=request.user)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, refusal_text(error))
        return redirect(_manage_url(program))
    messages.success(
        request, _("%(name)s left the program office.") % {"name": person.display_name}
    )
    if not can_manage_program(request.user, program):
        # They gave up their own seat: the management page is no longer theirs.
        return redirect(reverse("programs:detail", args=[program.slug]))
    return redirect(_manage_url(program))


@login_required
@require_POST
def program_add_community(request: HttpRequest, slug: str) -> HttpResponse:
    program, refused = _managed(request, slug)
    if refused:
        return refused
    form = AddCommunityForm(request.POST)
    if not form.is_valid():
        return _render_manage(request, program, status=400, community_form=form)
    community = form.cleaned_data["community"]
    try:
        services.add_community_to_program(program=program, community=community, actor=request.user)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, refusal_text(error))
    else:
        messages.success(
            request,
            _("%(community)s is now part of %(program)s.")
            % {"community": community.name, "program": program.name},
        )
    return redirect(_manage_url(program))


@login_required
@require_POST
def program_remove_community(request: HttpRequest, slug: str, community: str) -> HttpResponse:
    program, refused = _managed(request, slug)
    if refused:
        return refused
    leaving = get_object_or_404(Community, slug=community)
    try:
        services.remove_community_from_program(
            program=program, community=leaving, actor=request.user
        )
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, refusal_text(error))
    else:
        messages.success(
            request,
            _("%(community)s has left %(program)s.")
            % {"community": leaving.name, "program": program.name},
        )
    return redirect(_manage_url(program))
