"""The contributor ladder's screens: the ladder, the rung editor, a member's history, the
promotion suggestions and asking a member to contribute.

Views validate input and call services and queries, nothing more. A service's refusal
becomes a message on the page (or errors on the form), never an error page.
"""

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from practica.communities.ladder import queries, services
from practica.communities.ladder.contributions import describe_requirements
from practica.communities.ladder.forms import AskForm, LadderFilterForm, RungForm, SetRungForm
from practica.communities.ladder.permissions import (
    can_ask_to_contribute,
    can_edit_ladder,
    can_set_rung,
    can_view_history,
    can_view_ladder,
    can_view_suggestions,
)
from practica.communities.ladder.suggestions import RECENT_DAYS, promotion_suggestions
from practica.communities.models import Community, LadderRung, Membership
from practica.communities.permissions import is_member
from practica.communities.view_guards import (
    attach_refusal,
    back,
    community_or_404,
    forbidden,
    refusal_text,
    safe_next,
)
from practica.people.models import User

RECENT_CONTRIBUTIONS = 15


def _page(request: HttpRequest, items: Any) -> Any:
    return Paginator(items, settings.PRACTICA_PAGE_SIZE).get_page(request.GET.get("page"))


def _with_phrases(rungs: list[LadderRung]) -> list[LadderRung]:
    for rung in rungs:
        rung.requirement_phrases = describe_requirements(rung.requirements or {})  # type: ignore[attr-defined]
    return rungs


def _ladder_url(community: Community) -> str:
    return reverse("communities:ladder", args=[community.slug])


def _editor_url(community: Community) -> str:
    return reverse("communities:ladder_rungs", args=[community.slug])


def _not_for_you(request: HttpRequest, community: Community) -> HttpResponse:
    return forbidden(
        request,
        community,
        _("%(name)s is a closed community: its ladder is for its members.")
        % {"name": community.name},
    )


def _manager_only(request: HttpRequest, community: Community) -> HttpResponse:
    return forbidden(request, community, _("Only the community manager can change the ladder."))


# --- The ladder ----------------------------------------------------------------------------


@login_required
@require_GET
def ladder(request: HttpRequest, slug: str) -> HttpResponse:
    """The rungs (top first) with how many stand on each, the viewer's own place, and every
    member's current rung."""
    community = community_or_404(slug)
    user = request.user
    if not can_view_ladder(user, community):
        return _not_for_you(request, community)
    rungs = _with_phrases(queries.rungs_with_counts(community))
    form = LadderFilterForm(request.GET or None, rungs=rungs)
    text, rung_filter = "", ""
    if form.is_valid():
        text, rung_filter = form.cleaned_data["q"], form.cleaned_data["rung"]
    members = queries.members_on_ladder(
        community,
        rung_id=int(rung_filter) if rung_filter.isdigit() else None,
        unplaced=rung_filter == LadderFilterForm.UNPLACED,
        text=text,
    )
    unplaced = queries.unplaced_count(community)
    widest = max([rung.member_count for rung in rungs] + [unplaced, 1])  # type: ignore[attr-defined]
    for rung in rungs:
        rung.share = round(100 * rung.member_count / widest)  # type: ignore[attr-defined]
    context = {
        "community": community,
        "rungs": list(reversed(rungs)),
        "unplaced": unplaced,
        "unplaced_share": round(100 * unplaced / widest),
        "form": form,
        "filtered": bool(text or rung_filter),
        "page_obj": _page(request, members),
        "my_step": queries.current_step(community, user.pk) if is_member(user, community) else None,
        "is_member": is_member(user, community),
        "can_edit": can_edit_ladder(user, community),
        "leadership": can_view_suggestions(user, community),
    }
    return render(request, "communities/ladder/ladder.html", context)


# --- The rung editor -----------------------------------------------------------------------


def _editor(
    request: HttpRequest, community: Community, form: RungForm | None = None, status: int = 200
) -> HttpResponse:
    rungs = _with_phrases(queries.rungs_with_counts(community))
    used = set(
        LadderRung.objects.filter(community=community, steps__isnull=False).values_list(
            "pk", flat=True
        )
    )
    for rung in rungs:
        rung.has_history = rung.pk in used  # type: ignore[attr-defined]
    context = {
        "community": community,
        "rungs": rungs,
        "form": form or RungForm(),
        "max_rungs": services.MAX_RUNGS,
    }
    return render(request, "communities/ladder/rungs.html", context, status=status)


@login_required
@require_GET
def ladder_rungs(request: HttpRequest, slug: str) -> HttpResponse:
    community = community_or_404(slug)
    if not can_edit_ladder(request.user, community):
        return _manager_only(request, community)
    return _editor(request, community)


@login_required
@require_POST
def ladder_rung_add(request: HttpRequest, slug: str) -> HttpResponse:
    community = community_or_404(slug)
    if not can_edit_ladder(request.user, community):
        return _manager_only(request, community)
    form = RungForm(request.POST)
    if form.is_valid():
        try:
            rung = services.create_rung(
                community=community,
                name=form.cleaned_data["name"],
                description=form.cleaned_data["description"],
                requirements=form.requirements(),
                actor=request.user,
            )
        except ValidationError as error:
            attach_refusal(form, error)
        else:
            messages.success(request, _("“%(name)s” is on the ladder.") % {"name": rung.name})
            return redirect(_editor_url(community))
    return _editor(request, community, form, status=422)


@login_required
@require_http_methods(["GET", "POST"])
def ladder_rung_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    community = community_or_404(slug)
    if not can_edit_ladder(request.user, community):
        return _manager_only(request, community)
    rung = get_object_or_404(LadderRung, pk=pk, community=community)
    form = RungForm(request.POST or None, rung=rung)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_rung(
                rung=rung,
                name=form.cleaned_data["name"],
                description=form.cleaned_data["description"],
                requirements=form.requirements(),
                actor=request.user,
            )
        except ValidationError as error:
            attach_refusal(form, error)
        else:
            messages.success(request, _("The rung was saved."))
            return redirect(_editor_url(community))
    context = {"community": community, "rung": rung, "form": form}
    status = 422 if request.method == "POST" else 200
    return render(request, "communities/ladder/rung_form.html", context, status=status)


@login_required
@require_POST
def ladder_rung_move(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    community = community_or_404(slug)
    if not can_edit_ladder(request.user, community):
        return _manager_only(request, community)
    rung = get_object_or_404(LadderRung, pk=pk, community=community)
    offset = 1 if request.POST.get("direction") == "up" else -1
    try:
        services.move_rung(rung=rung, offset=offset, actor=request.user)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, refusal_text(error))
    return redirect(_editor_url(community))


@login_required
@require_POST
def ladder_rung_delete(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    community = community_or_404(slug)
    if not can_edit_ladder(request.user, community):
        return _manager_only(request, community)
    rung = get_object_or_404(LadderRung, pk=pk, community=community)
    try:
        services.delete_rung(rung=rung, actor=request.user)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, refusal_text(error))
    else:
        messages.success(request, _("“%(name)s” was removed.") % {"name": rung.name})
    return redirect(_editor_url(community))


@login_required
@require_POST
def ladder_default(request: HttpRequest, slug: str) -> HttpResponse:
    community = community_or_404(slug)
    if not can_edit_ladder(request.user, community):
        return _manager_only(request, community)
    try:
        services.create_default_ladder(community=community, actor=request.user)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, refusal_text(error))
    else:
        messages.success(
            request,
            _("The default ladder is in place; members are placed on it by tonight's run."),
        )
    return back(request, _editor_url(community))


# --- A member's place and history ----------------------------------------------------------


def _member_or_404(community: Community, person_id: int) -> User:
    """A person with a membership of the community, current or past."""
    membership = (
        Membership.objects.filter(community=community, person_id=person_id)
        .select_related("person", "person__org_unit")
        .order_by("-joined_at")
        .first()
    )
    if membership is None:
        raise Http404
    return membership.person


@login_required
@require_GET
def ladder_person(request: HttpRequest, slug: str, person_id: int) -> HttpResponse:
    """A member's current rung, their steps, their contributions; the manager sets a rung
    here and the leadership asks them to contribute."""
    community = community_or_404(slug)
    person = _member_or_404(community, person_id)
    user = request.user
    if not can_view_history(user, community, person):
        return forbidden(
            request,
            community,
            _("Members see their own place on the ladder; others' are for the leadership."),
        )
    now = timezone.now()
    rows = list(queries.recent_contributions(community, person.pk)[:RECENT_CONTRIBUTIONS])
    leadership = can_view_suggestions(user, community)
    context = {
        "community": community,
        "person": person,
        "is_me": person.pk == user.pk,
        "current": queries.current_step(community, person.pk),
        "history": list(queries.ladder_history(community, person.pk)),
        "summary": queries.contribution_summary(
            community, person.pk, recent_since=now - timedelta(days=RECENT_DAYS)
        ),
        "recent_days": RECENT_DAYS,
        "rows": rows,
        "asks": list(queries.asks_in(community, person_id=person.pk)[:10]) if leadership else [],
        "is_current_member": is_member(person, community),
        "can_set_rung": can_set_rung(user, community),
        "can_ask": can_ask_to_contribute(user, community) and person.pk != user.pk,
        "set_form": SetRungForm(community=community),
    }
    return render(request, "communities/ladder/person.html", context)


@login_required
@require_POST
def ladder_set_rung(request: HttpRequest, slug: str, person_id: int) -> HttpResponse:
    community = community_or_404(slug)
    person = _member_or_404(community, person_id)
    page = reverse("communities:ladder_person", args=[community.slug, person.pk])
    if not can_set_rung(request.user, community):
        return forbidden(request, community, _("Only the community manager can set a rung."))
    form = SetRungForm(request.POST, community=community)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(page)
    try:
        step = services.set_member_rung(
            community=community,
            person=person,
            rung=form.cleaned_data["rung"],
            note=form.cleaned_data["note"],
            actor=request.user,
        )
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, refusal_text(error))
    else:
        messages.success(
            request,
            _("%(person)s is now on “%(rung)s”.")
            % {"person": person.display_name, "rung": step.rung.name},
        )
    return redirect(page)


# --- Suggestions and asks ------------------------------------------------------------------


@login_required
@require_GET
def ladder_suggestions(request: HttpRequest, slug: str) -> HttpResponse:
    community = community_or_404(slug)
    if not can_view_suggestions(request.user, community):
        return forbidden(
            request, community, _("Promotion suggestions are for the community's leadership.")
        )
    context = {
        "community": community,
        "page_obj": _page(request, promotion_suggestions(community)),
        "recent_days": RECENT_DAYS,
        "can_ask": can_ask_to_contribute(request.user, community),
        "can_edit": can_edit_ladder(request.user, community),
        "recent_asks": list(queries.asks_in(community)[:8]),
    }
    return render(request, "communities/ladder/suggestions.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def ladder_ask(request: HttpRequest, slug: str, person_id: int) -> HttpResponse:
    """GET: the ask form (a call and a note); POST: ask and mail the member."""
    community = community_or_404(slug)
    person = _member_or_404(community, person_id)
    if not can_ask_to_contribute(request.user, community):
        return forbidden(
            request, community, _("Only the community's leadership asks members to contribute.")
        )
    initial = {}
    if request.GET.get("opportunity", "").isdigit():
        initial["opportunity"] = int(request.GET["opportunity"])
    form = AskForm(request.POST or None, community=community, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.ask_to_contribute(
                community=community,
                person=person,
                actor=request.user,
                opportunity=form.cleaned_data["opportunity"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            attach_refusal(form, error)
        else:
            messages.success(
                request,
                _("%(person)s was asked; they will get your mail shortly.")
                % {"person": person.display_name},
            )
            return back(request, reverse("communities:ladder_suggestions", args=[community.slug]))
    context = {
        "community": community,
        "person": person,
        "form": form,
        "current": queries.current_step(community, person.pk),
        "next": safe_next(request),
    }
    status = 422 if request.method == "POST" else 200
    return render(request, "communities/ladder/ask.html", context, status=status)
