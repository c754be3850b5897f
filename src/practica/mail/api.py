"""Mail over HTTP: a member's list delivery, and the list managers' screens (subscribers,
moderation queue, bounces, sent mail, settings). Every check is a predicate of
`mail.permissions`, every write a service of `mail.services`, exactly as on the web pages. The
inbound HTTP hook for relay services lives here too (its own section)."""

from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate
from pydantic import ConfigDict

from practica.api.errors import error_responses
from practica.api.fields import Id, Slug, text
from practica.api.pagination import Page
from practica.communities.models import Community, Membership
from practica.communities.permissions import can_view_community, is_member
from practica.mail import queries
from practica.mail.addresses import list_address
from practica.mail.api_inbound import router as inbound_router
from practica.mail.forms import MAX_DISCARD_REASON
from practica.mail.models import (
    Bounce,
    BounceKind,
    DeliveryMode,
    InboundMessage,
    InboundStatus,
    MessageStatus,
)
from practica.mail.permissions import can_manage_list, can_moderate_list
from practica.mail.previews import HeldPreview, held_previews
from practica.mail.services.inbound import approve_held_message, discard_held_message
from practica.mail.services.subscriptions import (
    set_list_delivery,
    update_list_settings,
)
from practica.people.models import User

router = Router(tags=["mail"])
# The signed inbound hook for relay services (`POST /mail/inbound`) has its own module.
router.add_router("", inbound_router)

RECENT_LIST_MAIL = 50


# --- Schemas -------------------------------------------------------------------------------


class ListRef(Schema):
    id: int
    slug: str
    name: str


class DeliveryOut(Schema):
    community: ListRef
    list_address: str = Field(description="Write here to start a thread by email.")
    is_member: bool
    mode: DeliveryMode = Field(
        description="What the caller receives now: their choice, else the list's default; "
        "`none` when not a member."
    )
    chosen_mode: DeliveryMode | None = Field(
        description="The caller's own choice; null when they never chose (the default applies)."
    )
    default_mode: DeliveryMode = Field(description="The list's default for members.")
    mailbox_suspended: bool = Field(
        description="Mail to the caller is paused after repeated hard bounces."
    )


class DeliveryIn(Schema):
    model_config = ConfigDict(extra="forbid")

    mode: DeliveryMode = Field(description="`every`, `daily`, `weekly` or `none`.")


class SubscriberPersonOut(Schema):
    id: int
    display_name: str
    email: str


class SubscriberOut(Schema):
    person: SubscriberPersonOut
    mode: DeliveryMode = Field(description="The member's effective delivery.")
    chosen_mode: DeliveryMode | None = Field(description="Null: the list's default applies.")
    hard_bounces: int
    suspended_at: datetime | None

    @staticmethod
    def resolve_mode(obj: Membership) -> str:
        return obj.delivery_mode

    @staticmethod
    def resolve_hard_bounces(obj: Membership) -> int:
        return obj.hard_bounces or 0


class SubscriberFilters(Schema):
    q: text(200) = Field(
        "", description="Text matched against name (contains) and email (starts with)."
    )
    mode: DeliveryMode | None = Field(None, description="Only subscribers with this delivery.")


class HeldMessageOut(Schema):
    id: int
    status: InboundStatus
    from_address: str
    from_name: str
    subject: str
    received_at: datetime
    reason: str
    text: str = Field(description="The message's text (plain text, never HTML), as parsed.")
    attachments: list[dict[str, Any]] = Field(description="`filename` and `size` of each.")
    unreadable: bool = Field(description="The stored message could not be parsed.")
    result_url: str = Field(description="Where an approved message was posted.")


class DiscardIn(Schema):
    model_config = ConfigDict(extra="forbid")

    reason: text(MAX_DISCARD_REASON) = Field("", description="Kept with the message.")


class BounceOut(Schema):
    id: int
    person: SubscriberPersonOut | None
    address: str
    kind: BounceKind
    status_code: str
    diagnostic: str
    received_at: datetime
    suspended_at: datetime | None = Field(description="When the member's delivery was paused.")


class ListSettingsOut(Schema):
    community: ListRef
    list_address: str
    default_mode: DeliveryMode
    accepts_mail: bool
    max_attachment_bytes: int


class ListSettingsIn(Schema):
    """Only the fields sent change."""

    model_config = ConfigDict(extra="forbid")

    default_mode: DeliveryMode | None = None
    accepts_mail: bool | None = None
    max_attachment_bytes: int | None = Field(
        None, ge=0, description="At most the largest message accepted (MAIL_MAX_MESSAGE_BYTES)."
    )


class OutboxMessageOut(Schema):
    id: int
    to_email: str
    subject: str
    status: MessageStatus
    attempts: int
    last_error: str
    created_at: datetime
    sent_at: datetime | None


class ListOutboxOut(Schema):
    counts: dict[str, int] = Field(description="The list's outgoing mail per status.")
    recent: list[OutboxMessageOut] = Field(description=f"The {RECENT_LIST_MAIL} newest.")


# --- Helpers -------------------------------------------------------------------------------


def _community(request: HttpRequest, slug: str) -> Community:
    community = get_object_or_404(Community, slug=slug)
    if not can_view_community(request.auth, community):
        raise PermissionDenied(_("You may not see this community."))
    return community


def _managed(request: HttpRequest, slug: str) -> Community:
    community = _community(request, slug)
    if not can_manage_list(request.auth, community):
        raise PermissionDenied(_("Only the community's managers and leaders can do this."))
    return community


def _moderated(request: HttpRequest, slug: str) -> Community:
    community = _community(request, slug)
    if not can_moderate_list(request.auth, community):
        raise PermissionDenied(_("Only the list's moderators can do this."))
    return community


def _delivery(person: User, community: Community) -> dict[str, Any]:
    member = is_member(person, community)
    chosen = queries.chosen_list_delivery(person=person, community=community)
    default = queries.list_default_mode(community.pk)
    mailbox = queries.mailbox_health_of(person)
    return {
        "community": community,
        "list_address": list_address(community.slug),
        "is_member": member,
        "mode": (chosen or default) if member else DeliveryMode.NONE,
        "chosen_mode": chosen,
        "default_mode": default,
        "mailbox_suspended": bool(mailbox and mailbox.suspended_at),
    }


def _held_out(preview: HeldPreview) -> dict[str, Any]:
    message = preview.message
    return {
        "id": message.pk,
        "status": message.status,
        "from_address": message.from_address,
        "from_name": preview.from_name,
        "subject": message.subject,
        "received_at": message.received_at,
        "reason": message.reason,
        "text": preview.text,
        "attachments": [{"filename": name, "size": size} for name, size in preview.attachments],
        "unreadable": preview.unreadable,
        "result_url": message.result_url,
    }


class _LazyHeld:
    """The held queue as the paginator slices it: only the page's messages are parsed."""

    def __init__(self, messages: QuerySet[InboundMessage]) -> None:
        self.messages = messages

    def count(self) -> int:
        return self.messages.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, window: slice) -> list[dict[str, Any]]:
        return [_held_out(preview) for preview in held_previews(self.messages[window])]


def _settings_out(community: Community) -> dict[str, Any]:
    current = queries.list_settings_for(community)
    return {
        "community": community,
        "list_address": list_address(community.slug),
        "default_mode": current.default_mode,
        "accepts_mail": current.accepts_mail,
        "max_attachment_bytes": current.max_attachment_bytes,
    }


# --- The caller's delivery -----------------------------------------------------------------


@router.get(
    "/mail/lists/deliveries",
    response={200: list[DeliveryOut], **error_responses(401)},
    tags=["mail: delivery"],
)
def list_my_deliveries(request: HttpRequest) -> list[dict[str, Any]]:
    """Every community the caller belongs to, by name, with what its list sends them."""
    person = request.auth
    mailbox = queries.mailbox_health_of(person)
    suspended = bool(mailbox and mailbox.suspended_at)
    return [
        {
            "community": row.community,
            "list_address": list_address(row.community.slug),
            "is_member": True,
            "mode": row.delivery_mode,
            "chosen_mode": row.chosen_mode,
            "default_mode": row.default_mode,
            "mailbox_suspended": suspended,
        }
        for row in queries.list_deliveries_of(person)
    ]


@router.get(
    "/mail/lists/{slug}/delivery",
    response={200: DeliveryOut, **error_responses(401, 403, 404, 422)},
    tags=["mail: delivery"],
)
def get_my_delivery(request: HttpRequest, slug: Slug) -> dict[str, Any]:
    """What the community's list sends the caller, and what they chose."""
    return _delivery(request.auth, _community(request, slug))


@router.put(
    "/mail/lists/{slug}/delivery",
    response={200: DeliveryOut, **error_responses(401, 403, 404, 422)},
    tags=["mail: delivery"],
)
def set_my_delivery(request: HttpRequest, slug: Slug, payload: DeliveryIn) -> dict[str, Any]:
    """Choose every message, daily or weekly digest, or none. Anything but `none` needs a
    current membership (422 otherwise)."""
    community = _community(request, slug)
    set_list_delivery(
        person=request.auth, community=community, mode=payload.mode, actor=request.auth
    )
    return _delivery(request.auth, community)


# --- Managing the list ---------------------------------------------------------------------


@router.get(
    "/mail/lists/{slug}/subscribers",
    response={200: list[SubscriberOut], **error_responses(401, 403, 404, 422)},
    tags=["mail: managing"],
)
@paginate(Page)
def list_subscribers(
    request: HttpRequest, slug: Slug, filters: Query[SubscriberFilters]
) -> QuerySet[Membership]:
    """The list's subscribers (current members) by name, with their delivery and mailbox
    state. Managers and leaders only."""
    community = _managed(request, slug)
    return queries.list_subscribers(community, mode=filters.mode or "", text=filters.q)


@router.put(
    "/mail/lists/{slug}/subscribers/{person_id}/delivery",
    response={200: SubscriberOut, **error_responses(401, 403, 404, 422)},
    tags=["mail: managing"],
)
def set_subscriber_delivery(
    request: HttpRequest, slug: Slug, person_id: Id, payload: DeliveryIn
) -> Membership:
    """A manager sets a member's delivery for them (e.g. `none` for a mailbox that bounces)."""
    community = _managed(request, slug)
    subscriber = get_object_or_404(queries.list_subscribers(community), person_id=person_id)
    set_list_delivery(
        person=subscriber.person, community=community, mode=payload.mode, actor=request.auth
    )
    return queries.list_subscribers(community).get(pk=subscriber.pk)


@router.get(
    "/mail/lists/{slug}/held",
    response={200: list[HeldMessageOut], **error_responses(401, 403, 404, 422)},
    tags=["mail: managing"],
)
@paginate(Page)
def list_held_messages(request: HttpRequest, slug: Slug) -> list[dict[str, Any]]:
    """Mail to the list held for moderation, oldest first, with its text. Moderators
    (managers, leaders, organizers) only."""
    community = _moderated(request, slug)
    return _LazyHeld(queries.held_list_messages(community))  # type: ignore[return-value]


def _held(community: Community, message_id: int) -> InboundMessage:
    return get_object_or_404(
        InboundMessage.objects.defer("raw"), pk=message_id, community=community
    )


def _held_result(message: InboundMessage) -> dict[str, Any]:
    message.refresh_from_db()
    return _held_out(held_previews([message])[0])


@router.post(
    "/mail/lists/{slug}/held/{message_id}/approve",
    response={200: HeldMessageOut, **error_responses(401, 403, 404, 422)},
    tags=["mail: managing"],
)
def approve_held(request: HttpRequest, slug: Slug, message_id: Id) -> dict[str, Any]:
    """Post a held message as its sender (status `approved`). No longer held: 422."""
    community = _moderated(request, slug)
    message = _held(community, message_id)
    approve_held_message(inbound=message, actor=request.auth)
    return _held_result(message)


@router.post(
    "/mail/lists/{slug}/held/{message_id}/discard",
    response={200: HeldMessageOut, **error_responses(401, 403, 404, 422)},
    tags=["mail: managing"],
)
def discard_held(
    request: HttpRequest, slug: Slug, message_id: Id, payload: DiscardIn | None = None
) -> dict[str, Any]:
    """Discard a held message (kept for the record, status `discarded`). No longer held: 422."""
    community = _moderated(request, slug)
    message = _held(community, message_id)
    discard_held_message(
        inbound=message, actor=request.auth, reason=payload.reason if payload else ""
    )
    return _held_result(message)


@router.get(
    "/mail/lists/{slug}/bounces",
    response={200: list[BounceOut], **error_responses(401, 403, 404, 422)},
    tags=["mail: managing"],
)
@paginate(Page)
def list_bounces(request: HttpRequest, slug: Slug) -> QuerySet[Bounce]:
    """Bounces of mail to the community's current members, newest first."""
    return queries.list_bounces(_managed(request, slug))


@router.get(
    "/mail/lists/{slug}/outbox",
    response={200: ListOutboxOut, **error_responses(401, 403, 404, 422)},
    tags=["mail: managing"],
)
def get_list_outbox(request: HttpRequest, slug: Slug) -> dict[str, Any]:
    """The list's outgoing mail: counts per status and the newest messages (no bodies)."""
    community = _managed(request, slug)
    return {
        "counts": queries.list_outbox_status_counts(community),
        "recent": list(queries.recent_list_messages(community, limit=RECENT_LIST_MAIL)),
    }


@router.get(
    "/mail/lists/{slug}/settings",
    response={200: ListSettingsOut, **error_responses(401, 403, 404, 422)},
    tags=["mail: managing"],
)
def get_list_settings(request: HttpRequest, slug: Slug) -> dict[str, Any]:
    """The list's default delivery, whether it takes mail, and its attachment limit."""
    return _settings_out(_managed(request, slug))


@router.patch(
    "/mail/lists/{slug}/settings",
    response={200: ListSettingsOut, **error_responses(401, 403, 404, 422)},
    tags=["mail: managing"],
)
def update_settings(request: HttpRequest, slug: Slug, payload: ListSettingsIn) -> dict[str, Any]:
    """Change some of the list's settings; a bad value changes nothing (422)."""
    community = _managed(request, slug)
    changes = payload.model_dump(exclude_unset=True)
    update_list_settings(community=community, actor=request.auth, **changes)
    return _settings_out(community)
