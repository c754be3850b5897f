"""Reads of members' invitations: the ones a member sent, with where each one stands."""

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db.models import Case, CharField, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from practica.communities.models import Community
from practica.core.models import Activity, ActivityKind
from practica.outreach.join_links import JOIN_LINK_MAX_AGE_DAYS
from practica.outreach.models import Invitation

LIMIT_WINDOW = timedelta(hours=24)

# Where an invitation stands, most advanced first: joined, then (its link dead) expired,
# then clicked, then pending.
JOINED = "joined"
EXPIRED = "expired"
CLICKED = "clicked"
PENDING = "pending"
STATUS_LABELS = {
    PENDING: _("Pending"),
    CLICKED: _("Clicked"),
    JOINED: _("Joined"),
    EXPIRED: _("Expired"),
}


def with_status(invitations: QuerySet[Invitation]) -> QuerySet[Invitation]:
    """Annotate `status` (pending, clicked, joined, expired) on each invitation."""
    expired_before = timezone.now() - timedelta(days=JOIN_LINK_MAX_AGE_DAYS)
    return invitations.annotate(
        status=Case(
            When(joined_at__isnull=False, then=Value(JOINED)),
            When(created_at__lte=expired_before, then=Value(EXPIRED)),
            When(clicked_at__isnull=False, then=Value(CLICKED)),
            default=Value(PENDING),
            output_field=CharField(),
        )
    )


def sent_invitations(person: Any, *, community: Any = None) -> QuerySet[Invitation]:
    """The invitations `person` sent (of one community if given), newest first, with their
    community, invitee and `status`. One query."""
    invitations = Invitation.objects.filter(inviter=person)
    if community is not None:
        invitations = invitations.filter(community=community)
    return with_status(
        invitations.select_related("community", "invitee").order_by("-created_at", "-pk")
    )


def invitations_per_day() -> int:
    """A member's daily allowance: the `OUTREACH_INVITATIONS_PER_DAY` setting (25 by default)."""
    return int(settings.OUTREACH_INVITATIONS_PER_DAY)


def invitations_sent_since(person: Any, since: Any) -> int:
    """How many invitations `person` sent after `since`, from the activity ledger (withdrawn
    ones included: their mail went out)."""
    return Activity.objects.filter(
        person=person, kind=ActivityKind.INVITED, occurred_at__gt=since
    ).count()


def invitations_left_today(person: Any) -> int:
    """How many more invitations `person` may send in the current 24 hours."""
    sent = invitations_sent_since(person, timezone.now() - LIMIT_WINDOW)
    return max(invitations_per_day() - sent, 0)


def communities_to_invite_to(person: Any) -> QuerySet[Community]:
    """The communities `person` is a current member of (where they may invite), by name."""
    return Community.objects.filter(
        memberships__person=person, memberships__left_at__isnull=True
    ).order_by("name")
