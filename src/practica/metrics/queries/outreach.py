"""Outreach: the welcome campaigns' funnel for the campaign months that overlap the period,
read from outreach's own funnel query (`outreach/queries/funnel.py`, its definitions in
docs/metrics.md) and added up over the filtered communities' campaigns.

Each step is summed over the runs (campaign × month) whose month overlaps the period; a step's
conversion = the step ÷ the step before (None after a 0); the headline conversion = joined ÷
HR joiners. Two queries per community, plus one for the communities.
"""

from decimal import Decimal

from django.utils.translation import gettext as _

from practica.communities.models import Community
from practica.metrics.queries.filters import DashboardFilters
from practica.metrics.queries.headlines import share_headline
from practica.metrics.queries.types import Chart, Headline, Panel, Point, Series, Table
from practica.outreach.queries.funnel import STEP_KEYS, FunnelMonth, campaign_funnel, sum_funnel


def funnel_months(filters: DashboardFilters) -> list[FunnelMonth]:
    """Every campaign run of the filtered communities whose month overlaps the period."""
    months: list[FunnelMonth] = []
    for community in Community.objects.filter(pk__in=filters.community_ids).order_by("pk"):
        months.extend(
            campaign_funnel(
                community=community,
                period_from=filters.start.replace(day=1),
                period_to=filters.end.replace(day=1),
            )
        )
    months.sort(key=lambda month: (month.period, month.campaign_name, month.campaign_id))
    return months


def outreach_panel(filters: DashboardFilters) -> Panel:
    months = funnel_months(filters)
    totals = sum_funnel(months)
    steps = totals.steps
    has_data = bool(months)

    def count(key: str, label: str, value: int) -> Headline:
        return Headline(
            key=key, label=label, unit="count", value=Decimal(value) if has_data else None
        )

    headlines = (
        count("outreach_audience", _("HR joiners"), totals.audience),
        count("outreach_mailed", _("Welcome mails sent"), totals.mailed),
        count("outreach_joined", _("Joined through the welcome mail"), totals.joined),
        share_headline(
            "outreach_conversion",
            _("Joined of HR joiners"),
            totals.joined if has_data else None,
            totals.audience if has_data else None,
        ),
    )
    steps_table = Table(
        key="funnel",
        title=_("Welcome campaign funnel"),
        columns=(_("Step"), _("People"), _("Of the step before")),
        rows=tuple((step.label, step.count, step.conversion) for step in steps) if has_data else (),
    )
    months_table = Table(
        key="funnel_months",
        title=_("Welcome campaign funnel per month"),
        columns=(_("Month"), _("Campaign"), *(step.label for step in steps)),
        rows=tuple(
            (
                month.period.strftime("%Y-%m"),
                month.campaign_name,
                *(getattr(month, key) for key in STEP_KEYS),
            )
            for month in months
        ),
    )
    funnel_series = tuple(
        Series(
            key=step.key,
            label=step.label,
            unit="count",
            points=(
                Point(
                    start=filters.start,
                    value=Decimal(step.count) if has_data else None,
                    n=step.previous,
                ),
            ),
        )
        for step in steps
    )
    notes = [
        _("Campaigns are counted by month: the months that overlap the period are counted whole.")
    ]
    if filters.is_split:
        notes.append(_("The outreach funnel is not split by org unit or role."))
    return Panel(
        key="outreach",
        title=_("Outreach"),
        description=_(
            "The welcome campaigns' funnel: new hires in the audience, mailed, delivered, "
            "clicked, joined and active in their first two months."
        ),
        headlines=headlines,
        charts=(
            Chart(
                kind="bar",
                title=_("Welcome campaign funnel"),
                description=_("How many people reached each step of the welcome campaigns."),
                unit="count",
                series=funnel_series,
            ),
        ),
        tables=(steps_table, months_table),
        notes=tuple(notes),
    )
