"""The strategy API's shapes (`strategy.api` and `strategy.maturity_api` hold the endpoints)."""

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Literal

from ninja import Field, Schema
from pydantic import AwareDatetime, ConfigDict

from practica.api.fields import Id, Slug, text
from practica.communities.models import (
    MaturityAssessment,
    MaturityCompetency,
    MaturityScore,
    MembershipRole,
    StrategyStatus,
    TargetComparison,
)
from practica.communities.strategy.maturity_queries import average_stage
from practica.communities.strategy.maturity_services import MAX_ASSESSMENT_NOTE, MAX_SCORE_NOTE
from practica.communities.strategy.sections import (
    MAX_AUDIENCE_LABEL,
    MAX_ITEM_LENGTH,
    MAX_JOB_TITLE,
    MAX_LIST_ITEMS,
    MAX_NOTE_LENGTH,
    MAX_REMIT_LENGTH,
    MAX_ROWS,
    MAX_SUMMARY_LENGTH,
    MAX_TARGET_LABEL,
)
from practica.people.api import OrgUnitRef, PersonRef

Status = Literal["green", "amber", "red", "no_data"]
Unit = Literal["count", "share", "hours", "score"]


# --- Out ---------------------------------------------------------------------------------------


class ReachOut(Schema):
    people: int = Field(description="People at the company the row matches now.")
    members: int = Field(description="How many of them are current members.")
    share: Decimal | None = Field(description="members ÷ people (0–1); null when nobody matches.")


class AudienceOut(Schema):
    id: int
    label: str
    org_unit: OrgUnitRef | None
    role: str = Field(description="A people role code (`data_scientist`…), or empty.")
    job_title_contains: str
    criteria: list[str] = Field(description="What the row asks, in words.")
    reach: ReachOut | None = Field(description="Live reach; only on the current strategy.")


class TargetOut(Schema):
    id: int
    metric_key: str
    metric_label: str | None = Field(description="Null when the metric is no longer computed.")
    unit: Unit
    label: str
    comparison: TargetComparison
    target_value: Decimal = Field(description="In the metric's unit: a share is 0–1.")
    amber_margin_percent: int


class LeaderOut(Schema):
    person: PersonRef
    remit: str
    role: MembershipRole | None = Field(
        description="Their role in the community today; null when no longer a member."
    )


class VersionSummaryOut(Schema):
    id: int
    number: int
    status: StrategyStatus
    change_note: str
    created_at: datetime
    created_by: PersonRef | None
    approved_at: datetime | None
    approved_by: PersonRef | None
    approval_note: str


class StrategyOut(Schema):
    """A version. Members get the public parts; `targets`, approval and change details are
    null unless the caller is in the community's leadership."""

    id: int
    number: int
    status: StrategyStatus
    summary: str
    goals: list[str]
    scenarios: list[str]
    principles: list[str]
    audience: list[AudienceOut]
    leaders: list[LeaderOut]
    targets: list[TargetOut] | None
    change_note: str | None
    created_at: datetime | None
    approved_at: datetime | None
    approved_by: PersonRef | None
    approval_note: str | None


class TrendPointOut(Schema):
    at: datetime = Field(description="A month boundary (UTC): the value at the end of a month.")
    value: Decimal | None


class TargetEvaluationOut(Schema):
    target: TargetOut
    value: Decimal | None = Field(description="The live value as of `as_of`; null: no data.")
    shown_value: str
    status: Status
    trend: list[TrendPointOut] = Field(description="The last six month-ends, oldest first.")
    as_of: datetime


class FieldChangeOut(Schema):
    field: str
    before: str
    after: str


class ItemChangeOut(Schema):
    item: str
    changes: list[FieldChangeOut]


class SectionChangesOut(Schema):
    section: Literal["goals", "scenarios", "principles", "audience", "targets", "leaders"]
    added: list[str]
    removed: list[str]
    changed: list[ItemChangeOut]
    unchanged: int


class SummaryChangeOut(Schema):
    changed: bool
    before: str
    after: str


class ComparisonOut(Schema):
    older: int
    newer: int
    has_changes: bool
    summary: SummaryChangeOut
    sections: list[SectionChangesOut]


class DiscardedOut(Schema):
    discarded: bool = Field(description="True: the draft is gone.")


class MetricOut(Schema):
    key: str
    label: str
    description: str
    unit: Unit
    better: Literal["higher", "lower"]


# --- In ----------------------------------------------------------------------------------------


class AudienceIn(Schema):
    model_config = ConfigDict(extra="forbid")

    label: text(MAX_AUDIENCE_LABEL, min_length=1)
    org_unit: Slug | None = Field(None, description="An org unit's slug: it and every unit below.")
    role: text(30) = Field("", description="A people role code (`data_scientist`…), or empty.")
    job_title_contains: text(MAX_JOB_TITLE) = ""


class TargetIn(Schema):
    model_config = ConfigDict(extra="forbid")

    metric_key: text(60, min_length=1) = Field(description="A key from `/strategy/metrics`.")
    comparison: TargetComparison
    target_value: Decimal = Field(description="In the metric's unit: a share is 0–1.")
    label: text(MAX_TARGET_LABEL) = ""
    amber_margin_percent: int = Field(10, ge=0, le=100)


class LeaderIn(Schema):
    model_config = ConfigDict(extra="forbid")

    person_id: Id
    remit: text(MAX_REMIT_LENGTH, min_length=1)


Statements = list[text(MAX_ITEM_LENGTH + 100)]


class DraftIn(Schema):
    """Only the sections sent change; a list sent replaces the old one whole."""

    model_config = ConfigDict(extra="forbid")

    summary: text(MAX_SUMMARY_LENGTH) | None = None
    change_note: text(MAX_NOTE_LENGTH) | None = None
    goals: Statements | None = Field(None, max_length=MAX_LIST_ITEMS + 10)
    scenarios: Statements | None = Field(
        None, max_length=MAX_LIST_ITEMS + 10, description='"I can…" statements.'
    )
    principles: Statements | None = Field(None, max_length=MAX_LIST_ITEMS + 10)
    audience: list[AudienceIn] | None = Field(None, max_length=MAX_ROWS)
    targets: list[TargetIn] | None = Field(None, max_length=MAX_ROWS)
    leaders: list[LeaderIn] | None = Field(None, max_length=MAX_ROWS)


class ApproveIn(Schema):
    model_config = ConfigDict(extra="forbid")

    approval_note: text(MAX_NOTE_LENGTH) = Field(
        "", description="Who approved it, e.g. “approved by the sponsor's leadership team”."
    )


class CompareFilters(Schema):
    older: int = Field(ge=1, le=1_000_000, description="A version number.")
    newer: int = Field(ge=1, le=1_000_000, description="Another version number.")


# The moments a target can be measured at: the metrics look back a year and the trend six
# months, which must stay inside the dates Python can represent.
EARLIEST_AS_OF = datetime(2000, 1, 1, tzinfo=UTC)
LATEST_AS_OF = datetime(2101, 1, 1, tzinfo=UTC)


class AsOfFilter(Schema):
    as_of: AwareDatetime | None = Field(
        None,
        ge=EARLIEST_AS_OF,
        le=LATEST_AS_OF,
        description="Measure as of this moment (with its time zone), between 2000 and 2100; "
        "now by default.",
    )


# --- Maturity --------------------------------------------------------------------------------


class MaturityScoreOut(Schema):
    competency: MaturityCompetency
    stage: int
    note: str


class MaturityAssessmentOut(Schema):
    id: int
    assessed_on: date
    assessed_by: PersonRef | None
    note: str
    created_at: datetime
    average_stage: Decimal | None = Field(description="The mean stage of the competencies.")
    scores: list[MaturityScoreOut]

    @staticmethod
    def resolve_average_stage(assessment: MaturityAssessment) -> Decimal | None:
        return average_stage(assessment)

    @staticmethod
    def resolve_scores(assessment: MaturityAssessment) -> list[MaturityScore]:
        return list(assessment.scores.all())


class CompetencyComparisonOut(Schema):
    competency: MaturityCompetency
    latest: int | None
    previous: int | None
    change: int | None


class MaturityComparisonOut(Schema):
    latest: MaturityAssessmentOut | None
    previous: MaturityAssessmentOut | None
    competencies: list[CompetencyComparisonOut]


class MaturityIn(Schema):
    model_config = ConfigDict(extra="forbid")

    assessed_on: date
    stages: dict[str, int] = Field(
        description="Every competency (`strategy`, `leadership`, `culture`, "
        "`community_management`, `content_and_programming`, `policies_and_governance`, "
        "`tools`, `metrics`) → its stage, 1 to 4."
    )
    score_notes: dict[str, text(MAX_SCORE_NOTE)] = Field(
        default_factory=dict, description="Optional: competency → why that stage."
    )
    note: text(MAX_ASSESSMENT_NOTE) = ""
