"""Segments over HTTP: a community's segments, creating, changing and deleting one, and who
a segment matches (the count and the paginated people), on any reference day.

Managers of the community only (staff too): 403 otherwise, 404 for an unknown community or
segment. Bad rules are a 422 with one message per rule under `rules`; a segment a campaign
uses cannot be deleted (422). Writes go through `outreach.services.segments`.
"""

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Status
from ninja.pagination import paginate

from practica.api.errors import error_responses
from practica.api.fields import Id, Slug
from practica.api.pagination import Page
from practica.outreach.managed import managed_community, managed_segment
from practica.outreach.models import Segment
from practica.outreach.queries.segments import (
    segment_count,
    segment_preview,
    segments_of,
    validate_segment_rules,
)
from practica.outreach.schemas_segments import (
    DeletedOut,
    ReferenceDateFilter,
    RulesIn,
    SegmentCountOut,
    SegmentIn,
    SegmentOut,
    SegmentPersonOut,
    SegmentUpdateIn,
)
from practica.outreach.services import segments as services
from practica.people.models import User

router = Router(tags=["outreach"])

ERRORS = error_responses(401, 403, 404, 422)


@router.get("/outreach/communities/{slug}/segments", response={200: list[SegmentOut], **ERRORS})
@paginate(Page)
def list_segments(request: HttpRequest, slug: Slug) -> QuerySet[Segment]:
    """The community's segments, by name."""
    return segments_of(managed_community(request.auth, slug).pk)


@router.post("/outreach/communities/{slug}/segments", response={201: SegmentOut, **ERRORS})
def create_segment(request: HttpRequest, slug: Slug, payload: SegmentIn) -> Any:
    """A new segment; its rules are checked and stored in their normal form."""
    community = managed_community(request.auth, slug)
    segment = services.create_segment(
        community=community,
        actor=request.auth,
        name=payload.name,
        description=payload.description,
        rules=payload.rules,
    )
    return Status(201, segment)


@router.post(
    "/outreach/communities/{slug}/segments/count", response={200: SegmentCountOut, **ERRORS}
)
def count_rules(request: HttpRequest, slug: Slug, payload: RulesIn) -> dict[str, Any]:
    """How many people rules would match, before saving them (the editor's live count)."""
    community = managed_community(request.auth, slug)
    rules = validate_segment_rules(payload.rules)
    reference = payload.reference_date or timezone.localdate()
    draft = Segment(community=community, rules=rules)
    return {"count": segment_count(draft, reference_date=reference), "reference_date": reference}


@router.get("/outreach/segments/{segment_id}", response={200: SegmentOut, **ERRORS})
def get_segment(request: HttpRequest, segment_id: Id) -> Segment:
    return managed_segment(request.auth, segment_id)


@router.patch("/outreach/segments/{segment_id}", response={200: SegmentOut, **ERRORS})
def update_segment(request: HttpRequest, segment_id: Id, payload: SegmentUpdateIn) -> Segment:
    """Change the fields sent."""
    segment = managed_segment(request.auth, segment_id)
    return services.update_segment(
        segment=segment, actor=request.auth, **payload.model_dump(exclude_unset=True)
    )


@router.delete("/outreach/segments/{segment_id}", response={200: DeletedOut, **ERRORS})
def delete_segment(request: HttpRequest, segment_id: Id) -> Any:
    """Delete a segment no campaign uses (422 otherwise)."""
    segment = managed_segment(request.auth, segment_id)
    services.delete_segment(segment=segment, actor=request.auth)
    return {"deleted": True}


@router.get("/outreach/segments/{segment_id}/count", response={200: SegmentCountOut, **ERRORS})
def count_segment(
    request: HttpRequest, segment_id: Id, filters: Query[ReferenceDateFilter]
) -> dict[str, Any]:
    """How many people the segment matches on the day (today by default)."""
    segment = managed_segment(request.auth, segment_id)
    reference = filters.reference_date or timezone.localdate()
    return {"count": segment_count(segment, reference_date=reference), "reference_date": reference}


@router.get(
    "/outreach/segments/{segment_id}/people", response={200: list[SegmentPersonOut], **ERRORS}
)
@paginate(Page)
def list_segment_people(
    request: HttpRequest, segment_id: Id, filters: Query[ReferenceDateFilter]
) -> QuerySet[User]:
    """The people the segment matches on the day, by name: name, title, role, org unit,
    hired on."""
    segment = managed_segment(request.auth, segment_id)
    return segment_preview(segment, reference_date=filters.reference_date).only(
        "id",
        "display_name",
        "job_title",
        "role",
        "hired_on",
        "org_unit__id",
        "org_unit__slug",
        "org_unit__name",
    )
