"""Reading pulse surveys: one pulse's results, NPS pooled over a period (the dashboard's NPS
panel), a community's pulses with their figures, and a pulse's comments (without names).

NPS = per cent of promoters (9–10) − per cent of detractors (0–6) among the answers, from −100
to 100, one decimal. Its 95 per cent confidence interval is the normal approximation on the
difference of two proportions of one multinomial sample: with p and d the promoter and
detractor shares of n answers, var = (p + d − (p − d)²) ÷ n, and NPS ± 1.96 · √var · 100,
clamped to [−100, 100]. Under 30 answers the interval is flagged as a small sample. The
response rate is answered ÷ invited. None means "no data", never 0.
"""

import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, NamedTuple

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from practica.communities.models import Community
from practica.metrics.definitions.figures import share_value
from practica.metrics.models import PulseInvitation, PulseStatus, PulseSurvey
from practica.metrics.models.surveys import MAX_SCORE

Z_95 = Decimal("1.96")
SMALL_SAMPLE = 30
NPS_PLACES = Decimal("0.1")
PROMOTER_MIN = 9
DETRACTOR_MAX = 6
SENT_STATUSES = (PulseStatus.OPEN, PulseStatus.CLOSED)


def _nps_places(value: Decimal) -> Decimal:
    return value.quantize(NPS_PLACES, rounding=ROUND_HALF_UP)


def nps_value(promoters: int, detractors: int, answered: int) -> Decimal | None:
    """(promoters − detractors) ÷ answered × 100, one decimal; None without answers."""
    if answered == 0:
        return None
    return _nps_places(Decimal(100 * (promoters - detractors)) / Decimal(answered))


def nps_interval(
    promoters: int, detractors: int, answered: int
) -> tuple[Decimal | None, Decimal | None]:
    """The 95 per cent confidence interval of the NPS (see the module docstring)."""
    if answered == 0:
        return None, None
    p = Decimal(promoters) / Decimal(answered)
    d = Decimal(detractors) / Decimal(answered)
    variance = (p + d - (p - d) ** 2) / Decimal(answered)
    half_width = Z_95 * Decimal(math.sqrt(max(variance, Decimal(0)))) * 100
    centre = Decimal(100) * (p - d)
    low = max(Decimal(-100), centre - half_width)
    high = min(Decimal(100), centre + half_width)
    return _nps_places(low), _nps_places(high)


@dataclass(frozen=True)
class NpsCounts:
    """The figures shared by one pulse's results and a period's pooled NPS."""

    invited: int
    answered: int
    promoters: int
    passives: int
    detractors: int
    nps: Decimal | None
    ci_low: Decimal | None
    ci_high: Decimal | None
    distribution: tuple[int, ...]  # 11 counts: how many answered 0, 1, … 10

    @property
    def response_rate(self) -> Decimal | None:
        """answered ÷ invited, a fraction 0–1 (four decimals); None when nobody was invited."""
        return share_value(self.answered, self.invited)

    @property
    def small_sample(self) -> bool:
        """Fewer than SMALL_SAMPLE answers: the interval is wide, read the NPS with care."""
        return self.answered < SMALL_SAMPLE


def _counts(invited: int, distribution: Sequence[int]) -> NpsCounts:
    answered = sum(distribution)
    promoters = sum(distribution[PROMOTER_MIN:])
    detractors = sum(distribution[: DETRACTOR_MAX + 1])
    low, high = nps_interval(promoters, detractors, answered)
    return NpsCounts(
        invited=invited,
        answered=answered,
        promoters=promoters,
        passives=answered - promoters - detractors,
        detractors=detractors,
        nps=nps_value(promoters, detractors, answered),
        ci_low=low,
        ci_high=high,
        distribution=tuple(distribution),
    )


def _distribution(invitations: QuerySet[PulseInvitation]) -> list[int]:
    counts = [0] * (MAX_SCORE + 1)
    rows = (
        invitations.filter(score__isnull=False)
        .order_by()
        .values("score")
        .annotate(n=Count("pk"))
        .values_list("score", "n")
    )
    for score, n in rows:
        if score is not None:
            counts[score] = n
    return counts


@dataclass(frozen=True)
class PulseResults(NpsCounts):
    """One pulse's results. `invited` is the invitations written; `answered` who answered."""

    survey: PulseSurvey | None = None


@dataclass(frozen=True)
class ScoreBar:
    """One score of a pulse's distribution as the results page draws it."""

    score: int
    count: int
    share: int  # whole per cent of the answers, rounded half up
    width: int  # 0–100, relative to the most frequent score
    group: str  # "promoter", "passive" or "detractor"


def _whole_per_cent(part: int, whole: int) -> int:
    return int((Decimal(100 * part) / Decimal(whole)).quantize(Decimal(1), ROUND_HALF_UP))


def score_bars(counts: NpsCounts) -> list[ScoreBar]:
    """Each score 0–10 with its count, its share of the answers (whole per cent, rounded half
    up like every figure) and its bar's width against the most frequent score."""
    top = max(counts.distribution, default=0)
    return [
        ScoreBar(
            score=score,
            count=count,
            share=_whole_per_cent(count, counts.answered) if counts.answered else 0,
            width=_whole_per_cent(count, top) if top else 0,
            group=(
                "promoter"
                if score >= PROMOTER_MIN
                else "detractor"
                if score <= DETRACTOR_MAX
                else "passive"
            ),
        )
        for score, count in enumerate(counts.distribution)
    ]


def pulse_results(survey: PulseSurvey) -> PulseResults:
    """The pulse's response rate, NPS with its interval, and the 0–10 distribution, as of now
    (an open pulse's figures still move). Two queries."""
    invitations = PulseInvitation.objects.filter(survey=survey)
    invited = invitations.count()
    counts = _counts(invited, _distribution(invitations))
    return PulseResults(**counts.__dict__, survey=survey)


class PulseFigure(NamedTuple):
    """One pulse in a period's NPS: (survey_id, sent date, invited, answered, nps)."""

    survey_id: int
    sent_on: date
    invited: int
    answered: int
    nps: Decimal | None


@dataclass(frozen=True)
class NpsFigures(NpsCounts):
    """NPS pooled over the pulses of some communities sent in a period; `per_pulse` one entry
    per pulse, by send time."""

    per_pulse: tuple[PulseFigure, ...] = ()


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_default_timezone())


def nps_over(community_ids: Sequence[int], start: date, end: date) -> NpsFigures:
    """NPS pooled over the pulses of `community_ids` sent from `start` to `end` (inclusive,
    site time zone): every invitation of those pulses counts as invited, and the answers given
    by the end of `end` count as answered (so a past period's figures do not move). Three
    queries."""
    period_start = _day_start(start)
    period_end = _day_start(end + timedelta(days=1))
    surveys = list(
        PulseSurvey.objects.filter(
            community_id__in=list(community_ids),
            status__in=SENT_STATUSES,
            sent_at__gte=period_start,
            sent_at__lt=period_end,
        ).order_by("sent_at", "pk")
    )
    survey_ids = [survey.pk for survey in surveys]
    answered_in_time = Q(invitations__answered_at__lt=period_end)
    per_survey: dict[int, dict[str, Any]] = {
        row["pk"]: dict(row)
        for row in PulseSurvey.objects.filter(pk__in=survey_ids)
        .values("pk")
        .annotate(
            invited=Count("invitations"),
            answered=Count("invitations", filter=answered_in_time),
            promoters=Count(
                "invitations",
                filter=answered_in_time & Q(invitations__score__gte=PROMOTER_MIN),
            ),
            detractors=Count(
                "invitations",
                filter=answered_in_time & Q(invitations__score__lte=DETRACTOR_MAX),
            ),
        )
    }
    invitations = PulseInvitation.objects.filter(
        survey_id__in=survey_ids, answered_at__lt=period_end
    )
    counts = _counts(sum(row["invited"] for row in per_survey.values()), _distribution(invitations))
    per_pulse = []
    local = timezone.get_default_timezone()
    for survey in surveys:
        row = per_survey.get(survey.pk, {})
        answered = row.get("answered", 0)
        assert survey.sent_at is not None  # SENT_STATUSES always have it
        per_pulse.append(
            PulseFigure(
                survey_id=survey.pk,
                sent_on=survey.sent_at.astimezone(local).date(),
                invited=row.get("invited", 0),
                answered=answered,
                nps=nps_value(row.get("promoters", 0), row.get("detractors", 0), answered),
            )
        )
    return NpsFigures(**counts.__dict__, per_pulse=tuple(per_pulse))


@dataclass(frozen=True)
class PulseRow:
    """A pulse in its community's list."""

    survey: PulseSurvey
    invited: int
    answered: int
    nps: Decimal | None

    @property
    def response_rate(self) -> Decimal | None:
        return share_value(self.answered, self.invited)


def _with_counts(surveys: QuerySet[PulseSurvey]) -> QuerySet[PulseSurvey]:
    return surveys.annotate(
        answered=Count("invitations", filter=Q(invitations__score__isnull=False)),
        promoters_n=Count("invitations", filter=Q(invitations__score__gte=PROMOTER_MIN)),
        detractors_n=Count("invitations", filter=Q(invitations__score__lte=DETRACTOR_MAX)),
    )


def community_pulses(community: Community) -> QuerySet[PulseSurvey]:
    """The community's pulses, the latest send time first, each annotated with `answered`,
    `promoters_n` and `detractors_n` for `pulse_row` (one query per page)."""
    return _with_counts(
        PulseSurvey.objects.filter(community=community).select_related("community")
    ).order_by("-send_at", "-pk")


def pulse_with_counts(pk: int) -> PulseSurvey | None:
    """One pulse with its community, annotated as `community_pulses` does."""
    return _with_counts(PulseSurvey.objects.select_related("community").filter(pk=pk)).first()


def pulse_row(survey: PulseSurvey) -> PulseRow:
    """A pulse annotated by `community_pulses` as a list row."""
    answered = getattr(survey, "answered", 0)
    return PulseRow(
        survey=survey,
        invited=survey.invited_count,
        answered=answered,
        nps=nps_value(
            getattr(survey, "promoters_n", 0), getattr(survey, "detractors_n", 0), answered
        ),
    )


@dataclass(frozen=True)
class PulseComment:
    """A comment as the manager reads it: the score and the day, never the person."""

    score: int
    answered_on: date
    text: str


def pulse_comments(survey: PulseSurvey) -> list[PulseComment]:
    """The pulse's comments without who wrote them: by day, latest first, and within a day in
    an order unrelated to the time of answering (so the order cannot be matched against who
    was seen answering when)."""
    local = timezone.get_default_timezone()
    rows = (
        PulseInvitation.objects.filter(survey=survey, score__isnull=False)
        .exclude(comment="")
        .values_list("score", "answered_at", "comment", "token_hash")
    )
    comments = []
    for score, answered_at, text, token_hash in rows:
        if score is None:
            continue
        day = answered_at.astimezone(local).date() if answered_at else survey.created_at.date()
        # Keyed on a hash of the (secret) token's hash: stable, yet meaningless to the reader.
        shuffle_key = hashlib.sha256(token_hash.encode()).hexdigest()
        comments.append((day, shuffle_key, PulseComment(score=score, answered_on=day, text=text)))
    comments.sort(key=lambda item: (-item[0].toordinal(), item[1]))
    return [comment for _day, _key, comment in comments]
