"""Events and everything around one: seats per mode, registrations and the waiting list,
attendance, materials, feedback, AMA questions, costs and calendar feed tokens."""

import secrets
import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from practica.core.models import TimeStampedModel


class EventFormat(models.TextChoices):
    TALK = "talk", _("Talk")
    WEBINAR = "webinar", _("Webinar")
    TUTORIAL = "tutorial", _("Tutorial")
    HANDS_ON_LAB = "hands_on_lab", _("Hands-on lab")
    AMA = "ama", _("Ask me anything")
    PANEL = "panel", _("Panel")
    KEYNOTE = "keynote", _("Keynote")
    CHALLENGE = "challenge", _("Challenge")
    HACKATHON = "hackathon", _("Hackathon")
    QUIZ = "quiz", _("Quiz / game")
    MEETUP = "meetup", _("Meetup")
    STUDY_SESSION = "study_session", _("Study session")
    CONFERENCE = "conference", _("Conference")


class EventMode(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    ONLINE = "online", _("Online")
    HYBRID = "hybrid", _("Hybrid")


class SeatMode(models.TextChoices):
    """How one attendee takes part; a hybrid event has seats of both kinds."""

    IN_PERSON = "in_person", _("In person")
    ONLINE = "online", _("Online")


class EventStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    CANCELLED = "cancelled", _("Cancelled")


class SeriesCadence(models.TextChoices):
    WEEKLY = "weekly", _("Weekly")
    BIWEEKLY = "biweekly", _("Every two weeks")
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")
    IRREGULAR = "irregular", _("Irregular")


class EventSeries(TimeStampedModel):
    """Recurring events under one name (the monthly talk, the weekly study session)."""

    community = models.ForeignKey(
        "communities.Community",
        verbose_name=_("community"),
        on_delete=models.CASCADE,
        related_name="event_series",
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True, max_length=5000)
    cadence = models.CharField(
        _("cadence"), max_length=12, choices=SeriesCadence.choices, default=SeriesCadence.MONTHLY
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_event_series",
        help_text=_("Who runs the series; the community manager is alerted if they leave."),
    )

    class Meta:
        ordering = ["title"]
        verbose_name = _("event series")
        verbose_name_plural = _("event series")

    def __str__(self) -> str:
        return self.title


class EventQuerySet(models.QuerySet["Event"]):
    def published(self) -> "EventQuerySet":
        return self.filter(status=EventStatus.PUBLISHED)

    def listed(self) -> "EventQuerySet":
        """What members see in lists and feeds: published and cancelled, never drafts."""
        return self.exclude(status=EventStatus.DRAFT)

    def upcoming(self, now=None) -> "EventQuerySet":
        return self.filter(ends_at__gte=now or timezone.now())

    def past(self, now=None) -> "EventQuerySet":
        return self.filter(ends_at__lt=now or timezone.now())


def new_check_in_code() -> str:
    """Six characters a member types at the door; no 0/O/1/I to misread."""
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _ in range(6))


class Event(TimeStampedModel):
    """One event. Times are stored in UTC; `time_zone` is the zone the organizer planned in.

    `sequence` is the iCalendar SEQUENCE: it goes up by one each time a change that calendar
    clients must see is saved (time, place, status), and `uid` never changes.
    """

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True, max_length=20000)
    format = models.CharField(
        _("format"), max_length=20, choices=EventFormat.choices, default=EventFormat.TALK
    )
    topics = models.ManyToManyField(
        "core.Topic", verbose_name=_("topics"), blank=True, related_name="events"
    )
    community = models.ForeignKey(
        "communities.Community",
        verbose_name=_("hosting community"),
        on_delete=models.CASCADE,
        related_name="events",
    )
    co_hosts = models.ManyToManyField(
        "communities.Community",
        verbose_name=_("co-hosting communities"),
        blank=True,
        related_name="co_hosted_events",
    )
    group = models.ForeignKey(
        "communities.Group",
        verbose_name=_("group"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="events",
    )
    series = models.ForeignKey(
        EventSeries,
        verbose_name=_("series"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="events",
    )
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    time_zone = models.CharField(_("time zone"), max_length=64, default="UTC")
    mode = models.CharField(
        _("mode"), max_length=10, choices=EventMode.choices, default=EventMode.ONLINE
    )
    venue_room = models.CharField(_("room"), max_length=120, blank=True)
    venue_building = models.CharField(_("building"), max_length=120, blank=True)
    venue_city = models.CharField(_("city"), max_length=120, blank=True)
    online_url = models.URLField(_("online link"), max_length=500, blank=True)
    registration_opens_at = models.DateTimeField(_("registration opens"), null=True, blank=True)
    registration_closes_at = models.DateTimeField(_("registration closes"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=EventStatus.choices, default=EventStatus.DRAFT
    )
    cancellation_reason = models.CharField(_("reason for cancelling"), max_length=500, blank=True)
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    sequence = models.PositiveIntegerField(default=0, editable=False)
    check_in_code = models.CharField(
        _("self check-in code"), max_length=12, default=new_check_in_code
    )
    anonymous_questions = models.BooleanField(_("AMA questions may be anonymous"), default=False)
    # Minutes a promoted waitlisted member has to confirm the seat before it goes to the next.
    offer_minutes = models.PositiveIntegerField(
        _("minutes to confirm an offered seat"), default=1440
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # When the day-before and hour-before reminders went out, so the beat task skips the event.
    day_reminder_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    hour_reminder_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    feedback_requested_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = EventQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at"]
        verbose_name = _("event")
        verbose_name_plural = _("events")
        indexes = [
            models.Index(fields=["community", "starts_at"], name="event_community_start"),
            models.Index(fields=["status", "starts_at"], name="event_status_start"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="event_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_cancelled(self) -> bool:
        return self.status == EventStatus.CANCELLED

    @property
    def seat_modes(self) -> list[str]:
        if self.mode == EventMode.HYBRID:
            return [SeatMode.IN_PERSON, SeatMode.ONLINE]
        return [self.mode]


class EventSeats(models.Model):
    """The seats of one mode of one event, with a running count of those taken.

    This row is the lock registration takes (see `events.services.registration`): `taken`
    counts registered, offered and attended registrations of the mode and is changed only
    while the row is locked, so it can be compared with `capacity` without counting rows.
    `capacity` None means unlimited; `waitlist_limit` None means an unlimited waiting list.
    """

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="seats")
    mode = models.CharField(_("mode"), max_length=10, choices=SeatMode.choices)
    capacity = models.PositiveIntegerField(_("capacity"), null=True, blank=True)
    waitlist_limit = models.PositiveIntegerField(_("waiting list limit"), null=True, blank=True)
    taken = models.PositiveIntegerField(_("seats taken"), default=0)
    waitlisted = models.PositiveIntegerField(_("waiting"), default=0)
    # The last waiting-list position handed out; positions only grow, so order is first come.
    last_waitlist_position = models.PositiveBigIntegerField(default=0)

    class Meta:
        ordering = ["event", "mode"]
        verbose_name = _("seats")
        verbose_name_plural = _("seats")
        constraints = [
            models.UniqueConstraint(fields=["event", "mode"], name="one_seat_row_per_mode"),
            models.CheckConstraint(
                condition=Q(capacity__isnull=True) | Q(taken__lte=models.F("capacity")),
                name="seats_never_overbooked",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event_id} {self.mode}: {self.taken}/{self.capacity}"

    @property
    def available(self) -> int | None:
        return None if self.capacity is None else max(self.capacity - self.taken, 0)


class SpeakerRole(models.TextChoices):
    HOST = "host", _("Host")
    SPEAKER = "speaker", _("Speaker")
    MODERATOR = "moderator", _("Moderator")


class EventHost(models.Model):
    """A host or speaker: a member (`person`) or a guest from outside (`guest_name`)."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="hosts")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="hosted_events",
    )
    guest_name = models.CharField(_("guest name"), max_length=160, blank=True)
    guest_affiliation = models.CharField(_("guest affiliation"), max_length=160, blank=True)
    role = models.CharField(
        _("role"), max_length=10, choices=SpeakerRole.choices, default=SpeakerRole.SPEAKER
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["event", "position", "pk"]
        verbose_name = _("host or speaker")
        verbose_name_plural = _("hosts and speakers")
        constraints = [
            models.CheckConstraint(
                condition=Q(person__isnull=False) | ~Q(guest_name=""), name="host_is_someone"
            ),
            models.UniqueConstraint(
                fields=["event", "person"],
                condition=Q(person__isnull=False),
                name="one_host_row_per_member",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.role} of {self.event_id}"


class RegistrationStatus(models.TextChoices):
    REGISTERED = "registered", _("Registered")
    WAITLISTED = "waitlisted", _("On the waiting list")
    OFFERED = "offered", _("Seat offered, waiting for confirmation")
    CANCELLED = "cancelled", _("Cancelled")
    EXPIRED = "expired", _("Offer expired")


# Statuses that hold a seat (counted in EventSeats.taken).
SEAT_HOLDING = (RegistrationStatus.REGISTERED, RegistrationStatus.OFFERED)


class CheckInMethod(models.TextChoices):
    ORGANIZER = "organizer", _("Checked in by an organizer")
    SELF = "self", _("Self check-in with the event code")
    IMPORT = "import", _("Imported from the meeting's attendee list")
    WALK_IN = "walk_in", _("Walk-in")


class Registration(models.Model):
    """One person's place at one event: one row per (event, person), reused on re-registering.

    The unique pair is what makes registering idempotent: a double click or a retried request
    finds the row and returns it. `waitlist_position` orders the waiting list of a mode.
    """

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="registrations")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="event_registrations"
    )
    mode = models.CharField(_("mode"), max_length=10, choices=SeatMode.choices)
    status = models.CharField(_("status"), max_length=12, choices=RegistrationStatus.choices)
    registered_at = models.DateTimeField(_("registered"), default=timezone.now)
    waitlist_position = models.PositiveBigIntegerField(null=True, blank=True)
    offered_at = models.DateTimeField(_("seat offered"), null=True, blank=True)
    offer_expires_at = models.DateTimeField(_("offer expires"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    checked_in_at = models.DateTimeField(_("checked in"), null=True, blank=True)
    check_in_method = models.CharField(
        _("check-in"), max_length=10, choices=CheckInMethod.choices, blank=True
    )
    reminders_sent = models.PositiveSmallIntegerField(default=0, editable=False)
    # The confirmation or waiting-list mail of the last claim is still to be sent by a worker.
    notice_pending = models.BooleanField(default=False, db_default=False, editable=False)

    # Set by `register_for_event`: True when that call made the registration active (not stored).
    was_created: bool = False

    class Meta:
        ordering = ["registered_at", "pk"]
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        constraints = [
            models.UniqueConstraint(fields=["event", "person"], name="one_registration_per_person"),
        ]
        indexes = [
            models.Index(fields=["event", "mode", "status"], name="registration_event_status"),
            models.Index(
                fields=["event", "mode", "waitlist_position"],
                condition=Q(status="waitlisted"),
                name="registration_waitlist",
            ),
            models.Index(
                fields=["offer_expires_at"],
                condition=Q(status="offered"),
                name="registration_offer",
            ),
            models.Index(fields=["person", "status"], name="registration_person_status"),
            models.Index(
                fields=["registered_at"],
                condition=Q(notice_pending=True),
                name="registration_notice_pending",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} at {self.event_id} ({self.status})"

    @property
    def holds_seat(self) -> bool:
        return self.status in SEAT_HOLDING

    @property
    def attended(self) -> bool:
        return self.checked_in_at is not None


class MaterialKind(models.TextChoices):
    RECORDING = "recording", _("Recording")
    SLIDES = "slides", _("Slides")
    NOTEBOOK = "notebook", _("Notebook")
    CODE = "code", _("Code")
    OTHER = "other", _("Other")


class EventMaterial(models.Model):
    """A recording, slides or notebook of a past event, by link."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="materials")
    kind = models.CharField(_("kind"), max_length=10, choices=MaterialKind.choices)
    title = models.CharField(_("title"), max_length=200, blank=True)
    url = models.URLField(_("link"), max_length=500)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    added_at = models.DateTimeField(_("added"), default=timezone.now)

    class Meta:
        ordering = ["event", "kind", "pk"]
        verbose_name = _("material")
        verbose_name_plural = _("materials")

    def __str__(self) -> str:
        return self.title or self.url


class Feedback(models.Model):
    """An attendee's answer to the after-event survey: one per person per event."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="feedback")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="event_feedback"
    )
    satisfaction = models.PositiveSmallIntegerField(
        _("satisfaction"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    would_recommend = models.PositiveSmallIntegerField(
        _("would recommend the community (0–10)"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(10)],
    )
    comment = models.TextField(_("comment"), blank=True, max_length=4000)
    submitted_at = models.DateTimeField(_("submitted"), default=timezone.now)

    class Meta:
        ordering = ["-submitted_at"]
        verbose_name = _("feedback")
        verbose_name_plural = _("feedback")
        constraints = [
            models.UniqueConstraint(fields=["event", "person"], name="one_feedback_per_person"),
            models.CheckConstraint(
                condition=Q(satisfaction__gte=1, satisfaction__lte=5), name="satisfaction_1_to_5"
            ),
            models.CheckConstraint(
                condition=Q(would_recommend__isnull=True) | Q(would_recommend__lte=10),
                name="recommend_0_to_10",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} on {self.event_id}: {self.satisfaction}"


class QuestionStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ANSWERED = "answered", _("Answered")
    HIDDEN = "hidden", _("Hidden")


class AmaQuestion(models.Model):
    """A question for an AMA's host, asked before or during the event, ranked by votes."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="ama_questions")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="ama_questions"
    )
    is_anonymous = models.BooleanField(_("asked anonymously"), default=False)
    text = models.TextField(_("question"), max_length=2000)
    status = models.CharField(
        _("status"), max_length=10, choices=QuestionStatus.choices, default=QuestionStatus.OPEN
    )
    vote_count = models.PositiveIntegerField(_("votes"), default=0)
    asked_at = models.DateTimeField(_("asked"), default=timezone.now)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)

    class Meta:
        ordering = ["-vote_count", "asked_at", "pk"]
        verbose_name = _("AMA question")
        verbose_name_plural = _("AMA questions")
        indexes = [models.Index(fields=["event", "status"], name="ama_question_event_status")]

    def __str__(self) -> str:
        return self.text[:60]


class AmaVote(models.Model):
    question = models.ForeignKey(AmaQuestion, on_delete=models.CASCADE, related_name="votes")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    voted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("AMA vote")
        verbose_name_plural = _("AMA votes")
        constraints = [
            models.UniqueConstraint(fields=["question", "person"], name="one_ama_vote_per_person"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} → {self.question_id}"


class CostCategory(models.TextChoices):
    VENUE = "venue", _("Venue")
    FOOD = "food", _("Food and drinks")
    RECORDING = "recording", _("Recording")
    SPEAKER = "speaker", _("Speaker travel and fees")
    SWAG = "swag", _("Swag and prizes")
    OTHER = "other", _("Other")


class EventCost(models.Model):
    """One cost line of an event, for the budget to roll up."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="costs")
    category = models.CharField(_("category"), max_length=10, choices=CostCategory.choices)
    description = models.CharField(_("description"), max_length=200, blank=True)
    amount = models.DecimalField(
        _("amount"), max_digits=12, decimal_places=2, validators=[MinValueValidator(0)]
    )
    currency = models.CharField(_("currency"), max_length=3, default="USD")
    incurred_on = models.DateField(_("date"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)

    class Meta:
        ordering = ["event", "category", "pk"]
        verbose_name = _("cost")
        verbose_name_plural = _("costs")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="cost_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.category} {self.amount} {self.currency}"


class CadenceTarget(models.Model):
    """How many events a year a community aims for (the content calendar counts against it)."""

    community = models.OneToOneField(
        "communities.Community", on_delete=models.CASCADE, related_name="event_cadence"
    )
    events_per_year_min = models.PositiveSmallIntegerField(_("events a year, at least"), default=50)
    events_per_year_max = models.PositiveSmallIntegerField(_("events a year, at most"), default=60)

    class Meta:
        verbose_name = _("cadence target")
        verbose_name_plural = _("cadence targets")
        constraints = [
            models.CheckConstraint(
                condition=Q(events_per_year_max__gte=models.F("events_per_year_min")),
                name="cadence_max_at_least_min",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.events_per_year_min}–{self.events_per_year_max} a year"


class CalendarToken(models.Model):
    """The secret in a member's calendar feed URLs (calendar clients cannot sign in).

    The secret is kept as is so the member can copy their feed address again, like a
    calendar's "secret address"; revoking sets `revoked_at` and a new token replaces it, so old
    feed URLs stop working at once.
    """

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_tokens"
    )
    secret = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("calendar token")
        verbose_name_plural = _("calendar tokens")
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(revoked_at__isnull=True),
                name="one_live_calendar_token",
            ),
        ]

    def __str__(self) -> str:
        return f"calendar token of {self.person_id}"
