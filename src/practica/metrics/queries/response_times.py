"""The response-times panel: how long questions wait for a first response and for an accepted
answer, read from the question facts (`QuestionFact`), never from threads or the ledger.

The questions are those asked in the period (local days `start`..`end`) in the chosen
communities, pooled: one set of waits, never an average of medians. Waits are measured as of
the period's end or now, whichever is earlier (`as_of`): a question still waiting then is
censored at its age, and a response after `as_of` has not happened yet. Medians and 90th
percentiles are Kaplan–Meier (`survival.py`); the shares within 1 h and 24 h count only the
questions old enough at `as_of` for their outcome to be known.

Filters: org unit = the asker's division when asked (`QuestionFact.asker_division`); role = the
asker's current membership role in the question's community (roles are not dated); topic = the
questions tagged with that topic or any topic under it.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import numpy as np
from django.db.models import (
    Exists,
    F,
    OuterRef,
    QuerySet,
)
from django.utils import timezone
from django.utils.translation import gettext as _

from practica.communities.models import Community, Membership
from practica.core.models import TREE_PATH_SEPARATOR, Topic
from practica.metrics.definitions.figures import count_value, share_value
from practica.metrics.models import QuestionFact
from practica.metrics.queries.buckets import local_midnight
from practica.metrics.queries.columns import integer_columns
from practica.metrics.queries.filters import DashboardFilters
from practica.metrics.queries.question_waits import Asked, asked_questions
from practica.metrics.queries.survival import BoolArray, IntArray, WaitStats, quantile_hours
from practica.metrics.queries.types import Cell, Chart, Headline, Panel, Point, Series, Table

QuestionTopic = QuestionFact.topics.through


@dataclass(frozen=True)
class Period:
    """The period of a dashboard as moments: `start_at` ≤ t < `end_at`, and when it is read."""

    start_at: datetime  # local midnight starting the first day
    end_at: datetime  # local midnight after the last day (exclusive)
    as_of: datetime  # the end of the last day, or now if earlier


def period_of(filters: DashboardFilters) -> Period:
    """The filters' local days as moments, read as of their end or now, whichever is first."""
    start_at = local_midnight(filters.start)
    end_at = local_midnight(filters.end + timedelta(days=1))
    return Period(
        start_at=start_at,
        end_at=end_at,
        as_of=min(end_at - timedelta(microseconds=1), timezone.now()),
    )


def holds_role(role: str, *, person: str, community: str = "community_id") -> Exists:
    """The person in column `person` currently holds `role` in the row's community."""
    return Exists(
        Membership.objects.filter(
            community_id=OuterRef(community),
            person_id=OuterRef(person),
            left_at__isnull=True,
            role=role,
        )
    )


def tagged_under(topic_path: str, *, question: str) -> Exists:
    """The question fact in column `question` has a topic at or under `topic_path`."""
    return Exists(
        QuestionTopic.objects.filter(
            questionfact_id=OuterRef(question), topic__path__startswith=topic_path
        )
    )


def topic_path(topic_id: int | None) -> str | None:
    """The topic filter's path: None without one, "" for a topic that no longer exists."""
    if topic_id is None:
        return None
    return Topic.objects.filter(pk=topic_id).values_list("path", flat=True).first() or ""


def period_questions(filters: DashboardFilters, period: Period) -> QuerySet[QuestionFact]:
    """The question facts of the period, filtered (see the module's docstring)."""
    facts = QuestionFact.objects.filter(
        community_id__in=filters.community_ids,
        asked_at__gte=period.start_at,
        asked_at__lte=period.as_of,
    )
    if filters.org_unit_id is not None:
        facts = facts.filter(asker_division_id=filters.org_unit_id)
    if filters.role:
        facts = facts.filter(holds_role(filters.role, person="asker_id"))
    path = topic_path(filters.topic_id)
    if path is not None:
        facts = facts.filter(tagged_under(path, question="pk")) if path else facts.none()
    return facts


def _bounds_note(stats: WaitStats) -> str:
    if stats.median.lower_bound and stats.p90.lower_bound:
        return _("median and 90th percentile are lower bounds")
    if stats.median.lower_bound:
        return _("median is a lower bound")
    if stats.p90.lower_bound:
        return _("90th percentile is a lower bound")
    return ""


def _stats_columns(first: str, waiting: str) -> tuple[str, ...]:
    return (
        first,
        _("Questions"),
        waiting,
        _("Median (hours)"),
        _("90th percentile (hours)"),
        _("Lower bounds"),
        _("Within 1 hour"),
        _("n (1 hour)"),
        _("Share within 1 hour"),
        _("Within 24 hours"),
        _("n (24 hours)"),
        _("Share within 24 hours"),
    )


def _stats_cells(label: Cell, stats: WaitStats) -> tuple[Cell, ...]:
    return (
        label,
        stats.questions,
        stats.waiting,
        quantile_hours(stats.median),
        quantile_hours(stats.p90),
        _bounds_note(stats),
        stats.within_1h[0],
        stats.within_1h[1],
        share_value(*stats.within_1h),
        stats.within_24h[0],
        stats.within_24h[1],
        share_value(*stats.within_24h),
    )


# How many question ids the span between the period's lowest and highest may hold per question
# of the period for its tags to be read by that span (see `_question_tags`).
DENSE_SPAN = 2


def _question_tags(thread_ids: IntArray, facts: QuerySet[QuestionFact]) -> dict[str, IntArray]:
    """The (question, topic) tags of the questions `thread_ids`, which are `facts`' ids.

    Thread ids grow with time, so a period's questions usually fill most of the span between
    its lowest and highest id: then the tags in that span are read by the tags' own index and
    kept for the period's questions, far cheaper than joining every tag to the period's
    questions, which is how sparse spans (several busy communities, imported archives) are
    read."""
    tags = QuestionTopic.objects.values(tag_question=F("questionfact_id"), tag_topic=F("topic_id"))
    if not len(thread_ids):
        return integer_columns(tags.none())
    low, high = int(thread_ids.min()), int(thread_ids.max())
    if high - low + 1 > DENSE_SPAN * len(thread_ids):
        return integer_columns(tags.filter(questionfact_id__in=facts.values("pk")))
    spanned = integer_columns(tags.filter(questionfact_id__gte=low, questionfact_id__lte=high))
    keep = np.isin(spanned["tag_question"], thread_ids)
    return {name: column[keep] for name, column in spanned.items()}


def _topic_groups(
    questions: Asked, facts: QuerySet[QuestionFact], path: str | None
) -> tuple[dict[str, BoolArray], dict[str, str]]:
    """Which of `questions` (`facts`' columns) are in each topic group, and the groups' names.
    Without a topic filter a group is a top-level topic (and everything under it); with one,
    the chosen topic itself and each of its children (with everything under them)."""
    level = 0 if not path else path.strip(TREE_PATH_SEPARATOR).count(TREE_PATH_SEPARATOR) + 1
    tags = _question_tags(questions.thread_ids, facts)
    topics, topic_of_tag = np.unique(tags["tag_topic"], return_inverse=True)
    paths = dict(Topic.objects.filter(pk__in=topics.tolist()).values_list("pk", "path"))
    keys: list[str] = []
    group_of_topic = np.full(len(topics), -1)
    for index, topic in enumerate(topics.tolist()):
        tagged = paths.get(topic)
        if tagged is None or (path and not tagged.startswith(path)):
            continue  # tagged with another topic too: only the chosen subtree is broken down
        slugs = [slug for slug in tagged.split(TREE_PATH_SEPARATOR) if slug]
        key = TREE_PATH_SEPARATOR.join(["", *slugs[: level + 1], ""])
        if key not in keys:
            keys.append(key)
        group_of_topic[index] = keys.index(key)
    group_of_tag = group_of_topic[topic_of_tag]
    # Each tag's question as its place in `questions` (every tag is one of theirs).
    order = np.argsort(questions.thread_ids)
    place_of_tag = order[np.searchsorted(questions.thread_ids, tags["tag_question"], sorter=order)]
    groups = {}
    for index, key in enumerate(keys):
        members = np.zeros(len(questions), dtype=np.bool_)
        members[place_of_tag[group_of_tag == index]] = True
        groups[key] = members
    names = dict(Topic.objects.filter(path__in=keys).values_list("path", "name"))
    return groups, names


@dataclass(frozen=True)
class ResponseTimeFigures:
    period: Period
    questions: Asked
    first: WaitStats


def response_time_figures(filters: DashboardFilters) -> ResponseTimeFigures:
    period = period_of(filters)
    single = filters.community_ids[0] if len(filters.community_ids) == 1 else None
    questions = asked_questions(
        period_questions(filters, period), period.as_of, community_id=single
    )
    return ResponseTimeFigures(period=period, questions=questions, first=questions.first_stats())


def _headlines(first: WaitStats) -> dict[str, Headline]:
    empty = first.questions == 0
    return {
        "median_first_response_hours": Headline(
            key="median_first_response_hours",
            label=_("Median time to first response"),
            unit="hours",
            value=quantile_hours(first.median),
            n=first.questions,
            note=_("lower bound: half are still waiting") if first.median.lower_bound else "",
        ),
        "p90_first_response_hours": Headline(
            key="p90_first_response_hours",
            label=_("90th percentile time to first response"),
            unit="hours",
            value=quantile_hours(first.p90),
            n=first.questions,
            note=_("lower bound: a tenth are still waiting") if first.p90.lower_bound else "",
        ),
        "answered_within_1h_share": Headline(
            key="answered_within_1h_share",
            label=_("Answered within 1 hour"),
            unit="share",
            value=share_value(*first.within_1h),
            n=first.within_1h[1],
        ),
        "answered_within_24h_share": Headline(
            key="answered_within_24h_share",
            label=_("Answered within 24 hours"),
            unit="share",
            value=share_value(*first.within_24h),
            n=first.within_24h[1],
        ),
        "unanswered_questions": Headline(
            key="unanswered_questions",
            label=_("Unanswered questions"),
            unit="count",
            value=None if empty else count_value(first.waiting),
            n=first.questions,
        ),
    }


def _accepted_headline(accepted: WaitStats) -> Headline:
    return Headline(
        key="median_accepted_hours",
        label=_("Median time to an accepted answer"),
        unit="hours",
        value=quantile_hours(accepted.median),
        n=accepted.questions,
        note=_("lower bound: half have no accepted answer yet")
        if accepted.median.lower_bound
        else "",
    )


HEADLINE_KEYS = ("median_first_response_hours", "answered_within_24h_share", "unanswered_questions")


def response_time_headlines(filters: DashboardFilters) -> tuple[Headline, ...]:
    """The period's median time to first response, share answered within 24 hours and
    unanswered count (see the module's docstring)."""
    headlines = _headlines(response_time_figures(filters).first)
    return tuple(headlines[key] for key in HEADLINE_KEYS)


def _bucket_table(
    key: str, title: str, waiting: str, buckets: Sequence[date], stats: Sequence[WaitStats]
) -> Table:
    rows = tuple(
        _stats_cells(bucket.isoformat(), bucket_stats)
        for bucket, bucket_stats in zip(buckets, stats, strict=True)
        if bucket_stats.questions
    )
    return Table(
        key=key, title=title, columns=_stats_columns(_("Period starting"), waiting), rows=rows
    )


def _quantile_series(
    buckets: Sequence[date], stats: Sequence[WaitStats], *, prefix: str
) -> tuple[Series, ...]:
    return (
        Series(
            key=f"{prefix}_median_hours",
            label=_("Median"),
            unit="hours",
            points=tuple(
                Point(start=bucket, value=quantile_hours(item.median), n=item.questions)
                for bucket, item in zip(buckets, stats, strict=True)
            ),
        ),
        Series(
            key=f"{prefix}_p90_hours",
            label=_("90th percentile"),
            unit="hours",
            points=tuple(
                Point(start=bucket, value=quantile_hours(item.p90), n=item.questions)
                for bucket, item in zip(buckets, stats, strict=True)
            ),
        ),
    )


def _share_series(buckets: Sequence[date], stats: Sequence[WaitStats]) -> tuple[Series, ...]:
    return (
        Series(
            key="within_1h_share",
            label=_("Within 1 hour"),
            unit="share",
            points=tuple(
                Point(start=bucket, value=share_value(*item.within_1h), n=item.within_1h[1])
                for bucket, item in zip(buckets, stats, strict=True)
            ),
        ),
        Series(
            key="within_24h_share",
            label=_("Within 24 hours"),
            unit="share",
            points=tuple(
                Point(start=bucket, value=share_value(*item.within_24h), n=item.within_24h[1])
                for bucket, item in zip(buckets, stats, strict=True)
            ),
        ),
    )


def _breakdown_tables(filters: DashboardFilters, figures: ResponseTimeFigures) -> list[Table]:
    questions = figures.questions
    path = topic_path(filters.topic_id)
    in_group, names = _topic_groups(questions, period_questions(filters, figures.period), path)
    sizes = {key: int(np.count_nonzero(keep)) for key, keep in in_group.items()}
    untagged = ~np.logical_or.reduce([np.zeros(len(questions), np.bool_), *in_group.values()])
    topic_rows = [
        _stats_cells(names.get(key, key), questions.first_stats_where(in_group[key]))
        for key in sorted(in_group, key=lambda key: (-sizes[key], names.get(key, key)))
        if sizes[key]
    ]
    if untagged.any():
        topic_rows.append(_stats_cells(_("No topic"), questions.first_stats_where(untagged)))
    tables = [
        Table(
            key="by_topic",
            title=_("Time to first response by topic"),
            columns=_stats_columns(_("Topic"), _("Unanswered")),
            rows=tuple(topic_rows),
        )
    ]
    if len(filters.community_ids) > 1:
        names_by_id = dict(
            Community.objects.filter(pk__in=filters.community_ids).values_list("pk", "name")
        )
        tables.append(
            Table(
                key="by_community",
                title=_("Time to first response by community"),
                columns=_stats_columns(_("Community"), _("Unanswered")),
                rows=tuple(
                    _stats_cells(
                        names_by_id.get(community_id, str(community_id)),
                        questions.first_stats_where(questions.community_ids == community_id),
                    )
                    for community_id in sorted(
                        filters.community_ids, key=lambda pk: names_by_id.get(pk, "")
                    )
                ),
            )
        )
    tables.append(
        Table(
            key="routing",
            title=_("Time to first response, routed and not routed"),
            columns=_stats_columns(_("Routing"), _("Unanswered")),
            rows=()
            if not len(questions)
            else (
                _stats_cells(
                    _("Routed to experts"), questions.first_stats_where(questions.was_routed)
                ),
                _stats_cells(_("Not routed"), questions.first_stats_where(~questions.was_routed)),
            ),
        )
    )
    return tables


def response_times_panel(filters: DashboardFilters) -> Panel:
    """Time to first response and to an accepted answer for the questions asked in the period:
    headlines, per-bucket charts and their tables, and tables by topic, community (with
    several) and routing (see the module's docstring)."""
    figures = response_time_figures(filters)
    buckets = filters.buckets()
    questions = figures.questions
    in_bucket = questions.buckets(buckets) if buckets else np.empty(0, dtype=np.int64)
    per_bucket = [questions.where(in_bucket == index) for index in range(len(buckets))]
    first = [bucket.first_stats() for bucket in per_bucket]
    accepted = [bucket.accepted_stats() for bucket in per_bucket]
    first_table = _bucket_table(
        "first_response_by_bucket",
        _("Time to first response by period"),
        _("Unanswered"),
        buckets,
        first,
    )
    accepted_table = _bucket_table(
        "accepted_by_bucket",
        _("Time to an accepted answer by period"),
        _("Without an accepted answer"),
        buckets,
        accepted,
    )
    charts = (
        Chart(
            kind="line",
            title=_("Time to first response"),
            description=_(
                "The median and 90th percentile hours from question to first response, by when "
                "the question was asked."
            ),
            unit="hours",
            series=_quantile_series(buckets, first, prefix="first_response"),
            table=first_table,
        ),
        Chart(
            kind="bar",
            title=_("Questions answered within 1 hour and within 24 hours"),
            description=_(
                "The share of questions first answered within 1 hour and within 24 hours, of "
                "those old enough to know, by when the question was asked."
            ),
            unit="share",
            series=_share_series(buckets, first),
            table=first_table,
        ),
        Chart(
            kind="line",
            title=_("Time to an accepted answer"),
            description=_(
                "The median and 90th percentile hours from question to the answer the asker "
                "accepted, by when the question was asked."
            ),
            unit="hours",
            series=_quantile_series(buckets, accepted, prefix="accepted"),
            table=accepted_table,
        ),
    )
    headlines = (
        *_headlines(figures.first).values(),
        _accepted_headline(questions.accepted_stats()),
    )
    return Panel(
        key="response_times",
        title=_("Time to answer"),
        description=_("How long questions asked in the period waited for help."),
        headlines=headlines,
        charts=charts,
        tables=(first_table, accepted_table, *_breakdown_tables(filters, figures)),
        notes=(
            _(
                "Questions still waiting are counted at their wait so far as of %(as_of)s, "
                "never dropped; a median or percentile they keep unknown is shown as a lower "
                "bound."
            )
            % {"as_of": timezone.localtime(figures.period.as_of).strftime("%Y-%m-%d %H:%M")},
            _(
                "Routed questions were picked by the routing rules (and routed again while "
                "still waiting), so they differ from the others in more than routing: the "
                "comparison is observational, not the effect of routing."
            ),
        ),
    )
