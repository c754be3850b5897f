"""The community, segment or campaign a page or an API call names, if the caller manages its
outreach: the pages pass `request.user`, the API `request.auth`. An unknown one is a 404; one
the caller does not manage is a 403 (`require_outreach_manager`)."""

from typing import Any

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy

from practica.communities.models import Community
from practica.outreach.models import Campaign, Segment
from practica.outreach.permissions import require_outreach_manager

# The 403's wording where a page or endpoint only shows something (pages and API alike).
FUNNEL_REFUSAL = gettext_lazy("Only the community's managers see its outreach funnel.")
CONTINUITY_REFUSAL = gettext_lazy("Only the community's managers see its continuity alerts.")


def managed_community(user: Any, slug: str, *, refusal: Any = None) -> Community:
    """The community called `slug`; `refusal` words the 403 for what the page shows."""
    community = get_object_or_404(Community, slug=slug)
    require_outreach_manager(user, community, refusal)
    return community


def managed_segment(user: Any, pk: int) -> Segment:
    segment = get_object_or_404(Segment.objects.select_related("community"), pk=pk)
    require_outreach_manager(user, segment.community)
    return segment


def managed_campaign(user: Any, pk: int) -> Campaign:
    campaign = get_object_or_404(
        Campaign.objects.select_related("community", "segment", "segment__community"), pk=pk
    )
    require_outreach_manager(user, campaign.community)
    return campaign
