"""The events block of a member's home page: what they registered for, and what is coming up
in their communities (registered from EventsConfig.ready())."""

from typing import Any

from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone

from practica.communities.models import Membership
from practica.events.models import Event, Registration
from practica.events.queries.events import ACTIVE_STATUSES, my_registrations
from practica.people.sections import PageSection, register_home_section

HOME_LIMIT = 5


def home_events(request: HttpRequest, person: Any) -> dict[str, Any]:
    mine = list(my_registrations(person)[:HOME_LIMIT])
    my_communities = Membership.objects.current().filter(person=person).values("community_id")
    taken = Registration.objects.filter(person=person, status__in=ACTIVE_STATUSES).values(
        "event_id"
    )
    coming = (
        Event.objects.published()
        .upcoming(timezone.now())
        .filter(Q(community_id__in=my_communities) | Q(co_hosts__in=my_communities))
        .exclude(pk__in=taken)
        .select_related("community")
        .distinct()
        .order_by("starts_at", "pk")[:HOME_LIMIT]
    )
    return {"my_registrations": mine, "coming_up": list(coming)}


def register_sections() -> None:
    register_home_section(
        PageSection(
            key="events-upcoming",
            template="events/event_home.html",
            context=home_events,
            order=40,
        )
    )
