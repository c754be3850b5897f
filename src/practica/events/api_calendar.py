"""The caller's calendar feed addresses over HTTP: see them, create, rotate or revoke the
secret they carry. The feeds themselves are plain `.ics` addresses (`events.views.calendar`),
for calendar clients that cannot sign in.

Part of the events router (`events.api` includes it); writes go through
`events.services.calendar_feeds`, as on the "Calendar feeds" page.
"""

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from ninja import Router, Status

from practica.communities.models import Membership
from practica.events.api_access import ERRORS
from practica.events.models import CalendarToken
from practica.events.schemas_attendance import CalendarFeedOut
from practica.events.services.calendar_feeds import (
    issue_calendar_token,
    live_calendar_token,
    revoke_calendar_token,
    rotate_calendar_token,
)

router = Router(tags=["calendar feeds"])

SLUG_PLACEHOLDER = "slug-placeholder"


def _feed(request: HttpRequest, token: CalendarToken | None) -> dict[str, Any]:
    """The feed addresses of `token` (absolute URLs), or an inactive answer without one."""
    if token is None:
        return {
            "active": False,
            "created_at": None,
            "last_used_at": None,
            "mine_url": None,
            "all_url": None,
            "community_url_template": None,
            "program_url_template": None,
            "communities": [],
            "programs": [],
        }
    secret = token.secret

    def url(name: str, *args: str) -> str:
        return request.build_absolute_uri(reverse(f"events:{name}", args=[secret, *args]))

    communities = [
        membership.community
        for membership in Membership.objects.current()
        .filter(person_id=token.person_id)
        .select_related("community__program")
        .order_by("community__name")
    ]
    programs = {c.program.pk: c.program for c in communities if c.program is not None}
    return {
        "active": True,
        "created_at": token.created_at,
        "last_used_at": token.last_used_at,
        "mine_url": url("feed_mine"),
        "all_url": url("feed_all"),
        "community_url_template": url("feed_community", SLUG_PLACEHOLDER).replace(
            SLUG_PLACEHOLDER, "{slug}"
        ),
        "program_url_template": url("feed_program", SLUG_PLACEHOLDER).replace(
            SLUG_PLACEHOLDER, "{slug}"
        ),
        "communities": [
            {"community": community, "url": url("feed_community", community.slug)}
            for community in communities
        ],
        "programs": [
            {"program": program, "url": url("feed_program", program.slug)}
            for program in sorted(programs.values(), key=lambda program: program.name)
        ],
    }


@router.get("/me/calendar-feed", response={200: CalendarFeedOut, **ERRORS})
def get_my_calendar_feed(request: HttpRequest) -> dict[str, Any]:
    """The caller's feed addresses: their own events, all events, each of their communities'
    and programs'; `active` false (and no addresses) until they create them."""
    return _feed(request, live_calendar_token(request.auth))


@router.post("/me/calendar-feed", response={200: CalendarFeedOut, 201: CalendarFeedOut, **ERRORS})
def create_my_calendar_feed(request: HttpRequest) -> Status:
    """Create the feed addresses: 201 when made now, 200 with the existing ones otherwise."""
    existing = live_calendar_token(request.auth)
    token = issue_calendar_token(person=request.auth, actor=request.auth)
    return Status(200 if existing is not None else 201, _feed(request, token))


@router.post("/me/calendar-feed/rotate", response={200: CalendarFeedOut, **ERRORS})
def rotate_my_calendar_feed(request: HttpRequest) -> dict[str, Any]:
    """New addresses with a new secret; the old ones answer 404 from now on."""
    return _feed(request, rotate_calendar_token(person=request.auth, actor=request.auth))


@router.delete("/me/calendar-feed", response={200: CalendarFeedOut, **ERRORS})
def revoke_my_calendar_feed(request: HttpRequest) -> dict[str, Any]:
    """Stop every feed address of the caller (404 from now on). Revoking twice is fine."""
    revoke_calendar_token(person=request.auth, actor=request.auth)
    return _feed(request, None)
