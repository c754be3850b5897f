"""The pulse survey API's shapes (`surveys/api.py` holds the endpoints).

Shares (the response rate) are fractions 0–1 with four decimals; NPS and its interval are
numbers from −100 to 100 with one decimal; null means no data (nobody invited, no answers).
"""

from datetime import date, datetime
from decimal import Decimal

from ninja import Field, Schema
from pydantic import ConfigDict, StrictInt

from practica.api.fields import text
from practica.communities.api import CommunityRef
from practica.metrics.models import PulseStatus
from practica.metrics.surveys.services import (
    MAX_COMMENT_LENGTH,
    MAX_QUESTION_LENGTH,
    MAX_SAMPLE_SIZE,
)
from practica.metrics.surveys.tokens import MAX_TOKEN_LENGTH


class PulseScheduleIn(Schema):
    model_config = ConfigDict(extra="forbid")

    question: text(MAX_QUESTION_LENGTH) | None = Field(  # type: ignore[valid-type]
        None,
        description="Defaults to “How likely are you to recommend this community to a "
        "colleague?” (in the caller's language).",
    )
    # Strict: JSON `true` is not "1 person" (lax parsing would read it so).
    sample_size: StrictInt | None = Field(
        None,
        ge=1,
        le=MAX_SAMPLE_SIZE,
        description="How many members to ask, drawn at random; null asks everyone eligible.",
    )
    send_at: datetime | None = Field(
        None, description="When to send (with a time zone); defaults to now."
    )
    closes_at: datetime | None = Field(
        None,
        description="When answers stop; after send_at, at most 90 days later; defaults to "
        "14 days after send_at.",
    )


class PulseOut(Schema):
    """A pulse with its figures so far."""

    id: int
    community: CommunityRef
    question: str
    status: PulseStatus
    sample_size: int | None
    send_at: datetime
    closes_at: datetime
    sent_at: datetime | None
    min_interval_days: int
    invited: int
    answered: int
    response_rate: Decimal | None = Field(description="answered ÷ invited, 0–1.")
    nps: Decimal | None


class PulseCommentOut(Schema):
    """A comment without who wrote it."""

    score: int
    answered_on: date
    text: str


class PulseResultsOut(Schema):
    """A pulse's results: NPS = per cent of 9–10 minus per cent of 0–6; its 95 per cent
    confidence interval by the normal approximation; `small_sample` under 30 answers."""

    pulse: PulseOut
    invited: int
    answered: int
    response_rate: Decimal | None
    promoters: int
    passives: int
    detractors: int
    nps: Decimal | None
    ci_low: Decimal | None
    ci_high: Decimal | None
    small_sample: bool
    distribution: list[int] = Field(description="How many answered 0, 1, … 10 (11 counts).")
    comments: list[PulseCommentOut] | None = Field(
        description="For the community manager only (null for anyone else)."
    )


class PulseAnswerIn(Schema):
    model_config = ConfigDict(extra="forbid")

    token: text(MAX_TOKEN_LENGTH, min_length=1) = Field(  # type: ignore[valid-type]
        description="The token in the mail's links: /metrics/pulses/answer/<token>/<score>/."
    )
    # Strict: JSON `true` or "7" is not a score (lax parsing would record `true` as 1). The
    # range is the service's to check, so its message is the one callers read.
    score: StrictInt = Field(description="0 (not at all likely) to 10 (extremely likely).")
    comment: text(MAX_COMMENT_LENGTH) | None = Field(  # type: ignore[valid-type]
        None, description='Optional; null keeps the comment already given, "" removes it.'
    )


class PulseAnswerOut(Schema):
    question: str
    community: str
    score: int
    comment: str
    answered_at: datetime
    closes_at: datetime
