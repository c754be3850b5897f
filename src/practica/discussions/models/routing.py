"""Response-time routing: each round of experts asked about a question, and how it went."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class RoutingReason(models.TextChoices):
    POSTED = "posted", _("The question was posted")
    UNANSWERED = "unanswered", _("The question was still unanswered")


class RoutingRound(models.Model):
    """One time the platform picked experts for a question."""

    thread = models.ForeignKey(
        "discussions.Thread", on_delete=models.CASCADE, related_name="routing_rounds"
    )
    number = models.PositiveSmallIntegerField(default=1)
    reason = models.CharField(max_length=12, choices=RoutingReason.choices)
    created_at = models.DateTimeField(default=timezone.now)
    candidates_considered = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["thread", "number"]
        verbose_name = _("routing round")
        verbose_name_plural = _("routing rounds")
        constraints = [
            models.UniqueConstraint(fields=["thread", "number"], name="one_round_number"),
        ]

    def __str__(self) -> str:
        return f"round {self.number} of {self.thread_id}"


class RoutedExpert(models.Model):
    """A member asked to answer a question, why they were picked, and whether they answered."""

    round = models.ForeignKey(RoutingRound, on_delete=models.CASCADE, related_name="experts")
    thread = models.ForeignKey(
        "discussions.Thread", on_delete=models.CASCADE, related_name="routed_experts"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="routed_questions"
    )
    rank = models.PositiveSmallIntegerField()
    score = models.FloatField()
    reasons = models.JSONField(default=dict, blank=True)
    notified_at = models.DateTimeField(default=timezone.now)
    answered_post = models.ForeignKey(
        "discussions.Post", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text=_("When the question stopped counting against this expert's open load."),
    )

    class Meta:
        ordering = ["thread", "rank"]
        verbose_name = _("routed expert")
        verbose_name_plural = _("routed experts")
        constraints = [
            models.UniqueConstraint(fields=["thread", "person"], name="route_person_once"),
        ]
        indexes = [models.Index(fields=["person", "closed_at"], name="routed_open_load")]

    def __str__(self) -> str:
        return f"{self.person_id} asked about {self.thread_id}"
