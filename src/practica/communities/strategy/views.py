"""Strategy screens to read: the strategy page, its versions, one version, and two compared.

Members see the public parts of the current strategy; the leadership team (manager, leaders,
executive sponsor, staff) also sees targets against live values, the draft, every version and
the maturity summary. The draft editor and approval are in `editor_views`, maturity in
`maturity_views`. Views validate input and call queries and services, nothing more.
"""

from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from practica.communities.models import Community, StrategyStatus, StrategyVersion
from practica.communities.strategy.charts import sparkline_svg
from practica.communities.strategy.comparison import compare_versions
from practica.communities.strategy.forms import CompareForm
from practica.communities.strategy.maturity_queries import maturity_comparison
from practica.communities.strategy.permissions import (
    can_edit_strategy,
    can_view_full_strategy,
    can_view_strategy,
)
from practica.communities.strategy.queries import (
    current_strategy,
    leadership_team,
    strategy_draft,
    strategy_version,
    strategy_versions,
)
from practica.communities.strategy.reach import audience_reach, total_reach
from practica.communities.strategy.targets import (
    evaluate_targets,
    status_counts,
    target_definitions,
)
from practica.communities.view_guards import community_or_404, forbidden

TEMPLATES = "communities/strategy/"


def members_only(request: HttpRequest, community: Community) -> HttpResponse:
    return forbidden(
        request,
        community,
        _("Only members of %(name)s see its strategy: join the community to read it.")
        % {"name": community.name},
    )


def leadership_only(request: HttpRequest, community: Community) -> HttpResponse:
    return forbidden(
        request,
        community,
        _(
            "Only the leadership team of %(name)s (its manager, leaders and executive sponsor) "
            "see this."
        )
        % {"name": community.name},
    )


def manager_only(request: HttpRequest, community: Community) -> HttpResponse:
    return forbidden(
        request,
        community,
        _("Only the community manager of %(name)s changes its strategy.")
        % {"name": community.name},
    )


def version_context(version: StrategyVersion, *, with_reach: bool) -> dict[str, Any]:
    """What `_version_body.html` shows of a version: its team and, for the live strategy, the
    audience's reach."""
    return {
        "version": version,
        "team": leadership_team(version),
        "audience": audience_reach(version, live=with_reach),
        "total_reach": total_reach(version) if with_reach else None,
    }


@login_required
@require_GET
def strategy(request: HttpRequest, slug: str) -> HttpResponse:
    """The current strategy: public parts for members, plus live targets, the draft and the
    maturity summary for the leadership team."""
    community = community_or_404(slug)
    user = request.user
    if not can_view_strategy(user, community):
        return members_only(request, community)
    full = can_view_full_strategy(user, community)
    version = current_strategy(community)
    context: dict[str, Any] = {
        "community": community,
        "full": full,
        "can_edit": can_edit_strategy(user, community),
        "draft": strategy_draft(community) if full else None,
        "current": version,
    }
    if version is not None:
        context.update(version_context(version, with_reach=True))
        if full:
            evaluations = evaluate_targets(version)
            context["targets"] = [
                (evaluation, sparkline_svg(evaluation, chart_id=f"spark-{evaluation.target.pk}"))
                for evaluation in evaluations
            ]
            context["status_counts"] = status_counts(evaluations)
    if full:
        context["maturity"] = maturity_comparison(community)
    return render(request, TEMPLATES + "strategy.html", context)


@login_required
@require_GET
def strategy_versions_page(request: HttpRequest, slug: str) -> HttpResponse:
    """Every version, newest first, with who approved it and what changed."""
    community = community_or_404(slug)
    if not can_view_full_strategy(request.user, community):
        return leadership_only(request, community)
    versions = strategy_versions(community)
    numbers = list(versions.values_list("number", flat=True))
    page_obj = Paginator(versions, settings.PRACTICA_PAGE_SIZE).get_page(request.GET.get("page"))
    compare_form = CompareForm(
        numbers=numbers,
        initial={"newer": numbers[0], "older": numbers[1]} if len(numbers) > 1 else {},
    )
    context = {
        "community": community,
        "page_obj": page_obj,
        "compare_form": compare_form,
        "can_compare": len(numbers) > 1,
        "can_edit": can_edit_strategy(request.user, community),
        "has_draft": versions.filter(status=StrategyStatus.DRAFT).exists(),
    }
    return render(request, TEMPLATES + "versions.html", context)


@login_required
@require_GET
def strategy_version_page(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    """One version as it was written (targets as set, without live values)."""
    community = community_or_404(slug)
    if not can_view_full_strategy(request.user, community):
        return leadership_only(request, community)
    version = strategy_version(community, number)
    if version is None:
        raise Http404
    previous = (
        strategy_versions(community).filter(number__lt=number).values_list("number", flat=True)
    ).first()
    context = {
        "community": community,
        "previous_number": previous,
        "can_edit": can_edit_strategy(request.user, community),
        **version_context(version, with_reach=False),
        # The live page shows targets evaluated instead; only a past version lists them as set.
        "definitions": target_definitions(version),
    }
    return render(request, TEMPLATES + "version.html", context)


@login_required
@require_GET
def strategy_compare(request: HttpRequest, slug: str) -> HttpResponse:
    """Two versions compared (`older`, `newer` by number; by default the latest two)."""
    community = community_or_404(slug)
    if not can_view_full_strategy(request.user, community):
        return leadership_only(request, community)
    numbers = list(strategy_versions(community).values_list("number", flat=True))
    data = request.GET if {"older", "newer"} & set(request.GET) else None
    initial = {"newer": numbers[0], "older": numbers[1]} if len(numbers) > 1 else {}
    form = CompareForm(data or initial, numbers=numbers)
    comparison = None
    if len(numbers) > 1 and form.is_valid():
        older_number, newer_number = sorted(
            (form.cleaned_data["older"], form.cleaned_data["newer"])
        )
        older = strategy_version(community, older_number)
        newer = strategy_version(community, newer_number)
        if older is not None and newer is not None:
            comparison = compare_versions(older, newer)
    context = {"community": community, "form": form, "comparison": comparison}
    status = 422 if data is not None and not form.is_valid() else 200
    return render(request, TEMPLATES + "compare.html", context, status=status)
