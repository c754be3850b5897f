"""Communities, the company-wide program over them, and memberships with their history."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from practica.core.models import TimeStampedModel


class Program(TimeStampedModel):
    """A company-wide umbrella over many communities (e.g. the communities-of-practice program)."""

    name = models.CharField(_("name"), max_length=160)
    slug = models.SlugField(_("slug"), max_length=160, unique=True)
    description = models.TextField(_("description"), blank=True, max_length=5000)
    office = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("program office"),
        blank=True,
        related_name="program_offices",
        help_text=_("The people who run the program across its communities."),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("program")
        verbose_name_plural = _("programs")

    def __str__(self) -> str:
        return self.name


class Access(models.TextChoices):
    OPEN = "open", _("Open: anyone may join")
    CLOSED = "closed", _("Closed: joining needs approval")


class Community(TimeStampedModel):
    name = models.CharField(_("name"), max_length=160)
    slug = models.SlugField(_("slug"), max_length=160, unique=True)
    program = models.ForeignKey(
        Program,
        verbose_name=_("program"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="communities",
    )
    description = models.TextField(_("description"), blank=True, max_length=5000)
    mission = models.TextField(_("mission"), blank=True, max_length=2000)
    access = models.CharField(
        _("access"), max_length=10, choices=Access.choices, default=Access.OPEN
    )
    topics = models.ManyToManyField(
        "core.Topic", verbose_name=_("topics"), blank=True, related_name="communities"
    )
    founded_on = models.DateField(_("founded on"), null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("community")
        verbose_name_plural = _("communities")

    def __str__(self) -> str:
        return self.name

    @property
    def is_closed(self) -> bool:
        return self.access == Access.CLOSED


class MembershipRole(models.TextChoices):
    MEMBER = "member", _("Member")
    ORGANIZER = "organizer", _("Organizer")
    LEADER = "leader", _("Leader")
    MANAGER = "manager", _("Community manager")
    EXECUTIVE_SPONSOR = "executive_sponsor", _("Executive sponsor")


class MembershipSource(models.TextChoices):
    ORGANIC = "organic", _("Joined on their own")
    WELCOME_MAIL = "welcome_mail", _("Welcome mail")
    INVITATION = "invitation", _("Invitation")
    IMPORT = "import", _("Imported")
    FOUNDER = "founder", _("Founder")


class LeftReason(models.TextChoices):
    LEFT_COMMUNITY = "left_community", _("Left the community")
    LEFT_COMPANY = "left_company", _("Left the company")
    REMOVED = "removed", _("Removed by a manager")


class MembershipQuerySet(models.QuerySet["Membership"]):
    def current(self) -> "MembershipQuerySet":
        return self.filter(left_at__isnull=True)

    def as_of(self, moment: "timezone.datetime") -> "MembershipQuerySet":
        return self.filter(joined_at__lte=moment).filter(
            Q(left_at__isnull=True) | Q(left_at__gt=moment)
        )


class Membership(models.Model):
    """One stint of a person in a community. Leaving closes the row; rejoining opens a new one.

    Rows are never deleted: retention and growth are measured from this history.
    """

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="memberships")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(
        _("role"), max_length=20, choices=MembershipRole.choices, default=MembershipRole.MEMBER
    )
    source = models.CharField(
        _("source"),
        max_length=20,
        choices=MembershipSource.choices,
        default=MembershipSource.ORGANIC,
    )
    joined_at = models.DateTimeField(_("joined"), default=timezone.now)
    left_at = models.DateTimeField(_("left"), null=True, blank=True)
    left_reason = models.CharField(
        _("reason for leaving"), max_length=20, blank=True, choices=LeftReason.choices
    )

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["-joined_at"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["community", "person"],
                condition=Q(left_at__isnull=True),
                name="one_current_membership",
            ),
        ]
        indexes = [
            models.Index(fields=["community", "joined_at"], name="membership_community_joined"),
            models.Index(fields=["community", "left_at"], name="membership_community_left"),
            models.Index(fields=["person", "left_at"], name="membership_person_left"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} in {self.community_id} ({self.role})"

    @property
    def is_current(self) -> bool:
        return self.left_at is None


class RequestStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    DECLINED = "declined", _("Declined")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class MembershipRequest(models.Model):
    """A request to join a closed community, decided by its managers."""

    community = models.ForeignKey(
        Community, on_delete=models.CASCADE, related_name="membership_requests"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="membership_requests"
    )
    message = models.TextField(_("message"), blank=True, max_length=2000)
    status = models.CharField(
        _("status"), max_length=10, choices=RequestStatus.choices, default=RequestStatus.PENDING
    )
    created_at = models.DateTimeField(_("asked"), default=timezone.now)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("membership request")
        verbose_name_plural = _("membership requests")
        constraints = [
            models.UniqueConstraint(
                fields=["community", "person"],
                condition=Q(status="pending"),
                name="one_pending_request",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} → {self.community_id} ({self.status})"


class GroupKind(models.TextChoices):
    READING = "reading", _("Reading group")
    STUDY = "study", _("Study group")
    SUB_COMMUNITY = "sub_community", _("Specialized sub-community")
    HACKATHON_TEAM = "hackathon_team", _("Hackathon team")


class GroupCadence(models.TextChoices):
    WEEKLY = "weekly", _("Weekly")
    FORTNIGHTLY = "fortnightly", _("Every two weeks")
    MONTHLY = "monthly", _("Monthly")
    IRREGULAR = "irregular", _("Irregularly")


class Group(TimeStampedModel):
    """A grassroots group affiliated with a community: a reading group, a study group, a team.

    Its meetings are events (`events.Event.group`), its conversations threads
    (`discussions.Thread.group`), and it has a list address of its own. Groups end normally:
    archiving keeps everything readable and stops the health alerts.
    """

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="groups")
    name = models.CharField(_("name"), max_length=160)
    slug = models.SlugField(_("slug"), max_length=160)
    kind = models.CharField(
        _("kind"), max_length=20, choices=GroupKind.choices, default=GroupKind.STUDY
    )
    description = models.TextField(_("description"), blank=True, max_length=5000)
    cadence = models.CharField(
        _("meets"), max_length=12, choices=GroupCadence.choices, default=GroupCadence.IRREGULAR
    )
    meeting_note = models.CharField(
        _("when and where"),
        max_length=200,
        blank=True,
        help_text=_("For example: Thursdays 12:00 Shanghai time, room 3.14 or online."),
    )
    idle_after_days = models.PositiveSmallIntegerField(
        _("idle after (days)"),
        default=90,
        help_text=_("With no activity for this long the group counts as idle and managers hear."),
    )
    archived_at = models.DateTimeField(_("archived"), null=True, blank=True)
    archived_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    archive_note = models.CharField(_("why it ended"), max_length=500, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("group")
        verbose_name_plural = _("groups")
        constraints = [
            models.UniqueConstraint(fields=["community", "slug"], name="group_slug_per_community"),
            models.CheckConstraint(condition=Q(idle_after_days__gte=7), name="group_idle_a_week"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None


class GroupRole(models.TextChoices):
    OWNER = "owner", _("Owner")
    MEMBER = "member", _("Member")


class GroupMembership(models.Model):
    """One stint of a person in a group; rows are closed, never deleted, like memberships."""

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="memberships")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="group_memberships"
    )
    role = models.CharField(
        _("role"), max_length=10, choices=GroupRole.choices, default=GroupRole.MEMBER
    )
    joined_at = models.DateTimeField(_("joined"), default=timezone.now)
    left_at = models.DateTimeField(_("left"), null=True, blank=True)

    class Meta:
        ordering = ["group", "-role", "joined_at"]
        verbose_name = _("group membership")
        verbose_name_plural = _("group memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["group", "person"],
                condition=Q(left_at__isnull=True),
                name="one_current_group_membership",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} in group {self.group_id} ({self.role})"


class GroupHealthAlertKind(models.TextChoices):
    IDLE = "idle", _("Gone idle")
    NO_ACTIVE_OWNER = "no_active_owner", _("No active owner")


class GroupHealthAlert(models.Model):
    """One stretch of a group being unhealthy; the managers are told once per stretch.

    Raised by the daily health check, resolved when the group is active again (or has an owner
    again, or is archived). At most one open alert of a kind per group.
    """

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="health_alerts")
    kind = models.CharField(_("kind"), max_length=20, choices=GroupHealthAlertKind.choices)
    raised_at = models.DateTimeField(_("raised"), default=timezone.now)
    notified_at = models.DateTimeField(_("managers told"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)

    class Meta:
        ordering = ["-raised_at"]
        verbose_name = _("group health alert")
        verbose_name_plural = _("group health alerts")
        constraints = [
            models.UniqueConstraint(
                fields=["group", "kind"],
                condition=Q(resolved_at__isnull=True),
                name="one_open_group_alert_per_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} alert for group {self.group_id}"
