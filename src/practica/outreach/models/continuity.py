"""Continuity after a leaver: what they owned, and who took each thing over."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ContinuityAlert(models.Model):
    """Tells a community's managers that a leaver owned things that need a new owner."""

    community = models.ForeignKey(
        "communities.Community", on_delete=models.CASCADE, related_name="continuity_alerts"
    )
    leaver = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="continuity_alerts"
    )
    created_at = models.DateTimeField(_("raised"), default=timezone.now)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("continuity alert")
        verbose_name_plural = _("continuity alerts")
        constraints = [
            models.UniqueConstraint(
                fields=["community", "leaver"],
                condition=Q(resolved_at__isnull=True),
                name="one_open_alert_per_leaver",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.leaver_id} in {self.community_id}"


class ContinuityItem(models.Model):
    """One thing the leaver owned (a group, an event series, a committee seat, a routed
    question), named by the ownership provider's `kind` and the object's id."""

    alert = models.ForeignKey(ContinuityAlert, on_delete=models.CASCADE, related_name="items")
    kind = models.CharField(_("kind"), max_length=40)
    object_id = models.PositiveBigIntegerField()
    label = models.CharField(_("what"), max_length=300)
    handed_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    handed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    handed_at = models.DateTimeField(_("handed over"), null=True, blank=True)

    class Meta:
        ordering = ["alert", "kind", "label"]
        verbose_name = _("continuity item")
        verbose_name_plural = _("continuity items")
        constraints = [
            models.UniqueConstraint(
                fields=["alert", "kind", "object_id"], name="continuity_item_once"
            ),
        ]

    def __str__(self) -> str:
        return self.label
