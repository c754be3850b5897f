"""The outreach hub of a community: where its managers find segments, campaigns, the funnel,
continuity alerts and invitations, and staff the provisioning screens."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from practica.outreach.managed import managed_community
from practica.outreach.permissions import can_manage_provisioning
from practica.outreach.queries.overview import outreach_overview


@login_required
@require_GET
def overview(request: HttpRequest, slug: str) -> HttpResponse:
    community = managed_community(
        request.user, slug, refusal=_("Only the community's managers run its outreach.")
    )
    return render(
        request,
        "outreach/overview.html",
        {
            "community": community,
            "overview": outreach_overview(community),
            "can_manage_provisioning": can_manage_provisioning(request.user),
        },
    )


routes = [path("communities/<slug:slug>/", overview, name="overview")]
