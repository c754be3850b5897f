"""Forms of the event screens: the list's filters, scheduling and editing an event, cancelling
it, choosing a seat mode, and the cadence target. They validate input; services do the writing.

Times are typed on the wall clock of the event's own time zone (the form's `time_zone` field),
not the organizer's: "18:00 Europe/Berlin" means the same whoever types it.
"""

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.contrib.auth import get_user_model
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from practica.communities.models import Community, Group, GroupMembership, GroupRole
from practica.core.queries import topic_tree, topics_with_descendants
from practica.events.models import (
    Event,
    EventFormat,
    EventMode,
    EventSeries,
    SeatMode,
    SpeakerRole,
)
from practica.events.permissions import can_create_event
from practica.events.services.events import HostSpec
from practica.people.forms import TIME_ZONE_CHOICES, TopicChoiceField, TopicMultipleChoiceField

MAX_HOST_LINES = 20
MAX_CAPACITY = 1_000_000
WHEN_UPCOMING = "upcoming"
WHEN_PAST = "past"
WALL_CLOCK_FORMAT = "%Y-%m-%dT%H:%M"
# Minutes a member promoted from the waiting list has to confirm the seat.
OFFER_CHOICES = [
    (30, _("30 minutes")),
    (60, _("1 hour")),
    (120, _("2 hours")),
    (240, _("4 hours")),
    (720, _("12 hours")),
    (1440, _("1 day")),
    (2880, _("2 days")),
    (4320, _("3 days")),
]


class WallClockField(forms.DateTimeField):
    """A date and time as typed (`<input type="datetime-local">`), without a zone: the form
    places it in the event's zone. Naive values render as they are."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format=WALL_CLOCK_FORMAT)
    input_formats = [WALL_CLOCK_FORMAT, "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]

    def to_python(self, value: Any) -> datetime | None:
        with timezone.override(UTC):
            result = super().to_python(value)
        return result.replace(tzinfo=None) if result else None


def wall_clock(moment: datetime | None, zone_name: str) -> datetime | None:
    """The naive wall-clock time of `moment` in the zone named `zone_name` (for initial data)."""
    if moment is None:
        return None
    return moment.astimezone(ZoneInfo(zone_name)).replace(tzinfo=None)


def in_zone(naive: datetime, zone: ZoneInfo) -> datetime | None:
    """`naive` on `zone`'s wall clock as an aware time, or None if the clocks skip it (DST)."""
    aware = naive.replace(tzinfo=zone)
    if aware.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != naive:
        return None
    return aware


class EventFilterForm(forms.Form):
    """The event list's filters (GET); invalid values are reported and ignored, never fatal."""

    when = forms.ChoiceField(
        label=_("When"),
        required=False,
        choices=[(WHEN_UPCOMING, _("Upcoming")), (WHEN_PAST, _("Past"))],
    )
    community = forms.ModelChoiceField(
        label=_("Community"),
        queryset=Community.objects.order_by("name"),
        to_field_name="slug",
        required=False,
        empty_label=_("All communities"),
        error_messages={"invalid_choice": _("There is no such community.")},
    )
    format = forms.ChoiceField(label=_("Format"), required=False)
    topic = TopicChoiceField(
        label=_("Topic"),
        queryset=topic_tree(),
        to_field_name="slug",
        required=False,
        empty_label=_("Any topic"),
        error_messages={"invalid_choice": _("There is no such topic.")},
    )
    mine = forms.BooleanField(label=_("Only events I registered for"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["format"].choices = [("", _("Any format")), *EventFormat.choices]

    def filters(self) -> dict[str, Any]:
        if not self.is_bound:
            return {}
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if value}


def _host_lines_field(label: Any, help_text: Any) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "off"}),
        help_text=help_text,
    )


class EventForm(forms.Form):
    """Schedule or edit an event. `cleaned_data["schedule"]` holds the service's arguments."""

    title = forms.CharField(
        label=_("Title"),
        max_length=Event._meta.get_field("title").max_length,
        error_messages={"required": _("Give the event a title.")},
        widget=forms.TextInput(attrs={"placeholder": _("e.g. Evaluating LLMs in production")}),
    )
    format = forms.ChoiceField(label=_("Format"), choices=EventFormat.choices)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=Event._meta.get_field("description").max_length,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Markdown: **bold**, lists, links. Say who it is for and what to prepare."),
    )
    topics = TopicMultipleChoiceField(
        label=_("Topics"),
        queryset=topic_tree(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    series = forms.ModelChoiceField(
        label=_("Series"),
        queryset=EventSeries.objects.none(),
        required=False,
        empty_label=_("Not part of a series"),
    )
    group = forms.ModelChoiceField(
        label=_("Group"),
        queryset=Group.objects.none(),
        to_field_name="slug",
        required=False,
        empty_label=_("Not a group's meeting"),
        help_text=_("A meeting of one of the community's groups: it is on the group's calendar."),
        error_messages={"invalid_choice": _("Choose one of the groups listed.")},
    )
    co_hosts = forms.ModelMultipleChoiceField(
        label=_("Co-hosting communities"),
        queryset=Community.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Their members see the event as theirs too; clashes are checked with them."),
    )
    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        choices=TIME_ZONE_CHOICES,
        error_messages={"invalid_choice": _("“%(value)s” is not a known time zone.")},
        help_text=_("The start and end below are times in this zone."),
    )
    starts_at = WallClockField(
        label=_("Starts"), error_messages={"required": _("Say when the event starts.")}
    )
    ends_at = WallClockField(
        label=_("Ends"), error_messages={"required": _("Say when the event ends.")}
    )
    mode = forms.ChoiceField(
        label=_("Mode"), choices=EventMode.choices, widget=forms.RadioSelect, initial="online"
    )
    venue_room = forms.CharField(label=_("Room"), required=False, max_length=120)
    venue_building = forms.CharField(label=_("Building"), required=False, max_length=120)
    venue_city = forms.CharField(label=_("City"), required=False, max_length=120)
    online_url = forms.URLField(
        label=_("Online link"),
        required=False,
        max_length=500,
        assume_scheme="https",
        help_text=_("Shown only to people with a seat."),
    )
    capacity_in_person = forms.IntegerField(
        label=_("In-person seats"),
        required=False,
        min_value=0,
        max_value=MAX_CAPACITY,
        help_text=_("Leave empty for no limit."),
    )
    waitlist_in_person = forms.IntegerField(
        label=_("In-person waiting list limit"),
        required=False,
        min_value=0,
        max_value=MAX_CAPACITY,
        help_text=_("Leave empty for no limit; 0 for no waiting list."),
    )
    capacity_online = forms.IntegerField(
        label=_("Online seats"),
        required=False,
        min_value=0,
        max_value=MAX_CAPACITY,
        help_text=_("Leave empty for no limit."),
    )
    waitlist_online = forms.IntegerField(
        label=_("Online waiting list limit"),
        required=False,
        min_value=0,
        max_value=MAX_CAPACITY,
        help_text=_("Leave empty for no limit; 0 for no waiting list."),
    )
    registration_opens_at = WallClockField(
        label=_("Registration opens"),
        required=False,
        help_text=_("Empty: as soon as the event is published. Set it for a registration rush."),
    )
    registration_closes_at = WallClockField(
        label=_("Registration closes"), required=False, help_text=_("Empty: when the event ends.")
    )
    offer_minutes = forms.TypedChoiceField(
        label=_("Time to confirm a seat offered from the waiting list"),
        choices=OFFER_CHOICES,
        coerce=int,
        initial=1440,
        help_text=_("Then the seat goes to the next person waiting."),
    )
    anonymous_questions = forms.BooleanField(
        label=_("AMA questions may be asked anonymously"), required=False
    )
    speakers = _host_lines_field(
        _("Speakers"),
        _("One per line: a member's email, or a guest's name and affiliation (“Ada Li, Acme”)."),
    )
    hosts = _host_lines_field(_("Hosts and moderators"), _("One per line, like the speakers."))
    accept_clashes = forms.BooleanField(
        label=_("Schedule it anyway: I have checked the clashes"), required=False
    )

    def __init__(
        self,
        *args: Any,
        community: Community,
        event: Event | None = None,
        user: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.community = community
        self.event = event
        self._limit_groups(user)
        if community.topics.exists():
            self.fields["topics"].queryset = topics_with_descendants(
                community.topics.all()
            ).order_by("path")
        self.fields["series"].queryset = EventSeries.objects.filter(community=community)
        self.fields["co_hosts"].queryset = Community.objects.exclude(pk=community.pk).order_by(
            "name"
        )
        if event is not None:
            offered = event.offer_minutes
            if offered not in dict(OFFER_CHOICES):
                self.fields["offer_minutes"].choices = [
                    *OFFER_CHOICES,
                    (offered, _("%(minutes)s minutes") % {"minutes": offered}),
                ]

    def _limit_groups(self, user: Any) -> None:
        """The community's open groups; for a group owner who is not one of the community's
        organizers, only the groups they own, and then a group is required."""
        groups = Group.objects.filter(community=self.community, archived_at__isnull=True)
        if user is not None and not can_create_event(user, self.community):
            owned = GroupMembership.objects.filter(
                person=user, role=GroupRole.OWNER, left_at__isnull=True
            ).values("group_id")
            groups = groups.filter(pk__in=owned)
            self.fields["group"].required = True
            self.fields["group"].error_messages["required"] = _(
                "Choose the group whose meeting this is."
            )
        if self.event is not None and self.event.group_id is not None:
            groups = groups | Group.objects.filter(pk=self.event.group_id)
        self.fields["group"].queryset = groups.order_by("name")

    @property
    def has_groups(self) -> bool:
        return self.fields["group"].queryset.exists()

    @property
    def has_series(self) -> bool:
        return self.fields["series"].queryset.exists()

    @property
    def has_other_communities(self) -> bool:
        return self.fields["co_hosts"].queryset.exists()

    @staticmethod
    def initial_for(event: Event) -> dict[str, Any]:
        """The form's initial data for editing `event` (times on its own wall clock)."""
        zone = event.time_zone
        seats = {row.mode: row for row in event.seats.all()}
        hosts = list(event.hosts.select_related("person").order_by("position", "pk"))

        def lines(*roles: str) -> str:
            return "\n".join(
                host.person.email
                if host.person is not None
                else ", ".join(part for part in (host.guest_name, host.guest_affiliation) if part)
                for host in hosts
                if host.role in roles
            )

        data: dict[str, Any] = {
            name: getattr(event, name)
            for name in (
                "title",
                "format",
                "description",
                "series",
                "group",
                "time_zone",
                "mode",
                "venue_room",
                "venue_building",
                "venue_city",
                "online_url",
                "offer_minutes",
                "anonymous_questions",
            )
        }
        for name in ("starts_at", "ends_at", "registration_opens_at", "registration_closes_at"):
            data[name] = wall_clock(getattr(event, name), zone)
        data["topics"] = list(event.topics.all())
        data["co_hosts"] = list(event.co_hosts.all())
        for mode in SeatMode.values:
            if mode in seats:
                data[f"capacity_{mode}"] = seats[mode].capacity
                data[f"waitlist_{mode}"] = seats[mode].waitlist_limit
        data["hosts"] = lines(SpeakerRole.HOST, SpeakerRole.MODERATOR)
        data["speakers"] = lines(SpeakerRole.SPEAKER)
        return data

    def _hosts(self, field: str, role: str) -> list[HostSpec]:
        text = self.cleaned_data.get(field, "")
        raw = [line.strip() for line in text.splitlines() if line.strip()]
        if len(raw) > MAX_HOST_LINES:
            self.add_error(field, _("List at most %(count)s people.") % {"count": MAX_HOST_LINES})
            return []
        specs, unknown = [], []
        people = get_user_model().objects.filter(is_active=True)
        for line in raw:
            if "@" in line and " " not in line:
                try:
                    validate_email(line)
                except forms.ValidationError:
                    unknown.append(line)
                    continue
                person = people.filter(email__iexact=line).first()
                if person is None:
                    unknown.append(line)
                else:
                    specs.append(HostSpec(person=person, role=role))
                continue
            name, _comma, affiliation = line.partition(",")
            specs.append(
                HostSpec(
                    guest_name=name.strip()[:160],
                    guest_affiliation=affiliation.strip()[:160],
                    role=role,
                )
            )
        if unknown:
            self.add_error(
                field,
                _("No member has the address %(emails)s. Write a guest's name instead.")
                % {"emails": ", ".join(unknown)},
            )
        return specs

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        zone_name = data.get("time_zone")
        zone = ZoneInfo(zone_name) if zone_name else None
        aware: dict[str, datetime | None] = {}
        for name in ("starts_at", "ends_at", "registration_opens_at", "registration_closes_at"):
            naive = data.get(name)
            if naive is None or zone is None:
                aware[name] = None
                continue
            aware[name] = in_zone(naive, zone)
            if aware[name] is None:
                self.add_error(
                    name,
                    _("%(time)s does not exist in %(zone)s: the clocks change then.")
                    % {"time": f"{naive:%Y-%m-%d %H:%M}", "zone": zone_name},
                )
        starts, ends = aware["starts_at"], aware["ends_at"]
        if starts and ends and ends <= starts:
            self.add_error("ends_at", _("The event must end after it starts."))
        opens, closes = aware["registration_opens_at"], aware["registration_closes_at"]
        if opens and closes and closes <= opens:
            self.add_error("registration_closes_at", _("Registration must close after it opens."))
        if opens and ends and opens >= ends:
            self.add_error(
                "registration_opens_at", _("Registration must open before the event ends.")
            )
        mode = data.get("mode")
        if mode in (EventMode.IN_PERSON, EventMode.HYBRID) and not any(
            data.get(name) for name in ("venue_room", "venue_building", "venue_city")
        ):
            self.add_error("venue_city", _("Say where the event takes place."))
        hosts = self._hosts("hosts", SpeakerRole.HOST) + self._hosts(
            "speakers", SpeakerRole.SPEAKER
        )
        modes = Event(mode=mode).seat_modes if mode else []
        data["schedule"] = {
            "title": data.get("title", ""),
            "format": data.get("format"),
            "description": data.get("description", ""),
            "topics": list(data.get("topics") or []),
            "co_hosts": list(data.get("co_hosts") or []),
            "series": data.get("series"),
            "group": data.get("group"),
            "time_zone": zone_name,
            "starts_at": starts,
            "ends_at": ends,
            "mode": mode,
            "venue_room": data.get("venue_room", ""),
            "venue_building": data.get("venue_building", ""),
            "venue_city": data.get("venue_city", ""),
            "online_url": data.get("online_url", ""),
            "registration_opens_at": opens,
            "registration_closes_at": closes,
            "offer_minutes": data.get("offer_minutes", 1440),
            "anonymous_questions": bool(data.get("anonymous_questions")),
            "capacities": {m: data.get(f"capacity_{m}") for m in modes},
            "waitlist_limits": {m: data.get(f"waitlist_{m}") for m in modes},
        }
        data["host_specs"] = hosts
        return data


class CancelEventForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason, for the people registered"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "It goes into the cancellation mail, e.g. “The speaker is ill; we will reschedule.”"
        ),
    )


class SeatModeForm(forms.Form):
    """Which seat a member asks for (a hybrid event has both)."""

    mode = forms.ChoiceField(
        label=_("How will you take part?"),
        choices=SeatMode.choices,
        required=False,
        error_messages={"invalid_choice": _("Choose in person or online.")},
    )


class CadenceTargetForm(forms.Form):
    minimum = forms.IntegerField(label=_("At least"), min_value=0, max_value=1000)
    maximum = forms.IntegerField(label=_("At most"), min_value=0, max_value=1000)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        low, high = data.get("minimum"), data.get("maximum")
        if low is not None and high is not None and high < low:
            self.add_error("maximum", _("The most must be at least the least."))
        return data


def clash_window(params: Any) -> tuple[datetime, datetime] | None:
    """The [start, end) in UTC that the live clash check reads from the form's GET values, or
    None when they are missing or not valid yet (the organizer is still typing)."""
    zone_name = params.get("time_zone", "")
    if zone_name not in dict(TIME_ZONE_CHOICES):
        return None
    field = WallClockField(required=False)
    try:
        starts = field.clean(params.get("starts_at", ""))
        ends = field.clean(params.get("ends_at", ""))
    except forms.ValidationError:
        return None
    if starts is None or ends is None:
        return None
    zone = ZoneInfo(zone_name)
    starts_at, ends_at = in_zone(starts, zone), in_zone(ends, zone)
    if starts_at is None or ends_at is None or ends_at <= starts_at:
        return None
    return starts_at, ends_at


def clash_co_hosts(params: Any, community: Community) -> list[Community]:
    """The co-hosting communities ticked on the form, for the live clash check."""
    ids = [value for value in params.getlist("co_hosts") if value.isdigit() and len(value) < 12]
    return list(Community.objects.filter(pk__in=ids).exclude(pk=community.pk)) if ids else []
