"""The welcome funnel's figures over HTTP: the same counts and conversions as the funnel page,
with the same filters (a campaign, a range of months). The community's managers only (403);
bad filters are a 400 naming the filter.

The figures are defined in `outreach.queries.funnel` (and docs/metrics.md).
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from practica.api.errors import error_responses
from practica.api.fields import MAX_ID, Slug
from practica.communities.models import Community
from practica.outreach.managed import FUNNEL_REFUSAL, managed_community
from practica.outreach.models import Campaign
from practica.outreach.queries.funnel import (
    FunnelCounts,
    campaign_funnel,
    parse_month,
    sum_funnel,
)
from practica.outreach.schemas_funnel import FilterErrorOut, FunnelFilters, FunnelOut

router = Router(tags=["outreach"])

ERRORS = error_responses(401, 403, 404, 422)


def _figures(counts: FunnelCounts) -> dict[str, Any]:
    return {
        "audience": counts.audience,
        "mailed": counts.mailed,
        "delivered": counts.delivered,
        "clicked": counts.clicked,
        "joined": counts.joined,
        "first_activity": counts.first_activity,
        "second_month": counts.second_month,
        "steps": [
            {
                "key": step.key,
                "label": step.label,
                "count": step.count,
                "conversion": None if step.conversion is None else float(step.conversion),
            }
            for step in counts.steps
        ],
    }


def _campaign(community: Community, value: str | None) -> Campaign | None:
    text = (value or "").strip()
    if not text:
        return None
    number = int(text) if text.isascii() and text.isdigit() and len(text) <= 19 else 0
    campaign = (
        Campaign.objects.filter(pk=number, community=community).first()
        if 1 <= number <= MAX_ID
        else None
    )
    if campaign is None:
        raise ValidationError({"campaign_id": _("Choose one of this community's campaigns.")})
    return campaign


@router.get(
    "/outreach/communities/{slug}/funnel",
    response={200: FunnelOut, 400: FilterErrorOut, **ERRORS},
)
def community_funnel(request: HttpRequest, slug: Slug, filters: Query[FunnelFilters]) -> Any:
    """The funnel per campaign month (newest first) and its totals: HR joiners → mailed →
    delivered → clicked → joined → active within 30 days → active in the second month, each
    with its conversion from the step before."""
    community = managed_community(request.auth, slug, refusal=FUNNEL_REFUSAL)
    try:
        campaign = _campaign(community, filters.campaign_id)
        period_from = parse_month(filters.period_from or "", field_name="period_from")
        period_to = parse_month(filters.period_to or "", field_name="period_to")
        months = campaign_funnel(
            community=community, campaign=campaign, period_from=period_from, period_to=period_to
        )
    except ValidationError as error:
        errors = error.message_dict
        detail = " ".join(message for messages in errors.values() for message in messages)
        return Status(400, {"detail": detail, "errors": errors})
    totals = sum_funnel(months)
    return {
        "community": community.slug,
        "campaign_id": campaign.pk if campaign is not None else None,
        "period_from": period_from,
        "period_to": period_to,
        "totals": {**_figures(totals), "months": totals.months},
        "months": [
            {
                **_figures(month),
                "campaign": {"id": month.campaign_id, "name": month.campaign_name},
                "period": month.period.strftime("%Y-%m"),
            }
            for month in months
        ],
    }
