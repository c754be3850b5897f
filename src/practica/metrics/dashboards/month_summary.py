"""“My community this month”: this calendar month so far beside the whole of last month, each
key figure told in a sentence ("142 people joined, 12 more than in October") with which way it
went, in words and an arrow, never colour alone."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Literal

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from practica.communities.models import Community
from practica.metrics.dashboards.formatting import format_difference, format_n, format_value
from practica.metrics.queries.filters import DashboardFilters
from practica.metrics.queries.panels import community_headlines
from practica.metrics.queries.types import Headline

Direction = Literal["up", "down", "same", "unknown"]

# Figures where a fall is the good news.
LOWER_IS_BETTER = frozenset({"median_first_response_hours", "unanswered_questions"})

ARROWS: dict[Direction, str] = {"up": "▲", "down": "▼", "same": "=", "unknown": "–"}


@dataclass(frozen=True)
class MonthLine:
    key: str
    label: str
    value_text: str
    previous_text: str
    n_text: str
    sentence: str
    direction: Direction
    direction_text: str  # "up", "down"… in words, beside the arrow
    arrow: str
    better: bool | None  # the change is good news (None: no change or nothing to compare)
    has_value: bool


@dataclass(frozen=True)
class MonthSummary:
    start: date
    end: date
    previous_start: date
    previous_end: date
    month_name: str
    previous_month_name: str
    lines: tuple[MonthLine, ...]

    @property
    def has_data(self) -> bool:
        return any(line.has_value for line in self.lines)


def month_filters(community: Community, start: date, end: date) -> DashboardFilters:
    return DashboardFilters(
        community_ids=(community.pk,), start=start, end=end, granularity="month"
    )


def direction_of(value: Decimal | None, previous: Decimal | None) -> Direction:
    if value is None or previous is None:
        return "unknown"
    if value > previous:
        return "up"
    if value < previous:
        return "down"
    return "same"


def direction_words(direction: Direction) -> str:
    return {
        "up": _("up"),
        "down": _("down"),
        "same": _("no change"),
        "unknown": _("nothing to compare"),
    }[direction]


def whole(value: Decimal) -> int:
    return int(value.to_integral_value())


def sentence_for(headline: Headline, previous: Headline | None, month_name: str) -> str:
    """One plain-language sentence: this month's figure and how it compares with last
    month's."""
    value, before = headline.value, previous.value if previous else None
    if value is None:
        return _("%(label)s: no data yet this month.") % {"label": headline.label}
    shown = format_value(value, headline.unit)
    direction = direction_of(value, before)
    if before is None:
        return _("%(label)s: %(value)s (nothing to compare with in %(month)s).") % {
            "label": headline.label,
            "value": shown,
            "month": month_name,
        }
    difference = format_difference(value - before, headline.unit)
    if headline.key == "joined":
        count = whole(value)
        if direction == "same":
            return ngettext(
                "%(value)s person joined, as many as in %(month)s.",
                "%(value)s people joined, as many as in %(month)s.",
                count,
            ) % {"value": shown, "month": month_name}
        more = direction == "up"
        return (
            ngettext(
                "%(value)s person joined, %(difference)s more than in %(month)s.",
                "%(value)s people joined, %(difference)s more than in %(month)s.",
                count,
            )
            if more
            else ngettext(
                "%(value)s person joined, %(difference)s fewer than in %(month)s.",
                "%(value)s people joined, %(difference)s fewer than in %(month)s.",
                count,
            )
        ) % {"value": shown, "difference": difference, "month": month_name}
    if headline.key == "members":
        if direction == "same":
            return _("The community has %(value)s members, as many as at the end of %(month)s.") % {
                "value": shown,
                "month": month_name,
            }
        template = (
            _(
                "The community has %(value)s members, %(difference)s more than at the end of "
                "%(month)s."
            )
            if direction == "up"
            else _(
                "The community has %(value)s members, %(difference)s fewer than at the end of "
                "%(month)s."
            )
        )
        return template % {"value": shown, "difference": difference, "month": month_name}
    context = {
        "label": headline.label,
        "value": shown,
        "difference": difference,
        "previous": format_value(before, headline.unit),
        "month": month_name,
    }
    if direction == "same":
        return _("%(label)s: %(value)s, the same as in %(month)s.") % context
    if direction == "up":
        template = _("%(label)s: %(value)s, up %(difference)s from %(previous)s in %(month)s.")
    else:
        template = _("%(label)s: %(value)s, down %(difference)s from %(previous)s in %(month)s.")
    return template % context


def month_line(headline: Headline, previous: Headline | None, month_name: str) -> MonthLine:
    before = previous.value if previous else None
    direction = direction_of(headline.value, before)
    better: bool | None = None
    if direction in ("up", "down"):
        better = (direction == "down") == (headline.key in LOWER_IS_BETTER)
    return MonthLine(
        key=headline.key,
        label=headline.label,
        value_text=format_value(headline.value, headline.unit),
        previous_text=format_value(before, headline.unit),
        n_text=format_n(headline.n),
        sentence=sentence_for(headline, previous, month_name),
        direction=direction,
        direction_text=direction_words(direction),
        arrow=ARROWS[direction],
        better=better,
        has_value=headline.value is not None,
    )


def compare_months(
    current: Sequence[Headline], previous: Sequence[Headline], *, previous_month_name: str
) -> tuple[MonthLine, ...]:
    """This month's figures, each beside last month's figure of the same key."""
    before = {headline.key: headline for headline in previous}
    return tuple(
        month_line(headline, before.get(headline.key), previous_month_name) for headline in current
    )


def month_summary(*, community: Community, today: date) -> MonthSummary:
    """This month from its first day to today against the whole of last month."""
    start = today.replace(day=1)
    previous_end = start - timedelta(days=1)
    previous_start = previous_end.replace(day=1)
    current = community_headlines(month_filters(community, start, today))
    previous = community_headlines(month_filters(community, previous_start, previous_end))
    previous_month_name = date_format(previous_start, "F")
    return MonthSummary(
        start=start,
        end=today,
        previous_start=previous_start,
        previous_end=previous_end,
        month_name=date_format(start, "F Y"),
        previous_month_name=previous_month_name,
        lines=compare_months(current, previous, previous_month_name=previous_month_name),
    )
