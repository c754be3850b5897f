"""Rollups: small tables the dashboards read instead of the raw ledger.

Every row is derived: `practica metrics rebuild` (and the incremental task) recompute them from
raw data, and the tests check that figures read from here equal those computed from raw rows
(`practica.metrics.definitions`). Days and months are calendar days and months in the site's
time zone; a day's row holds the figures as of the end of that day.

The rows hold no database foreign-key constraints (`db_constraint=False`): they are derived
from rows read moments before and rewritten wholesale, and checking every reference again
with a row lock would cost more than the write; Django still deletes them with what they
point at.

A `segment` splits the daily and monthly figures: "" is everyone; "unit:<id>" the people whose
division (the depth-0 org unit of their affiliation on that day) is that org unit; "role:<role>"
the members holding that membership role today (roles are not dated).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

EVERYONE = ""
SEGMENT_LENGTH = 40


class CommunityDay(models.Model):
    """One community's membership and activity figures as of the end of one day."""

    community = models.ForeignKey(
        "communities.Community", on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    segment = models.CharField(max_length=SEGMENT_LENGTH, blank=True, default=EVERYONE)
    day = models.DateField()
    members = models.PositiveIntegerField(default=0)
    joined = models.PositiveIntegerField(default=0)
    joined_welcome_mail = models.PositiveIntegerField(default=0)
    joined_invitation = models.PositiveIntegerField(default=0)
    joined_organic = models.PositiveIntegerField(default=0)
    joined_other = models.PositiveIntegerField(default=0)  # imported, founders
    left_community = models.PositiveIntegerField(default=0)  # left or removed
    left_company = models.PositiveIntegerField(default=0)
    new_members_30d = models.PositiveIntegerField(default=0)
    active_1d = models.PositiveIntegerField(default=0)
    active_28d = models.PositiveIntegerField(default=0)
    engaged_28d = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("community day")
        verbose_name_plural = _("community days")
        constraints = [
            models.UniqueConstraint(
                fields=["community", "segment", "day"], name="one_community_day_per_segment"
            )
        ]

    def __str__(self) -> str:
        return f"{self.community_id} {self.segment or '*'} {self.day}"


class CommunityMonth(models.Model):
    """One community's participation in one calendar month (`month` is its first day).

    active: members at the month's end with a qualifying activity in the month; engaged
    (core): of those, the ones who posted, answered, presented or reviewed; peripheral: members
    at the month's end with no qualifying activity in it. `kind_counts` maps each activity
    kind to the distinct members who did it in the month.
    """

    community = models.ForeignKey(
        "communities.Community", on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    segment = models.CharField(max_length=SEGMENT_LENGTH, blank=True, default=EVERYONE)
    month = models.DateField()
    members_end = models.PositiveIntegerField(default=0)
    active = models.PositiveIntegerField(default=0)
    engaged = models.PositiveIntegerField(default=0)
    peripheral = models.PositiveIntegerField(default=0)
    kind_counts = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("community month")
        verbose_name_plural = _("community months")
        constraints = [
            models.UniqueConstraint(
                fields=["community", "segment", "month"], name="one_community_month_per_segment"
            )
        ]

    def __str__(self) -> str:
        return f"{self.community_id} {self.segment or '*'} {self.month:%Y-%m}"


class CohortCell(models.Model):
    """Cohort retention: of the people who first joined in `cohort` (a month), how many were
    active in `month`; `censored` of them had left the company before `month` began."""

    community = models.ForeignKey(
        "communities.Community", on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    cohort = models.DateField()
    month = models.DateField()
    size = models.PositiveIntegerField(default=0)
    active = models.PositiveIntegerField(default=0)
    censored = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("cohort cell")
        verbose_name_plural = _("cohort cells")
        constraints = [
            models.UniqueConstraint(fields=["community", "cohort", "month"], name="one_cohort_cell")
        ]

    def __str__(self) -> str:
        return f"{self.community_id} {self.cohort:%Y-%m} → {self.month:%Y-%m}"


class QuestionFact(models.Model):
    """One counted question (see docs/metrics.md, "the questions of the window") and how
    long it waited; org units are the asker's as of the day asked."""

    thread = models.OneToOneField(
        "discussions.Thread",
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="+",
        db_constraint=False,
    )
    community = models.ForeignKey(
        "communities.Community", on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    asked_at = models.DateTimeField()
    asker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    asker_unit = models.ForeignKey(
        "people.OrgUnit",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    asker_division = models.ForeignKey(
        "people.OrgUnit",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    topics = models.ManyToManyField("core.Topic", blank=True, related_name="+")
    first_response_at = models.DateTimeField(null=True, blank=True)
    first_response_seconds = models.PositiveIntegerField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_seconds = models.PositiveIntegerField(null=True, blank=True)
    was_routed = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("question fact")
        verbose_name_plural = _("question facts")
        indexes = [models.Index(fields=["community", "asked_at"], name="question_fact_asked")]

    def __str__(self) -> str:
        return f"question {self.thread_id}"


class AnswerFact(models.Model):
    """One counted answer (a visible reply in a visible question thread by someone other than
    the asker) with both sides' org units as of the day: the answer's and the question's."""

    post = models.OneToOneField(
        "discussions.Post",
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="+",
        db_constraint=False,
    )
    community = models.ForeignKey(
        "communities.Community", on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    thread = models.ForeignKey(
        "discussions.Thread",
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    answered_at = models.DateTimeField()
    asked_at = models.DateTimeField()
    answerer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    asker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    answerer_unit = models.ForeignKey(
        "people.OrgUnit",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    asker_unit = models.ForeignKey(
        "people.OrgUnit",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    answerer_level = models.PositiveSmallIntegerField(null=True, blank=True)
    asker_level = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("answer fact")
        verbose_name_plural = _("answer facts")
        indexes = [models.Index(fields=["community", "answered_at"], name="answer_fact_answered")]

    def __str__(self) -> str:
        return f"answer {self.post_id}"


class EventFact(models.Model):
    """One published event's attendance and feedback, once per hosting or co-hosting
    community."""

    event = models.ForeignKey(
        "events.Event", on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    community = models.ForeignKey(
        "communities.Community", on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    format = models.CharField(max_length=20)
    took_attendance = models.BooleanField(default=False)
    registered = models.PositiveIntegerField(default=0)  # holding a seat
    checked_in = models.PositiveIntegerField(default=0)
    walk_ins = models.PositiveIntegerField(default=0)
    no_shows = models.PositiveIntegerField(default=0)
    attendees_compared = models.PositiveIntegerField(default=0)
    attendees_cross_org = models.PositiveIntegerField(default=0)
    feedback = models.PositiveIntegerField(default=0)
    satisfied = models.PositiveIntegerField(default=0)
    score_counts = models.JSONField(default=dict, blank=True)  # {"1": n, …, "5": n}

    class Meta:
        verbose_name = _("event fact")
        verbose_name_plural = _("event facts")
        constraints = [
            models.UniqueConstraint(fields=["event", "community"], name="one_event_fact")
        ]
        indexes = [models.Index(fields=["community", "starts_at"], name="event_fact_starts")]

    def __str__(self) -> str:
        return f"event {self.event_id} in {self.community_id}"


class RollupState(models.Model):
    """How far one community's rollups are built, and what new activity must be rolled up."""

    community = models.OneToOneField(
        "communities.Community",
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="+",
        db_constraint=False,
    )
    built_at = models.DateTimeField(null=True, blank=True)
    built_through = models.DateField(null=True, blank=True)
    last_activity_id = models.BigIntegerField(default=0)
    dirty_from = models.DateField(null=True, blank=True)

    class Meta:
        verbose_name = _("rollup state")
        verbose_name_plural = _("rollup states")

    def __str__(self) -> str:
        return f"{self.community_id} built through {self.built_through}"


__all__ = [
    "EVERYONE",
    "AnswerFact",
    "CohortCell",
    "CommunityDay",
    "CommunityMonth",
    "EventFact",
    "QuestionFact",
    "RollupState",
]
