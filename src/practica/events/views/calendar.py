"""Calendars: an event's .ics download, the subscribable feeds, and the page that manages them.

Feeds answer calendar clients, which cannot sign in: the secret in the address stands for the
member. Anything but a live secret of an active member (forged, revoked, malformed) is a 404,
the same as an unknown community or program, so an address gives nothing away.
"""

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from practica.communities.models import Community, Group, GroupMembership, Membership, Program
from practica.events.calendar import CalendarEntry, build_calendar
from practica.events.models import Event
from practica.events.permissions import can_see_online_link, can_view_event
from practica.events.queries import calendar_feeds as feeds
from practica.events.queries.events import registration_of
from practica.events.services import calendar_feeds as tokens


def _ics_response(content: str, *, filename: str, private: bool = True) -> HttpResponse:
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    # Personal (the online link, the secret in the address): no shared caches, no indexing.
    response["Cache-Control"] = "private, max-age=300" if private else "max-age=300"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


# --- One event ------------------------------------------------------------------------------


@login_required
@require_GET
def event_calendar(request: HttpRequest, pk: int) -> HttpResponse:
    """The event as an .ics file to add by hand (METHOD:PUBLISH); the meeting link only for
    those who may see it."""
    event = get_object_or_404(Event.objects.select_related("community"), pk=pk)
    if not can_view_event(request.user, event):
        raise Http404
    registration = registration_of(event, request.user)
    entry = CalendarEntry(
        event=event, show_online_link=can_see_online_link(request.user, event, registration)
    )
    return _ics_response(build_calendar([entry]), filename=f"event-{event.pk}.ics")


# --- Feeds ----------------------------------------------------------------------------------


def _feed_reader(secret: str) -> Any:
    try:
        return tokens.person_for_calendar_token(secret=secret)
    except tokens.UnknownCalendarToken:
        raise Http404 from None


def _feed_response(person: Any, name: str, build: Any, filename: str) -> HttpResponse:
    """Build the feed in the reader's language (clients send no useful Accept-Language)."""
    with translation.override(person.preferred_language or settings.LANGUAGE_CODE):
        content = build_calendar(build(), name=name)
    return _ics_response(content, filename=filename)


@require_GET
def my_feed(request: HttpRequest, secret: str) -> HttpResponse:
    person = _feed_reader(secret)
    return _feed_response(
        person, _("My events · Practica"), lambda: feeds.my_feed(person), "my-events.ics"
    )


@require_GET
def community_feed(request: HttpRequest, secret: str, slug: str) -> HttpResponse:
    person = _feed_reader(secret)
    community = get_object_or_404(Community, slug=slug)
    return _feed_response(
        person,
        _("%(name)s events · Practica") % {"name": community.name},
        lambda: feeds.community_feed(community, person),
        f"{community.slug}.ics",
    )


@require_GET
def group_feed(request: HttpRequest, secret: str, community: str, group: str) -> HttpResponse:
    person = _feed_reader(secret)
    found = get_object_or_404(Group, community__slug=community, slug=group)
    return _feed_response(
        person,
        _("%(name)s meetings · Practica") % {"name": found.name},
        lambda: feeds.group_feed(found, person),
        f"{community}-{found.slug}.ics",
    )


@require_GET
def program_feed(request: HttpRequest, secret: str, slug: str) -> HttpResponse:
    person = _feed_reader(secret)
    program = get_object_or_404(Program, slug=slug)
    return _feed_response(
        person,
        _("%(name)s events · Practica") % {"name": program.name},
        lambda: feeds.program_feed(program, person),
        f"{program.slug}.ics",
    )


@require_GET
def all_feed(request: HttpRequest, secret: str) -> HttpResponse:
    person = _feed_reader(secret)
    return _feed_response(
        person, _("All events · Practica"), lambda: feeds.all_feed(person), "all-events.ics"
    )


# --- The member's page of feed addresses ------------------------------------------------------


def _feed_links(request: HttpRequest, secret: str) -> list[dict[str, str]]:
    """The member's feeds: theirs, every event, each of their communities, groups and
    programs."""

    def link(label: str, name: str, **kwargs: str) -> dict[str, str]:
        url = request.build_absolute_uri(
            reverse(f"events:{name}", kwargs={"secret": secret, **kwargs})
        )
        return {"label": label, "url": url, "webcal": "webcal://" + url.split("://", 1)[1]}

    links = [
        link(_("My events (registered, waiting, hosting)"), "feed_mine"),
        link(_("All events of every community"), "feed_all"),
    ]
    communities = (
        Community.objects.filter(
            pk__in=Membership.objects.current()
            .filter(person_id=request.user.pk)
            .values("community_id")
        )
        .select_related("program")
        .order_by("name")
    )
    programs: dict[int, Program] = {}
    for community in communities:
        links.append(
            link(
                _("Events of %(name)s") % {"name": community.name},
                "feed_community",
                slug=community.slug,
            )
        )
        if community.program is not None:
            programs[community.program.pk] = community.program
    groups = (
        Group.objects.filter(
            pk__in=GroupMembership.objects.filter(
                person_id=request.user.pk, left_at__isnull=True
            ).values("group_id"),
            archived_at__isnull=True,
        )
        .select_related("community")
        .order_by("name")
    )
    for group in groups:
        links.append(
            link(
                _("Meetings of %(name)s") % {"name": group.name},
                "feed_group",
                community=group.community.slug,
                group=group.slug,
            )
        )
    for program in sorted(programs.values(), key=lambda program: program.name):
        links.append(
            link(
                _("Events of the %(name)s program") % {"name": program.name},
                "feed_program",
                slug=program.slug,
            )
        )
    return links


@login_required
@require_GET
def calendar_feeds(request: HttpRequest) -> HttpResponse:
    """The member's feed addresses to copy, with buttons to create, renew or turn them off."""
    token = tokens.live_calendar_token(request.user)
    context = {
        "token": token,
        "links": _feed_links(request, token.secret) if token else [],
    }
    return render(request, "events/calendar_feeds.html", context)


def _act(request: HttpRequest, act: Any, done: str) -> HttpResponse:
    try:
        act()
    except (ValidationError, PermissionDenied) as error:
        text = " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
        messages.error(request, text or _("You are not allowed to do that."))
    else:
        messages.success(request, done)
    return redirect("events:calendar_feeds")


@login_required
@require_POST
def issue_feed_token(request: HttpRequest) -> HttpResponse:
    return _act(
        request,
        lambda: tokens.issue_calendar_token(person=request.user, actor=request.user),
        _("Your calendar feed addresses are ready. Add one to your calendar app."),
    )


@login_required
@require_POST
def rotate_feed_token(request: HttpRequest) -> HttpResponse:
    return _act(
        request,
        lambda: tokens.rotate_calendar_token(person=request.user, actor=request.user),
        _("New feed addresses made; the old ones no longer work. Update your calendar apps."),
    )


@login_required
@require_POST
def revoke_feed_token(request: HttpRequest) -> HttpResponse:
    return _act(
        request,
        lambda: tokens.revoke_calendar_token(person=request.user, actor=request.user),
        _("Your calendar feeds are turned off; their addresses no longer work."),
    )
