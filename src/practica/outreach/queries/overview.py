"""The outreach hub of a community: one small figure per area, read in a few queries."""

from dataclasses import dataclass

from django.db.models import Count, Q

from practica.communities.models import Community
from practica.outreach.models import (
    Campaign,
    CampaignRecipient,
    CampaignRun,
    ContinuityAlert,
    Invitation,
    Segment,
)


@dataclass(frozen=True)
class OutreachOverview:
    segments: int
    campaigns: int
    active_campaigns: int
    latest_run: CampaignRun | None
    latest_run_joined: int
    open_alerts: int
    pending_invitations: int
    joined_from_invitations: int


def outreach_overview(community: Community) -> OutreachOverview:
    """The hub's figures: segments, campaigns, the latest monthly run with how many of its
    recipients joined, open continuity alerts and the members' invitations."""
    campaigns = Campaign.objects.filter(community=community).aggregate(
        total=Count("pk"), active=Count("pk", filter=Q(is_active=True))
    )
    latest_run = (
        CampaignRun.objects.filter(campaign__community=community)
        .select_related("campaign")
        .order_by("-period", "-started_at")
        .first()
    )
    latest_run_joined = (
        CampaignRecipient.objects.filter(
            campaign_id=latest_run.campaign_id, period=latest_run.period, joined_at__isnull=False
        ).count()
        if latest_run is not None
        else 0
    )
    invitations = Invitation.objects.filter(community=community).aggregate(
        pending=Count("pk", filter=Q(joined_at__isnull=True)),
        joined=Count("pk", filter=Q(joined_at__isnull=False)),
    )
    return OutreachOverview(
        segments=Segment.objects.filter(community=community).count(),
        campaigns=campaigns["total"],
        active_campaigns=campaigns["active"],
        latest_run=latest_run,
        latest_run_joined=latest_run_joined,
        open_alerts=ContinuityAlert.objects.filter(
            community=community, resolved_at__isnull=True
        ).count(),
        pending_invitations=invitations["pending"],
        joined_from_invitations=invitations["joined"],
    )
