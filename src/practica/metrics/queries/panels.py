"""The dashboard's panels in the order a page shows them, and the key figures of a community
(`community_headlines`) the program comparison and "my community this month" read.

Each panel is built by one function of the filters, reading the rollups (and, for outreach and
the conference, those apps' small tables); none reads the activity ledger.
"""

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import tzinfo

from django.db import DEFAULT_DB_ALIAS, connections
from django.utils import timezone, translation
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


# The panels that read tens of thousands of fact rows a year: most of their time is the
# database's, so `build_panels` builds them on connections of their own alongside the rest.
ROW_READING_PANELS = ("response_times", "collaboration")
_workers: dict[str, ThreadPoolExecutor] = {}  # one pool for the process, made on first use
_workers_lock = threading.Lock()


def _panel_workers() -> ThreadPoolExecutor:
    """Threads kept for the process, created on first use so a forking server creates them in
    each worker."""
    with _workers_lock:
        if "panels" not in _workers:
            _workers["panels"] = ThreadPoolExecutor(
                max_workers=2 * len(ROW_READING_PANELS), thread_name_prefix="metrics-panel"
            )
        return _workers["panels"]


def can_build_alongside() -> bool:
    """Whether panels may be read on other connections while this one reads the rest: on
    PostgreSQL, and outside a transaction (another connection could not see its uncommitted
    rows; tests run inside one). SQLite reads one file on one core: nothing to gain."""
    connection = connections[DEFAULT_DB_ALIAS]
    return connection.vendor == "postgresql" and not connection.in_atomic_block


def _built_elsewhere(
    builder: PanelBuilder, filters: DashboardFilters, request_state: tuple[str | None, tzinfo]
) -> Panel:
    """`builder(filters)` on a worker thread, in the caller's language and time zone, on a
    connection of its own that is closed afterwards: an idle thread holds none (a server's
    connection count stays its requests', and nothing keeps a database from being dropped)."""
    language, zone = request_state
    try:
        with translation.override(language), timezone.override(zone):
            return builder(filters)
    finally:
        connections.close_all()


def build_panels(filters: DashboardFilters, keys: Sequence[str] | None = None) -> list[Panel]:
    """The panels `keys` (default: all, in PANELS' order); KeyError for an unknown key.

    When `can_build_alongside`, the ROW_READING_PANELS among them are built on worker threads
    while this thread builds the others: the same figures, in about the time of the slowest
    (their database reads overlap with the others' work). Each reads its own snapshot: a
    rollup update landing between their reads shows in one panel before the other, as it
    would between two requests."""
    chosen = list(PANELS if keys is None else keys)
    builders = {key: PANELS[key] for key in chosen}
    elsewhere = [key for key in chosen if key in ROW_READING_PANELS] if len(chosen) > 1 else []
    if not elsewhere or not can_build_alongside():
        return [builders[key](filters) for key in chosen]
    request_state = (translation.get_language(), timezone.get_current_timezone())
    pending = {
        key: _panel_workers().submit(_built_elsewhere, builders[key], filters, request_state)
        for key in elsewhere
    }
    built = {key: builders[key](filters) for key in chosen if key not in pending}
    built.update((key, future.result()) for key, future in pending.items())
    return [built[key] for key in chosen]


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
