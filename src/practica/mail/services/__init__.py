"""Every write of the `mail` app, by concern.

- `outbox`: enqueueing outgoing mail in its cause's transaction, and delivering it once.
- `subscriptions`: a member's list delivery per community, and suspension after bounces.
- `inbound`: every received message is stored raw, classified and handed to its handler.

The outbox's names are re-exported here because every app enqueues mail through them.
"""

from practica.mail.services.outbox import (
    DELIVERY_BATCH_SIZE,
    MAX_ADDRESS_LENGTH,
    MAX_KEY_LENGTH,
    MAX_SUBJECT_LENGTH,
    DeliveryReport,
    FailureKind,
    OutgoingMail,
    TextAttachment,
    build_email_message,
    claim_messages,
    claim_timeout,
    classify_delivery_error,
    deliver_batch,
    deliver_due_messages,
    deliver_message,
    enqueue_message,
    enqueue_messages,
    new_message_id,
    normalize_idempotency_key,
    random_idempotency_key,
    retry_delay,
    retry_messages,
    schedule_delivery,
    send_claimed_messages,
    site_mail_domain,
)

__all__ = [
    "DELIVERY_BATCH_SIZE",
    "MAX_ADDRESS_LENGTH",
    "MAX_KEY_LENGTH",
    "MAX_SUBJECT_LENGTH",
    "DeliveryReport",
    "FailureKind",
    "OutgoingMail",
    "TextAttachment",
    "build_email_message",
    "claim_messages",
    "claim_timeout",
    "classify_delivery_error",
    "deliver_batch",
    "deliver_due_messages",
    "deliver_message",
    "enqueue_message",
    "enqueue_messages",
    "new_message_id",
    "normalize_idempotency_key",
    "random_idempotency_key",
    "retry_delay",
    "retry_messages",
    "schedule_delivery",
    "send_claimed_messages",
    "site_mail_domain",
]
