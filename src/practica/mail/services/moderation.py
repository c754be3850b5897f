"""The moderation queue: list mail from non-members waits (HELD) until a moderator decides.

Contract:

- Only the list's moderators (`mail.permissions.can_moderate_list`: the community's managers,
  leaders and organizers, and staff) may decide; others get PermissionDenied.
- Only a HELD message can be approved or discarded; anything else is a ValidationError that
  names its current state (two moderators deciding at once: the second is told).
- `approve_held_message` posts the message as its sender — the member the From address names,
  or a placeholder profile made for an unknown address (`people.services.
  find_or_create_placeholder`, claimable later) — through the registered list handler, exactly
  as a member's own mail would be (a new thread, or a reply to the thread it answers).
- `discard_held_message` keeps the raw message (audit) and marks it DISCARDED.

Both are one transaction, lock the held row (`select_for_update`) and record an audit row.
`mail.services.inbound` re-exports both.
"""

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from practica.communities.models import Community
from practica.core.services import record_audit
from practica.mail.hooks import MailRefused, list_handler
from practica.mail.models import InboundMessage, InboundStatus, ListSettings
from practica.mail.parsing import parse_message
from practica.mail.permissions import can_moderate_list
from practica.people.models import User

_RESULT_REF_LENGTH = InboundMessage._meta.get_field("result_ref").max_length or 64


def _checked_held(inbound: InboundMessage, actor: User) -> Community:
    community = inbound.community
    if community is None or not can_moderate_list(actor, community):
        raise PermissionDenied(_("Only the list's moderators may do this."))
    return community


def _locked_held(inbound: InboundMessage) -> InboundMessage:
    locked = InboundMessage.objects.select_for_update().get(pk=inbound.pk)
    if locked.status != InboundStatus.HELD:
        raise ValidationError(
            _("Only a held message can be approved or discarded; this one is “%(status)s”.")
            % {"status": locked.get_status_display()}
        )
    return locked


def approve_held_message(*, inbound: InboundMessage, actor: User) -> InboundMessage:
    """Post a held message as its sender; see the module docstring.

    `moderated_by` is set on the row before the handler runs, so the handler can tell an
    approved message (whose author may not be a member) from a member's own. If the handler
    refuses (`MailRefused`), nothing changes and the reason is raised as a ValidationError.
    """
    from practica.mail.services.inbound import attachment_limit, known_sender
    from practica.people.services import find_or_create_placeholder

    community = _checked_held(inbound, actor)
    parsed = parse_message(
        bytes(inbound.raw),
        max_bytes=int(settings.MAIL_MAX_MESSAGE_BYTES),
        max_attachment_bytes=attachment_limit(
            ListSettings.objects.filter(community=community).first()
        ),
    )
    with transaction.atomic():
        locked = _locked_held(inbound)
        author = locked.person or known_sender(parsed.from_address)
        if author is None:
            author = find_or_create_placeholder(
                email=parsed.from_address, display_name=parsed.from_name
            )
        locked.person = author
        locked.moderated_by = actor
        locked.moderated_at = timezone.now()
        handler = list_handler()
        try:
            if handler.is_duplicate(community=community, message=parsed):
                locked.status = InboundStatus.DUPLICATE
                locked.reason = "Already posted when approved"
            else:
                thread_id = handler.thread_replied_to(community=community, message=parsed)
                with transaction.atomic():
                    if thread_id is not None:
                        handled = handler.reply(
                            thread_id=thread_id, author=author, message=parsed, inbound=locked
                        )
                    else:
                        handled = handler.start_thread(
                            community=community, author=author, message=parsed, inbound=locked
                        )
                locked.status = InboundStatus.APPROVED
                locked.result_ref = handled.ref[:_RESULT_REF_LENGTH]
                locked.result_url = handled.url[:500]
        except MailRefused as refused:
            raise ValidationError(refused.reason) from None
        locked.save()
        record_audit(
            actor_id=actor.pk,
            action="mail.inbound.approved",
            target=locked,
            community_id=community.pk,
            data={"author": author.pk, "status": locked.status, "result": locked.result_ref},
        )
    return locked


def discard_held_message(
    *, inbound: InboundMessage, actor: User, reason: str = ""
) -> InboundMessage:
    """Drop a held message (kept raw, marked DISCARDED); the list's moderators only.

    Raises PermissionDenied for others and ValidationError if it is no longer held. One
    transaction; locks the held row.
    """
    community = _checked_held(inbound, actor)
    reason = reason.strip()[:2000]
    with transaction.atomic():
        locked = _locked_held(inbound)
        locked.status = InboundStatus.DISCARDED
        locked.reason = reason or "Discarded by a moderator"
        locked.moderated_by = actor
        locked.moderated_at = timezone.now()
        locked.save(update_fields=["status", "reason", "moderated_by", "moderated_at"])
        record_audit(
            actor_id=actor.pk,
            action="mail.inbound.discarded",
            target=locked,
            community_id=community.pk,
            data={"reason": reason},
        )
    return locked
