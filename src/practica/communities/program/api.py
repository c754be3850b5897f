"""Programs over HTTP, added to /api/v1/ by practica.api.api: the directory of programs and
their communities, the program calendar (entries and clashes in a window), the dashboard, and
the program's management (description, office, communities).

Anyone signed in reads the directory and the calendar. The dashboard is for the program office,
staff and the leadership of the program's communities (403 otherwise); management for the
office and staff (403). A calendar window that is inverted or longer than 366 days is a 422.
Writes go through `communities.program.services`, exactly as on the web pages.
"""

from datetime import UTC, datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.pagination import paginate

from practica.api.errors import error_responses
from practica.api.fields import Id, Slug
from practica.api.pagination import Page
from practica.communities.models import Community, Program
from practica.communities.program import services
from practica.communities.program.calendar_queries import (
    CommunityLabel,
    ProgramEntry,
    program_calendar,
    upcoming_by_community,
)
from practica.communities.program.dashboard import (
    format_metric_value,
    program_dashboard,
    rounded_metric_value,
)
from practica.communities.program.permissions import (
    can_manage_program,
    can_view_program_dashboard,
)
from practica.communities.program.queries import (
    community_managers,
    office_members,
    program_communities,
    programs_for_directory,
    roles_in,
)
from practica.communities.program.schemas import (
    CalendarFilters,
    CalendarOut,
    DashboardOut,
    OfficeMemberIn,
    ProgramCommunityIn,
    ProgramCommunityOut,
    ProgramDetailOut,
    ProgramOut,
    ProgramUpdateIn,
)
from practica.people.models import User

router = Router(tags=["program"])

ERRORS = error_responses(401, 403, 404, 422)
DEFAULT_WINDOW = timedelta(days=31)
# The years the calendar covers (as the page's month picker does).
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
LATEST = datetime(2101, 1, 1, tzinfo=UTC)


def _program(slug: str) -> Program:
    return get_object_or_404(programs_for_directory(), slug=slug)


def _managed_program(request: HttpRequest, slug: str) -> Program:
    """The program, when the caller may manage it (403 otherwise, before any other check)."""
    program = _program(slug)
    if not can_manage_program(request.auth, program):
        raise PermissionDenied(_("Only the program office and staff manage the program."))
    return program


def _person(person: User) -> dict[str, Any]:
    return {"id": person.pk, "display_name": person.display_name, "job_title": person.job_title}


def _label(label: CommunityLabel) -> dict[str, Any]:
    return {"id": label.id, "slug": label.slug, "name": label.name, "colour": label.colour}


def _detail(request: HttpRequest, slug: str) -> dict[str, Any]:
    program = _program(slug)
    return {
        "id": program.pk,
        "slug": program.slug,
        "name": program.name,
        "description": program.description,
        "community_count": program.community_count,  # type: ignore[attr-defined]
        "member_count": program.member_count,  # type: ignore[attr-defined]
        "office": [_person(person) for person in office_members(program)],
        "can_manage": can_manage_program(request.auth, program),
        "can_view_dashboard": can_view_program_dashboard(request.auth, program),
    }


def _aware(moment: datetime) -> datetime:
    """A moment sent without an offset is UTC."""
    return moment if timezone.is_aware(moment) else moment.replace(tzinfo=UTC)


# --- Directory -----------------------------------------------------------------------------


@router.get("/programs", response={200: list[ProgramOut], **ERRORS})
@paginate(Page)
def list_programs(request: HttpRequest) -> QuerySet[Program]:
    """Every program by name, with how many communities and people it brings together."""
    return programs_for_directory()


@router.get("/programs/{slug}", response={200: ProgramDetailOut, **ERRORS})
def get_program_detail(request: HttpRequest, slug: Slug) -> dict[str, Any]:
    """A program with its office and what the caller may do with it."""
    return _detail(request, slug)


@router.get("/programs/{slug}/communities", response={200: list[ProgramCommunityOut], **ERRORS})
@paginate(Page)
def list_program_communities(request: HttpRequest, slug: Slug) -> list[dict[str, Any]]:
    """The program's communities by name: size, managers, topics, the caller's role and the
    next entries on the program calendar."""
    program = _program(slug)
    communities = list(program_communities(program))
    ids = [community.pk for community in communities]
    managers = community_managers(ids)
    roles = roles_in(request.auth, ids)
    upcoming = upcoming_by_community(program, now=timezone.now())
    return [
        {
            "id": community.pk,
            "slug": community.slug,
            "name": community.name,
            "description": community.description,
            "mission": community.mission,
            "access": community.access,
            "member_count": community.member_count,  # type: ignore[attr-defined]
            "managers": [_person(person) for person in managers.get(community.pk, [])],
            "topics": [topic.name for topic in community.topic_list],  # type: ignore[attr-defined]
            "my_role": roles.get(community.pk),
            "next_entries": [
                {
                    "source": item.entry.source,
                    "object_id": item.entry.object_id,
                    "title": item.entry.title,
                    "starts_at": item.entry.starts_at,
                    "ends_at": item.entry.ends_at,
                    "url": item.entry.url,
                }
                for item in upcoming.get(community.pk, [])
            ],
        }
        for community in communities
    ]


# --- Calendar ------------------------------------------------------------------------------


def _entry(item: ProgramEntry) -> dict[str, Any]:
    entry = item.entry
    return {
        "key": item.key,
        "source": entry.source,
        "object_id": entry.object_id,
        "title": entry.title,
        "starts_at": entry.starts_at,
        "ends_at": entry.ends_at,
        "community": _label(item.host),
        "co_hosts": [_label(label) for label in item.co_hosts],
        "group": None
        if item.group is None
        else {"id": item.group.id, "slug": item.group.slug, "name": item.group.name},
        "url": entry.url,
        "kind_label": str(entry.kind_label),
        "location": entry.location,
        "clashes_with": [other.key for other in item.clashes_with],
    }


@router.get("/programs/{slug}/calendar", response={200: CalendarOut, **ERRORS})
def get_program_calendar(
    request: HttpRequest, slug: Slug, filters: Query[CalendarFilters]
) -> dict[str, Any]:
    """The entries of every community of the program overlapping [start, end) from every
    calendar source, by start; each with its hosts and the keys of the entries it clashes
    with; and the clashes (two communities' entries overlapping, neither co-hosting the other's).
    """
    program = _program(slug)
    starts = _aware(filters.start) if filters.start else timezone.now()
    for name, moment in (("start", starts), ("end", filters.end and _aware(filters.end))):
        if moment and not EARLIEST <= moment <= LATEST:
            raise ValidationError({name: _("Choose a moment between 2000 and 2100.")})
    ends = _aware(filters.end) if filters.end else starts + DEFAULT_WINDOW
    community = None
    if filters.community:
        community = Community.objects.filter(program=program, slug=filters.community).first()
        if community is None:
            raise ValidationError({"community": _("Choose one of the program's communities.")})
    calendar = program_calendar(program, starts=starts, ends=ends, community=community)
    return {
        "start": starts,
        "end": ends,
        "communities": [_label(label) for label in calendar.communities],
        "community": community.slug if community else None,
        "count": len(calendar.entries),
        "entries": [_entry(item) for item in calendar.entries],
        "clashes": [
            {
                "first": clash.first.key,
                "second": clash.second.key,
                "overlap_starts": clash.overlap_starts,
                "overlap_ends": clash.overlap_ends,
            }
            for clash in calendar.clashes
        ],
    }


# --- Dashboard -----------------------------------------------------------------------------


@router.get("/programs/{slug}/dashboard", response={200: DashboardOut, **ERRORS})
def get_program_dashboard(request: HttpRequest, slug: Slug) -> dict[str, Any]:
    """Every registered metric for every community of the program, as of now, with the best
    value marked. For the program office, staff and the communities' leadership."""
    program = _program(slug)
    if not can_view_program_dashboard(request.auth, program):
        raise PermissionDenied(
            _(
                "The program dashboard is for the program office and the leadership of its "
                "communities."
            )
        )
    dashboard = program_dashboard(program, as_of=timezone.now())
    metrics = []
    for row in dashboard.rows:
        unit = row.metric.unit
        values = []
        for value in row.values:
            rounded = rounded_metric_value(value.value, unit)
            values.append(
                {
                    "community": _label(value.community),
                    "value": None if rounded is None else float(rounded),
                    "display": _("unavailable")
                    if value.failed
                    else format_metric_value(value.value, unit),
                    "is_best": value.is_best,
                    "failed": value.failed,
                }
            )
        metrics.append(
            {
                "key": row.metric.key,
                "label": str(row.metric.label),
                "description": str(row.metric.description),
                "unit": unit,
                "better": row.metric.better,
                "values": values,
            }
        )
    return {
        "as_of": dashboard.as_of,
        "communities": [_label(label) for label in dashboard.communities],
        "metrics": metrics,
    }


# --- Management ----------------------------------------------------------------------------


@router.patch("/programs/{slug}", response={200: ProgramDetailOut, **ERRORS})
def update_program(request: HttpRequest, slug: Slug, payload: ProgramUpdateIn) -> dict[str, Any]:
    """Replace the program's description (office and staff)."""
    services.update_program_description(
        program=_managed_program(request, slug), description=payload.description, actor=request.auth
    )
    return _detail(request, slug)


@router.post("/programs/{slug}/office", response={201: ProgramDetailOut, **ERRORS})
def add_program_office_member(request: HttpRequest, slug: Slug, payload: OfficeMemberIn) -> Status:
    """Give a person (by id, an active account) a seat in the program office."""
    program = _managed_program(request, slug)
    person = User.objects.filter(pk=payload.person_id).first()
    if person is None:
        raise ValidationError({"person_id": _("There is no such person.")})
    services.add_program_office_member(program=program, person=person, actor=request.auth)
    return Status(201, _detail(request, slug))


@router.delete("/programs/{slug}/office/{person_id}", response={200: ProgramDetailOut, **ERRORS})
def remove_program_office_member(request: HttpRequest, slug: Slug, person_id: Id) -> dict[str, Any]:
    """Take a person's seat in the program office away (one may give up one's own)."""
    program = _managed_program(request, slug)
    person = get_object_or_404(User, pk=person_id)
    services.remove_program_office_member(program=program, person=person, actor=request.auth)
    return _detail(request, slug)


@router.post("/programs/{slug}/communities", response={201: ProgramDetailOut, **ERRORS})
def add_program_community(request: HttpRequest, slug: Slug, payload: ProgramCommunityIn) -> Status:
    """Take a community that belongs to no program into this one."""
    program = _managed_program(request, slug)
    community = Community.objects.filter(slug=payload.community).first()
    if community is None:
        raise ValidationError({"community": _("There is no such community.")})
    services.add_community_to_program(program=program, community=community, actor=request.auth)
    return Status(201, _detail(request, slug))


@router.delete(
    "/programs/{slug}/communities/{community}", response={200: ProgramDetailOut, **ERRORS}
)
def remove_program_community(request: HttpRequest, slug: Slug, community: Slug) -> dict[str, Any]:
    """Take a community out of the program; it stays, independent."""
    program = _managed_program(request, slug)
    leaving = get_object_or_404(Community, slug=community)
    services.remove_community_from_program(program=program, community=leaving, actor=request.auth)
    return _detail(request, slug)
