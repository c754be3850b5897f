"""Outreach over HTTP: provisioning changes and HR imports, continuity alerts, segments,
campaigns and their sends, invitations, and the funnel's figures.

Each area's endpoints are in its `api_*` module; this router gathers them. The SCIM service
provider is not here: it speaks SCIM's own JSON at /scim/v2/ (`outreach.scim`).
"""

from ninja import Router

from practica.outreach.api_campaigns import router as campaigns_router
from practica.outreach.api_continuity import router as continuity_router
from practica.outreach.api_funnel import router as funnel_router
from practica.outreach.api_invitations import router as invitations_router
from practica.outreach.api_provisioning import router as provisioning_router
from practica.outreach.api_segments import router as segments_router

router = Router(tags=["outreach"])
for area_router in (
    provisioning_router,
    continuity_router,
    segments_router,
    campaigns_router,
    invitations_router,
    funnel_router,
):
    router.add_router("", area_router)
