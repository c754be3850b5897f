"""Flags raised by members on posts, for moderators to resolve."""

from collections.abc import Iterable

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class FlagReason(models.TextChoices):
    SPAM = "spam", _("Spam")
    OFFENSIVE = "offensive", _("Offensive or abusive")
    OFF_TOPIC = "off_topic", _("Off topic")
    CONFIDENTIAL = "confidential", _("Shares confidential information")
    OTHER = "other", _("Something else")


def moderation_reason_text(*, reason: str = "", flag_reasons: Iterable[str] = ()) -> str:
    """Why a post was moderated, for its author: the moderator's own words, or failing them
    the names of the reasons it was flagged for (stored as codes, named in the active
    language); "" when there is neither."""
    if reason:
        return reason
    return ", ".join(
        str(FlagReason(code).label) for code in flag_reasons if code in FlagReason.values
    )


class Flag(models.Model):
    post = models.ForeignKey("discussions.Post", on_delete=models.CASCADE, related_name="flags")
    flagged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    reason = models.CharField(_("reason"), max_length=12, choices=FlagReason.choices)
    note = models.TextField(_("note"), blank=True, max_length=1000)
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolution = models.CharField(max_length=20, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("flag")
        verbose_name_plural = _("flags")
        constraints = [
            models.UniqueConstraint(fields=["post", "flagged_by"], name="one_flag_per_member"),
        ]

    def __str__(self) -> str:
        return f"{self.reason} on {self.post_id}"
