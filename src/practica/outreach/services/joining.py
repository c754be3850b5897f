"""Joining from a signed link (a welcome mail's or an invitation's), and opting out of outreach.

- `record_join_click` stamps the first click on the recipient or invitation row: the funnel's
  "clicked" step, counted by the link itself.
- `join_from_link` joins the community with the link's source (welcome mail or invitation)
  and stamps `joined_at` when the person who joins is the one the link was sent to; a closed
  community gets a join request instead, decided by its managers as usual.
- `opt_out_of_outreach` records an address that wants no more campaign or invitation mail.

Each is one transaction. No lock is needed: stamps are conditional updates ("where not yet
stamped"), memberships are protected by the `one_current_membership` constraint, and opt-outs
by the unique address.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from practica.communities.models import (
    Community,
    Membership,
    MembershipRequest,
    MembershipSource,
)
from practica.communities.services import join_community, request_to_join
from practica.outreach.join_links import CAMPAIGN, COMMUNITY, INVITATION, JoinTicket
from practica.outreach.models import CampaignRecipient, Invitation, OutreachOptOut
from practica.people.models import User


@dataclass(frozen=True)
class JoinTarget:
    """What a join link leads to: the community, and the row the link was sent for (none for
    a preview or test link). `addressee_id` is the person the link was sent to, if known."""

    ticket: JoinTicket
    community: Community
    recipient: CampaignRecipient | None = None
    invitation: Invitation | None = None

    @property
    def source(self) -> str:
        if self.ticket.kind == CAMPAIGN:
            return MembershipSource.WELCOME_MAIL
        if self.ticket.kind == INVITATION:
            return MembershipSource.INVITATION
        return MembershipSource.ORGANIC

    def is_addressee(self, person: User) -> bool:
        if self.recipient is not None:
            return self.recipient.person_id == person.pk
        if self.invitation is not None:
            if self.invitation.invitee_id is not None:
                return self.invitation.invitee_id == person.pk
            return self.invitation.email.strip().lower() == person.email.strip().lower()
        return False


def join_target(ticket: JoinTicket) -> JoinTarget | None:
    """The community and row a valid ticket names; None when they no longer exist."""
    if ticket.kind == CAMPAIGN:
        recipient = (
            CampaignRecipient.objects.select_related("campaign__community")
            .filter(pk=ticket.object_id)
            .first()
        )
        if recipient is None:
            return None
        return JoinTarget(ticket, recipient.campaign.community, recipient=recipient)
    if ticket.kind == INVITATION:
        invitation = (
            Invitation.objects.select_related("community").filter(pk=ticket.object_id).first()
        )
        if invitation is None:
            return None
        return JoinTarget(ticket, invitation.community, invitation=invitation)
    if ticket.kind == COMMUNITY:
        community = Community.objects.filter(pk=ticket.object_id).first()
        return JoinTarget(ticket, community) if community is not None else None
    return None


def _stamp(ticket: JoinTicket, field: str, at: object) -> int:
    """Set `field` on the ticket's row unless it is set already; how many rows changed."""
    condition = Q(pk=ticket.object_id, **{f"{field}__isnull": True})
    if ticket.kind == CAMPAIGN:
        return CampaignRecipient.objects.filter(condition).update(**{field: at})
    if ticket.kind == INVITATION:
        return Invitation.objects.filter(condition).update(**{field: at})
    return 0


def record_join_click(*, ticket: JoinTicket) -> None:
    """Stamp the first click of the link on its recipient or invitation; later clicks, and
    preview links, change nothing."""
    with transaction.atomic():
        _stamp(ticket, "clicked_at", timezone.now())


def join_from_link(*, ticket: JoinTicket, person: User) -> Membership | MembershipRequest:
    """Join the link's community as `person` (source: welcome mail or invitation).

    Joining when already a member returns the current membership and stamps nothing. When
    `person` is the one the link was sent to, the recipient's (or invitation's) `joined_at` is
    stamped, and the click too if the page was skipped; an invitation to an address also
    records who took it up. A closed community gets a join request (returned instead of a
    membership); its managers decide. Deactivated accounts are refused (PermissionDenied);
    a link whose row is gone is a ValidationError.
    """
    if not person.is_active:
        raise PermissionDenied(_("Deactivated accounts cannot join communities."))
    target = join_target(ticket)
    if target is None:
        raise ValidationError(_("This link no longer leads to a community."))
    community = target.community
    with transaction.atomic():
        already = Membership.objects.current().filter(community=community, person=person).first()
        if already is not None:
            return already
        if community.is_closed:
            return request_to_join(community=community, person=person)
        membership = join_community(community=community, person=person, source=target.source)
        if target.is_addressee(person):
            now = membership.joined_at
            _stamp(ticket, "clicked_at", now)
            _stamp(ticket, "joined_at", now)
            if target.invitation is not None and target.invitation.invitee_id is None:
                Invitation.objects.filter(pk=target.invitation.pk, invitee__isnull=True).update(
                    invitee=person
                )
    return membership


def normalized_email(email: str) -> str:
    """An address as opt-outs store it (trimmed, lower-cased); a ValidationError if it is not
    an address."""
    address = (email or "").strip().lower()
    try:
        validate_email(address)
    except ValidationError as error:
        raise ValidationError({"email": _("Enter a valid email address.")}) from error
    return address


def opt_out_of_outreach(*, email: str, person: User | None = None) -> OutreachOptOut:
    """Record that `email` wants no more outreach (campaigns, invitations). Idempotent:
    opting out again returns the first record. The person is linked when known."""
    address = normalized_email(email)
    if person is None:
        person = User.objects.filter(email__iexact=address).first()
    with transaction.atomic():
        existing = OutreachOptOut.objects.filter(email=address).first()
        if existing is not None:
            return existing
        try:
            with transaction.atomic():
                return OutreachOptOut.objects.create(email=address, person=person)
        except IntegrityError:
            # A concurrent opt-out of the same address won: theirs is the record.
            return OutreachOptOut.objects.get(email=address)


def is_opted_out(email: str) -> bool:
    """Whether `email` asked for no more outreach."""
    return OutreachOptOut.objects.filter(email=(email or "").strip().lower()).exists()
