"""The events' ownership providers, registered from EventsConfig.ready():

- "event_series": the series a person runs (`EventSeries.owner`); handing one over sets its
  owner through `services.events.set_series_owner`.
- "hosted_event": events not yet started and not cancelled in which the person is a host,
  speaker or moderator; handing one over puts the successor in their place (same role, same
  position) through `services.events.set_event_hosts`.
"""

from django.conf import settings
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from practica.communities.continuity import OwnedThing
from practica.events.models import Event, EventHost, EventSeries, EventStatus
from practica.events.services.events import HostSpec, set_event_hosts, set_series_owner
from practica.events.templatetags.event_times import zone_named
from practica.people.models import User


def event_url(event_id: int) -> str:
    return reverse("events:detail", args=[event_id])


def series_urls(series_list: list[EventSeries]) -> dict[int, str]:
    """A series has no page of its own: its next event's, or the community's planning
    calendar. One query for all of them (each series needs its `community`)."""
    upcoming = (
        Event.objects.filter(series__in=series_list, starts_at__gt=timezone.now())
        .exclude(status=EventStatus.CANCELLED)
        .order_by("-starts_at")
        .values_list("series_id", "pk")
    )
    next_event = dict(upcoming)  # the latest first, so the soonest is the one kept
    return {
        series.pk: event_url(next_event[series.pk])
        if series.pk in next_event
        else reverse("events:planning", args=[series.community.slug])
        for series in series_list
    }


def _event_day(event: Event) -> str:
    local = timezone.localtime(event.starts_at, zone_named(event.time_zone))
    return formats.date_format(local, "DATE_FORMAT")


class SeriesOwnership:
    kind = "event_series"
    verbose_name = gettext_lazy("Event series")

    def owned_by(self, person: User) -> list[OwnedThing]:
        series_list = list(
            EventSeries.objects.filter(owner=person)
            .select_related("community")
            .order_by("title", "pk")
        )
        urls = series_urls(series_list)
        # Labels are stored on the alert: written in the site's language, whoever triggered it.
        with translation.override(settings.LANGUAGE_CODE):
            return [
                OwnedThing(
                    kind=self.kind,
                    object_id=series.pk,
                    label=_("Event series: %(title)s") % {"title": series.title},
                    community_id=series.community_id,
                    url=urls[series.pk],
                )
                for series in series_list
            ]

    def hand_over(self, *, object_id: int, leaver: User, successor: User, actor: User) -> None:
        series = EventSeries.objects.select_related("community").filter(pk=object_id).first()
        if series is None:
            return  # deleted since: nothing left to run
        set_series_owner(series=series, owner=successor, actor=actor)

    def url_for(self, object_id: int) -> str:
        return self.urls_for([object_id])[object_id]

    def urls_for(self, object_ids: list[int]) -> dict[int, str]:
        found = series_urls(
            list(EventSeries.objects.select_related("community").filter(pk__in=object_ids))
        )
        return {object_id: found.get(object_id, "") for object_id in object_ids}


class HostedEventOwnership:
    kind = "hosted_event"
    verbose_name = gettext_lazy("Event to host")

    def owned_by(self, person: User) -> list[OwnedThing]:
        rows = (
            EventHost.objects.filter(person=person, event__starts_at__gt=timezone.now())
            .exclude(event__status=EventStatus.CANCELLED)
            .select_related("event")
            .order_by("event__starts_at", "event_id")
        )
        things = []
        with translation.override(settings.LANGUAGE_CODE):
            for row in rows:
                event = row.event
                things.append(
                    OwnedThing(
                        kind=self.kind,
                        object_id=event.pk,
                        label=_("%(role)s at %(title)s (%(day)s)")
                        % {
                            "role": row.get_role_display(),
                            "title": event.title,
                            "day": _event_day(event),
                        },
                        community_id=event.community_id,
                        url=event_url(event.pk),
                    )
                )
        return things

    def hand_over(self, *, object_id: int, leaver: User, successor: User, actor: User) -> None:
        event = Event.objects.select_related("community").filter(pk=object_id).first()
        if event is None:
            return  # deleted since: nobody to replace
        hosts = list(event.hosts.select_related("person").order_by("position", "pk"))
        if not any(host.person_id == leaver.pk for host in hosts):
            return  # the organizers already replaced them
        successor_hosts = any(host.person_id == successor.pk for host in hosts)
        specs = []
        for host in hosts:
            if host.person_id == leaver.pk:
                if successor_hosts:
                    continue  # already on the event: the leaver's place just goes
                specs.append(HostSpec(person=successor, role=host.role))
            else:
                specs.append(
                    HostSpec(
                        person=host.person,
                        guest_name=host.guest_name,
                        guest_affiliation=host.guest_affiliation,
                        role=host.role,
                    )
                )
        set_event_hosts(event=event, actor=actor, hosts=specs)

    def url_for(self, object_id: int) -> str:
        return event_url(object_id)
