"""Subscriptions (watch a thread, a topic or a community), notifications and preferences."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SubscriptionLevel(models.TextChoices):
    WATCHING = "watching", _("Watching")
    MUTED = "muted", _("Muted")


class Subscription(models.Model):
    """A member watches (or mutes) exactly one of: a thread, a topic, a community."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="subscriptions"
    )
    thread = models.ForeignKey(
        "discussions.Thread",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="subscriptions",
    )
    topic = models.ForeignKey(
        "core.Topic", null=True, blank=True, on_delete=models.CASCADE, related_name="subscriptions"
    )
    community = models.ForeignKey(
        "communities.Community",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="subscriptions",
    )
    level = models.CharField(
        _("level"),
        max_length=10,
        choices=SubscriptionLevel.choices,
        default=SubscriptionLevel.WATCHING,
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("subscription")
        verbose_name_plural = _("subscriptions")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(thread__isnull=False, topic__isnull=True, community__isnull=True)
                    | Q(thread__isnull=True, topic__isnull=False, community__isnull=True)
                    | Q(thread__isnull=True, topic__isnull=True, community__isnull=False)
                ),
                name="subscription_has_one_target",
            ),
            models.UniqueConstraint(
                fields=["person", "thread"],
                condition=Q(thread__isnull=False),
                name="one_thread_subscription",
            ),
            models.UniqueConstraint(
                fields=["person", "topic"],
                condition=Q(topic__isnull=False),
                name="one_topic_subscription",
            ),
            models.UniqueConstraint(
                fields=["person", "community"],
                condition=Q(community__isnull=False),
                name="one_community_subscription",
            ),
        ]

    def __str__(self) -> str:
        target = self.thread_id or self.topic_id or self.community_id
        return f"{self.person_id} {self.level} {target}"


class NotificationKind(models.TextChoices):
    MENTION = "mention", _("mentioned you")
    ANSWER = "answer", _("answered your question")
    REPLY = "reply", _("posted in a thread you watch")
    NEW_THREAD = "new_thread", _("started a thread you may want to see")
    ACCEPTED = "accepted", _("accepted your answer")
    ROUTED = "routed", _("asked you to answer a question")
    MODERATION = "moderation", _("moderated your post")


class Notification(models.Model):
    """An in-app notification; mail follows the member's preference (immediately or daily)."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=NotificationKind.choices)
    thread = models.ForeignKey(
        "discussions.Thread", on_delete=models.CASCADE, related_name="notifications"
    )
    post = models.ForeignKey(
        "discussions.Post",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notification_unread"),
            models.Index(fields=["recipient", "created_at"], name="notification_recent"),
        ]
        # Fan-out inserts ignore conflicts on these, so a post notified twice (a retry, a
        # concurrent call) never notifies anyone twice.
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "post", "kind"],
                condition=Q(post__isnull=False) & ~Q(kind="moderation"),
                name="one_notification_per_post",
            ),
            models.UniqueConstraint(
                fields=["recipient", "thread", "kind"],
                condition=Q(kind__in=["new_thread", "routed"]),
                name="one_notification_per_thread",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.recipient_id}"


class EmailMode(models.TextChoices):
    IMMEDIATELY = "immediately", _("Immediately")
    DAILY = "daily", _("Daily summary")
    OFF = "off", _("Off")


class DiscussionPreferences(models.Model):
    """A member's notification mail mode and their willingness to be routed questions."""

    person = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="discussion_preferences"
    )
    email_mode = models.CharField(
        _("notification mail"),
        max_length=12,
        choices=EmailMode.choices,
        default=EmailMode.IMMEDIATELY,
    )
    routing_opt_out = models.BooleanField(
        _("don't route questions to me"),
        default=False,
    )
    quiet_hours_start = models.TimeField(_("quiet hours from"), null=True, blank=True)
    quiet_hours_end = models.TimeField(_("quiet hours until"), null=True, blank=True)
    max_open_routed = models.PositiveSmallIntegerField(
        _("at most this many routed questions open at once"), default=3
    )

    class Meta:
        verbose_name = _("discussion preferences")
        verbose_name_plural = _("discussion preferences")

    def __str__(self) -> str:
        return f"preferences of {self.person_id}"
