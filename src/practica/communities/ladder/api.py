"""The ladder API, added to /api/v1/ by practica.api.api: the contribution kinds, a community's
rungs, who stands where and a member's history, the contribution ledger, promotion
suggestions and asks. The opportunities board's endpoints (`api_opportunities`) hang from
the same router.

Every check is a predicate of `ladder.permissions`, every write a service, exactly as on the
pages: a refusal is a 403, bad input a 422, another community's rung or person a 404.
"""

from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from practica.api.errors import error_responses
from practica.api.fields import Id, Slug, text
from practica.api.pagination import Page
from practica.communities.ladder import queries, services
from practica.communities.ladder.api_opportunities import router as opportunities_router
from practica.communities.ladder.contributions import (
    CONTRIBUTION_KINDS,
    contribution_ledger,
    contributions_of,
)
from practica.communities.ladder.permissions import (
    can_ask_to_contribute,
    can_edit_ladder,
    can_set_rung,
    can_view_history,
    can_view_ladder,
    can_view_suggestions,
)
from practica.communities.ladder.schemas import (
    AskIn,
    AskOut,
    ContributionCountsOut,
    ContributionKindOut,
    LadderMemberDetailOut,
    LadderMemberOut,
    RungIn,
    RungOrderIn,
    RungOut,
    RungPatchIn,
    SetRungIn,
    StepOut,
    SuggestionOut,
)
from practica.communities.ladder.suggestions import (
    RECENT_DAYS,
    PromotionSuggestion,
    promotion_suggestions,
)
from practica.communities.models import (
    Community,
    ContributionAsk,
    LadderRung,
    LadderStep,
    Membership,
    Opportunity,
)
from practica.people.models import User

router = Router(tags=["ladder"])
router.add_router("", opportunities_router)

ERRORS = error_responses(401, 403, 404, 422)
# The ledger over more than this is a report, not a request.
MAX_LEDGER_DAYS = 3660


def _community(slug: str) -> Community:
    return get_object_or_404(Community, slug=slug)


def _visible(request: HttpRequest, slug: str) -> Community:
    community = _community(slug)
    if not can_view_ladder(request.auth, community):
        raise PermissionDenied(
            _("%(name)s is a closed community: its ladder is for its members.")
            % {"name": community.name}
        )
    return community


def _editable(request: HttpRequest, slug: str) -> Community:
    community = _community(slug)
    if not can_edit_ladder(request.auth, community):
        raise PermissionDenied(_("Only the community manager can change the ladder."))
    return community


def _leadership(request: HttpRequest, slug: str) -> Community:
    community = _community(slug)
    if not can_view_suggestions(request.auth, community):
        raise PermissionDenied(_("This is for the community's leadership."))
    return community


def _rung(community: Community, rung_id: int) -> LadderRung:
    return get_object_or_404(
        LadderRung.objects.select_related("community"), pk=rung_id, community=community
    )


def _with_counts(community: Community, rungs: list[LadderRung]) -> list[LadderRung]:
    counts = {rung.pk: rung.member_count for rung in queries.rungs_with_counts(community)}  # type: ignore[attr-defined]
    for rung in rungs:
        rung.member_count = counts.get(rung.pk, 0)  # type: ignore[attr-defined]
    return rungs


# --- Contribution kinds and rungs ----------------------------------------------------------


@router.get(
    "/ladder/contribution-kinds", response={200: list[ContributionKindOut], **error_responses(401)}
)
def list_ladder_contribution_kinds(request: HttpRequest) -> list[dict[str, str]]:
    """The kinds of contribution the ledger counts, whose keys a rung's `requirements` use."""
    return [{"key": key, "label": str(kind.label)} for key, kind in CONTRIBUTION_KINDS.items()]


@router.get("/communities/{slug}/ladder/rungs", response={200: list[RungOut], **ERRORS})
@paginate(Page)
def list_ladder_rungs(request: HttpRequest, slug: Slug) -> list[LadderRung]:
    """The community's rungs, bottom first, each with how many current members stand on it."""
    return queries.rungs_with_counts(_visible(request, slug))


@router.post("/communities/{slug}/ladder/rungs", response={201: RungOut, **ERRORS})
def create_ladder_rung(request: HttpRequest, slug: Slug, payload: RungIn) -> Any:
    """Add a rung at the top (the community manager only; at most 20 rungs)."""
    community = _editable(request, slug)
    rung = services.create_rung(
        community=community,
        name=payload.name,
        description=payload.description,
        requirements=payload.requirements,
        actor=request.auth,
    )
    return Status(201, _with_counts(community, [rung])[0])


@router.post("/communities/{slug}/ladder/rungs/default", response={201: list[RungOut], **ERRORS})
def create_default_ladder_rungs(request: HttpRequest, slug: Slug) -> Any:
    """Give a community without rungs the default ladder (participant → presenter → reviewer
    → program committee → organizer). A community with rungs: 422."""
    community = _editable(request, slug)
    rungs = services.create_default_ladder(community=community, actor=request.auth)
    return Status(201, _with_counts(community, rungs))


@router.put("/communities/{slug}/ladder/rungs/order", response={200: list[RungOut], **ERRORS})
def reorder_ladder_rungs(
    request: HttpRequest, slug: Slug, payload: RungOrderIn
) -> list[LadderRung]:
    """Put the rungs in this order, bottom first; every rung once, or 422."""
    community = _editable(request, slug)
    rungs = services.reorder_rungs(
        community=community, rung_ids=payload.rung_ids, actor=request.auth
    )
    return _with_counts(community, rungs)


@router.patch("/communities/{slug}/ladder/rungs/{rung_id}", response={200: RungOut, **ERRORS})
def update_ladder_rung(
    request: HttpRequest, slug: Slug, rung_id: Id, payload: RungPatchIn
) -> LadderRung:
    """Change a rung's name, description or requirements (what is left out stays). New
    requirements apply from the next placement on."""
    community = _editable(request, slug)
    rung = services.update_rung(
        rung=_rung(community, rung_id),
        name=payload.name,
        description=payload.description,
        requirements=payload.requirements,
        actor=request.auth,
    )
    return _with_counts(community, [rung])[0]


@router.delete(
    "/communities/{slug}/ladder/rungs/{rung_id}", response={200: list[RungOut], **ERRORS}
)
def delete_ladder_rung(request: HttpRequest, slug: Slug, rung_id: Id) -> list[LadderRung]:
    """Remove a rung nobody has stood on (one with history: 422); the rungs above move down.
    The answer is the ladder as it now is, bottom first."""
    community = _editable(request, slug)
    services.delete_rung(rung=_rung(community, rung_id), actor=request.auth)
    return queries.rungs_with_counts(community)


# --- Members -------------------------------------------------------------------------------


class LadderMemberFilters(Schema):
    q: text(100) = Field("", description="Text matched against name and email.")  # type: ignore[valid-type]
    rung_id: Id | None = Field(None, description="Only members on this rung now.")
    unplaced: bool = Field(False, description="Only members not on the ladder yet.")


@router.get("/communities/{slug}/ladder/members", response={200: list[LadderMemberOut], **ERRORS})
@paginate(Page)
def list_ladder_members(
    request: HttpRequest, slug: Slug, filters: Query[LadderMemberFilters]
) -> QuerySet[Membership]:
    """Current members with their current rung, highest first, then by name."""
    community = _visible(request, slug)
    if filters.rung_id is not None:
        _rung(community, filters.rung_id)
    return queries.members_on_ladder(
        community, rung_id=filters.rung_id, unplaced=filters.unplaced, text=filters.q
    )


def _member(community: Community, person_id: int) -> tuple[User, bool]:
    membership = (
        Membership.objects.filter(community=community, person_id=person_id)
        .select_related("person")
        .order_by("-joined_at")
        .first()
    )
    if membership is None:
        raise Http404
    return membership.person, membership.left_at is None


@router.get(
    "/communities/{slug}/ladder/members/{person_id}",
    response={200: LadderMemberDetailOut, **ERRORS},
)
def get_ladder_member(request: HttpRequest, slug: Slug, person_id: Id) -> dict[str, Any]:
    """A member's (or past member's) current rung, every step and their contributions. Your
    own for any member; anyone's for the leadership."""
    community = _community(slug)
    person, current = _member(community, person_id)
    if not can_view_history(request.auth, community, person):
        raise PermissionDenied(
            _("Members see their own place on the ladder; others' are for the leadership.")
        )
    step = queries.current_step(community, person.pk)
    return {
        "person": person,
        "is_member": current,
        "rung": step.rung if step else None,
        "reached_at": step.reached_at if step else None,
        "history": list(queries.ladder_history(community, person.pk)),
        "contributions": contributions_of(community_id=community.pk, person_id=person.pk),
        "recent_contributions": contributions_of(
            community_id=community.pk,
            person_id=person.pk,
            since=timezone.now() - timedelta(days=RECENT_DAYS),
        ),
    }


@router.post(
    "/communities/{slug}/ladder/members/{person_id}/steps", response={201: StepOut, **ERRORS}
)
def set_ladder_member_rung(
    request: HttpRequest, slug: Slug, person_id: Id, payload: SetRungIn
) -> Any:
    """The community manager puts a current member on a rung, up or down, with a note."""
    community = _community(slug)
    if not can_set_rung(request.auth, community):
        raise PermissionDenied(_("Only the community manager can set a member's rung."))
    person, _current = _member(community, person_id)
    step = services.set_member_rung(
        community=community,
        person=person,
        rung=_rung(community, payload.rung_id),
        note=payload.note,
        actor=request.auth,
    )
    return Status(201, LadderStep.objects.select_related("rung", "recorded_by").get(pk=step.pk))


# --- The ledger, suggestions and asks ------------------------------------------------------


class LedgerPeriod(Schema):
    since: datetime | None = Field(None, description="From (exclusive); open when left out.")
    until: datetime | None = Field(None, description="Up to (inclusive); now when left out.")


@router.get(
    "/communities/{slug}/ladder/contributions",
    response={200: list[ContributionCountsOut], **ERRORS},
)
@paginate(Page)
def list_ladder_contributions(
    request: HttpRequest, slug: Slug, period: Query[LedgerPeriod]
) -> list[dict[str, Any]]:
    """The contribution ledger: contributions per person per kind in the period, the most
    first (people with none are left out). The leadership only."""
    community = _leadership(request, slug)
    until = period.until or timezone.now()
    if period.since is not None:
        if period.since >= until:
            raise ValidationError({"since": _("The period must start before it ends.")})
        if until - period.since > timedelta(days=MAX_LEDGER_DAYS):
            raise ValidationError({"since": _("Ask for at most ten years at a time.")})
    return contribution_ledger(community_id=community.pk, since=period.since, until=until)


@router.get("/communities/{slug}/ladder/suggestions", response={200: list[SuggestionOut], **ERRORS})
@paginate(Page)
def list_ladder_suggestions(request: HttpRequest, slug: Slug) -> list[PromotionSuggestion]:
    """Members to ask to contribute more: engagement clearly rising, not asked in the last
    180 days, not on the top rung, not in the leadership; the steepest rise first, each
    with the reason in words. The leadership only."""
    return promotion_suggestions(_leadership(request, slug))


@router.get("/communities/{slug}/ladder/asks", response={200: list[AskOut], **ERRORS})
@paginate(Page)
def list_contribution_asks(request: HttpRequest, slug: Slug) -> QuerySet[ContributionAsk]:
    """Who was asked to contribute, newest first. The leadership only."""
    return queries.asks_in(_leadership(request, slug))


@router.post("/communities/{slug}/ladder/asks", response={201: AskOut, **ERRORS})
def ask_member_to_contribute(request: HttpRequest, slug: Slug, payload: AskIn) -> Any:
    """Ask a current member to contribute more, optionally to an open call; they get a mail.
    The same ask again within 14 days: 422. The leadership only."""
    community = _community(slug)
    if not can_ask_to_contribute(request.auth, community):
        raise PermissionDenied(_("Only the community's leadership can ask members to contribute."))
    person = get_object_or_404(User, pk=payload.person_id)
    opportunity = None
    if payload.opportunity_id is not None:
        opportunity = Opportunity.objects.filter(
            pk=payload.opportunity_id, community=community
        ).first()
        if opportunity is None:
            raise ValidationError({"opportunity_id": _("There is no such call on this board.")})
    ask = services.ask_to_contribute(
        community=community,
        person=person,
        actor=request.auth,
        opportunity=opportunity,
        note=payload.note,
    )
    return Status(201, queries.asks_in(community).get(pk=ask.pk))
