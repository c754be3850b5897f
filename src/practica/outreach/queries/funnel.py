"""The welcome campaigns' funnel: per campaign and month, how many new hires were in the
audience, mailed, delivered, clicked, joined, and became active members.

Per campaign run (`CampaignRun`: one campaign, one month `period`):
1. `audience` (HR joiners) = `CampaignRun.audience_size`, the segment's matches for that month,
   opted-out people included;
2. `mailed` = the `CampaignRecipient` rows of that campaign and period;
3. `delivered` = of those, the outbox message with the recipient's `idempotency_key` has status
   sent, and no `mail.Bounce` for the recipient's address (case-insensitive) was received after
   `mailed_at`;
4. `clicked` = `clicked_at` set (the signed join link; no open-tracking pixels);
5. `joined` = `joined_at` set;
6. `first_activity` = joined, and the ledger has an `Activity` by the person, of any kind but
   joined, left and profile updated, with `joined_at <= occurred_at < joined_at + 30 days`;
7. `second_month` = joined, and such an activity with
   `joined_at + 30 days <= occurred_at < joined_at + 60 days`.

The conversion of a step is the step ÷ the step before it, None when the step before is 0
(never a division by zero): a fraction with four decimals in the API, a percentage with one
decimal on the page; both rounded half up from the exact ratio.

Two queries whatever the number of runs and recipients: the runs, then one aggregate over the
recipients grouped by (campaign, period) with conditional counts over `Exists` subqueries.
"""

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import (
    Count,
    DateTimeField,
    Exists,
    ExpressionWrapper,
    OuterRef,
    Q,
)
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from practica.communities.models import Community
from practica.core.models import Activity, ActivityKind
from practica.mail.models import Bounce, MessageStatus, OutboundMessage
from practica.outreach.campaign_schedule import month_start
from practica.outreach.models import Campaign, CampaignRecipient, CampaignRun

FIRST_WINDOW = timedelta(days=30)
SECOND_WINDOW = timedelta(days=60)
# Being in the community is not activity in it: these kinds don't count as a first step.
NOT_ACTIVITY = (ActivityKind.JOINED, ActivityKind.LEFT, ActivityKind.PROFILE_UPDATED)


@dataclass(frozen=True)
class StepDefinition:
    key: str
    label: str | Promise
    description: str | Promise


# The seven steps in order; labels are lazy so each viewer reads them in their language.
STEPS: tuple[StepDefinition, ...] = (
    StepDefinition(
        "audience",
        gettext_lazy("HR joiners"),
        gettext_lazy("New hires the campaign's segment matched that month, opted-out included."),
    ),
    StepDefinition(
        "mailed", gettext_lazy("Mailed"), gettext_lazy("People the welcome mail was sent to.")
    ),
    StepDefinition(
        "delivered",
        gettext_lazy("Delivered"),
        gettext_lazy("The mail left the outbox and no bounce came back."),
    ),
    StepDefinition(
        "clicked",
        gettext_lazy("Clicked"),
        gettext_lazy("The signed join link was opened."),
    ),
    StepDefinition(
        "joined", gettext_lazy("Joined"), gettext_lazy("Joined the community through the link.")
    ),
    StepDefinition(
        "first_activity",
        gettext_lazy("Active within 30 days"),
        gettext_lazy("Asked, answered, registered… within 30 days of joining."),
    ),
    StepDefinition(
        "second_month",
        gettext_lazy("Active in the second month"),
        gettext_lazy("Active within 30 days, and again between day 30 and day 60."),
    ),
)
STEP_KEYS = tuple(step.key for step in STEPS)


def conversion(step: int, previous: int) -> Decimal | None:
    """`step ÷ previous` as a fraction with four decimals (half up), None when previous is 0."""
    if not previous:
        return None
    return (Decimal(step) / Decimal(previous)).quantize(Decimal("0.0001"), ROUND_HALF_UP)


def percent(step: int, previous: int) -> Decimal | None:
    """`step ÷ previous` in percent with one decimal, rounded half up from the exact ratio
    (1 ÷ 16 → 6.3), None when previous is 0."""
    if not previous:
        return None
    return (Decimal(step) * 100 / Decimal(previous)).quantize(Decimal("0.1"), ROUND_HALF_UP)


@dataclass(frozen=True)
class FunnelStep:
    key: str
    label: str
    description: str
    count: int
    previous: int | None  # the step before's count; None for the first step

    @property
    def conversion(self) -> Decimal | None:
        """Of the step before, as a fraction; None for the first step or after a 0."""
        return None if self.previous is None else conversion(self.count, self.previous)

    @property
    def percent(self) -> Decimal | None:
        return None if self.previous is None else percent(self.count, self.previous)


@dataclass
class FunnelCounts:
    """The seven counts; `steps` pairs each with its label and its conversion."""

    audience: int = 0
    mailed: int = 0
    delivered: int = 0
    clicked: int = 0
    joined: int = 0
    first_activity: int = 0
    second_month: int = 0

    def counts(self) -> list[int]:
        return [getattr(self, key) for key in STEP_KEYS]

    @property
    def steps(self) -> list[FunnelStep]:
        values = self.counts()
        steps = []
        for index, definition in enumerate(STEPS):
            previous = values[index - 1] if index else None
            steps.append(
                FunnelStep(
                    key=definition.key,
                    label=str(definition.label),
                    description=str(definition.description),
                    count=values[index],
                    previous=previous,
                )
            )
        return steps

    @property
    def conversions(self) -> dict[str, Decimal | None]:
        """The conversion into each step after the first, by step key."""
        return {step.key: step.conversion for step in self.steps[1:]}

    @property
    def overall(self) -> Decimal | None:
        """Joined ÷ HR joiners: the share of the audience that became members."""
        return conversion(self.joined, self.audience)


@dataclass
class FunnelMonth(FunnelCounts):
    """One campaign's run for one month, with its counts."""

    campaign_id: int = 0
    campaign_name: str = ""
    period: date = field(default_factory=date.today)


@dataclass
class FunnelTotals(FunnelCounts):
    """The counts summed over several months (and campaigns); `months` says how many."""

    months: int = 0
    period_from: date | None = None
    period_to: date | None = None


# --- Inputs -----------------------------------------------------------------------------------


MONTH_PATTERN = re.compile(r"^(\d{4})-(\d{2})$")


def parse_month(text: str, *, field_name: str = "period") -> date | None:
    """The first day of a month written YYYY-MM (as `<input type="month">` sends it), None for
    an empty text; anything else raises ValidationError on `field_name` saying the form."""
    text = (text or "").strip()
    if not text:
        return None
    match = MONTH_PATTERN.match(text)
    year, month = (int(match[1]), int(match[2])) if match else (0, 0)
    if not (match and 1 <= month <= 12 and year >= 1):
        raise ValidationError(
            {
                field_name: _("“%(value)s” is not a month: give it as YYYY-MM, such as 2026-01.")
                % {"value": text[:20]}
            }
        )
    return date(year, month, 1)


def clean_funnel_filters(
    *,
    community: Community,
    campaign: Campaign | None,
    period_from: date | None,
    period_to: date | None,
) -> tuple[date | None, date | None]:
    """Check the filters; return the periods as first days of their months.

    Raises ValidationError naming the filter: a campaign of another community, a period that
    is not a date, or `period_from` after `period_to`.
    """
    if campaign is not None and campaign.community_id != community.pk:
        raise ValidationError({"campaign": _("Choose one of this community's campaigns.")})
    cleaned = {}
    for name, value in (("period_from", period_from), ("period_to", period_to)):
        if value is not None and not isinstance(value, date):
            raise ValidationError({name: _("Give a month, such as 2026-01.")})
        cleaned[name] = month_start(value) if value is not None else None
    start, end = cleaned["period_from"], cleaned["period_to"]
    if start is not None and end is not None and start > end:
        raise ValidationError(
            {
                "period_to": _(
                    "The period ends (%(end)s) before it starts (%(start)s): swap the months."
                )
                % {"start": start.strftime("%Y-%m"), "end": end.strftime("%Y-%m")}
            }
        )
    return start, end


# --- The figures ------------------------------------------------------------------------------


def _after_joining(delta: timedelta) -> ExpressionWrapper:
    return ExpressionWrapper(OuterRef("joined_at") + delta, output_field=DateTimeField())


def _active_between(start: timedelta, end: timedelta) -> Exists:
    """The recipient's person has a counting activity in [joined_at + start, joined_at + end)."""
    return Exists(
        Activity.objects.filter(
            person_id=OuterRef("person_id"),
            occurred_at__gte=OuterRef("joined_at") if not start else _after_joining(start),
            occurred_at__lt=_after_joining(end),
        ).exclude(kind__in=NOT_ACTIVITY)
    )


def _delivered() -> Q:
    sent = Exists(
        OutboundMessage.objects.filter(
            idempotency_key=OuterRef("idempotency_key"), status=MessageStatus.SENT
        )
    )
    bounced = Exists(
        Bounce.objects.filter(
            address__iexact=OuterRef("email"), received_at__gt=OuterRef("mailed_at")
        )
    )
    return Q(sent) & ~Q(bounced)


def _scope(
    *,
    community: Community,
    campaign: Campaign | None,
    period_from: date | None,
    period_to: date | None,
) -> Q:
    """Runs and recipients alike: a campaign of the community, a period in range."""
    scope = Q(campaign__community=community)
    if campaign is not None:
        scope &= Q(campaign=campaign)
    if period_from is not None:
        scope &= Q(period__gte=period_from)
    if period_to is not None:
        scope &= Q(period__lte=period_to)
    return scope


def campaign_funnel(
    *,
    community: Community,
    campaign: Campaign | None = None,
    period_from: date | None = None,
    period_to: date | None = None,
) -> list[FunnelMonth]:
    """One `FunnelMonth` per campaign run of the community (or of `campaign`) whose period is
    within [period_from, period_to] (months, both included, either open), newest first, then
    by campaign name. Raises ValidationError for bad filters (see `clean_funnel_filters`).
    Two queries."""
    period_from, period_to = clean_funnel_filters(
        community=community, campaign=campaign, period_from=period_from, period_to=period_to
    )
    scope = _scope(
        community=community, campaign=campaign, period_from=period_from, period_to=period_to
    )
    runs = list(
        CampaignRun.objects.filter(scope)
        .select_related("campaign")
        .order_by("-period", "campaign__name", "campaign_id")
    )
    if not runs:
        return []
    joined = Q(joined_at__isnull=False)
    active_early = joined & Q(_active_between(timedelta(0), FIRST_WINDOW))
    figures = (
        CampaignRecipient.objects.filter(scope)
        .order_by()
        .values("campaign_id", "period")
        .annotate(
            mailed=Count("pk"),
            delivered=Count("pk", filter=_delivered()),
            clicked=Count("pk", filter=Q(clicked_at__isnull=False)),
            joined=Count("pk", filter=joined),
            first_activity=Count("pk", filter=active_early),
            # Each step is a subset of the one before: retained means active early AND again.
            second_month=Count(
                "pk", filter=active_early & Q(_active_between(FIRST_WINDOW, SECOND_WINDOW))
            ),
        )
    )
    by_run: dict[tuple[int, date], dict[str, Any]] = {
        (row["campaign_id"], row["period"]): dict(row) for row in figures
    }
    months = []
    for run in runs:
        row = by_run.get((run.campaign_id, run.period), {})
        months.append(
            FunnelMonth(
                campaign_id=run.campaign_id,
                campaign_name=run.campaign.name,
                period=run.period,
                audience=run.audience_size,
                **{key: row.get(key, 0) for key in STEP_KEYS[1:]},
            )
        )
    return months


def sum_funnel(months: Iterable[FunnelCounts]) -> FunnelTotals:
    """The months' counts added up step by step; conversions come from the sums."""
    totals = FunnelTotals()
    periods: list[date] = []
    for month in months:
        for key in STEP_KEYS:
            setattr(totals, key, getattr(totals, key) + getattr(month, key))
        totals.months += 1
        if isinstance(month, FunnelMonth):
            periods.append(month.period)
    if periods:
        totals.period_from, totals.period_to = min(periods), max(periods)
    return totals


def funnel_rows(months: Sequence[FunnelMonth]) -> list[list[object]]:
    """The table as rows of plain values (for the CSV): month, campaign, then per step its
    count and (after the first) its conversion in percent, empty when undefined."""
    rows: list[list[object]] = []
    for month in months:
        row: list[object] = [month.period.strftime("%Y-%m"), month.campaign_name]
        for index, step in enumerate(month.steps):
            row.append(step.count)
            if index:
                row.append("" if step.percent is None else step.percent)
        rows.append(row)
    return rows


def funnel_header() -> list[str]:
    """The CSV's header, matching `funnel_rows`."""
    header = [_("Month"), _("Campaign")]
    for index, step in enumerate(STEPS):
        header.append(str(step.label))
        if index:
            header.append(_("%(step)s conversion (%%)") % {"step": step.label})
    return header
