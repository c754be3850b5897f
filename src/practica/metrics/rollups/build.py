"""Building a community's rollups from raw rows: the full rebuild and the partial one the
incremental update runs from a given day.

Per community, in order: the membership stints (one query), the people's divisions (two),
the ledger (one streamed query of distinct person-day-kind triples), then the rows of
CommunityDay, CommunityMonth and CohortCell, then the facts (QuestionFact with its topics,
AnswerFact, EventFact), then RollupState. Each table's rows for the community are replaced
in their own transaction (see `writing`), so a reader sees a table either before or after,
and SQLite's single writer is held for one table at a time.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import repeat
from time import monotonic

from django.db import OperationalError, connection, transaction
from django.db.models import Max, Min
from django.utils import timezone

from practica.communities.models import Community, Membership
from practica.core.models import Activity
from practica.metrics.definitions.activity import ACTIVE_DAYS
from practica.metrics.models import (
    AnswerFact,
    CohortCell,
    CommunityDay,
    CommunityMonth,
    EventFact,
    QuestionFact,
    RollupState,
)
from practica.metrics.rollups.activity_days import ACTIVITY_FIGURES, count_activity_days
from practica.metrics.rollups.affiliations import UnitHistory
from practica.metrics.rollups.answer_facts import ANSWER_COLUMNS, answer_rows
from practica.metrics.rollups.calendar import (
    day_number_of,
    month_key,
    month_of_key,
    site_zone,
)
from practica.metrics.rollups.event_facts import EVENT_COLUMNS, event_rows
from practica.metrics.rollups.membership_days import (
    MEMBERSHIP_FIGURES,
    count_membership_days,
    load_histories,
)
from practica.metrics.rollups.months import cohort_rows, month_rows
from practica.metrics.rollups.people_arrays import PeopleArrays
from practica.metrics.rollups.question_facts import QUESTION_COLUMNS, question_rows
from practica.metrics.rollups.segments import DayCounters, load_people
from practica.metrics.rollups.writing import replace_rows

Progress = Callable[[str, int, int], None]
DAY_FIGURES = MEMBERSHIP_FIGURES + ACTIVITY_FIGURES
DAY_COLUMNS = ("community_id", "segment", "day", *DAY_FIGURES)
MONTH_COLUMNS = (
    "community_id",
    "segment",
    "month",
    "members_end",
    "active",
    "engaged",
    "peripheral",
    "kind_counts",
)
COHORT_COLUMNS = ("community_id", "cohort", "month", "size", "active", "censored")
TABLES = ("days", "months", "cohorts", "questions", "answers", "events")


@dataclass
class RebuildReport:
    """What a rebuild wrote: communities built, rows per table, and how long it took."""

    communities: int = 0
    rows: dict[str, int] = field(default_factory=lambda: dict.fromkeys(TABLES, 0))
    seconds: float = 0.0

    def add(self, table: str, count: int) -> None:
        self.rows[table] = self.rows.get(table, 0) + count


@dataclass(frozen=True)
class FactScope:
    """Which facts an update rebuilds: all of the community's (None) or these ids."""

    thread_ids: Sequence[int] | None = None
    event_ids: Sequence[int] | None = None


ALL_FACTS = FactScope()


def rebuild_rollups(
    *, community_ids: Sequence[int] | None = None, progress: Progress | None = None
) -> RebuildReport:
    """Recompute every rollup row of the given communities (all when None) from raw data.

    Takes no lock: each table's rows of a community are replaced in one transaction (see
    `writing.replace_rows`); running it beside `update_rollups` is safe, as either writes
    complete, correct tables. `progress(label, done, total)` is called as each community's
    tables are written (label "<slug>: <table>")."""
    started = monotonic()
    report = RebuildReport()
    communities = Community.objects.order_by("pk")
    if community_ids is not None:
        communities = communities.filter(pk__in=community_ids)
    # Everyone's affiliations, read once: every community's segments and facts need them.
    history = UnitHistory()
    for community_id, slug in communities.values_list("pk", "slug"):
        build_community(community_id, slug=slug, report=report, progress=progress, history=history)
        report.communities += 1
    refresh_planner_statistics()
    report.seconds = monotonic() - started
    return report


ROLLUP_MODELS = (CommunityDay, CommunityMonth, CohortCell, QuestionFact, AnswerFact, EventFact)


def refresh_planner_statistics() -> None:
    """PostgreSQL: ANALYZE the rollup tables after a rebuild rewrote them. Autovacuum gets
    there eventually; until then the planner guesses a handful of rows where there are tens of
    thousands and picks plans that make the dashboard several times slower."""
    if connection.vendor != "postgresql":
        return
    tables = [model._meta.db_table for model in ROLLUP_MODELS]
    tables.append(QuestionFact.topics.through._meta.db_table)
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")


# How long reading the ledger's watermark waits for the transactions writing to it.
WATERMARK_LOCK_TIMEOUT = "5s"


class LedgerBusyError(Exception):
    """The ledger's watermark could not be read: a long transaction is writing to it."""


def ledger_watermark() -> int:
    """The largest ledger id such that every row with a smaller id is committed.

    `max(id)` alone is not that on PostgreSQL: ids are drawn when a row is inserted, so a
    transaction that drew id 100 may commit after another's id 101 was read, and an update
    keyed on "ids above the watermark" would then never see row 100. A SHARE lock on the
    ledger waits for every transaction writing to it (and holds new writers back for the
    moment of one query): after it, every drawn id is committed or gone. Call it outside a
    transaction (or the lock lasts until that transaction ends). Raises `LedgerBusyError`
    when the writers take longer than WATERMARK_LOCK_TIMEOUT (try again later). SQLite has
    one writer at a time, so ids commit in order there."""
    if connection.vendor != "postgresql":
        return Activity.objects.aggregate(last=Max("pk"))["last"] or 0
    table = connection.ops.quote_name(Activity._meta.db_table)
    column = connection.ops.quote_name(Activity._meta.pk.column or "id")
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL lock_timeout = '{WATERMARK_LOCK_TIMEOUT}'")
            cursor.execute(f"LOCK TABLE {table} IN SHARE MODE")
            cursor.execute(f"SELECT MAX({column}) FROM {table}")  # noqa: S608 - our names
            row = cursor.fetchone()
    except OperationalError as error:
        raise LedgerBusyError(str(error)) from error
    return (row[0] if row else None) or 0


def first_day_number(community_id: int) -> int | None:
    """The community's first day: its first stint's or first ledger row's, whichever is
    earlier; None when it has neither."""
    day_number = day_number_of()
    firsts = [
        Membership.objects.filter(community_id=community_id).aggregate(first=Min("joined_at"))[
            "first"
        ],
        Activity.objects.filter(community_id=community_id).aggregate(first=Min("occurred_at"))[
            "first"
        ],
    ]
    moments = [moment for moment in firsts if moment is not None]
    return min(day_number(moment) for moment in moments) if moments else None


def build_community(
    community_id: int,
    *,
    slug: str = "",
    report: RebuildReport | None = None,
    progress: Progress | None = None,
    from_day: date | None = None,
    facts: FactScope | None = ALL_FACTS,
    history: UnitHistory | None = None,
    series: bool = True,
    watermark: int | None = None,
) -> None:
    """(Re)build one community's rows: every day, month and cohort cell, or (`from_day`)
    the days from it, the months and cohort months from its month (`series=False`: none);
    the facts of `facts` (None: none). The ledger's watermark (`ledger_watermark`, or the one
    given, read before) is read first, so activity written meanwhile is left for the next
    update."""
    report = report if report is not None else RebuildReport()
    label = slug or str(community_id)
    now = timezone.now()
    today = timezone.localdate(now, site_zone()).toordinal()
    if watermark is None:
        watermark = ledger_watermark()
    step = 0

    def done(table: str) -> None:
        nonlocal step
        step += 1
        if progress is not None:
            progress(f"{label}: {table}", step, len(TABLES))

    first = first_day_number(community_id)
    start = first if from_day is None or first is None else max(first, from_day.toordinal())
    if not series:
        for table in ("days", "months", "cohorts"):
            done(table)
    elif first is not None and start is not None and start <= today:
        _build_series(community_id, first, start, today, report, done, history)
    else:
        for table in ("days", "months", "cohorts"):
            _clear_series(community_id, table, from_day)
            done(table)
    if facts is not None:
        _build_facts(community_id, facts, now, report, done, history)
    else:
        for table in ("questions", "answers", "events"):
            done(table)
    with transaction.atomic():
        RollupState.objects.update_or_create(
            community_id=community_id,
            defaults={
                "built_at": now,
                "built_through": date.fromordinal(today),
                "last_activity_id": watermark,
                "dirty_from": None,
            },
        )


def _build_series(  # noqa: PLR0917 - private, called once
    community_id: int,
    first: int,
    start: int,
    today: int,
    report: RebuildReport,
    done: Callable[[str], None],
    history: UnitHistory | None,
) -> None:
    """CommunityDay rows for the days [start, today]; CommunityMonth and CohortCell rows
    for the months from start's. The ledger is read from where those figures need it: 27
    days before `start` (the 28-day window) or the month's first day, if earlier."""
    partial = start > first
    start_month = month_key(start)
    since = min(start - (ACTIVE_DAYS - 1), month_of_key(start_month).toordinal())
    histories = load_histories(community_id)
    roles = {person_id: record.role for person_id, record in histories.items()}
    people = load_people(
        Membership.objects.filter(community_id=community_id).values("person_id"), roles, history
    )
    counters = DayCounters(first, today, DAY_FIGURES)
    count_membership_days(counters, histories, people)
    arrays = PeopleArrays(histories, people, first=first, last=today)
    tallies = count_activity_days(
        counters,
        arrays,
        community_id=community_id,
        since=date.fromordinal(since) if partial else None,
    )
    day_rows: list[tuple[object, ...]] = []
    dates = [date.fromordinal(number) for number in range(start, today + 1)]
    for segment in sorted(counters.segments):
        series = [counters.values(figure, segment)[start - first :] for figure in DAY_FIGURES]
        day_rows.extend(zip(repeat(community_id), repeat(segment), dates, *series, strict=False))
    first_day = date.fromordinal(start)
    report.add(
        "days",
        replace_rows(
            CommunityDay,
            [CommunityDay.objects.filter(community_id=community_id, day__gte=first_day)],
            DAY_COLUMNS,
            day_rows,
        ),
    )
    done("days")
    first_month = month_of_key(start_month)
    start_number = start_month - arrays.months.first_key
    months = (
        (community_id, *row)
        for row in month_rows(counters, tallies, arrays, start_month=start_number)
    )
    report.add(
        "months",
        replace_rows(
            CommunityMonth,
            [CommunityMonth.objects.filter(community_id=community_id, month__gte=first_month)],
            MONTH_COLUMNS,
            months,
        ),
    )
    done("months")
    cells = ((community_id, *row) for row in cohort_rows(tallies, arrays, start_month=start_number))
    report.add(
        "cohorts",
        replace_rows(
            CohortCell,
            [CohortCell.objects.filter(community_id=community_id, month__gte=first_month)],
            COHORT_COLUMNS,
            cells,
        ),
    )
    done("cohorts")


def _clear_series(community_id: int, table: str, from_day: date | None) -> None:
    """No days to build (an empty community): its rows of `table` go (from `from_day`)."""
    model = {"days": CommunityDay, "months": CommunityMonth, "cohorts": CohortCell}[table]
    column = "day" if table == "days" else "month"
    rows = model._default_manager.filter(community_id=community_id)
    if from_day is not None:
        since = from_day if table == "days" else from_day.replace(day=1)
        rows = rows.filter(**{f"{column}__gte": since})
    rows._raw_delete(rows.db)


def _build_facts(  # noqa: PLR0917 - private, called once
    community_id: int,
    scope: FactScope,
    now: datetime,
    report: RebuildReport,
    done: Callable[[str], None],
    history: UnitHistory | None,
) -> None:
    threads = scope.thread_ids
    questions, topics = question_rows(community_id, threads, history)
    stale_questions = QuestionFact.objects.filter(community_id=community_id)
    if threads is not None:
        stale_questions = stale_questions.filter(thread_id__in=threads)
    through = QuestionFact.topics.through
    fact_ids = {row[0] for row in questions}
    with transaction.atomic():  # a fact and its topics are replaced together
        stale_topics = through.objects.filter(questionfact__in=stale_questions.values("pk"))
        report.add(
            "questions",
            replace_rows(
                QuestionFact, [stale_topics, stale_questions], QUESTION_COLUMNS, questions
            ),
        )
        replace_rows(
            through,
            [],
            ("questionfact_id", "topic_id"),
            [(thread_id, topic_id) for thread_id, topic_id in topics if thread_id in fact_ids],
        )
    done("questions")
    stale_answers = AnswerFact.objects.filter(community_id=community_id)
    if threads is not None:
        stale_answers = stale_answers.filter(thread_id__in=threads)
    report.add(
        "answers",
        replace_rows(
            AnswerFact, [stale_answers], ANSWER_COLUMNS, answer_rows(community_id, threads, history)
        ),
    )
    done("answers")
    stale_events = EventFact.objects.filter(community_id=community_id)
    if scope.event_ids is not None:
        stale_events = stale_events.filter(event_id__in=scope.event_ids)
    report.add(
        "events",
        replace_rows(
            EventFact,
            [stale_events],
            EVENT_COLUMNS,
            event_rows(community_id, now, scope.event_ids, history),
        ),
    )
    done("events")
