"""The strategy over HTTP: the current strategy (public parts for members, in full for the
leadership), versions and their comparison, targets with live values, the metrics a target can
name, and the draft (start, edit, approve, discard). Maturity assessments are in
`maturity_api`, added to this router. Added to /api/v1/ by practica.api.api.

Every check is a predicate of `strategy.permissions` (403), every write a service of
`strategy.services`, exactly as on the web pages; an unknown community or version is a 404.
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.pagination import paginate

from practica.api.errors import error_responses
from practica.api.fields import Slug
from practica.api.pagination import Page
from practica.communities.models import (
    Community,
    StrategyTarget,
    StrategyVersion,
)
from practica.communities.strategy import services
from practica.communities.strategy.comparison import compare_versions
from practica.communities.strategy.maturity_api import router as maturity_router
from practica.communities.strategy.permissions import (
    can_view_full_strategy,
    require_full_strategy_viewer,
    require_strategy_editor,
    require_strategy_viewer,
)
from practica.communities.strategy.queries import (
    current_strategy,
    leadership_team,
    strategy_draft,
    strategy_version,
    strategy_versions,
)
from practica.communities.strategy.reach import audience_reach
from practica.communities.strategy.schemas import (
    ApproveIn,
    AsOfFilter,
    CompareFilters,
    ComparisonOut,
    DiscardedOut,
    DraftIn,
    MetricOut,
    StrategyOut,
    TargetEvaluationOut,
    VersionSummaryOut,
)
from practica.communities.strategy.sections import AudienceRow, LeaderRow, TargetRow
from practica.communities.strategy.targets import evaluate_targets
from practica.communities.target_metrics import target_metric, target_metrics
from practica.people.models import OrgUnit, User

router = Router(tags=["strategy"])
router.add_router("", maturity_router)

ERRORS = error_responses(401, 403, 404, 422)


def _community(slug: str) -> Community:
    return get_object_or_404(Community, slug=slug)


def target_out(target: StrategyTarget) -> dict[str, Any]:
    metric = target_metric(target.metric_key)
    return {
        "id": target.pk,
        "metric_key": target.metric_key,
        "metric_label": str(metric.label) if metric else None,
        "unit": metric.unit if metric else "score",
        "label": target.label,
        "comparison": target.comparison,
        "target_value": target.target_value,
        "amber_margin_percent": target.amber_margin_percent,
    }


def strategy_out(version: StrategyVersion, *, full: bool, live: bool) -> dict[str, Any]:
    """`version` as `StrategyOut`: the public parts, plus the rest when `full`; the audience's
    reach when `live` (the current strategy only)."""
    audience = [
        {
            "id": line.row.pk,
            "label": line.row.label,
            "org_unit": line.row.org_unit,
            "role": line.row.role,
            "job_title_contains": line.row.job_title_contains,
            "criteria": line.criteria,
            "reach": (
                None
                if line.reach is None
                else {
                    "people": line.reach.people,
                    "members": line.reach.members,
                    "share": line.reach.share,
                }
            ),
        }
        for line in audience_reach(version, live=live)
    ]
    leaders = [
        {"person": member.leader.person, "remit": member.leader.remit, "role": member.role}
        for member in leadership_team(version)
    ]
    return {
        "id": version.pk,
        "number": version.number,
        "status": version.status,
        "summary": version.summary,
        "goals": version.goals,
        "scenarios": version.scenarios,
        "principles": version.principles,
        "audience": audience,
        "leaders": leaders,
        "targets": [target_out(target) for target in version.targets.all()] if full else None,
        "change_note": version.change_note if full else None,
        "created_at": version.created_at if full else None,
        "approved_at": version.approved_at if full else None,
        "approved_by": version.approved_by if full else None,
        "approval_note": version.approval_note if full else None,
    }


def _current(community: Community) -> StrategyVersion:
    version = current_strategy(community)
    if version is None:
        raise Http404
    return version


def _draft(community: Community) -> StrategyVersion:
    draft = strategy_draft(community)
    if draft is None:
        raise Http404
    return draft


@router.get("/communities/{slug}/strategy", response={200: StrategyOut, **ERRORS})
def get_current_strategy(request: HttpRequest, slug: Slug) -> dict[str, Any]:
    """The strategy in force (the version approved last), with the live reach of its audience.
    Members see the public parts; the leadership also targets, approval and change note. 404
    before the first approval."""
    community = _community(slug)
    require_strategy_viewer(request.auth, community)
    full = can_view_full_strategy(request.auth, community)
    return strategy_out(_current(community), full=full, live=True)


@router.get(
    "/communities/{slug}/strategy/versions", response={200: list[VersionSummaryOut], **ERRORS}
)
@paginate(Page)
def list_strategy_versions(request: HttpRequest, slug: Slug) -> Any:
    """Every version, the newest first, drafts included. The leadership only."""
    community = _community(slug)
    require_full_strategy_viewer(request.auth, community)
    return strategy_versions(community)


@router.get("/communities/{slug}/strategy/versions/{number}", response={200: StrategyOut, **ERRORS})
def get_strategy_version(request: HttpRequest, slug: Slug, number: int) -> dict[str, Any]:
    """One version as written (no live reach). The leadership only."""
    community = _community(slug)
    require_full_strategy_viewer(request.auth, community)
    version = strategy_version(community, number) if 0 < number < 2**31 else None
    if version is None:
        raise Http404
    return strategy_out(version, full=True, live=False)


@router.get("/communities/{slug}/strategy/compare", response={200: ComparisonOut, **ERRORS})
def compare_strategy_versions(
    request: HttpRequest, slug: Slug, filters: Query[CompareFilters]
) -> dict[str, Any]:
    """What changed from version `older` to version `newer`: statements added and removed,
    audience rows, targets and leaders added, removed or changed field by field. The same
    number twice is a 422; the leadership only."""
    community = _community(slug)
    require_full_strategy_viewer(request.auth, community)
    if filters.older == filters.newer:
        raise ValidationError({"newer": _("Choose two different versions.")})
    older_number, newer_number = sorted((filters.older, filters.newer))
    older = strategy_version(community, older_number)
    newer = strategy_version(community, newer_number)
    if older is None or newer is None:
        raise Http404
    comparison = compare_versions(older, newer)
    return {
        "older": older.number,
        "newer": newer.number,
        "has_changes": comparison.has_changes,
        "summary": {
            "changed": comparison.summary_changed,
            "before": older.summary,
            "after": newer.summary,
        },
        "sections": [
            {
                "section": section.section,
                "added": section.added,
                "removed": section.removed,
                "changed": [
                    {
                        "item": item.item,
                        "changes": [
                            {"field": change.field, "before": change.before, "after": change.after}
                            for change in item.changes
                        ],
                    }
                    for item in section.changed
                ],
                "unchanged": section.unchanged,
            }
            for section in comparison.sections
        ],
    }


@router.get(
    "/communities/{slug}/strategy/targets", response={200: list[TargetEvaluationOut], **ERRORS}
)
@paginate(Page)
def list_strategy_targets(
    request: HttpRequest, slug: Slug, filters: Query[AsOfFilter]
) -> list[dict[str, Any]]:
    """The current strategy's targets with the live value of each metric, green / amber / red /
    no_data, and the values at the last six month-ends. The leadership only; 404 before the
    first approval."""
    community = _community(slug)
    require_full_strategy_viewer(request.auth, community)
    return [
        {
            "target": target_out(evaluation.target),
            "value": evaluation.value,
            "shown_value": evaluation.shown_value,
            "status": evaluation.status.value,
            "trend": [{"at": point.at, "value": point.value} for point in evaluation.trend],
            "as_of": evaluation.as_of,
        }
        for evaluation in evaluate_targets(_current(community), as_of=filters.as_of)
    ]


@router.get("/strategy/metrics", response={200: list[MetricOut], **error_responses(401, 422)})
@paginate(Page)
def list_strategy_metrics(request: HttpRequest) -> list[dict[str, Any]]:
    """The metrics a target can be bound to (their `key` goes into a target's `metric_key`)."""
    return [
        {
            "key": metric.key,
            "label": str(metric.label),
            "description": str(metric.description),
            "unit": metric.unit,
            "better": metric.better,
        }
        for metric in target_metrics()
    ]


# --- The draft -------------------------------------------------------------------------------


@router.get("/communities/{slug}/strategy/draft", response={200: StrategyOut, **ERRORS})
def get_strategy_draft(request: HttpRequest, slug: Slug) -> dict[str, Any]:
    """The draft being written (404 when there is none). The leadership only."""
    community = _community(slug)
    require_full_strategy_viewer(request.auth, community)
    return strategy_out(_draft(community), full=True, live=False)


@router.post("/communities/{slug}/strategy/draft", response={201: StrategyOut, **ERRORS})
def start_strategy_draft(request: HttpRequest, slug: Slug) -> Any:
    """Start the next version: the first is empty, a later one a copy of the current strategy.
    A draft exists already: 422. The community manager only."""
    community = _community(slug)
    require_strategy_editor(request.auth, community)
    services.start_strategy_draft(community=community, actor=request.auth)
    return Status(201, strategy_out(_draft(community), full=True, live=False))


def _audience_rows(rows: list[Any]) -> list[AudienceRow]:
    slugs = {row.org_unit for row in rows if row.org_unit}
    units = {unit.slug: unit for unit in OrgUnit.objects.filter(slug__in=slugs)}
    unknown = [
        _("Row %(n)d: there is no org unit “%(slug)s”.") % {"n": index + 1, "slug": row.org_unit}
        for index, row in enumerate(rows)
        if row.org_unit and row.org_unit not in units
    ]
    if unknown:
        raise ValidationError({"audience": unknown})
    return [
        AudienceRow(
            label=row.label,
            org_unit=units.get(row.org_unit) if row.org_unit else None,
            role=row.role,
            job_title_contains=row.job_title_contains,
        )
        for row in rows
    ]


def _leader_rows(rows: list[Any]) -> list[LeaderRow]:
    people = User.objects.in_bulk({row.person_id for row in rows})
    unknown = [
        _("Row %(n)d: there is no person %(id)d.") % {"n": index + 1, "id": row.person_id}
        for index, row in enumerate(rows)
        if row.person_id not in people
    ]
    if unknown:
        raise ValidationError({"leaders": unknown})
    return [LeaderRow(person=people[row.person_id], remit=row.remit) for row in rows]


@router.patch("/communities/{slug}/strategy/draft", response={200: StrategyOut, **ERRORS})
def edit_strategy_draft(request: HttpRequest, slug: Slug, payload: DraftIn) -> dict[str, Any]:
    """Change the sections sent; each list sent replaces the old one whole. Problems are a 422
    keyed by section (`goals`, `targets`…), one message per row, and nothing changes. Targets
    must name a metric of `/strategy/metrics`; leaders must be current members. The community
    manager only."""
    community = _community(slug)
    require_strategy_editor(request.auth, community)
    draft = _draft(community)
    sent = payload.model_dump(exclude_unset=True)
    services.edit_strategy_draft(
        draft=draft,
        actor=request.auth,
        summary=sent.get("summary"),
        change_note=sent.get("change_note"),
        goals=sent.get("goals"),
        scenarios=sent.get("scenarios"),
        principles=sent.get("principles"),
        audience=_audience_rows(payload.audience) if payload.audience is not None else None,
        targets=(
            [TargetRow(**row.model_dump()) for row in payload.targets]
            if payload.targets is not None
            else None
        ),
        leaders=_leader_rows(payload.leaders) if payload.leaders is not None else None,
    )
    return strategy_out(_draft(community), full=True, live=False)


@router.delete("/communities/{slug}/strategy/draft", response={200: DiscardedOut, **ERRORS})
def discard_strategy_draft(request: HttpRequest, slug: Slug) -> dict[str, bool]:
    """Delete the draft (404 when there is none). The community manager only."""
    community = _community(slug)
    require_strategy_editor(request.auth, community)
    services.discard_strategy_draft(draft=_draft(community), actor=request.auth)
    return {"discarded": True}


@router.post("/communities/{slug}/strategy/draft/approve", response={200: StrategyOut, **ERRORS})
def approve_strategy_draft(
    request: HttpRequest, slug: Slug, payload: ApproveIn | None = None
) -> dict[str, Any]:
    """Approve the draft: it becomes the current strategy (who, when and the note are
    recorded) and the version approved before is superseded. An empty draft is a 422. The
    community manager only."""
    community = _community(slug)
    require_strategy_editor(request.auth, community)
    services.approve_strategy_draft(
        draft=_draft(community),
        actor=request.auth,
        approval_note=payload.approval_note if payload else "",
    )
    return strategy_out(_current(community), full=True, live=True)
