"""The dashboard's panels in the order a page shows them, and the key figures of a community
(`community_headlines`) the program comparison and "my community this month" read.

Each panel is built by one function of the filters, reading the rollups (and, for outreach and
the conference, those apps' small tables); none reads the activity ledger.
"""

from collections.abc import Callable, Sequence

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from practica.metrics.queries.activity import activity_headlines, activity_panel
from practica.metrics.queries.collaboration import collaboration_headlines, collaboration_panel
from practica.metrics.queries.conference import conference_panel
from practica.metrics.queries.event_facts import period_events
from practica.metrics.queries.events import event_headlines, events_panel
from practica.metrics.queries.filters import DashboardFilters
from practica.metrics.queries.growth import growth_headlines, growth_panel
from practica.metrics.queries.nps import nps_headline, nps_panel
from practica.metrics.queries.outreach import outreach_panel
from practica.metrics.queries.participation import participation_panel
from practica.metrics.queries.response_times import response_time_headlines, response_times_panel
from practica.metrics.queries.retention import retention_panel
from practica.metrics.queries.satisfaction import satisfaction_headlines, satisfaction_panel
from practica.metrics.queries.types import Headline, Panel

PanelBuilder = Callable[[DashboardFilters], Panel]

PANELS: dict[str, PanelBuilder] = {
    "growth": growth_panel,
    "activity": activity_panel,
    "participation": participation_panel,
    "retention": retention_panel,
    "response_times": response_times_panel,
    "collaboration": collaboration_panel,
    "events": events_panel,
    "satisfaction": satisfaction_panel,
    "nps": nps_panel,
    "outreach": outreach_panel,
    "conference": conference_panel,
}

PANEL_TITLES: dict[str, str | Promise] = {
    "growth": _("Growth"),
    "activity": _("Activity"),
    "participation": _("Participation"),
    "retention": _("Cohort retention"),
    "response_times": _("Time to answer"),
    "collaboration": _("Collaboration"),
    "events": _("Events"),
    "satisfaction": _("Satisfaction"),
    "nps": _("Net promoter score"),
    "outreach": _("Outreach"),
    "conference": _("Conference"),
}

# The key figures, in the order the program comparison and the month summary show them.
HEADLINE_KEYS = (
    "members",
    "joined",
    "active_28d",
    "engaged_28d",
    "median_first_response_hours",
    "answered_within_24h_share",
    "unanswered_questions",
    "cross_org_answer_share",
    "events_held",
    "attendance_rate",
    "csat",
    "nps",
)


def build_panel(key: str, filters: DashboardFilters) -> Panel:
    """The panel `key` for the filters; KeyError for a key not in PANELS."""
    return PANELS[key](filters)


def build_panels(filters: DashboardFilters, keys: Sequence[str] | None = None) -> list[Panel]:
    """The panels `keys` (default: all, in PANELS' order); KeyError for an unknown key."""
    return [build_panel(key, filters) for key in (PANELS if keys is None else keys)]


def community_headlines(filters: DashboardFilters) -> tuple[Headline, ...]:
    """The key figures for the period (HEADLINE_KEYS, in that order), each as its panel
    computes it, without building the panels' charts and tables."""
    found: dict[str, Headline] = {}
    events = period_events(filters)  # read once for both the events and CSAT
    for headlines in (
        growth_headlines(filters),
        activity_headlines(filters),
        response_time_headlines(filters),
        collaboration_headlines(filters),
        event_headlines(filters, events=events),
        satisfaction_headlines(filters, events=events),
        (nps_headline(filters),),
    ):
        found.update((headline.key, headline) for headline in headlines)
    return tuple(found[key] for key in HEADLINE_KEYS)


def key_figures(panels: Sequence[Panel]) -> tuple[Headline, ...]:
    """`community_headlines` taken from panels already built (all of PANELS, for the same
    filters), for a page that shows both without reading the facts twice."""
    found = {headline.key: headline for panel in panels for headline in panel.headlines}
    return tuple(found[key] for key in HEADLINE_KEYS)
