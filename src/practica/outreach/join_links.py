"""Signed one-click links in outreach mail: join a community, or opt out of outreach.

A join link carries a compact payload — a letter for the kind and the object's id ("c42" is
campaign recipient 42, "i7" invitation 7, "m3" community 3 for previews and test mails) —
signed with `SECRET_KEY` by a `TimestampSigner` with its own salt, so a link cannot be forged
or pointed at another recipient, and it expires after `JOIN_LINK_MAX_AGE_DAYS`. Clicks are
counted by the link itself (no tracking pixels).

An opt-out link carries the address, signed with another salt and no expiry: a person must
always be able to stop the mail, however old it is.
"""

from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.core import signing
from django.urls import reverse

if TYPE_CHECKING:
    from practica.outreach.models import CampaignRecipient, Invitation

JOIN_LINK_MAX_AGE_DAYS = 60
JOIN_SALT = "practica.outreach.join-link"
OPT_OUT_SALT = "practica.outreach.opt-out"

CAMPAIGN = "campaign"
INVITATION = "invitation"
# A link to the community itself: previews and test mails, which have no recipient row.
COMMUNITY = "community"
_LETTER_OF = {CAMPAIGN: "c", INVITATION: "i", COMMUNITY: "m"}
_KIND_OF = {letter: kind for kind, letter in _LETTER_OF.items()}
MAX_OBJECT_ID = 2**63 - 1


class BadJoinLink(Exception):  # noqa: N818 — the name the other areas import
    """A join or opt-out link that cannot be used. `reason` is "tampered" (the signature or
    payload is wrong) or "expired" (signed more than JOIN_LINK_MAX_AGE_DAYS ago); an expired
    link's `ticket` still names what it was for, so the page can point at the community."""

    def __init__(self, reason: str, ticket: "JoinTicket | None" = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.ticket = ticket


@dataclass(frozen=True)
class JoinTicket:
    """What a valid join link is for: `kind` "campaign" (a CampaignRecipient id),
    "invitation" (an Invitation id) or "community" (a Community id, for previews)."""

    kind: str
    object_id: int


def _signer() -> signing.TimestampSigner:
    return signing.TimestampSigner(salt=JOIN_SALT)


def join_token(ticket: JoinTicket) -> str:
    """The signed token of a ticket, for the path of `outreach:join`."""
    return _signer().sign(f"{_LETTER_OF[ticket.kind]}{ticket.object_id}")


def join_url(ticket: JoinTicket) -> str:
    """The absolute join link of a ticket."""
    return f"{settings.SITE_URL}{reverse('outreach:join', args=[join_token(ticket)])}"


def join_url_for_recipient(recipient: "CampaignRecipient") -> str:
    """The absolute join link in a campaign mail to one recipient."""
    return join_url(JoinTicket(CAMPAIGN, recipient.pk))


def join_url_for_invitation(invitation: "Invitation") -> str:
    """The absolute join link in an invitation mail."""
    return join_url(JoinTicket(INVITATION, invitation.pk))


def join_url_for_community(community_id: int) -> str:
    """A join link that names no recipient: for previews and test mails."""
    return join_url(JoinTicket(COMMUNITY, community_id))


def _ticket_from(payload: str) -> JoinTicket | None:
    kind = _KIND_OF.get(payload[:1])
    digits = payload[1:]
    if kind is None or not digits.isascii() or not digits.isdigit() or len(digits) > 19:
        return None
    object_id = int(digits)
    if not 1 <= object_id <= MAX_OBJECT_ID:
        return None
    return JoinTicket(kind, object_id)


def read_join_token(token: str) -> JoinTicket:
    """The ticket of a join link's token; raises BadJoinLink("tampered" | "expired")."""
    signer = _signer()
    try:
        payload = signer.unsign(token, max_age=timedelta(days=JOIN_LINK_MAX_AGE_DAYS))
    except signing.SignatureExpired as error:
        # The signature is good, so the payload is ours: say what the link was for.
        try:
            ticket = _ticket_from(signer.unsign(token))
        except signing.BadSignature:
            ticket = None
        raise BadJoinLink("expired", ticket) from error
    except signing.BadSignature as error:
        raise BadJoinLink("tampered") from error
    ticket = _ticket_from(payload)
    if ticket is None:
        raise BadJoinLink("tampered")
    return ticket


def opt_out_token(email: str) -> str:
    return signing.Signer(salt=OPT_OUT_SALT).sign_object(email.strip().lower())


def opt_out_url(email: str) -> str:
    """The absolute link that stops all outreach mail to `email` (also `List-Unsubscribe`)."""
    return f"{settings.SITE_URL}{reverse('outreach:opt_out', args=[opt_out_token(email)])}"


def read_opt_out_token(token: str) -> str:
    """The address of an opt-out link's token; raises BadJoinLink("tampered")."""
    try:
        email = signing.Signer(salt=OPT_OUT_SALT).unsign_object(token)
    except (signing.BadSignature, ValueError, UnicodeDecodeError) as error:
        raise BadJoinLink("tampered") from error
    if not isinstance(email, str) or "@" not in email or len(email) > 254:
        raise BadJoinLink("tampered")
    return email
