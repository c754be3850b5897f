"""Mail out (the outbox), the lists members receive, and mail in (stored raw, with bounces)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class MessageStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    DEFERRED = "deferred", _("Deferred (will retry)")
    FAILED = "failed", _("Failed")


class OutboundMessage(models.Model):
    """One message to one recipient. `idempotency_key` makes enqueueing the same mail a no-op."""

    idempotency_key = models.CharField(max_length=200, unique=True)
    from_email = models.CharField(_("from"), max_length=320)
    to_email = models.CharField(_("to"), max_length=320, db_index=True)
    subject = models.CharField(_("subject"), max_length=998)
    body_text = models.TextField(_("text body"))
    body_html = models.TextField(_("HTML body"), blank=True)
    headers = models.JSONField(_("extra headers"), default=dict, blank=True)
    # Small text attachments (an invitation's .ics): [{"filename", "content", "mimetype"}].
    attachments = models.JSONField(_("attachments"), default=list, blank=True)
    message_id = models.CharField(_("Message-ID"), max_length=255, blank=True)
    # The list this mail went out on (the <…> of its List-Id header), for the list's screens.
    list_id = models.CharField(_("list"), max_length=255, blank=True, default="")
    status = models.CharField(
        _("status"), max_length=10, choices=MessageStatus.choices, default=MessageStatus.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("queued at"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("outbound message")
        verbose_name_plural = _("outbound messages")
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="outbox_due"),
            models.Index(
                fields=["list_id", "created_at"],
                condition=~models.Q(list_id=""),
                name="outbox_list",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject} → {self.to_email} ({self.status})"


# --- The list: each community is a mailing list its members receive as they choose ----------


class DeliveryMode(models.TextChoices):
    EVERY = "every", _("Every message")
    DAILY = "daily", _("Daily digest")
    WEEKLY = "weekly", _("Weekly digest")
    NONE = "none", _("No mail")


class ListSettings(models.Model):
    """A community's list: what a member gets before choosing, and what it accepts."""

    community = models.OneToOneField(
        "communities.Community", on_delete=models.CASCADE, related_name="list_settings"
    )
    default_mode = models.CharField(
        _("delivery for members who haven't chosen"),
        max_length=8,
        choices=DeliveryMode.choices,
        default=DeliveryMode.DAILY,
    )
    accepts_mail = models.BooleanField(_("members may post by email"), default=True)
    max_attachment_bytes = models.PositiveIntegerField(
        _("largest attachment kept (bytes)"), default=10 * 1024 * 1024
    )

    class Meta:
        verbose_name = _("list settings")
        verbose_name_plural = _("list settings")

    def __str__(self) -> str:
        return f"list settings of {self.community_id}"


class ListSubscription(models.Model):
    """A member's chosen delivery for one community's list; no row means the list's default."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="list_subscriptions"
    )
    community = models.ForeignKey(
        "communities.Community", on_delete=models.CASCADE, related_name="list_subscriptions"
    )
    mode = models.CharField(_("delivery"), max_length=8, choices=DeliveryMode.choices)
    updated_at = models.DateTimeField(_("changed"), default=timezone.now)

    class Meta:
        verbose_name = _("list subscription")
        verbose_name_plural = _("list subscriptions")
        constraints = [
            models.UniqueConstraint(fields=["person", "community"], name="one_list_subscription")
        ]
        indexes = [models.Index(fields=["community", "mode"], name="list_subscription_mode")]

    def __str__(self) -> str:
        return f"{self.person_id} {self.mode} {self.community_id}"


class MailboxHealth(models.Model):
    """Whether mail to a member's address is being delivered; suspended after hard bounces."""

    person = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mailbox_health"
    )
    hard_bounces = models.PositiveSmallIntegerField(_("hard bounces in a row"), default=0)
    last_bounce_at = models.DateTimeField(_("last bounce"), null=True, blank=True)
    suspended_at = models.DateTimeField(_("delivery suspended"), null=True, blank=True)

    class Meta:
        verbose_name = _("mailbox health")
        verbose_name_plural = _("mailbox health")

    def __str__(self) -> str:
        return f"mailbox of {self.person_id}"


# --- Mail in ----------------------------------------------------------------------------------


class InboundVia(models.TextChoices):
    SMTP = "smtp", _("SMTP")
    LMTP = "lmtp", _("LMTP")
    HTTP = "http", _("HTTP hook")


class InboundStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    POSTED = "posted", _("Posted")
    HELD = "held", _("Held for moderation")
    APPROVED = "approved", _("Approved by a moderator")
    REJECTED = "rejected", _("Rejected")
    DISCARDED = "discarded", _("Discarded by a moderator")
    BOUNCE = "bounce", _("Bounce")
    AUTO_REPLY = "auto_reply", _("Automatic reply (ignored)")
    LOOP = "loop", _("Loop (ignored)")
    DUPLICATE = "duplicate", _("Duplicate (ignored)")
    FAILED = "failed", _("Failed")


class InboundMessage(models.Model):
    """Every message received, stored raw for audit and replay, with what became of it."""

    raw = models.BinaryField(_("raw message"))
    size = models.PositiveIntegerField(_("size (bytes)"))
    via = models.CharField(_("received by"), max_length=4, choices=InboundVia.choices)
    envelope_from = models.CharField(_("envelope sender"), max_length=320, blank=True)
    recipients = models.JSONField(_("envelope recipients"), default=list)
    message_id = models.CharField(_("Message-ID"), max_length=255, blank=True, db_index=True)
    from_address = models.CharField(_("from"), max_length=320, blank=True)
    subject = models.CharField(_("subject"), max_length=998, blank=True)
    received_at = models.DateTimeField(_("received"), default=timezone.now)
    status = models.CharField(
        _("status"), max_length=10, choices=InboundStatus.choices, default=InboundStatus.RECEIVED
    )
    reason = models.TextField(_("reason"), blank=True)
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="inbound_messages",
    )
    community = models.ForeignKey(
        "communities.Community",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="inbound_messages",
    )
    # What the message became, as the handling app names it ("post:123") and shows it.
    result_ref = models.CharField(max_length=64, blank=True)
    result_url = models.CharField(max_length=500, blank=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    moderated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at", "-pk"]
        verbose_name = _("inbound message")
        verbose_name_plural = _("inbound messages")
        indexes = [
            models.Index(fields=["community", "status", "received_at"], name="inbound_queue"),
        ]

    def __str__(self) -> str:
        return f"{self.subject} ← {self.from_address} ({self.status})"


class BounceKind(models.TextChoices):
    HARD = "hard", _("Hard (address does not work)")
    SOFT = "soft", _("Soft (temporary)")


class Bounce(models.Model):
    """A delivery status notification read from mail in, tied to the member it was for."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="bounces",
    )
    address = models.CharField(_("address"), max_length=320)
    kind = models.CharField(_("kind"), max_length=4, choices=BounceKind.choices)
    status_code = models.CharField(_("status"), max_length=16, blank=True)
    diagnostic = models.TextField(_("diagnostic"), blank=True)
    inbound = models.ForeignKey(InboundMessage, on_delete=models.CASCADE, related_name="bounces")
    received_at = models.DateTimeField(_("received"), default=timezone.now)

    class Meta:
        ordering = ["-received_at", "-pk"]
        verbose_name = _("bounce")
        verbose_name_plural = _("bounces")
        indexes = [models.Index(fields=["person", "received_at"], name="bounce_person")]

    def __str__(self) -> str:
        return f"{self.kind} bounce for {self.address}"
