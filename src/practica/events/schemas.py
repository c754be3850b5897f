"""The events API's input and output shapes (`events.api*` hold the endpoints).

Inputs forbid unknown fields and carry the models' limits, so oversize text, naive times and
unknown choices are a 422 naming the field before any service runs.
"""

from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext as _
from ninja import Field, Schema
from pydantic import AfterValidator, AwareDatetime, ConfigDict, StrictInt

from practica.api.fields import Id, Slug, text
from practica.communities.api import CommunityRef
from practica.core.api import TopicRef
from practica.events.models import (
    CheckInMethod,
    EventFormat,
    EventMode,
    EventStatus,
    RegistrationStatus,
    SeatMode,
    SpeakerRole,
)
from practica.events.services.events import MAX_CAPACITY, MAX_DESCRIPTION, MAX_TITLE
from practica.people.api import PersonRef

MAX_TOPICS = 10
MAX_CO_HOSTS = 20
MAX_HOSTS = 50
MAX_URL = 500
MAX_VENUE = 120
MAX_GUEST = 160
MAX_REASON = 500
MIN_OFFER_MINUTES = 5
MAX_OFFER_MINUTES = 60 * 24 * 14

Capacity = Annotated[StrictInt, Field(ge=0, le=MAX_CAPACITY)]
_url_validator = URLValidator(schemes=["http", "https"])


def _checked_url(value: str | None) -> str | None:
    """An http(s) link (or empty), checked like the model's URLField would."""
    if value:
        try:
            _url_validator(value)
        except DjangoValidationError:
            raise ValueError(_("Give a full http:// or https:// link.")) from None
    return value


Url = Annotated[text(MAX_URL), AfterValidator(_checked_url)]


# --- Events --------------------------------------------------------------------------------


class SeriesRef(Schema):
    id: int
    title: str


class EventRef(Schema):
    id: int
    title: str
    starts_at: datetime
    ends_at: datetime
    status: EventStatus


class HostOut(Schema):
    person: PersonRef | None = Field(description="A member; null for a guest.")
    guest_name: str
    guest_affiliation: str
    role: SpeakerRole


class SeatOut(Schema):
    """The seats of one mode. `capacity` and `waitlist_limit` null: unlimited."""

    mode: SeatMode
    capacity: int | None
    taken: int
    available: int | None
    waitlisted: int
    waitlist_limit: int | None
    is_full: bool
    waitlist_full: bool


class EventGroupRef(Schema):
    """The grassroots group whose meeting an event is."""

    id: int
    slug: str
    name: str


class EventOut(Schema):
    """An event as it appears in lists. Times are UTC; `time_zone` is the organizer's zone.
    `group`: the hosting community's grassroots group whose meeting it is, or null."""

    id: int
    title: str
    format: EventFormat
    mode: EventMode
    status: EventStatus
    community: CommunityRef
    group: EventGroupRef | None
    co_hosts: list[CommunityRef]
    topics: list[TopicRef]
    series: SeriesRef | None
    starts_at: datetime
    ends_at: datetime
    time_zone: str
    venue_room: str
    venue_building: str
    venue_city: str
    registration_opens_at: datetime | None
    registration_closes_at: datetime | None
    cancellation_reason: str
    my_status: RegistrationStatus | None = Field(
        description="The caller's registration status; null when never registered."
    )

    @staticmethod
    def resolve_my_status(event: Any) -> str | None:
        return getattr(event, "my_status", None)

    @staticmethod
    def resolve_topics(event: Any) -> list[Any]:
        return list(event.topics.all())

    @staticmethod
    def resolve_co_hosts(event: Any) -> list[Any]:
        return list(event.co_hosts.all())


class RegistrationOut(Schema):
    """A person's place at an event. `status`: registered, waitlisted, offered (a seat waits
    for confirmation until `offer_expires_at`), cancelled or expired."""

    id: int
    event_id: int
    mode: SeatMode
    status: RegistrationStatus
    registered_at: datetime
    waitlist_position: int | None
    offered_at: datetime | None
    offer_expires_at: datetime | None
    cancelled_at: datetime | None
    checked_in_at: datetime | None
    check_in_method: CheckInMethod | None

    @staticmethod
    def resolve_check_in_method(registration: Any) -> str | None:
        return registration.check_in_method or None


class EventDetailOut(EventOut):
    """One event with its hosts, seats, the caller's registration and what the caller may do.
    `online_url` is null unless the caller holds a seat or organizes; `check_in_code` is for
    organizers only."""

    uid: UUID = Field(description="The iCalendar UID; never changes.")
    sequence: int = Field(description="The iCalendar SEQUENCE; goes up on every move.")
    description: str = Field(description="Markdown, as written.")
    description_html: str = Field(description="Rendered and sanitized HTML.")
    hosts: list[HostOut]
    seats: list[SeatOut]
    online_url: str | None
    anonymous_questions: bool
    offer_minutes: int
    check_in_code: str | None
    my_registration: RegistrationOut | None
    can_manage: bool
    can_register: bool

    # The API sets `host_list`, `seat_list`, `shown_online_url` and `shown_check_in_code` on
    # the event: `hosts` and `seats` are the model's related managers, and the link and code
    # are shown to some callers only.
    @staticmethod
    def resolve_hosts(event: Any) -> list[Any]:
        return event.host_list

    @staticmethod
    def resolve_seats(event: Any) -> list[Any]:
        return event.seat_list

    @staticmethod
    def resolve_online_url(event: Any) -> str | None:
        return event.shown_online_url

    @staticmethod
    def resolve_check_in_code(event: Any) -> str | None:
        return event.shown_check_in_code


class EventFilters(Schema):
    community: Slug | None = Field(None, description="Hosted or co-hosted by this community.")
    format: EventFormat | None = None
    mode: EventMode | None = None
    topic: Slug | None = Field(None, description="Topic slug; events on its sub-topics match.")
    when: Literal["upcoming", "past", "all"] = Field(
        "upcoming",
        description="`upcoming` (default, soonest first), `past` (latest first) or `all`.",
    )
    status: EventStatus | None = Field(None, description="Drafts show to their organizers only.")
    q: text(200) = Field("", description="Words in the title.")
    registered: bool = Field(False, description="Only events the caller is registered for.")


class HostIn(Schema):
    model_config = ConfigDict(extra="forbid")

    person_id: Id | None = Field(None, description="A member; leave out for a guest.")
    guest_name: text(MAX_GUEST) = ""
    guest_affiliation: text(MAX_GUEST) = ""
    role: SpeakerRole = SpeakerRole.SPEAKER


class HostsIn(Schema):
    model_config = ConfigDict(extra="forbid")

    hosts: list[HostIn] = Field(max_length=MAX_HOSTS, description="In the order to show them.")


class EventCreateIn(Schema):
    """A new event, a draft unless `publish`. `capacities` and `waitlist_limits` map a seat
    mode (`in_person`, `online`) to a number, or null for unlimited (the default)."""

    model_config = ConfigDict(extra="forbid")

    title: text(MAX_TITLE, min_length=1)
    description: text(MAX_DESCRIPTION) = Field("", description="Markdown.")
    format: EventFormat = EventFormat.TALK
    mode: EventMode = EventMode.ONLINE
    topics: list[Slug] = Field(default_factory=list, max_length=MAX_TOPICS)
    co_hosts: list[Slug] = Field(
        default_factory=list, max_length=MAX_CO_HOSTS, description="Community slugs."
    )
    series_id: Id | None = None
    group: Slug | None = Field(
        None,
        description="A grassroots group of the community (its slug): the event is its meeting. "
        "The group's owners may schedule these too; not for an archived group.",
    )
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    time_zone: text(64, min_length=1) = Field(description="IANA name, e.g. Europe/Berlin.")
    venue_room: text(MAX_VENUE) = ""
    venue_building: text(MAX_VENUE) = ""
    venue_city: text(MAX_VENUE) = ""
    online_url: Url = ""
    capacities: dict[SeatMode, Capacity | None] = Field(default_factory=dict)
    waitlist_limits: dict[SeatMode, Capacity | None] = Field(default_factory=dict)
    registration_opens_at: AwareDatetime | None = None
    registration_closes_at: AwareDatetime | None = None
    anonymous_questions: bool = False
    offer_minutes: StrictInt = Field(1440, ge=MIN_OFFER_MINUTES, le=MAX_OFFER_MINUTES)
    hosts: list[HostIn] = Field(default_factory=list, max_length=MAX_HOSTS)
    publish: bool = False


class EventUpdateIn(Schema):
    """Only the fields sent change; `null` is allowed where it means something (no series,
    no registration window, unlimited capacity)."""

    model_config = ConfigDict(extra="forbid")

    title: text(MAX_TITLE, min_length=1) = None
    description: text(MAX_DESCRIPTION) = None
    format: EventFormat = None
    mode: EventMode = None
    topics: list[Slug] = Field(None, max_length=MAX_TOPICS)
    co_hosts: list[Slug] = Field(None, max_length=MAX_CO_HOSTS)
    series_id: Id | None = None
    group: Slug | None = Field(None, description="A group of the community, or null for none.")
    starts_at: AwareDatetime = None
    ends_at: AwareDatetime = None
    time_zone: text(64, min_length=1) = None
    venue_room: text(MAX_VENUE) = None
    venue_building: text(MAX_VENUE) = None
    venue_city: text(MAX_VENUE) = None
    online_url: Url = None
    capacities: dict[SeatMode, Capacity | None] = None
    waitlist_limits: dict[SeatMode, Capacity | None] = None
    registration_opens_at: AwareDatetime | None = None
    registration_closes_at: AwareDatetime | None = None
    anonymous_questions: bool = None
    offer_minutes: StrictInt = Field(None, ge=MIN_OFFER_MINUTES, le=MAX_OFFER_MINUTES)


class CancelIn(Schema):
    model_config = ConfigDict(extra="forbid")

    reason: text(MAX_REASON) = Field("", description="Told to everyone registered.")


class CapacityIn(Schema):
    """The mode's capacity (null: unlimited) and, when sent, its waiting-list limit."""

    model_config = ConfigDict(extra="forbid")

    capacity: Capacity | None
    waitlist_limit: Capacity | None = None


class CadenceIn(Schema):
    model_config = ConfigDict(extra="forbid")

    minimum: StrictInt = Field(ge=0, le=1000, description="Events a year, at least.")
    maximum: StrictInt = Field(ge=0, le=1000, description="Events a year, at most.")


class CadenceOut(Schema):
    minimum: int
    maximum: int
    is_set: bool = Field(description="false: the default target, never set for the community.")


# --- Registrations -------------------------------------------------------------------------


class RegisterIn(Schema):
    model_config = ConfigDict(extra="forbid")

    mode: SeatMode | None = Field(
        None, description="`in_person` or `online`; the event's first seat mode when left out."
    )
    person_id: Id | None = Field(
        None, description="Organizers only: register this member instead of oneself."
    )


class RefusalOut(Schema):
    """Registration was refused. `code`: draft, cancelled, not_open, closed, ended, mode,
    full, inactive, expired or state."""

    detail: str
    code: str


class RegistrantPersonOut(Schema):
    id: int
    display_name: str
    email: str


class RegistrantOut(RegistrationOut):
    person: RegistrantPersonOut


class MyRegistrationOut(RegistrationOut):
    event: EventRef


class RegistrantFilters(Schema):
    status: RegistrationStatus | None = Field(
        None, description="Only this status; by default registered, offered and waitlisted."
    )
    mode: SeatMode | None = None
    q: text(200) = Field("", description="Text matched against name and email.")


class WaitlistFilters(Schema):
    mode: SeatMode | None = Field(None, description="The event's first seat mode by default.")


class MyRegistrationFilters(Schema):
    past: bool = Field(False, description="Include events that are over.")
