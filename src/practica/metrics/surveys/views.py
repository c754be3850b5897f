"""Pulse survey screens.

For the community's leadership (`can_view_dashboard`): the list of its pulses and a pulse's
results. For the community manager (`can_manage_pulses`): scheduling and cancelling, and the
comments. For whoever holds a mail's link (no sign-in: the token is the credential):
`answer/<token>/<score>/` — GET records nothing and shows the form with the score chosen (a
static script submits it at once, so one click answers; mail scanners that fetch links run no
script), POST records it; `answer/<token>/` — the answer as recorded, to change the score or
add a comment until the pulse closes.
"""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from practica.communities.models import Community
from practica.metrics.models import PulseInvitation, PulseStatus, PulseSurvey
from practica.metrics.permissions import can_manage_pulses, can_view_dashboard
from practica.metrics.surveys import services
from practica.metrics.surveys.forms import PulseAnswerForm, PulseScheduleForm
from practica.metrics.surveys.queries import (
    SMALL_SAMPLE,
    community_pulses,
    pulse_comments,
    pulse_results,
    pulse_row,
    score_bars,
)


def _community(slug: str) -> Community:
    return get_object_or_404(Community, slug=slug)


def _require_viewer(request: HttpRequest, community: Community) -> None:
    if not (
        can_view_dashboard(request.user, community) or can_manage_pulses(request.user, community)
    ):
        raise PermissionDenied(
            _("Only the leadership of %(name)s sees its pulse surveys.") % {"name": community.name}
        )


def _require_manager(request: HttpRequest, community: Community) -> None:
    if not can_manage_pulses(request.user, community):
        raise PermissionDenied(
            _("Only the community manager of %(name)s runs its pulse surveys.")
            % {"name": community.name}
        )


def _refusal(form: forms.Form, error: ValidationError | PermissionDenied) -> None:
    if isinstance(error, ValidationError) and hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
        return
    message = " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
    form.add_error(None, message)


@login_required
@require_GET
def pulse_list(request: HttpRequest, slug: str) -> HttpResponse:
    community = _community(slug)
    _require_viewer(request, community)
    page = Paginator(community_pulses(community), settings.PRACTICA_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {
        "community": community,
        "page_obj": page,
        "rows": [pulse_row(survey) for survey in page.object_list],
        "can_manage": can_manage_pulses(request.user, community),
        "interval_days": settings.PULSE_MIN_INTERVAL_DAYS,
    }
    return render(request, "metrics/surveys/pulse_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def pulse_schedule(request: HttpRequest, slug: str) -> HttpResponse:
    community = _community(slug)
    _require_manager(request, community)
    status = 200
    if request.method == "POST":
        form = PulseScheduleForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                survey = services.schedule_pulse(
                    community=community,
                    actor=request.user,
                    question=data["question"],
                    sample_size=data["sample_size"],
                    send_at=data["send_at"],
                    closes_at=data["closes_at"],
                )
            except (ValidationError, PermissionDenied) as error:
                _refusal(form, error)
            else:
                messages.success(request, _("The pulse is scheduled."))
                return redirect(reverse("metrics:pulse_detail", args=[survey.pk]))
        status = 422
    else:
        form = PulseScheduleForm(initial={"question": str(services.DEFAULT_QUESTION)})
    context = {
        "community": community,
        "form": form,
        "interval_days": settings.PULSE_MIN_INTERVAL_DAYS,
    }
    return render(request, "metrics/surveys/pulse_form.html", context, status=status)


def _survey(request: HttpRequest, pk: int) -> PulseSurvey:
    survey = get_object_or_404(PulseSurvey.objects.select_related("community"), pk=pk)
    _require_viewer(request, survey.community)
    return survey


@login_required
@require_GET
def pulse_detail(request: HttpRequest, pk: int) -> HttpResponse:
    survey = _survey(request, pk)
    community = survey.community
    can_manage = can_manage_pulses(request.user, community)
    results = pulse_results(survey)
    context = {
        "community": community,
        "survey": survey,
        "results": results,
        "bars": score_bars(results),
        "small_sample_limit": SMALL_SAMPLE,
        "can_manage": can_manage,
        "comments": pulse_comments(survey) if can_manage else None,
        "can_cancel": can_manage and survey.status == PulseStatus.SCHEDULED,
    }
    return render(request, "metrics/surveys/pulse_detail.html", context)


@login_required
@require_POST
def pulse_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    survey = _survey(request, pk)
    _require_manager(request, survey.community)
    try:
        services.cancel_pulse(survey=survey, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The pulse is cancelled; nobody was asked."))
    return redirect(reverse("metrics:pulse_detail", args=[survey.pk]))


# --- Answering (no sign-in: the token is the credential) -------------------------------------


def _unknown_link(request: HttpRequest) -> HttpResponse:
    return render(request, "metrics/surveys/answer_unknown.html", status=404)


def _closed(request: HttpRequest, invitation: PulseInvitation) -> HttpResponse:
    context = {"survey": invitation.survey, "invitation": invitation}
    return render(request, "metrics/surveys/answer_closed.html", context, status=410)


def _answer_page(
    request: HttpRequest,
    invitation: PulseInvitation,
    form: PulseAnswerForm,
    *,
    token: str,
    autosubmit: bool,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    context = {
        "error": error,
        "survey": invitation.survey,
        "community": invitation.survey.community,
        "invitation": invitation,
        "form": form,
        "autosubmit": autosubmit,
        "action": reverse("metrics:pulse_answered", args=[token]),
    }
    return render(request, "metrics/surveys/answer.html", context, status=status)


@never_cache
@csrf_exempt  # the token in the path is the proof: another site's form cannot know it
@require_http_methods(["GET"])
def pulse_answer(request: HttpRequest, token: str, score: str) -> HttpResponse:
    """The one-click link: shows the answer form with `score` chosen; records nothing."""
    try:
        invitation = services.invitation_for_token(token)
    except services.UnknownPulseTokenError:
        return _unknown_link(request)
    if not services.is_open_for_answers(invitation.survey):
        return _closed(request, invitation)
    try:
        chosen = services.clean_score(score)
    except ValidationError as error:
        form = PulseAnswerForm(initial={"score": invitation.score, "comment": invitation.comment})
        message = " ".join(error.messages)
        return _answer_page(
            request, invitation, form, token=token, autosubmit=False, error=message, status=422
        )
    form = PulseAnswerForm(initial={"score": chosen, "comment": invitation.comment})
    return _answer_page(request, invitation, form, token=token, autosubmit=True)


@never_cache
@csrf_exempt  # the token in the path is the proof: another site's form cannot know it
@require_http_methods(["GET", "POST"])
def pulse_answered(request: HttpRequest, token: str) -> HttpResponse:
    """GET: the answer as recorded, to change or comment on; POST: record it."""
    try:
        invitation = services.invitation_for_token(token)
    except services.UnknownPulseTokenError:
        return _unknown_link(request)
    if not services.is_open_for_answers(invitation.survey):
        return _closed(request, invitation)
    if request.method == "GET":
        form = PulseAnswerForm(initial={"score": invitation.score, "comment": invitation.comment})
        return _answer_page(request, invitation, form, token=token, autosubmit=False)
    form = PulseAnswerForm(request.POST)
    if form.is_valid():
        try:
            services.record_pulse_answer(
                token=token,
                score=form.cleaned_data["score"],
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as error:
            invitation.survey.refresh_from_db()
            if not services.is_open_for_answers(invitation.survey):
                return _closed(request, invitation)
            _refusal(form, error)
        else:
            messages.success(request, _("Thank you: your answer is recorded."))
            return redirect(reverse("metrics:pulse_answered", args=[token]))
    return _answer_page(request, invitation, form, token=token, autosubmit=False, status=422)
