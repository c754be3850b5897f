"""An edition of a community's conference and what it is made of: tracks, session formats,
rooms, the program committee and the review form's criteria."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from practica.core.models import TimeStampedModel
from practica.people.models import validate_time_zone


class EditionPhase(models.TextChoices):
    """Where an edition stands, derived from its dates (see `Edition.phase`), never stored."""

    PREPARING = "preparing", _("Preparing")
    CALL_OPEN = "call_open", _("Call for proposals open")
    CALL_CLOSED = "call_closed", _("Call closed")
    REVIEWING = "reviewing", _("Reviewing")
    DECIDING = "deciding", _("Deciding")
    PROGRAM = "program", _("Program published")
    FINISHED = "finished", _("Finished")


class Edition(TimeStampedModel):
    """One edition of a community's conference (e.g. "Spring 2027").

    Every moment is stored in UTC; `time_zone` is the zone the deadlines are announced in and
    the one screens name beside the viewer's own. Registration is the events capability's:
    `event` is the conference as an event (capacity, waiting list, calendar), made by
    `services.editions.create_edition`.
    """

    community = models.ForeignKey(
        "communities.Community",
        verbose_name=_("community"),
        on_delete=models.CASCADE,
        related_name="conference_editions",
    )
    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=120)
    description = models.TextField(_("description"), blank=True, max_length=20000)
    event = models.OneToOneField(
        "events.Event",
        verbose_name=_("conference event"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="conference_edition",
    )
    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("last day"))
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="UTC", validators=[validate_time_zone]
    )
    topics = models.ManyToManyField(
        "core.Topic", verbose_name=_("topics"), blank=True, related_name="conference_editions"
    )
    cfp_opens_at = models.DateTimeField(_("call opens"))
    cfp_closes_at = models.DateTimeField(_("proposal deadline"))
    review_opens_at = models.DateTimeField(_("reviewing opens"))
    review_closes_at = models.DateTimeField(_("review deadline"))
    decisions_due_at = models.DateTimeField(_("decisions due"))
    reviewers_per_proposal = models.PositiveSmallIntegerField(
        _("reviewers per proposal"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(10)],
    )
    reviewer_min_load = models.PositiveSmallIntegerField(
        _("fewest proposals per reviewer"), default=0
    )
    reviewer_max_load = models.PositiveSmallIntegerField(
        _("most proposals per reviewer"),
        default=8,
        validators=[MinValueValidator(1)],
        help_text=_("A volunteer's own maximum is used when it is lower."),
    )
    double_blind = models.BooleanField(
        _("double-blind"),
        default=False,
        help_text=_(
            "Hide the speakers from reviewers (reviewers are always hidden from speakers)."
        ),
    )
    is_published = models.BooleanField(
        _("announced"), default=False, help_text=_("Members see the edition and its call.")
    )
    program_published_at = models.DateTimeField(_("program published"), null=True, blank=True)
    review_reminder_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-starts_on"]
        verbose_name = _("conference edition")
        verbose_name_plural = _("conference editions")
        constraints = [
            models.UniqueConstraint(fields=["community", "slug"], name="edition_slug_unique"),
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="edition_days_in_order"
            ),
            models.CheckConstraint(
                condition=Q(cfp_closes_at__gt=models.F("cfp_opens_at")),
                name="edition_call_in_order",
            ),
            models.CheckConstraint(
                condition=Q(review_closes_at__gt=models.F("review_opens_at")),
                name="edition_review_in_order",
            ),
            models.CheckConstraint(
                condition=Q(reviewer_max_load__gte=models.F("reviewer_min_load")),
                name="edition_loads_in_order",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def phase(self, now=None) -> str:
        """The phase the dates put the edition in at `now` (default: this moment)."""
        now = now or timezone.now()
        today = timezone.localdate(now)
        if self.ends_on < today:
            return EditionPhase.FINISHED
        if self.program_published_at is not None:
            return EditionPhase.PROGRAM
        if now < self.cfp_opens_at:
            return EditionPhase.PREPARING
        if now < self.cfp_closes_at:
            return EditionPhase.CALL_OPEN
        if now < self.review_opens_at:
            return EditionPhase.CALL_CLOSED
        if now < self.review_closes_at:
            return EditionPhase.REVIEWING
        return EditionPhase.DECIDING

    def call_is_open(self, now=None) -> bool:
        now = now or timezone.now()
        return self.cfp_opens_at <= now < self.cfp_closes_at


class Track(models.Model):
    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="tracks")
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True, max_length=2000)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("track")
        verbose_name_plural = _("tracks")
        constraints = [
            models.UniqueConstraint(fields=["edition", "name"], name="track_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class SessionKind(models.TextChoices):
    TALK = "talk", _("Talk")
    LIGHTNING = "lightning", _("Lightning talk")
    TUTORIAL = "tutorial", _("Tutorial")
    POSTER = "poster", _("Poster")
    KEYNOTE = "keynote", _("Keynote")
    PANEL = "panel", _("Panel")


DEFAULT_SESSION_MINUTES = {
    SessionKind.TALK: 30,
    SessionKind.LIGHTNING: 10,
    SessionKind.TUTORIAL: 90,
    SessionKind.POSTER: 60,
    SessionKind.KEYNOTE: 45,
    SessionKind.PANEL: 45,
}


class SessionFormat(models.Model):
    """A kind of session an edition offers, with its length; keynotes are by invitation."""

    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="formats")
    kind = models.CharField(_("kind"), max_length=12, choices=SessionKind.choices)
    name = models.CharField(_("name"), max_length=80)
    minutes = models.PositiveSmallIntegerField(
        _("length in minutes"), validators=[MinValueValidator(5), MaxValueValidator(480)]
    )
    open_for_proposals = models.BooleanField(_("members may propose"), default=True)

    class Meta:
        ordering = ["minutes", "name"]
        verbose_name = _("session format")
        verbose_name_plural = _("session formats")
        constraints = [
            models.UniqueConstraint(fields=["edition", "name"], name="session_format_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.minutes} min)"


class Room(models.Model):
    """A room of one of the edition's venues, with its seats (the program builder warns when
    a session's expected audience is larger)."""

    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="rooms")
    name = models.CharField(_("name"), max_length=120)
    venue = models.CharField(_("venue"), max_length=160, blank=True)
    capacity = models.PositiveIntegerField(_("seats"), null=True, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("room")
        verbose_name_plural = _("rooms")
        constraints = [
            models.UniqueConstraint(fields=["edition", "venue", "name"], name="room_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.name} · {self.venue}" if self.venue else self.name


class CommitteeMember(models.Model):
    """A member of an edition's program committee; the chair runs the assignment and decides.

    The community's managers and leaders act as chairs without a row here.
    """

    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="committee")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="committee_seats"
    )
    is_chair = models.BooleanField(_("chair"), default=False)
    added_at = models.DateTimeField(_("added"), default=timezone.now)

    class Meta:
        ordering = ["-is_chair", "added_at"]
        verbose_name = _("committee member")
        verbose_name_plural = _("committee members")
        constraints = [
            models.UniqueConstraint(fields=["edition", "person"], name="committee_member_once"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} on {self.edition_id}"


class ReviewCriterion(models.Model):
    """One scored criterion of an edition's review form (1–5), weighted in the mean."""

    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="criteria")
    name = models.CharField(_("name"), max_length=80)
    description = models.CharField(_("what to judge"), max_length=300, blank=True)
    weight = models.DecimalField(
        _("weight"),
        max_digits=4,
        decimal_places=2,
        default=1,
        validators=[MinValueValidator(0)],
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("review criterion")
        verbose_name_plural = _("review criteria")
        constraints = [
            models.UniqueConstraint(fields=["edition", "name"], name="criterion_unique"),
        ]

    def __str__(self) -> str:
        return self.name
