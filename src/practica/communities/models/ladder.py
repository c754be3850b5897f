"""The contributor ladder (rungs, each member's steps up it, who was asked to do more) and the
opportunities board where members volunteer for open calls."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from practica.communities.models.core import Community
from practica.core.models import TimeStampedModel


class LadderRung(models.Model):
    """One rung of a community's ladder, e.g. participant → presenter → reviewer → program
    committee → organizer. `requirements` maps a contribution kind (see
    `practica.communities.ladder.contributions.CONTRIBUTION_KINDS`) to the count that earns the
    rung, e.g. {"presented": 1}; a rung with none is reached only by a manager's say-so."""

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="ladder_rungs")
    position = models.PositiveSmallIntegerField(_("position"))
    name = models.CharField(_("name"), max_length=80)
    description = models.CharField(_("description"), max_length=500, blank=True)
    requirements = models.JSONField(_("earned by"), default=dict, blank=True)

    class Meta:
        ordering = ["community", "position"]
        verbose_name = _("ladder rung")
        verbose_name_plural = _("ladder rungs")
        constraints = [
            models.UniqueConstraint(fields=["community", "position"], name="rung_position_once"),
            models.UniqueConstraint(fields=["community", "name"], name="rung_name_once"),
        ]

    def __str__(self) -> str:
        return self.name


class LadderStepSource(models.TextChoices):
    EARNED = "earned", _("Earned by contributions")
    MANAGER = "manager", _("Set by a manager")


class LadderStep(models.Model):
    """A member reaching a rung; the latest step is their current rung, the rest their history.
    Steps are only added, never edited or removed."""

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="ladder_steps")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="ladder_steps"
    )
    rung = models.ForeignKey(LadderRung, on_delete=models.PROTECT, related_name="steps")
    reached_at = models.DateTimeField(_("reached"), default=timezone.now)
    source = models.CharField(_("source"), max_length=10, choices=LadderStepSource.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["community", "person", "-reached_at", "-pk"]
        verbose_name = _("ladder step")
        verbose_name_plural = _("ladder steps")
        indexes = [
            models.Index(fields=["community", "person", "reached_at"], name="ladder_step_person"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} reached {self.rung_id} on {self.reached_at:%Y-%m-%d}"


class OpportunityKind(models.TextChoices):
    REVIEWERS = "reviewers", _("Reviewers wanted")
    SPEAKERS = "speakers", _("Speakers wanted")
    ORGANIZERS = "organizers", _("Organizers wanted")
    HOSTS = "hosts", _("Hosts wanted")
    OTHER = "other", _("Other")


class OpportunityStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class Opportunity(TimeStampedModel):
    """An open call on the board: reviewers wanted, speakers wanted, organizers for a group."""

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="opportunities")
    kind = models.CharField(_("kind"), max_length=12, choices=OpportunityKind.choices)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True, max_length=5000)
    seats = models.PositiveSmallIntegerField(
        _("people wanted"), null=True, blank=True, help_text=_("Leave empty for no limit.")
    )
    closes_on = models.DateField(_("closes on"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=8, choices=OpportunityStatus.choices, default=OpportunityStatus.OPEN
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    class Meta:
        ordering = ["community", "status", "closes_on", "-created_at"]
        verbose_name = _("opportunity")
        verbose_name_plural = _("opportunities")

    def __str__(self) -> str:
        return self.title


class VolunteerStatus(models.TextChoices):
    OFFERED = "offered", _("Offered")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Volunteer(models.Model):
    """A member volunteering for an opportunity, and the manager's answer."""

    opportunity = models.ForeignKey(
        Opportunity, on_delete=models.CASCADE, related_name="volunteers"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="volunteering"
    )
    message = models.CharField(_("message"), max_length=1000, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=VolunteerStatus.choices, default=VolunteerStatus.OFFERED
    )
    offered_at = models.DateTimeField(_("offered"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decision_note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        ordering = ["opportunity", "offered_at"]
        verbose_name = _("volunteer")
        verbose_name_plural = _("volunteers")
        constraints = [
            models.UniqueConstraint(
                fields=["opportunity", "person"],
                condition=Q(status__in=["offered", "accepted"]),
                name="one_live_offer_per_opportunity",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} for {self.opportunity_id} ({self.status})"


class ContributionAsk(models.Model):
    """A manager asking a member to contribute more (the answer to a promotion suggestion), so
    the suggestions leave out whoever was asked recently."""

    community = models.ForeignKey(
        Community, on_delete=models.CASCADE, related_name="contribution_asks"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="contribution_asks"
    )
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    asked_at = models.DateTimeField(_("asked"), default=timezone.now)
    opportunity = models.ForeignKey(
        Opportunity, null=True, blank=True, on_delete=models.SET_NULL, related_name="asks"
    )
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        ordering = ["community", "-asked_at"]
        verbose_name = _("request to contribute")
        verbose_name_plural = _("requests to contribute")
        indexes = [
            models.Index(
                fields=["community", "person", "asked_at"], name="contribution_ask_person"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} asked on {self.asked_at:%Y-%m-%d}"
