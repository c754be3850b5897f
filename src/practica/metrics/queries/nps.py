"""The NPS panel: the pulse surveys' net promoter score, read from the pulse tables through
`practica.metrics.surveys.queries.nps_over` (the pulses sent in the period, pooled over the
chosen communities: one set of answers, never an average of scores).

NPS = per cent of promoters (9–10) − per cent of detractors (0–6), −100 to 100, with its 95 per
cent confidence interval (normal approximation, see `nps_over`), flagged "small sample" under 30
answers. Response rate = answered ÷ invited. Pulses ask members, not org units or roles, so the
org unit, role and topic filters do not narrow these figures.
"""

from decimal import Decimal

from django.utils.translation import gettext as _

from practica.communities.models import Community
from practica.metrics.definitions.figures import count_value, share_value
from practica.metrics.models import PulseSurvey
from practica.metrics.queries.filters import DashboardFilters
from practica.metrics.queries.types import Chart, Headline, Panel, Point, Series, Table
from practica.metrics.surveys.queries import (
    DETRACTOR_MAX,
    PROMOTER_MIN,
    SMALL_SAMPLE,
    NpsFigures,
    nps_over,
)

SCORES = range(11)


def _figures(filters: DashboardFilters) -> NpsFigures:
    return nps_over(filters.community_ids, filters.start, filters.end)


def _interval_note(figures: NpsFigures) -> str:
    if figures.nps is None:
        return ""
    note = _("95 per cent confidence interval: %(low)s to %(high)s") % {
        "low": figures.ci_low,
        "high": figures.ci_high,
    }
    if figures.answered < SMALL_SAMPLE:
        note = _("%(interval)s (small sample: fewer than %(minimum)s answers)") % {
            "interval": note,
            "minimum": SMALL_SAMPLE,
        }
    return note


def _headline(figures: NpsFigures) -> Headline:
    return Headline(
        key="nps",
        label=_("Net promoter score"),
        unit="score",
        value=figures.nps,
        n=figures.answered,
        note=_interval_note(figures),
    )


def nps_headline(filters: DashboardFilters) -> Headline:
    """The NPS of the pulses sent in the period, with n and its confidence interval in the
    note (see the module's docstring)."""
    return _headline(_figures(filters))


def _score_group(score: int) -> str:
    if score >= PROMOTER_MIN:
        return _("promoter")
    if score <= DETRACTOR_MAX:
        return _("detractor")
    return _("passive")


def nps_panel(filters: DashboardFilters) -> Panel:
    """NPS with its interval, the response rate, the 0–10 distribution and the NPS of each
    pulse, for the pulses sent in the period (see the module's docstring)."""
    figures = _figures(filters)
    answered = figures.answered
    has_answers = answered > 0
    distribution = Table(
        key="distribution",
        title=_("Answers by score"),
        columns=(_("Score"), _("Answers"), _("Share"), _("Group")),
        rows=tuple(
            (
                score,
                figures.distribution[score],
                share_value(figures.distribution[score], answered),
                _score_group(score),
            )
            for score in SCORES
        )
        if has_answers
        else (),
    )
    histogram = tuple(
        Series(
            key=f"score_{score}",
            label=str(score),
            unit="count",
            points=(
                Point(
                    start=filters.start,
                    value=Decimal(figures.distribution[score]) if has_answers else None,
                    n=answered if has_answers else None,
                ),
            ),
        )
        for score in SCORES
    )
    pulses = figures.per_pulse
    communities = dict(
        PulseSurvey.objects.filter(pk__in=[pulse.survey_id for pulse in pulses]).values_list(
            "pk", "community_id"
        )
    )
    names = dict(Community.objects.filter(pk__in=filters.community_ids).values_list("pk", "name"))
    several = len(filters.community_ids) > 1

    def pulse_label(survey_id: int, sent: str) -> str:
        if not several:
            return sent
        return f"{names.get(communities.get(survey_id, 0), '')} {sent}".strip()

    per_pulse = Table(
        key="per_pulse",
        title=_("NPS per pulse"),
        columns=(
            _("Pulse sent"),
            _("Community"),
            _("Invited"),
            _("Answered"),
            _("Response rate"),
            _("NPS"),
        ),
        rows=tuple(
            (
                pulse.sent_on.isoformat(),
                names.get(communities.get(pulse.survey_id, 0), ""),
                pulse.invited,
                pulse.answered,
                share_value(pulse.answered, pulse.invited),
                pulse.nps,
            )
            for pulse in pulses
        ),
    )
    pulse_series = tuple(
        Series(
            key=f"pulse_{pulse.survey_id}",
            label=pulse_label(pulse.survey_id, pulse.sent_on.isoformat()),
            unit="score",
            points=(Point(start=pulse.sent_on, value=pulse.nps, n=pulse.answered),),
        )
        for pulse in pulses
    )
    headlines = (
        _headline(figures),
        Headline(
            key="nps_response_rate",
            label=_("Response rate"),
            unit="share",
            value=figures.response_rate,
            n=figures.invited,
        ),
        Headline(
            key="nps_promoters_share",
            label=_("Promoters (9–10)"),
            unit="share",
            value=share_value(figures.promoters, answered),
            n=answered,
        ),
        Headline(
            key="nps_detractors_share",
            label=_("Detractors (0–6)"),
            unit="share",
            value=share_value(figures.detractors, answered),
            n=answered,
        ),
        Headline(
            key="nps_pulses",
            label=_("Pulses sent"),
            unit="count",
            value=count_value(len(pulses)) if pulses else None,
        ),
    )
    notes = [
        _(
            "NPS is the per cent of answers scoring 9 or 10 minus the per cent scoring 0 to 6, "
            "over the pulses sent in the period."
        )
    ]
    if filters.is_split or filters.topic_id is not None:
        notes.append(_("Pulse figures are not split by org unit, role or topic."))
    return Panel(
        key="nps",
        title=_("Net promoter score"),
        description=_("How likely members are to recommend the community to a colleague."),
        headlines=headlines,
        charts=(
            Chart(
                kind="histogram",
                title=_("Answers by score"),
                description=_("How many pulse answers gave each score from 0 to 10."),
                unit="count",
                series=histogram,
                table=distribution,
            ),
            Chart(
                kind="bar",
                title=_("NPS per pulse"),
                description=_("The net promoter score of each pulse sent in the period."),
                unit="score",
                series=pulse_series,
                table=per_pulse,
            ),
        ),
        tables=(distribution, per_pulse),
        notes=tuple(notes),
    )
