"""Outreach screens: a community's welcome campaigns, their form (segment, texts with a
variables cheat-sheet, schedule), a campaign's page (the mail as a sample person would read it,
"send me a test", "send now" after a confirmation, pause and resume, the run history) and its
recipients, paginated.

Managers of the community only (staff too). Views validate input and call
`services.campaigns`; a refusal is shown beside its field or as a message.
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from practica.communities.models import Community
from practica.outreach.campaign_rendering import VARIABLES
from practica.outreach.campaign_schedule import (
    describe_schedule,
    due_moment,
    month_start,
    next_month,
)
from practica.outreach.forms.campaigns import CampaignForm, RecipientFilterForm, SendNowForm
from practica.outreach.managed import managed_campaign, managed_community
from practica.outreach.models import Campaign, CampaignSchedule
from practica.outreach.queries.campaigns import (
    campaign_recipients,
    campaign_runs,
    campaigns_of,
    sample_person,
)
from practica.outreach.queries.segments import segment_count
from practica.outreach.services import campaigns as services
from practica.outreach.views.refusals import add_refusal, refusal

RECIPIENTS_PER_PAGE = 50
RUNS_SHOWN = 12
DEFAULT_SUBJECT = gettext_lazy("Welcome to {{ community }}, {{ first_name }}")
DEFAULT_BODY = gettext_lazy(
    "Hello {{ first_name }},\n\n"
    "welcome to the company! {{ community }} is where people in your field ask questions, "
    "share what they learn and meet at events. Join with one click: {{ join_link }}\n\n"
    "**Coming up**\n\n{{ upcoming_events }}\n\n"
    "**What people asked lately**\n\n{{ top_questions }}\n"
)


def campaign_url(campaign: Campaign) -> str:
    return reverse("outreach:campaign_detail", args=[campaign.pk])


def schedule_text(campaign: Campaign) -> str:
    return describe_schedule(campaign, monthly=campaign.schedule == CampaignSchedule.MONTHLY)


# --- The list ---------------------------------------------------------------------------------


@login_required
@require_GET
def campaign_list(request: HttpRequest, slug: str) -> HttpResponse:
    community = managed_community(request.user, slug)
    campaigns = list(campaigns_of(community.pk))
    for campaign in campaigns:
        campaign.schedule_text = schedule_text(campaign)
    context = {"community": community, "campaigns": campaigns}
    return render(request, "outreach/campaigns/list.html", context)


# --- The form ---------------------------------------------------------------------------------


def _form_page(
    request: HttpRequest,
    community: Community,
    campaign: Campaign | None,
    form: CampaignForm,
    status: int = 200,
) -> HttpResponse:
    context = {
        "community": community,
        "campaign": campaign,
        "form": form,
        "variables": [(f"{{{{ {name} }}}}", help_text) for name, help_text in VARIABLES.items()],
        "has_segments": form.fields["segment"].queryset.exists(),  # type: ignore[attr-defined]
    }
    return render(request, "outreach/campaigns/form.html", context, status=status)


def _schedule_values(values: dict[str, Any]) -> dict[str, Any]:
    return {key: values[key] for key in ("schedule", "weekday", "week_of_month", "local_hour")}


@login_required
@require_http_methods(["GET", "POST"])
def campaign_create(request: HttpRequest, slug: str) -> HttpResponse:
    community = managed_community(request.user, slug)
    if request.method == "GET":
        initial: dict[str, Any] = {
            "subject": str(DEFAULT_SUBJECT),
            "body": str(DEFAULT_BODY),
            "schedule": CampaignSchedule.MONTHLY,
        }
        if (request.GET.get("segment") or "").isdigit():
            initial["segment"] = int(request.GET["segment"])
        return _form_page(
            request, community, None, CampaignForm(community=community, initial=initial)
        )
    form = CampaignForm(request.POST, community=community)
    if form.is_valid():
        values = form.cleaned_data
        try:
            campaign = services.create_campaign(
                community=community,
                actor=request.user,
                name=values["name"],
                segment=values["segment"],
                subject=values["subject"],
                body=values["body"],
                is_active=values["is_active"],
                **_schedule_values(values),
            )
        except (ValidationError, PermissionDenied) as error:
            add_refusal(form, error)
        else:
            messages.success(
                request,
                _("The campaign is saved. Check the preview and send yourself a test.")
                if not campaign.is_active
                else _("The campaign is saved and active."),
            )
            return redirect(campaign_url(campaign))
    return _form_page(request, community, None, form, status=422)


@login_required
@require_http_methods(["GET", "POST"])
def campaign_edit(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = managed_campaign(request.user, pk)
    community = campaign.community
    if request.method == "GET":
        initial = {
            field: getattr(campaign, field)
            for field in ("name", "segment", "subject", "body", "schedule", "weekday")
        }
        initial.update(week_of_month=campaign.week_of_month, local_hour=campaign.local_hour)
        form = CampaignForm(community=community, creating=False, initial=initial)
        return _form_page(request, community, campaign, form)
    form = CampaignForm(request.POST, community=community, creating=False)
    if form.is_valid():
        values = form.cleaned_data
        try:
            services.update_campaign(
                campaign=campaign,
                actor=request.user,
                name=values["name"],
                segment=values["segment"],
                subject=values["subject"],
                body=values["body"],
                **_schedule_values(values),
            )
        except (ValidationError, PermissionDenied) as error:
            add_refusal(form, error)
        else:
            messages.success(request, _("Your changes are saved."))
            return redirect(campaign_url(campaign))
    return _form_page(request, community, campaign, form, status=422)


# --- A campaign's page ------------------------------------------------------------------------


def _next_due(campaign: Campaign, zone: str) -> Any:
    """The next due moment in `zone` (this month's if still ahead, else next month's)."""
    now = timezone.now()
    period = month_start(timezone.localdate())
    moment = due_moment(campaign, period, zone)
    return moment if moment > now else due_moment(campaign, next_month(period), zone)


@login_required
@require_GET
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = managed_campaign(request.user, pk)
    person = sample_person(campaign, request.user)
    subject, html, text = services.preview_campaign_mail(campaign, person)
    context = {
        "community": campaign.community,
        "campaign": campaign,
        "schedule_text": schedule_text(campaign),
        "sample": person,
        "preview_subject": subject,
        "preview_html": html,
        "preview_text": text,
        "runs": list(campaign_runs(campaign)[:RUNS_SHOWN]),
        "audience_now": segment_count(
            campaign.segment, reference_date=month_start(timezone.localdate())
        ),
        "next_due": _next_due(campaign, request.user.time_zone)
        if campaign.schedule == CampaignSchedule.MONTHLY
        else None,
        "send_form": SendNowForm(),
    }
    return render(request, "outreach/campaigns/detail.html", context)


@login_required
@require_POST
def campaign_active(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = managed_campaign(request.user, pk)
    active = request.POST.get("active") == "1"
    try:
        if active:
            services.activate_campaign(campaign=campaign, actor=request.user)
        else:
            services.deactivate_campaign(campaign=campaign, actor=request.user)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, refusal(error))
    else:
        messages.success(
            request,
            _("The campaign is active.") if active else _("The campaign is paused."),
        )
    return redirect(campaign_url(campaign))


@login_required
@require_POST
def campaign_test(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = managed_campaign(request.user, pk)
    try:
        address = services.send_test_campaign_mail(campaign=campaign, actor=request.user)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, refusal(error))
    else:
        messages.success(
            request, _("A test mail is on its way to %(address)s.") % {"address": address}
        )
    return redirect(campaign_url(campaign))


@login_required
@require_http_methods(["GET", "POST"])
def campaign_send(request: HttpRequest, pk: int) -> HttpResponse:
    """GET asks for confirmation (how many would be mailed); POST sends this month's mail."""
    campaign = managed_campaign(request.user, pk)
    form = SendNowForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            report = services.send_campaign_now(campaign=campaign, actor=request.user)
        except (ValidationError, PermissionDenied) as error:
            messages.error(request, refusal(error))
        else:
            messages.success(
                request,
                ngettext(
                    "%(count)d person was mailed now; nobody gets this campaign twice.",
                    "%(count)d people were mailed now; nobody gets this campaign twice.",
                    report.mailed,
                )
                % {"count": report.mailed},
            )
        return redirect(campaign_url(campaign))
    context = {
        "community": campaign.community,
        "campaign": campaign,
        "form": form,
        "audience_now": segment_count(
            campaign.segment, reference_date=month_start(timezone.localdate())
        ),
        "mailed_before": campaign.recipients.count(),
    }
    return render(
        request,
        "outreach/campaigns/send.html",
        context,
        status=422 if form.is_bound else 200,
    )


@login_required
@require_GET
def campaign_recipient_list(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = managed_campaign(request.user, pk)
    filters = RecipientFilterForm(request.GET or None)
    period = None
    if filters.is_bound and filters.is_valid() and filters.cleaned_data.get("period"):
        period = month_start(filters.cleaned_data["period"])
    recipients = campaign_recipients(campaign, period=period)
    page_obj = Paginator(recipients, RECIPIENTS_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "community": campaign.community,
        "campaign": campaign,
        "filters": filters,
        "period": period,
        "page_obj": page_obj,
    }
    return render(request, "outreach/campaigns/recipients.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def campaign_delete(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = managed_campaign(request.user, pk)
    community = campaign.community
    if request.method == "GET":
        context = {
            "community": community,
            "campaign": campaign,
            "has_mailed": campaign.recipients.exists(),
        }
        return render(request, "outreach/campaigns/delete.html", context)
    try:
        services.delete_campaign(campaign=campaign, actor=request.user)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, refusal(error))
        return redirect(campaign_url(campaign))
    messages.success(request, _("The campaign “%(name)s” is deleted.") % {"name": campaign.name})
    return redirect(reverse("outreach:campaigns", args=[community.slug]))


routes = [
    path("communities/<slug:slug>/campaigns/", campaign_list, name="campaigns"),
    path("communities/<slug:slug>/campaigns/new/", campaign_create, name="campaign_create"),
    path("campaigns/<int:pk>/", campaign_detail, name="campaign_detail"),
    path("campaigns/<int:pk>/edit/", campaign_edit, name="campaign_edit"),
    path("campaigns/<int:pk>/active/", campaign_active, name="campaign_active"),
    path("campaigns/<int:pk>/test/", campaign_test, name="campaign_test"),
    path("campaigns/<int:pk>/send/", campaign_send, name="campaign_send"),
    path("campaigns/<int:pk>/recipients/", campaign_recipient_list, name="campaign_recipients"),
    path("campaigns/<int:pk>/delete/", campaign_delete, name="campaign_delete"),
]
