"""The outreach API's shapes for the funnel's figures (`api_funnel` holds the endpoint)."""

from datetime import date
from typing import Annotated

from ninja import Field, Schema
from pydantic import StringConstraints

Filter = Annotated[str, StringConstraints(max_length=40)]


class FunnelFilters(Schema):
    campaign_id: Filter | None = Field(None, description="One campaign of the community (its id).")
    period_from: Filter | None = Field(None, description="The first month, as YYYY-MM.")
    period_to: Filter | None = Field(None, description="The last month, as YYYY-MM (included).")


class FunnelStepOut(Schema):
    key: str = Field(
        description="audience, mailed, delivered, clicked, joined, first_activity, second_month"
    )
    label: str
    count: int
    conversion: float | None = Field(
        description="This step ÷ the step before, four decimals; null for the first step and "
        "when the step before is 0."
    )


class FunnelFiguresOut(Schema):
    audience: int = Field(description="HR joiners: the people the segment matched.")
    mailed: int
    delivered: int
    clicked: int
    joined: int
    first_activity: int = Field(description="Joined and active within 30 days of joining.")
    second_month: int = Field(description="Joined and active between day 30 and day 60.")
    steps: list[FunnelStepOut]


class CampaignRef(Schema):
    id: int
    name: str


class FunnelMonthOut(FunnelFiguresOut):
    campaign: CampaignRef
    period: str = Field(description="The run's month, YYYY-MM.")


class FunnelTotalsOut(FunnelFiguresOut):
    months: int = Field(description="How many campaign months are summed.")


class FunnelOut(Schema):
    """The funnel of a community's welcome campaigns: the totals over the months selected,
    and one entry per campaign month, newest first."""

    community: str
    campaign_id: int | None
    period_from: date | None
    period_to: date | None
    totals: FunnelTotalsOut
    months: list[FunnelMonthOut]


class FilterErrorOut(Schema):
    """Filters that can't be used: `detail` says why; `errors` per filter."""

    detail: str
    errors: dict[str, list[str]]
