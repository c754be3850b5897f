"""Outreach screens, mounted at /outreach/ under the namespace "outreach".

Each views module lists its own routes, so an area's screens and their URLs sit together.
The SCIM service provider is mounted separately at /scim/v2/ (`outreach.scim.urls`).
"""

from practica.outreach.views import (
    campaigns,
    continuity,
    funnel,
    hr_feed,
    invitations,
    join,
    overview,
    provisioning,
    segments,
)

app_name = "outreach"

urlpatterns = [
    *overview.routes,
    *provisioning.routes,
    *hr_feed.routes,
    *continuity.routes,
    *segments.routes,
    *campaigns.routes,
    *join.routes,
    *invitations.routes,
    *funnel.routes,
]
