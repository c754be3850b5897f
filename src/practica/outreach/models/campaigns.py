"""Outreach to people who are not members yet: segments, welcome campaigns and their
recipients, members' invitations, and the opt-outs that stop all of it."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from practica.core.models import TimeStampedModel


class Segment(TimeStampedModel):
    """A rule-based audience over the people data, e.g. last month's data-science hires who
    are not members yet. `rules` is a list of conditions, all of which must hold."""

    community = models.ForeignKey(
        "communities.Community", on_delete=models.CASCADE, related_name="segments"
    )
    name = models.CharField(_("name"), max_length=160)
    description = models.TextField(_("description"), blank=True, max_length=2000)
    rules = models.JSONField(_("rules"), default=list)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("segment")
        verbose_name_plural = _("segments")
        constraints = [
            models.UniqueConstraint(
                fields=["community", "name"], name="segment_name_per_community"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class CampaignSchedule(models.TextChoices):
    MANUAL = "manual", _("Sent by hand")
    MONTHLY = "monthly", _("Monthly")


class Campaign(TimeStampedModel):
    """A community's welcome mail to a segment, sent by hand or monthly on a weekday in each
    recipient's time zone (e.g. the first Monday at 09:00 local)."""

    community = models.ForeignKey(
        "communities.Community", on_delete=models.CASCADE, related_name="campaigns"
    )
    name = models.CharField(_("name"), max_length=160)
    segment = models.ForeignKey(Segment, on_delete=models.PROTECT, related_name="campaigns")
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("body (Markdown)"), max_length=20000)
    schedule = models.CharField(
        _("schedule"),
        max_length=10,
        choices=CampaignSchedule.choices,
        default=CampaignSchedule.MONTHLY,
    )
    weekday = models.PositiveSmallIntegerField(
        _("weekday"), default=0, help_text=_("0 is Monday, 6 is Sunday.")
    )
    week_of_month = models.PositiveSmallIntegerField(
        _("week of the month"), default=1, help_text=_("1 for the first such weekday, up to 4.")
    )
    local_hour = models.PositiveSmallIntegerField(_("hour in the recipient's time zone"), default=9)
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["community", "name"]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        constraints = [
            models.UniqueConstraint(
                fields=["community", "name"], name="campaign_name_per_community"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class CampaignRun(models.Model):
    """One month of a campaign: the audience its segment matched (the funnel's "HR joiners",
    opted-out people included) and how many were mailed. Beat ticks add to the same row."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="runs")
    period = models.DateField(_("month"))
    audience_size = models.PositiveIntegerField(_("audience"), default=0)
    mailed_count = models.PositiveIntegerField(_("mailed"), default=0)
    started_at = models.DateTimeField(_("started"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering = ["campaign", "-period"]
        verbose_name = _("campaign run")
        verbose_name_plural = _("campaign runs")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "period"], name="campaign_run_per_month"),
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id} for {self.period}"


class CampaignRecipient(models.Model):
    """One person mailed by one campaign, ever; the row then follows them down the funnel.

    `period` is the first day of the month whose run mailed them. Delivery is read from the
    outbox message with `idempotency_key`; clicks from the signed join link.
    """

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="recipients")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="campaign_mails"
    )
    email = models.EmailField(_("address"), max_length=254)
    period = models.DateField(_("month"))
    mailed_at = models.DateTimeField(_("mailed"), default=timezone.now)
    idempotency_key = models.CharField(max_length=200, unique=True)
    clicked_at = models.DateTimeField(_("clicked"), null=True, blank=True)
    joined_at = models.DateTimeField(_("joined"), null=True, blank=True)

    class Meta:
        ordering = ["-mailed_at"]
        verbose_name = _("campaign recipient")
        verbose_name_plural = _("campaign recipients")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "person"], name="campaign_once_per_person"),
        ]
        indexes = [models.Index(fields=["campaign", "period"], name="recipient_campaign_period")]

    def __str__(self) -> str:
        return f"{self.campaign_id} to {self.person_id}"


class Invitation(models.Model):
    """A member's invitation of a colleague, by address, with the same signed join link."""

    community = models.ForeignKey(
        "communities.Community", on_delete=models.CASCADE, related_name="invitations"
    )
    inviter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="invitations_sent"
    )
    email = models.EmailField(_("address"), max_length=254)
    invitee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="invitations_received",
    )
    message = models.TextField(_("message"), blank=True, max_length=2000)
    created_at = models.DateTimeField(_("invited"), default=timezone.now)
    clicked_at = models.DateTimeField(_("clicked"), null=True, blank=True)
    joined_at = models.DateTimeField(_("joined"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = [
            models.UniqueConstraint(
                fields=["community", "email"],
                condition=Q(joined_at__isnull=True),
                name="one_pending_invitation_per_address",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} to {self.community_id}"


class OutreachOptOut(models.Model):
    """An address that asked for no more outreach: no campaign or invitation mails it again."""

    email = models.EmailField(_("address"), max_length=254, unique=True)
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("opted out"), default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("outreach opt-out")
        verbose_name_plural = _("outreach opt-outs")

    def __str__(self) -> str:
        return self.email
