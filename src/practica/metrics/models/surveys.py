"""NPS pulse surveys: a manager asks a sample of members how likely they are to recommend the
community to a colleague (0–10); each member answers with one click from the mail."""

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

MAX_SCORE = 10


class PulseStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    SENDING = "sending", _("Sending")
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


class PulseSurvey(models.Model):
    """One pulse: who is asked (`sample_size` random members, or everyone when None), when it
    is sent and closes, and the interval nobody is asked twice within."""

    community = models.ForeignKey(
        "communities.Community", on_delete=models.CASCADE, related_name="pulse_surveys"
    )
    question = models.CharField(_("question"), max_length=300)
    sample_size = models.PositiveIntegerField(_("sample size"), null=True, blank=True)
    send_at = models.DateTimeField(_("send at"), default=timezone.now)
    closes_at = models.DateTimeField(_("closes at"))
    min_interval_days = models.PositiveSmallIntegerField(_("ask the same person at most every"))
    status = models.CharField(
        _("status"), max_length=20, choices=PulseStatus.choices, default=PulseStatus.SCHEDULED
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    invited_count = models.PositiveIntegerField(_("invited"), default=0)

    class Meta:
        ordering = ["-send_at"]
        verbose_name = _("pulse survey")
        verbose_name_plural = _("pulse surveys")
        indexes = [models.Index(fields=["status", "send_at"], name="pulse_due")]

    def __str__(self) -> str:
        return f"{self.community_id} pulse {self.send_at:%Y-%m-%d}"


class PulseInvitation(models.Model):
    """One person asked in one pulse, and their answer. The token in their mail's links is
    stored hashed (`token_hash`)."""

    survey = models.ForeignKey(PulseSurvey, on_delete=models.CASCADE, related_name="invitations")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="pulse_invitations"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    invited_at = models.DateTimeField(_("invited"), default=timezone.now)
    score = models.PositiveSmallIntegerField(
        _("score"), null=True, blank=True, validators=[MaxValueValidator(MAX_SCORE)]
    )
    comment = models.TextField(_("comment"), blank=True, max_length=2000)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)

    class Meta:
        verbose_name = _("pulse invitation")
        verbose_name_plural = _("pulse invitations")
        constraints = [
            models.UniqueConstraint(fields=["survey", "person"], name="one_invitation_per_pulse"),
            models.CheckConstraint(
                condition=models.Q(score__isnull=True) | models.Q(score__lte=MAX_SCORE),
                name="pulse_score_0_to_10",
            ),
        ]
        indexes = [
            models.Index(fields=["person", "invited_at"], name="pulse_person_invited"),
            models.Index(fields=["survey", "answered_at"], name="pulse_answers"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} in pulse {self.survey_id}"
