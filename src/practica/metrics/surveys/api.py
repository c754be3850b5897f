"""Pulse surveys over HTTP: a community's pulses (list, schedule, cancel), a pulse's results,
and answering with a mail's token.

The leadership (`can_view_dashboard`) reads pulses and results; the community manager
(`can_manage_pulses`) schedules and cancels them and reads the comments (never with names).
Answering needs no sign-in: the token is the credential. Others get a 403, bad input a 422 in
the house format, an unknown pulse or token a 404.
"""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router, Status
from ninja.pagination import paginate

from practica.api.errors import error_responses
from practica.api.fields import Id, Slug
from practica.api.pagination import Page
from practica.communities.models import Community
from practica.metrics.models import PulseSurvey
from practica.metrics.permissions import can_manage_pulses, can_view_dashboard
from practica.metrics.surveys import services
from practica.metrics.surveys.queries import (
    community_pulses,
    pulse_comments,
    pulse_results,
    pulse_row,
    pulse_with_counts,
)
from practica.metrics.surveys.schemas import (
    PulseAnswerIn,
    PulseAnswerOut,
    PulseCommentOut,
    PulseOut,
    PulseResultsOut,
    PulseScheduleIn,
)

router = Router(tags=["pulse surveys"])

ERRORS = error_responses(401, 403, 404, 422)


def pulse_out(survey: PulseSurvey, *, answered: int | None = None) -> PulseOut:
    row = pulse_row(survey)
    community = survey.community
    return PulseOut(
        id=survey.pk,
        community={"id": community.pk, "slug": community.slug, "name": community.name},
        question=survey.question,
        status=survey.status,
        sample_size=survey.sample_size,
        send_at=survey.send_at,
        closes_at=survey.closes_at,
        sent_at=survey.sent_at,
        min_interval_days=survey.min_interval_days,
        invited=row.invited,
        answered=row.answered if answered is None else answered,
        response_rate=row.response_rate,
        nps=row.nps,
    )


def _community(slug: str) -> Community:
    return get_object_or_404(Community, slug=slug)


def _require_viewer(request: HttpRequest, community: Community) -> None:
    if not can_view_dashboard(request.auth, community):
        raise PermissionDenied(
            _("Only the leadership of %(name)s sees its pulse surveys.") % {"name": community.name}
        )


def _require_manager(request: HttpRequest, community: Community) -> None:
    if not can_manage_pulses(request.auth, community):
        raise PermissionDenied(
            _("Only the community manager of %(name)s runs its pulse surveys.")
            % {"name": community.name}
        )


def _annotated(pk: int) -> PulseSurvey:
    survey = pulse_with_counts(pk)
    if survey is None:
        raise PulseSurvey.DoesNotExist
    return survey


@router.get("/metrics/communities/{slug}/pulses", response={200: list[PulseOut], **ERRORS})
@paginate(Page)
def list_community_pulses(request: HttpRequest, slug: Slug) -> list[PulseOut]:
    """The community's pulses, the latest send time first, with invited, answered, response
    rate and NPS. The leadership only."""
    community = _community(slug)
    _require_viewer(request, community)
    return [pulse_out(survey) for survey in community_pulses(community)]


@router.post("/metrics/communities/{slug}/pulses", response={201: PulseOut, **ERRORS})
def schedule_community_pulse(request: HttpRequest, slug: Slug, payload: PulseScheduleIn) -> Any:
    """Schedule a pulse: `sample_size` random members (null: everyone eligible), sent at
    `send_at`, open until `closes_at`. Nobody is asked twice within PULSE_MIN_INTERVAL_DAYS
    (across all communities). The community manager only."""
    community = _community(slug)
    _require_manager(request, community)
    send_at = payload.send_at or timezone.now()
    survey = services.schedule_pulse(
        community=community,
        actor=request.auth,
        question=payload.question if payload.question is not None else services.DEFAULT_QUESTION,
        sample_size=payload.sample_size,
        send_at=send_at,
        closes_at=payload.closes_at or services.default_closes_at(send_at),
    )
    return Status(201, pulse_out(_annotated(survey.pk)))


@router.post("/metrics/pulses/{pulse_id}/cancel", response={200: PulseOut, **ERRORS})
def cancel_pulse_survey(request: HttpRequest, pulse_id: Id) -> PulseOut:
    """Cancel a scheduled pulse (one already sent is a 422). The community manager only."""
    survey = get_object_or_404(PulseSurvey.objects.select_related("community"), pk=pulse_id)
    _require_manager(request, survey.community)
    services.cancel_pulse(survey=survey, actor=request.auth)
    return pulse_out(_annotated(survey.pk))


@router.get("/metrics/pulses/{pulse_id}", response={200: PulseResultsOut, **ERRORS})
def get_pulse_results(request: HttpRequest, pulse_id: Id) -> PulseResultsOut:
    """A pulse and its results: NPS with its 95 per cent interval, the 0–10 distribution, the
    response rate. The leadership; the comments (without names) for the manager only."""
    survey = _annotated(pulse_id)
    _require_viewer(request, survey.community)
    results = pulse_results(survey)
    comments = None
    if can_manage_pulses(request.auth, survey.community):
        comments = [
            PulseCommentOut(score=c.score, answered_on=c.answered_on, text=c.text)
            for c in pulse_comments(survey)
        ]
    return PulseResultsOut(
        pulse=pulse_out(survey, answered=results.answered),
        invited=results.invited,
        answered=results.answered,
        response_rate=results.response_rate,
        promoters=results.promoters,
        passives=results.passives,
        detractors=results.detractors,
        nps=results.nps,
        ci_low=results.ci_low,
        ci_high=results.ci_high,
        small_sample=results.small_sample,
        distribution=list(results.distribution),
        comments=comments,
    )


@router.post(
    "/metrics/pulse-answers",
    auth=None,
    response={200: PulseAnswerOut, **error_responses(401, 422)},
)
def answer_pulse(request: HttpRequest, payload: PulseAnswerIn) -> PulseAnswerOut | Status:
    """Answer a pulse (or change the answer while it is open) with the token from the mail's
    links; no sign-in: the token is the credential, so an unknown one is a 401. A score outside
    0–10 or a closed pulse is a 422."""
    try:
        invitation = services.record_pulse_answer(
            token=payload.token, score=payload.score, comment=payload.comment
        )
    except services.UnknownPulseTokenError:
        return Status(401, {"detail": _("This answer link is not valid.")})
    survey = invitation.survey
    return PulseAnswerOut(
        question=survey.question,
        community=survey.community.name,
        score=invitation.score,
        comment=invitation.comment,
        answered_at=invitation.answered_at,
        closes_at=survey.closes_at,
    )
