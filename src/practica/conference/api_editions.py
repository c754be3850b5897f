"""Editions over HTTP: a community's editions, one edition with its parts, creating,
editing and announcing one; its tracks, session formats, rooms, review criteria and program
committee.

An edition the caller may not see (unannounced, not on its committee) is a 404; changing one
is its chairs' (403 otherwise); a part still in use is a 409 `in_use`. Writes go through
`conference.services.editions`, as on the web pages. The lookups here are shared by the
proposals and pool routers.
"""

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch, QuerySet
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Router, Status
from ninja.pagination import paginate

from practica.api.errors import error_responses
from practica.api.fields import Id, Slug
from practica.api.pagination import Page
from practica.communities.models import Community
from practica.conference.models import (
    CommitteeMember,
    Edition,
    ReviewCriterion,
    Room,
    SessionFormat,
    Track,
)
from practica.conference.permissions import (
    can_view_edition,
    is_chair,
    is_committee,
    is_reviewer,
)
from practica.conference.queries.editions import editions_of
from practica.conference.schemas_editions import (
    CommitteeMemberIn,
    CommitteeMemberOut,
    CommitteeMemberUpdateIn,
    CriterionIn,
    CriterionOut,
    CriterionUpdateIn,
    EditionCreateIn,
    EditionDetailOut,
    EditionOut,
    EditionUpdateIn,
    FormatIn,
    FormatOut,
    FormatUpdateIn,
    RefusalOut,
    RoomIn,
    RoomOut,
    RoomUpdateIn,
    TrackIn,
    TrackOut,
    TrackUpdateIn,
)
from practica.conference.services import committee as committee_services
from practica.conference.services import edition_parts as parts
from practica.conference.services import editions as services
from practica.conference.services.editions import CallRefused
from practica.core.models import Topic
from practica.people.models import User

router = Router(tags=["conference"])

ERRORS = error_responses(401, 403, 404, 422)
REFUSALS = {**ERRORS, 409: RefusalOut}


# --- Lookups shared by the call's routers -----------------------------------------------------


def visible_edition(request: HttpRequest, edition_id: int) -> Edition:
    """The edition if the caller may see it; otherwise not found."""
    edition = get_object_or_404(Edition.objects.select_related("community", "event"), pk=edition_id)
    if not can_view_edition(request.auth, edition):
        raise Http404
    return edition


def chaired_edition(request: HttpRequest, edition_id: int) -> Edition:
    """The edition if the caller chairs it; a visible one they don't chair is a 403."""
    edition = visible_edition(request, edition_id)
    if not is_chair(request.auth, edition):
        raise PermissionDenied(_("Only the edition's chairs can change it."))
    return edition


def refused(refusal: CallRefused) -> Status:
    """The 409 answer to a step refused for its timing or state: `{detail, code}`."""
    return Status(409, {"detail": refusal.messages[0], "code": refusal.code or "refused"})


def topics_by_slug(slugs: Sequence[str], field: str = "topics") -> list[Topic]:
    """The topics with these slugs, in order; an unknown slug is a 422 on `field`."""
    slugs = list(dict.fromkeys(slugs))
    found = {topic.slug: topic for topic in Topic.objects.filter(slug__in=slugs)}
    missing = [slug for slug in slugs if slug not in found]
    if missing:
        raise ValidationError(
            {field: _("Unknown topics: %(slugs)s") % {"slugs": ", ".join(missing)}}
        )
    return [found[slug] for slug in slugs]


def _detail(request: HttpRequest, edition_id: int) -> Edition:
    edition = get_object_or_404(
        Edition.objects.select_related("community", "event").prefetch_related(
            Prefetch("topics", queryset=Topic.objects.order_by("name")),
            "tracks",
            "formats",
            "rooms",
            "criteria",
            Prefetch("committee", queryset=CommitteeMember.objects.select_related("person")),
        ),
        pk=edition_id,
    )
    user = request.auth
    if not can_view_edition(user, edition):
        raise Http404
    edition.is_chair = is_chair(user, edition)
    edition.is_committee = is_committee(user, edition)
    edition.is_reviewer = is_reviewer(user, edition)
    return edition


# --- Editions ---------------------------------------------------------------------------------


@router.get("/conference/communities/{slug}/editions", response={200: list[EditionOut], **ERRORS})
@paginate(Page)
def list_conference_editions(request: HttpRequest, slug: Slug) -> QuerySet[Edition]:
    """The community's editions the caller may see, latest first (unannounced ones only for
    the community's managers and the edition's committee)."""
    community = get_object_or_404(Community, slug=slug)
    return editions_of(community, request.auth).select_related("community")


@router.post("/conference/communities/{slug}/editions", response={201: EditionDetailOut, **ERRORS})
def create_conference_edition(request: HttpRequest, slug: Slug, payload: EditionCreateIn) -> Status:
    """Create an edition with its conference event (format "conference": registration,
    waiting list and calendar are the event's), the usual session formats, a review form and
    decision mails. Dates must follow each other (call, reviewing, decisions, the days).
    The community's managers and leaders only."""
    community = get_object_or_404(Community, slug=slug)
    values: dict[str, Any] = payload.model_dump()
    values["topics"] = topics_by_slug(values["topics"])
    values["slug"] = values["slug"] or ""
    edition = services.create_edition(community=community, actor=request.auth, **values)
    return Status(201, _detail(request, edition.pk))


@router.get("/conference/editions/{edition_id}", response={200: EditionDetailOut, **ERRORS})
def get_conference_edition(request: HttpRequest, edition_id: Id) -> Edition:
    """One edition with its tracks, formats, rooms, review criteria, committee and the
    caller's roles."""
    return _detail(request, edition_id)


@router.patch("/conference/editions/{edition_id}", response={200: EditionDetailOut, **ERRORS})
def update_conference_edition(
    request: HttpRequest, edition_id: Id, payload: EditionUpdateIn
) -> Edition:
    """Change an edition: only the fields sent. Moving the days or zone moves the conference
    event (which only the community's organizers may do). Chairs only."""
    edition = chaired_edition(request, edition_id)
    changes: dict[str, Any] = payload.model_dump(exclude_unset=True)
    if "topics" in changes:
        changes["topics"] = topics_by_slug(changes["topics"] or [])
    services.update_edition(edition=edition, actor=request.auth, **changes)
    return _detail(request, edition_id)


@router.post(
    "/conference/editions/{edition_id}/announce", response={200: EditionDetailOut, **REFUSALS}
)
def announce_conference_edition(request: HttpRequest, edition_id: Id) -> Any:
    """Make the edition and its call visible to members (and publish the conference event
    when the caller organizes it). Idempotent; a finished edition is a 409. Chairs only."""
    edition = visible_edition(request, edition_id)
    try:
        services.announce_edition(edition=edition, actor=request.auth)
    except CallRefused as refusal:
        return refused(refusal)
    return _detail(request, edition_id)


@router.delete("/conference/editions/{edition_id}", response={200: EditionOut, **REFUSALS})
def delete_conference_edition(request: HttpRequest, edition_id: Id) -> Any:
    """Delete an edition nobody has proposed to (its conference event is cancelled); the
    answer is the deleted edition. With proposals, a 409 `in_use`. The community's managers
    and leaders only."""
    edition = visible_edition(request, edition_id)
    removed = EditionOut.from_orm(edition)
    try:
        services.delete_edition(edition=edition, actor=request.auth)
    except CallRefused as refusal:
        return refused(refusal)
    return removed


# --- Parts ------------------------------------------------------------------------------------


def _part(model: Any, edition: Edition, item_id: int) -> Any:
    return get_object_or_404(model, pk=item_id, edition=edition)


def _remove(remove: Any, argument: str, row: Any, actor: Any, out: Any) -> Any:
    """Remove a part; the answer is the removed part (or the 409 refusal)."""
    removed = out.from_orm(row)
    try:
        remove(**{argument: row}, actor=actor)
    except CallRefused as refusal:
        return refused(refusal)
    return removed


@router.post("/conference/editions/{edition_id}/tracks", response={201: TrackOut, **ERRORS})
def add_conference_track(request: HttpRequest, edition_id: Id, payload: TrackIn) -> Status:
    """Add a track. Chairs only; a name the edition has already is a 422."""
    edition = chaired_edition(request, edition_id)
    return Status(201, parts.add_track(edition=edition, actor=request.auth, **payload.model_dump()))


@router.patch(
    "/conference/editions/{edition_id}/tracks/{track_id}", response={200: TrackOut, **ERRORS}
)
def update_conference_track(
    request: HttpRequest, edition_id: Id, track_id: Id, payload: TrackUpdateIn
) -> Track:
    """Rename, describe or move a track. Chairs only."""
    edition = chaired_edition(request, edition_id)
    track = _part(Track, edition, track_id)
    return parts.update_track(
        track=track, actor=request.auth, **payload.model_dump(exclude_unset=True)
    )


@router.delete(
    "/conference/editions/{edition_id}/tracks/{track_id}", response={200: TrackOut, **REFUSALS}
)
def remove_conference_track(request: HttpRequest, edition_id: Id, track_id: Id) -> Any:
    """Remove a track; one that proposals or program sessions are in is a 409 `in_use`."""
    edition = chaired_edition(request, edition_id)
    return _remove(
        parts.remove_track, "track", _part(Track, edition, track_id), request.auth, TrackOut
    )


@router.post("/conference/editions/{edition_id}/formats", response={201: FormatOut, **ERRORS})
def add_conference_format(request: HttpRequest, edition_id: Id, payload: FormatIn) -> Status:
    """Offer a session format with its length. Chairs only."""
    edition = chaired_edition(request, edition_id)
    return Status(
        201, parts.add_format(edition=edition, actor=request.auth, **payload.model_dump())
    )


@router.patch(
    "/conference/editions/{edition_id}/formats/{format_id}", response={200: FormatOut, **ERRORS}
)
def update_conference_format(
    request: HttpRequest, edition_id: Id, format_id: Id, payload: FormatUpdateIn
) -> SessionFormat:
    """Change a format (closing it to proposals keeps the proposals already in it)."""
    edition = chaired_edition(request, edition_id)
    row = _part(SessionFormat, edition, format_id)
    return parts.update_format(
        session_format=row, actor=request.auth, **payload.model_dump(exclude_unset=True)
    )


@router.delete(
    "/conference/editions/{edition_id}/formats/{format_id}", response={200: FormatOut, **REFUSALS}
)
def remove_conference_format(request: HttpRequest, edition_id: Id, format_id: Id) -> Any:
    """Remove a format; one that proposals use is a 409 `in_use` (close it instead)."""
    edition = chaired_edition(request, edition_id)
    row = _part(SessionFormat, edition, format_id)
    return _remove(parts.remove_format, "session_format", row, request.auth, FormatOut)


@router.post("/conference/editions/{edition_id}/rooms", response={201: RoomOut, **ERRORS})
def add_conference_room(request: HttpRequest, edition_id: Id, payload: RoomIn) -> Status:
    """Add a room with its seats. Chairs only."""
    edition = chaired_edition(request, edition_id)
    return Status(201, parts.add_room(edition=edition, actor=request.auth, **payload.model_dump()))


@router.patch(
    "/conference/editions/{edition_id}/rooms/{room_id}", response={200: RoomOut, **ERRORS}
)
def update_conference_room(
    request: HttpRequest, edition_id: Id, room_id: Id, payload: RoomUpdateIn
) -> Room:
    edition = chaired_edition(request, edition_id)
    room = _part(Room, edition, room_id)
    return parts.update_room(
        room=room, actor=request.auth, **payload.model_dump(exclude_unset=True)
    )


@router.delete(
    "/conference/editions/{edition_id}/rooms/{room_id}", response={200: RoomOut, **REFUSALS}
)
def remove_conference_room(request: HttpRequest, edition_id: Id, room_id: Id) -> Any:
    """Remove a room; one the program has sessions in is a 409 `in_use`."""
    edition = chaired_edition(request, edition_id)
    return _remove(parts.remove_room, "room", _part(Room, edition, room_id), request.auth, RoomOut)


@router.post("/conference/editions/{edition_id}/criteria", response={201: CriterionOut, **ERRORS})
def add_conference_criterion(request: HttpRequest, edition_id: Id, payload: CriterionIn) -> Status:
    """Add a review criterion (scored 1–5) with its weight. Chairs only."""
    edition = chaired_edition(request, edition_id)
    return Status(
        201, parts.add_criterion(edition=edition, actor=request.auth, **payload.model_dump())
    )


@router.patch(
    "/conference/editions/{edition_id}/criteria/{criterion_id}",
    response={200: CriterionOut, **ERRORS},
)
def update_conference_criterion(
    request: HttpRequest, edition_id: Id, criterion_id: Id, payload: CriterionUpdateIn
) -> ReviewCriterion:
    edition = chaired_edition(request, edition_id)
    criterion = _part(ReviewCriterion, edition, criterion_id)
    return parts.update_criterion(
        criterion=criterion, actor=request.auth, **payload.model_dump(exclude_unset=True)
    )


@router.delete(
    "/conference/editions/{edition_id}/criteria/{criterion_id}",
    response={200: CriterionOut, **REFUSALS},
)
def remove_conference_criterion(request: HttpRequest, edition_id: Id, criterion_id: Id) -> Status:
    """Remove a criterion; one that reviews have scored is a 409 `in_use`."""
    edition = chaired_edition(request, edition_id)
    criterion = _part(ReviewCriterion, edition, criterion_id)
    return _remove(parts.remove_criterion, "criterion", criterion, request.auth, CriterionOut)


# --- The committee ----------------------------------------------------------------------------


@router.get(
    "/conference/editions/{edition_id}/committee",
    response={200: list[CommitteeMemberOut], **ERRORS},
)
def list_conference_committee(request: HttpRequest, edition_id: Id) -> list[CommitteeMember]:
    """The program committee (chairs first). Anyone who sees the edition."""
    edition = visible_edition(request, edition_id)
    return list(edition.committee.select_related("person"))


@router.post(
    "/conference/editions/{edition_id}/committee",
    response={201: CommitteeMemberOut, 200: CommitteeMemberOut, **ERRORS},
)
def add_conference_committee_member(
    request: HttpRequest, edition_id: Id, payload: CommitteeMemberIn
) -> Status:
    """Seat a member on the committee (201), or change the chair flag of one seated (200).
    Records that they served on a program committee. Chairs only."""
    edition = chaired_edition(request, edition_id)
    person = User.objects.filter(pk=payload.person_id).first()
    if person is None:
        raise ValidationError({"person_id": _("There is no such member.")})
    existed = CommitteeMember.objects.filter(edition=edition, person=person).exists()
    seat = committee_services.add_committee_member(
        edition=edition, actor=request.auth, person=person, is_chair=payload.is_chair
    )
    return Status(200 if existed else 201, seat)


def _seat(edition: Edition, member_id: int) -> CommitteeMember:
    return get_object_or_404(
        CommitteeMember.objects.select_related("person", "edition"), pk=member_id, edition=edition
    )


@router.patch(
    "/conference/editions/{edition_id}/committee/{member_id}",
    response={200: CommitteeMemberOut, **ERRORS},
)
def update_conference_committee_member(
    request: HttpRequest, edition_id: Id, member_id: Id, payload: CommitteeMemberUpdateIn
) -> CommitteeMember:
    """Make a committee member a chair, or an ordinary member again. Chairs only."""
    edition = chaired_edition(request, edition_id)
    return committee_services.set_committee_chair(
        seat=_seat(edition, member_id), actor=request.auth, is_chair=payload.is_chair
    )


@router.delete(
    "/conference/editions/{edition_id}/committee/{member_id}",
    response={200: CommitteeMemberOut, **ERRORS},
)
def remove_conference_committee_member(request: HttpRequest, edition_id: Id, member_id: Id) -> Any:
    """Take a member off the committee; the answer is the removed seat. Chairs only."""
    edition = chaired_edition(request, edition_id)
    seat = _seat(edition, member_id)
    removed = CommitteeMemberOut.from_orm(seat)
    committee_services.remove_committee_member(seat=seat, actor=request.auth)
    return removed
