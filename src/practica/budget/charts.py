"""A budget's categories drawn on the server as SVG: one bar per category on a common scale,
spent solid, committed lighter, the plan as a light track with a mark at its end, and any
overspending past the mark in the danger colour. No script, no CDN; the page shows the same
figures in a table beneath.

The chart is an image to assistive technology (`role="img"`), named by its `<title>` and
described by a `<desc>` that reads out every category.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from practica.budget.money import format_money
from practica.budget.queries.standing import BudgetStanding, CategoryStanding

WIDTH = 720
ROW_HEIGHT = 48
BAR_Y = 22
BAR_HEIGHT = 16
PADDING = 4


@dataclass(frozen=True)
class CategoryBar:
    """A category's bar geometry, in user units along the chart's width."""

    standing: CategoryStanding
    y: int
    plan: float
    spent: float
    committed: float
    over: float

    @property
    def committed_x(self) -> float:
        return round(self.spent, 1)

    @property
    def over_x(self) -> float:
        return round(self.plan, 1)


def _scaled(amount: Decimal, largest: Decimal) -> float:
    if largest <= 0 or amount <= 0:
        return 0.0
    width = float(amount / largest) * WIDTH
    return round(max(width, 2.0), 1)


def category_bars(standing: BudgetStanding) -> list[CategoryBar]:
    """The bars' geometry, on one scale: the largest plan or use of any category fills the
    width (a visible sliver for any amount above zero)."""
    largest = max((max(row.planned, row.used) for row in standing.categories), default=Decimal("0"))
    bars = []
    for index, row in enumerate(standing.categories):
        within_plan = min(row.used, row.planned)
        spent_in_plan = min(row.spent, row.planned)
        bars.append(
            CategoryBar(
                standing=row,
                y=PADDING + index * ROW_HEIGHT,
                plan=_scaled(row.planned, largest),
                spent=_scaled(spent_in_plan, largest),
                committed=_scaled(within_plan - spent_in_plan, largest),
                over=_scaled(row.over_by, largest),
            )
        )
    return bars


def category_sentence(row: CategoryStanding, currency: str) -> str:
    """One category read out: "Venue: 2,000.00 USD planned, 1,200.00 spent, 300.00
    committed, 500.00 left"."""
    figures = {
        "category": row.label,
        "planned": format_money(row.planned, currency),
        "spent": format_money(row.spent, currency),
        "committed": format_money(row.committed, currency),
    }
    if row.over_by > 0:
        return _(
            "%(category)s: %(planned)s planned, %(spent)s spent, %(committed)s committed, "
            "%(over)s over the plan"
        ) % {**figures, "over": format_money(row.over_by, currency)}
    return _(
        "%(category)s: %(planned)s planned, %(spent)s spent, %(committed)s committed, "
        "%(remaining)s left"
    ) % {**figures, "remaining": format_money(row.remaining, currency)}


def _value_text(row: CategoryStanding, currency: str) -> str:
    if row.over_by > 0:
        return _("%(used)s of %(planned)s · %(over)s over") % {
            "used": format_money(row.used),
            "planned": format_money(row.planned, currency),
            "over": format_money(row.over_by),
        }
    return _("%(used)s of %(planned)s · %(remaining)s left") % {
        "used": format_money(row.used),
        "planned": format_money(row.planned, currency),
        "remaining": format_money(row.remaining),
    }


def budget_svg(standing: BudgetStanding, *, title: str, chart_id: str) -> SafeString:
    """The categories of `standing` as an inline `<svg>` element titled `title`."""
    currency = standing.budget.currency
    bars = category_bars(standing)
    height = PADDING * 2 + ROW_HEIGHT * len(bars)
    rows = format_html_join(
        "\n",
        '<g class="budget-row{}">'
        '<text class="budget-label" x="0" y="{}">{}</text>'
        '<text class="budget-value" x="{}" y="{}" text-anchor="end">{}</text>'
        '<rect class="budget-plan" x="0" y="{}" width="{}" height="{}" rx="3"></rect>'
        '<rect class="budget-spent" x="0" y="{}" width="{}" height="{}" rx="3"></rect>'
        '<rect class="budget-committed" x="{}" y="{}" width="{}" height="{}"></rect>'
        '<rect class="budget-over" x="{}" y="{}" width="{}" height="{}"></rect>'
        '<line class="budget-plan-mark" x1="{}" x2="{}" y1="{}" y2="{}"></line>'
        "</g>",
        (
            (
                " is-over" if bar.over else "",
                bar.y + 15,
                bar.standing.label,
                WIDTH,
                bar.y + 15,
                _value_text(bar.standing, currency),
                bar.y + BAR_Y,
                bar.plan,
                BAR_HEIGHT,
                bar.y + BAR_Y,
                bar.spent,
                BAR_HEIGHT,
                bar.committed_x,
                bar.y + BAR_Y,
                bar.committed,
                BAR_HEIGHT,
                bar.over_x,
                bar.y + BAR_Y,
                bar.over,
                BAR_HEIGHT,
                bar.plan,
                bar.plan,
                bar.y + BAR_Y - 3,
                bar.y + BAR_Y + BAR_HEIGHT + 3,
            )
            for bar in bars
        ),
    )
    description = "; ".join(category_sentence(row, currency) for row in standing.categories)
    return format_html(
        '<svg class="budget-chart" id="{id}" xmlns="http://www.w3.org/2000/svg" '
        'viewBox="0 -2 {width} {height}" width="100%" role="img" '
        'aria-labelledby="{id}-title {id}-desc">'
        '<title id="{id}-title">{title}</title>'
        '<desc id="{id}-desc">{desc}</desc>'
        "{rows}</svg>",
        id=chart_id,
        width=WIDTH,
        height=height + 4,
        title=title,
        desc=description or _("No money planned or used yet."),
        rows=rows,
    )
