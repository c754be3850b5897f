"""The dashboard's filters: which communities, which period cut into which buckets, and one
split (an org unit or a role) or a topic.

`parse_filters` turns query parameters (a page's GET, the API's query) into clean
`DashboardFilters` or raises `FilterError` with every problem in words, so a page or the API
shows them instead of failing.

Periods, all ending today unless custom (days inclusive, in the site's time zone):
- "30d", "90d": the last 30 / 90 days, today included;
- "12m" (the default): the last 12 calendar months, the current one included (so monthly
  buckets are whole months but the last);
- "ytd": 1 January to today;
- "all": from the first day the communities' rollups have (not before 2000-01-01, at most 30
  years); today alone when there is no data yet;
- "custom": `start` and `end` (ISO dates, YYYY-MM-DD); giving dates without a period means custom.
An end after today is moved back to today (the future has no figures yet).

Granularity, when not given: day up to 62 days, week up to 183 days, month up to 5 years,
quarter up to 15 years, year beyond. A granularity giving more than 400 buckets is refused.
"""

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import cast

from django.db.models import Min
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from practica.communities.models import MembershipRole
from practica.core.models import Topic
from practica.metrics.models import CommunityDay
from practica.metrics.models.rollups import EVERYONE
from practica.metrics.queries.buckets import (
    GRANULARITIES,
    Granularity,
    add_months,
    bucket_count,
    bucket_starts,
)
from practica.people.models import OrgUnit

__all__ = [
    "FILTER_PARAMS",
    "DashboardFilters",
    "FilterError",
    "Granularity",
    "parse_filters",
]

FILTER_PARAMS = ("period", "start", "end", "granularity", "org_unit", "role", "topic", "community")
PERIODS = ("30d", "90d", "12m", "ytd", "all", "custom")
DEFAULT_PERIOD = "12m"
EARLIEST = date(2000, 1, 1)
MAX_YEARS = 30
MAX_BUCKETS = 400
DATE_PATTERN = re.compile(r"^\d{4}-\d{2}-\d{2}$")
ID_PATTERN = re.compile(r"^\d{1,18}$")
GRANULARITY_LABELS = {
    "day": gettext_lazy("daily"),
    "week": gettext_lazy("weekly"),
    "month": gettext_lazy("monthly"),
    "quarter": gettext_lazy("quarterly"),
    "year": gettext_lazy("yearly"),
}
SHOWN = 40  # how much of a bad value a message repeats


@dataclass(frozen=True)
class DashboardFilters:
    community_ids: tuple[int, ...]  # at least one
    start: date  # inclusive, site time zone
    end: date  # inclusive
    granularity: Granularity
    org_unit_id: int | None = None  # a division (depth-0 OrgUnit)
    role: str = ""  # a MembershipRole value
    topic_id: int | None = None  # Q&A figures only (this topic and everything under it)

    @property
    def segment(self) -> str:
        """The rollups' segment these filters read: "", "unit:<id>" or "role:<role>"."""
        if self.org_unit_id is not None:
            return f"unit:{self.org_unit_id}"
        if self.role:
            return f"role:{self.role}"
        return EVERYONE

    @property
    def is_split(self) -> bool:
        """An org unit or a role narrows the figures (the ones that can be narrowed)."""
        return self.segment != EVERYONE

    def buckets(self) -> list[date]:
        """The first day of each bucket in [start, end]: calendar buckets cut to the period."""
        return bucket_starts(self.start, self.end, self.granularity)


class FilterError(Exception):
    """The filters can't be used; `messages` says why, one translated sentence per problem."""

    def __init__(self, messages: Sequence[str]) -> None:
        super().__init__("; ".join(messages))
        self.messages = list(messages)


def years_before(day: date, years: int) -> date:
    """The same day `years` earlier (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def default_granularity(start: date, end: date) -> Granularity:
    days = (end - start).days + 1
    if days <= 62:
        return "day"
    if days <= 183:
        return "week"
    if start > years_before(end, 5):
        return "month"
    if start > years_before(end, 15):
        return "quarter"
    return "year"


def _parse_date(text: str, errors: list[str]) -> date | None:
    if DATE_PATTERN.match(text):
        try:
            return date.fromisoformat(text)
        except ValueError:
            pass
    errors.append(
        _("“%(value)s” is not a date: give it as YYYY-MM-DD, such as 2026-01-31.")
        % {"value": text[:SHOWN]}
    )
    return None


def _first_data_day(community_ids: Sequence[int]) -> date | None:
    found = CommunityDay.objects.filter(community_id__in=community_ids, segment=EVERYONE).aggregate(
        first=Min("day")
    )["first"]
    return cast(date | None, found)


def _period(
    values: Mapping[str, str], community_ids: Sequence[int], today: date, errors: list[str]
) -> tuple[date, date] | None:
    period = values["period"] or ("custom" if values["start"] or values["end"] else DEFAULT_PERIOD)
    if period not in PERIODS:
        errors.append(
            _("Unknown period “%(value)s”: choose 30d, 90d, 12m, ytd, all or custom.")
            % {"value": period[:SHOWN]}
        )
        return None
    if period != "custom":
        if values["start"] or values["end"]:
            errors.append(_("Start and end dates need the custom period."))
            return None
        if period == "30d":
            return today - timedelta(days=29), today
        if period == "90d":
            return today - timedelta(days=89), today
        if period == "12m":
            return add_months(today, -11), today
        if period == "ytd":
            return date(today.year, 1, 1), today
        first = _first_data_day(community_ids) or today
        return max(first, EARLIEST, years_before(today, MAX_YEARS) + timedelta(days=1)), today
    if not (values["start"] and values["end"]):
        errors.append(_("A custom period needs a start date and an end date."))
        return None
    start = _parse_date(values["start"], errors)
    end = _parse_date(values["end"], errors)
    if start is None or end is None:
        return None
    if start > end:
        errors.append(
            _("The period ends (%(end)s) before it starts (%(start)s): swap the dates.")
            % {"start": start.isoformat(), "end": end.isoformat()}
        )
        return None
    if start > today:
        errors.append(
            _("The period starts after today (%(today)s): there are no figures yet.")
            % {"today": today.isoformat()}
        )
        return None
    end = min(end, today)
    if start < EARLIEST:
        errors.append(_("The period can't start before 1 January 2000."))
        return None
    if start <= years_before(end, MAX_YEARS):
        errors.append(
            _("The period is longer than %(years)s years: choose a shorter one.")
            % {"years": MAX_YEARS}
        )
        return None
    return start, end


def _granularity(
    text: str, period: tuple[date, date] | None, errors: list[str]
) -> Granularity | None:
    if text and text not in GRANULARITIES:
        errors.append(
            _("Unknown granularity “%(value)s”: choose day, week, month, quarter or year.")
            % {"value": text[:SHOWN]}
        )
        return None
    if period is None:
        return None
    start, end = period
    if not text:
        return default_granularity(start, end)
    granularity = cast(Granularity, text)
    count = bucket_count(start, end, granularity)
    if count > MAX_BUCKETS:
        errors.append(
            _(
                "A %(granularity)s chart of this period would have %(count)s points, more than "
                "%(most)s: choose a coarser granularity or a shorter period."
            )
            % {"granularity": GRANULARITY_LABELS[granularity], "count": count, "most": MAX_BUCKETS}
        )
        return None
    return granularity


def _org_unit(text: str, errors: list[str]) -> int | None:
    if not text:
        return None
    unit = (
        OrgUnit.objects.filter(pk=int(text)).values("pk", "depth").first()
        if ID_PATTERN.match(text)
        else None
    )
    if unit is None:
        errors.append(_("Unknown org unit: “%(value)s”.") % {"value": text[:SHOWN]})
        return None
    if unit["depth"] != 0:
        errors.append(_("Figures are split by division: choose a top-level org unit."))
        return None
    return int(unit["pk"])


def _role(text: str, errors: list[str]) -> str:
    if text and text not in MembershipRole.values:
        errors.append(_("Unknown role: “%(value)s”.") % {"value": text[:SHOWN]})
        return ""
    return text


def _topic(text: str, errors: list[str]) -> int | None:
    if not text:
        return None
    if not (ID_PATTERN.match(text) and Topic.objects.filter(pk=int(text)).exists()):
        errors.append(_("Unknown topic: “%(value)s”.") % {"value": text[:SHOWN]})
        return None
    return int(text)


def parse_filters(
    params: Mapping[str, str], *, community_ids: Sequence[int], today: date
) -> DashboardFilters:
    """Clean dashboard filters from query parameters (`FILTER_PARAMS`; empty values are
    absent). `community_ids` are the communities the caller resolved (from `community`) and
    allowed; `today` is the site's today. Raises FilterError listing every problem: an unknown
    parameter, period or granularity, a bad, inverted, too early or too long period, too many
    buckets, an unknown org unit (or one that is not a division), role or topic, an org unit
    and a role together, no community. Reads at most three small queries."""
    errors: list[str] = []
    for name in sorted(set(params) - set(FILTER_PARAMS)):
        errors.append(_("Unknown filter: %(name)s") % {"name": str(name)[:SHOWN]})
    values = {name: str(params.get(name) or "").strip() for name in FILTER_PARAMS}
    if not community_ids:
        errors.append(_("Choose at least one community."))
    period = _period(values, community_ids, today, errors)
    granularity = _granularity(values["granularity"], period, errors)
    org_unit_id = _org_unit(values["org_unit"], errors)
    role = _role(values["role"], errors)
    topic_id = _topic(values["topic"], errors)
    if values["org_unit"] and values["role"]:
        errors.append(_("Split the figures by org unit or by role, not both at once."))
    if errors or period is None or granularity is None:
        raise FilterError(errors)
    return DashboardFilters(
        community_ids=tuple(dict.fromkeys(community_ids)),
        start=period[0],
        end=period[1],
        granularity=granularity,
        org_unit_id=org_unit_id,
        role=role,
        topic_id=topic_id,
    )
