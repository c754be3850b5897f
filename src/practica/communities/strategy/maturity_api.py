"""Maturity self-assessments over HTTP: the latest beside the previous, the list, one, and
recording one. The leadership reads (403 otherwise); the community manager records. Added to
the strategy router (`strategy.api`)."""

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Status
from ninja.pagination import paginate

from practica.api.errors import error_responses
from practica.api.fields import Id, Slug
from practica.api.pagination import Page
from practica.communities.models import Community, MaturityAssessment
from practica.communities.strategy.maturity_queries import (
    maturity_assessments,
    maturity_comparison,
)
from practica.communities.strategy.maturity_services import (
    record_maturity_assessment as record_assessment,
)
from practica.communities.strategy.permissions import (
    require_full_strategy_viewer,
    require_strategy_editor,
)
from practica.communities.strategy.schemas import (
    MaturityAssessmentOut,
    MaturityComparisonOut,
    MaturityIn,
)

router = Router(tags=["strategy"])

ERRORS = error_responses(401, 403, 404, 422)


def _community(slug: str) -> Community:
    return get_object_or_404(Community, slug=slug)


@router.get("/communities/{slug}/maturity", response={200: MaturityComparisonOut, **ERRORS})
def get_maturity_comparison(request: HttpRequest, slug: Slug) -> dict[str, Any]:
    """The latest assessment beside the one before it, competency by competency (both null
    before the first). The leadership only."""
    community = _community(slug)
    require_full_strategy_viewer(request.auth, community)
    comparison = maturity_comparison(community)
    return {
        "latest": comparison.latest,
        "previous": comparison.previous,
        "competencies": [
            {
                "competency": row.competency,
                "latest": row.latest,
                "previous": row.previous,
                "change": row.change,
            }
            for row in comparison.rows
        ],
    }


@router.get(
    "/communities/{slug}/maturity/assessments",
    response={200: list[MaturityAssessmentOut], **ERRORS},
)
@paginate(Page)
def list_maturity_assessments(request: HttpRequest, slug: Slug) -> QuerySet[MaturityAssessment]:
    """Every assessment, the latest first, with its stages. The leadership only."""
    community = _community(slug)
    require_full_strategy_viewer(request.auth, community)
    return maturity_assessments(community)


@router.get(
    "/communities/{slug}/maturity/assessments/{assessment_id}",
    response={200: MaturityAssessmentOut, **ERRORS},
)
def get_maturity_assessment(
    request: HttpRequest, slug: Slug, assessment_id: Id
) -> MaturityAssessment:
    """One assessment with its stages and notes. The leadership only."""
    community = _community(slug)
    require_full_strategy_viewer(request.auth, community)
    return get_object_or_404(maturity_assessments(community), pk=assessment_id)


@router.post(
    "/communities/{slug}/maturity/assessments",
    response={201: MaturityAssessmentOut, **ERRORS},
)
def record_maturity_assessment(request: HttpRequest, slug: Slug, payload: MaturityIn) -> Any:
    """Record an assessment: every one of the eight competencies with a stage 1–4, optional
    notes; not dated in the future. Problems are a 422 keyed by field. The community manager
    only."""
    community = _community(slug)
    require_strategy_editor(request.auth, community)
    assessment = record_assessment(
        community=community,
        actor=request.auth,
        assessed_on=payload.assessed_on,
        stages=payload.stages,
        score_notes=payload.score_notes,
        note=payload.note,
    )
    return Status(201, maturity_assessments(community).get(pk=assessment.pk))
