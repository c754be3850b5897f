"""Django admin for mail out and in: read-only history, with "retry now" for the outbox and
"handle again" for received mail that failed.

Rows are the record of what was sent and received; the admin never edits or deletes one.
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from practica.mail.models import Bounce, InboundMessage, OutboundMessage
from practica.mail.services import retry_messages
from practica.mail.services.inbound import replay_inbound_message

_FIELDS = (
    "status",
    "to_email",
    "from_email",
    "subject",
    "message_id",
    "idempotency_key",
    "headers",
    "attempts",
    "next_attempt_at",
    "claimed_at",
    "last_error",
    "created_at",
    "sent_at",
    "body_text",
    "body_html",
)


@admin.register(OutboundMessage)
class OutboundMessageAdmin(admin.ModelAdmin):
    list_display = [
        "subject",
        "to_email",
        "status",
        "attempts",
        "next_attempt_at",
        "sent_at",
        "created_at",
    ]
    list_filter = ["status"]
    search_fields = ["to_email", "subject", "message_id", "idempotency_key"]
    date_hierarchy = "created_at"
    ordering = ["-created_at", "-pk"]
    actions = ["retry_now"]
    fields = _FIELDS
    readonly_fields = _FIELDS

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_retry_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("mail.change_outboundmessage")

    @admin.action(description=_("Retry now"), permissions=["retry"])
    def retry_now(self, request: HttpRequest, queryset: QuerySet[OutboundMessage]) -> None:
        count = retry_messages(message_ids=list(queryset.values_list("pk", flat=True)))
        self.message_user(
            request,
            ngettext(
                "%(count)d message will be retried now.",
                "%(count)d messages will be retried now.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )


_INBOUND_FIELDS = (
    "status",
    "reason",
    "via",
    "envelope_from",
    "recipients",
    "from_address",
    "subject",
    "message_id",
    "size",
    "received_at",
    "person",
    "community",
    "result_ref",
    "result_url",
    "moderated_by",
    "moderated_at",
    "raw_text",
)


@admin.register(InboundMessage)
class InboundMessageAdmin(admin.ModelAdmin):
    """Every message received, as stored for audit; a failed one can be handled again."""

    list_display = ["subject", "from_address", "status", "via", "community", "received_at"]
    list_filter = ["status", "via"]
    search_fields = ["from_address", "subject", "message_id", "envelope_from"]
    date_hierarchy = "received_at"
    ordering = ["-received_at", "-pk"]
    actions = ["replay"]
    fields = _INBOUND_FIELDS
    readonly_fields = _INBOUND_FIELDS

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_replay_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_staff)

    @admin.display(description=_("raw message"))
    def raw_text(self, message: InboundMessage) -> str:
        return bytes(message.raw).decode("utf-8", "replace")

    @admin.action(description=_("Handle again (failed messages only)"), permissions=["replay"])
    def replay(self, request: HttpRequest, queryset: QuerySet[InboundMessage]) -> None:
        replayed, refused = 0, []
        for message in queryset:
            try:
                replay_inbound_message(inbound=message, actor=request.user)
            except (PermissionDenied, ValidationError) as error:
                refused.append(
                    f"{message.pk}: {' '.join(getattr(error, 'messages', [str(error)]))}"
                )
            else:
                replayed += 1
        if replayed:
            self.message_user(
                request,
                ngettext(
                    "%(count)d message was handled again.",
                    "%(count)d messages were handled again.",
                    replayed,
                )
                % {"count": replayed},
                messages.SUCCESS,
            )
        for refusal in refused:
            self.message_user(request, refusal, messages.WARNING)


@admin.register(Bounce)
class BounceAdmin(admin.ModelAdmin):
    list_display = ["address", "kind", "status_code", "person", "received_at"]
    list_filter = ["kind"]
    search_fields = ["address", "diagnostic"]
    readonly_fields = [
        "person",
        "address",
        "kind",
        "status_code",
        "diagnostic",
        "inbound",
        "received_at",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
