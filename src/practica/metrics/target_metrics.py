"""Registers the platform's metrics as strategy-target metrics (see
`practica.communities.target_metrics`): strategy targets and the program dashboard read live
values through that registry, never by importing metrics. The formulas are in
`practica.metrics.definitions` and `docs/metrics.md`; the order here is the order pages list
them in.
"""

from django.utils.translation import gettext_lazy as _

from practica.communities.target_metrics import TargetMetric, register_target_metric
from practica.metrics.definitions import (
    activity,
    collaboration,
    events,
    membership,
    response_times,
)

PLATFORM_METRICS: tuple[TargetMetric, ...] = (
    TargetMetric(
        key="members",
        label=_("Members"),
        description=_("People who are members of the community at the moment measured."),
        unit="count",
        better="higher",
        compute=membership.members,
    ),
    TargetMetric(
        key="new_members_30_days",
        label=_("New members (30 days)"),
        description=_("People who joined the community in the last 30 days."),
        unit="count",
        better="higher",
        compute=membership.new_members_30_days,
    ),
    TargetMetric(
        key="active_members",
        label=_("Active members (28 days)"),
        description=_("Members who did anything in the community in the last 28 days."),
        unit="count",
        better="higher",
        compute=activity.active_members,
    ),
    TargetMetric(
        key="engaged_members",
        label=_("Engaged members (28 days)"),
        description=_("Members who posted, answered, presented or reviewed in the last 28 days."),
        unit="count",
        better="higher",
        compute=activity.engaged_members,
    ),
    TargetMetric(
        key="retention_6_months",
        label=_("Retention at 6 months"),
        description=_(
            "Of the people who joined 6 to 7 months ago, the share still members; people who "
            "left the company are left out."
        ),
        unit="share",
        better="higher",
        compute=membership.retention_6_months,
    ),
    TargetMetric(
        key="median_first_response_hours",
        label=_("Median time to first response"),
        description=_(
            "Median hours from a question to the first post by someone else, over the last "
            "90 days' questions, unanswered ones counted as still waiting."
        ),
        unit="hours",
        better="lower",
        compute=response_times.median_first_response_hours,
    ),
    TargetMetric(
        key="answered_within_1h_share",
        label=_("Answered within 1 hour"),
        description=_(
            "Of the last 90 days' questions at least an hour old, the share first answered "
            "within an hour."
        ),
        unit="share",
        better="higher",
        compute=response_times.answered_within_1h_share,
    ),
    TargetMetric(
        key="answered_within_24h_share",
        label=_("Answered within 24 hours"),
        description=_(
            "Of the last 90 days' questions at least a day old, the share first answered "
            "within 24 hours."
        ),
        unit="share",
        better="higher",
        compute=response_times.answered_within_24h_share,
    ),
    TargetMetric(
        key="unanswered_questions",
        label=_("Unanswered questions (90 days)"),
        description=_("Questions asked in the last 90 days that nobody but the asker answered."),
        unit="count",
        better="lower",
        compute=response_times.unanswered_questions,
    ),
    TargetMetric(
        key="events_held_year",
        label=_("Events held (365 days)"),
        description=_(
            "Published events the community hosted or co-hosted that started in the last 365 days."
        ),
        unit="count",
        better="higher",
        compute=events.events_held_year,
    ),
    TargetMetric(
        key="attendance_rate",
        label=_("Attendance rate"),
        description=_("Checked in ÷ registered at the last 365 days' events that took attendance."),
        unit="share",
        better="higher",
        compute=events.attendance_rate,
    ),
    TargetMetric(
        key="csat",
        label=_("Event satisfaction (CSAT)"),
        description=_("Share of the last 365 days' event feedback scoring 4 or 5 out of 5."),
        unit="share",
        better="higher",
        compute=events.csat,
    ),
    TargetMetric(
        key="cross_org_answer_share",
        label=_("Cross-org answers"),
        description=_(
            "Share of the last 90 days' answers given by someone in another part of the "
            "organization than the asker, as of the answer."
        ),
        unit="share",
        better="higher",
        compute=collaboration.cross_org_answer_share,
    ),
)


def register_target_metrics() -> None:
    """Register every metric a strategy target can be bound to (from `MetricsConfig.ready`)."""
    for metric in PLATFORM_METRICS:
        register_target_metric(metric)
