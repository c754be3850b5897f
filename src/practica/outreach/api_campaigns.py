"""Campaigns over HTTP: a community's campaigns, creating, changing (and pausing) and deleting
one; the mail as a person would read it, a test mail to oneself, "send now"; and the sends — a
campaign's monthly runs and its recipients, paginated.

Managers of the community only (staff too): 403 otherwise, 404 for an unknown community or
campaign. Bad input (an unknown `{{ variable }}`, another community's segment, a paused
campaign sent) is a 422 naming the field. Writes go through `outreach.services.campaigns`.
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.pagination import paginate

from practica.api.errors import error_responses
from practica.api.fields import Id, Slug
from practica.api.pagination import Page
from practica.outreach.campaign_schedule import month_start
from practica.outreach.managed import managed_campaign, managed_community
from practica.outreach.models import Campaign, CampaignRecipient, CampaignRun, Segment
from practica.outreach.queries.campaigns import (
    campaign_recipients,
    campaign_runs,
    campaigns_of,
    preview_person,
    sample_person,
)
from practica.outreach.schemas_campaigns import (
    CampaignIn,
    CampaignListOut,
    CampaignOut,
    CampaignUpdateIn,
    PreviewFilter,
    PreviewOut,
    RecipientFilter,
    RecipientOut,
    RunOut,
    SendOut,
    TestSentOut,
)
from practica.outreach.schemas_segments import DeletedOut
from practica.outreach.services import campaigns as services

router = Router(tags=["outreach"])

ERRORS = error_responses(401, 403, 404, 422)


def _segment(campaign_community_id: int, segment_id: int) -> Segment:
    segment = Segment.objects.filter(pk=segment_id, community_id=campaign_community_id).first()
    if segment is None:
        raise ValidationError({"segment_id": _("Choose one of this community's segments.")})
    return segment


@router.get(
    "/outreach/communities/{slug}/campaigns", response={200: list[CampaignListOut], **ERRORS}
)
@paginate(Page)
def list_campaigns(request: HttpRequest, slug: Slug) -> QuerySet[Campaign]:
    """The community's campaigns by name, with the latest month's figures."""
    return campaigns_of(managed_community(request.auth, slug).pk)


@router.post("/outreach/communities/{slug}/campaigns", response={201: CampaignOut, **ERRORS})
def create_campaign(request: HttpRequest, slug: Slug, payload: CampaignIn) -> Any:
    """A new campaign; paused unless `is_active`."""
    community = managed_community(request.auth, slug)
    values = payload.model_dump()
    values["segment"] = _segment(community.pk, values.pop("segment_id"))
    campaign = services.create_campaign(community=community, actor=request.auth, **values)
    return Status(201, campaign)


@router.get("/outreach/campaigns/{campaign_id}", response={200: CampaignOut, **ERRORS})
def get_campaign(request: HttpRequest, campaign_id: Id) -> Campaign:
    return managed_campaign(request.auth, campaign_id)


@router.patch("/outreach/campaigns/{campaign_id}", response={200: CampaignOut, **ERRORS})
def update_campaign(request: HttpRequest, campaign_id: Id, payload: CampaignUpdateIn) -> Campaign:
    """Change the fields sent; `is_active` pauses or resumes the campaign."""
    campaign = managed_campaign(request.auth, campaign_id)
    changes = payload.model_dump(exclude_unset=True)
    active = changes.pop("is_active", None)
    if "segment_id" in changes:
        segment_id = changes.pop("segment_id")
        if segment_id is not None:
            changes["segment"] = _segment(campaign.community_id, segment_id)
    with_changes = {key: value for key, value in changes.items() if value is not None}
    if with_changes:
        campaign = services.update_campaign(campaign=campaign, actor=request.auth, **with_changes)
    if active is True:
        campaign = services.activate_campaign(campaign=campaign, actor=request.auth)
    elif active is False:
        campaign = services.deactivate_campaign(campaign=campaign, actor=request.auth)
    return managed_campaign(request.auth, campaign.pk)


@router.delete("/outreach/campaigns/{campaign_id}", response={200: DeletedOut, **ERRORS})
def delete_campaign(request: HttpRequest, campaign_id: Id) -> Any:
    """Delete a campaign that never mailed anyone (422 otherwise: pause it instead)."""
    services.delete_campaign(
        campaign=managed_campaign(request.auth, campaign_id), actor=request.auth
    )
    return {"deleted": True}


@router.get("/outreach/campaigns/{campaign_id}/preview", response={200: PreviewOut, **ERRORS})
def preview_campaign(
    request: HttpRequest, campaign_id: Id, filters: Query[PreviewFilter]
) -> dict[str, Any]:
    """The mail as a person would read it: subject, HTML and text (with a preview join link)."""
    campaign = managed_campaign(request.auth, campaign_id)
    if filters.person_id is not None:
        person = preview_person(campaign, request.auth, filters.person_id)
        if person is None:
            raise Http404
    else:
        person = sample_person(campaign, request.auth)
    subject, html, text = services.preview_campaign_mail(campaign, person)
    return {"subject": subject, "html": html, "text": text, "person": person}


@router.post("/outreach/campaigns/{campaign_id}/test", response={202: TestSentOut, **ERRORS})
def send_test_campaign(request: HttpRequest, campaign_id: Id) -> Any:
    """Mail the campaign to the caller alone, subject marked [TEST]; nobody else is mailed."""
    campaign = managed_campaign(request.auth, campaign_id)
    address = services.send_test_campaign_mail(campaign=campaign, actor=request.auth)
    return Status(202, {"to": address})


def _run_out(run: CampaignRun) -> CampaignRun:
    return campaign_runs(run.campaign).get(pk=run.pk)


@router.post("/outreach/campaigns/{campaign_id}/send", response={200: SendOut, **ERRORS})
def send_campaign_now(request: HttpRequest, campaign_id: Id) -> dict[str, Any]:
    """Send this month's mail now to every match not mailed by this campaign before. A
    paused campaign is a 422. Calling it again mails nobody twice (`mailed` is then 0)."""
    campaign = managed_campaign(request.auth, campaign_id)
    report = services.send_campaign_now(campaign=campaign, actor=request.auth)
    return {"mailed": report.mailed, "run": _run_out(report.run)}


@router.get("/outreach/campaigns/{campaign_id}/runs", response={200: list[RunOut], **ERRORS})
@paginate(Page)
def list_campaign_runs(request: HttpRequest, campaign_id: Id) -> QuerySet[CampaignRun]:
    """The campaign's months, latest first: matched, mailed, clicked, joined."""
    return campaign_runs(managed_campaign(request.auth, campaign_id))


@router.get(
    "/outreach/campaigns/{campaign_id}/recipients", response={200: list[RecipientOut], **ERRORS}
)
@paginate(Page)
def list_campaign_recipients(
    request: HttpRequest, campaign_id: Id, filters: Query[RecipientFilter]
) -> QuerySet[CampaignRecipient]:
    """Everyone the campaign mailed, latest first, with their clicks and joins."""
    campaign = managed_campaign(request.auth, campaign_id)
    period = month_start(filters.period) if filters.period else None
    return campaign_recipients(campaign, period=period)
