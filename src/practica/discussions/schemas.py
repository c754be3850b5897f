"""The discussions API's input and output shapes (`discussions.api` holds the endpoints).

Inputs forbid unknown fields and carry the models' limits, so oversize text is a 422 naming
the field before any service runs.
"""

from datetime import date, datetime, time
from typing import Any, Literal

from django.utils.text import Truncator
from ninja import Field, Schema
from pydantic import ConfigDict, StrictInt

from practica.api.fields import Id, Slug, text
from practica.communities.api import CommunityRef
from practica.core.api import TopicRef
from practica.discussions.models import (
    MAX_POST_LENGTH,
    MAX_TITLE_LENGTH,
    EmailMode,
    FlagReason,
    NotificationKind,
    SubscriptionLevel,
    ThreadKind,
    ThreadState,
)
from practica.discussions.services.notifications import MAX_OPEN_ROUTED
from practica.discussions.services.posting_rules import MAX_TOPICS
from practica.people.api import PersonRef

MAX_SEARCH_TEXT = 200
MAX_REASON_LENGTH = 1000
FLAG_EXCERPT_CHARS = 400

SearchText = text(MAX_SEARCH_TEXT, min_length=1)


# --- Threads and posts ---------------------------------------------------------------------


class ThreadRef(Schema):
    id: int
    title: str
    kind: ThreadKind
    state: ThreadState


class ThreadGroupRef(Schema):
    """The grassroots group a thread belongs to."""

    id: int
    slug: str
    name: str


class ThreadOut(Schema):
    """A thread as it appears in lists. `group`: the community's grassroots group it belongs
    to, or null."""

    id: int
    community: CommunityRef
    group: ThreadGroupRef | None
    kind: ThreadKind
    title: str
    author: PersonRef
    state: ThreadState
    topics: list[TopicRef]
    is_urgent: bool
    respond_by: datetime | None = Field(description="For urgent questions: the response target.")
    is_locked: bool
    is_hidden: bool
    created_at: datetime
    last_activity_at: datetime
    answer_count: int
    score: int
    view_count: int
    has_accepted_answer: bool

    @staticmethod
    def resolve_topics(thread: Any) -> list[Any]:
        return list(thread.topics.all())

    @staticmethod
    def resolve_has_accepted_answer(thread: Any) -> bool:
        return thread.accepted_answer_id is not None


class PostOut(Schema):
    id: int
    author: PersonRef
    is_opening: bool = Field(description="The thread's first post: the question itself.")
    reply_to_id: int | None
    body: str = Field(description="Markdown, as written.")
    body_html: str = Field(description="Rendered and sanitized HTML.")
    created_at: datetime
    edited_at: datetime | None
    revision_count: int
    score: int
    is_hidden: bool
    is_accepted: bool
    is_cross_org: bool | None
    is_cross_level: bool | None
    my_vote: Literal[-1, 0, 1] = Field(description="The caller's vote on this post.")
    can_edit: bool
    can_vote: bool


class RoutedExpertOut(Schema):
    person: PersonRef
    round: int = Field(description="1 when the question was posted, more when re-routed.")
    rank: int
    notified_at: datetime
    answered_at: datetime | None

    @staticmethod
    def resolve_round(routed: Any) -> int:
        return routed.round.number


class ThreadDetailOut(ThreadOut):
    """A thread with its posts (opening post first), its response-time facts and what the
    caller may do. `routed_experts` is null unless the caller asked or moderates."""

    duplicate_of: ThreadRef | None
    merged_into_id: int | None
    accepted_answer_id: int | None
    first_response_at: datetime | None
    first_response_seconds: int | None
    accepted_at: datetime | None
    accepted_answer_seconds: int | None
    response_target_minutes: int | None = Field(
        description="The community's response target for urgent questions."
    )
    posts: list[PostOut]
    routed_experts: list[RoutedExpertOut] | None
    my_subscription: SubscriptionLevel | None
    can_reply: bool
    can_accept: bool
    can_moderate: bool
    can_close: bool

    # The API sets `post_list` and `routed_list` on the thread: `posts` and `routed_experts`
    # are the model's related managers, which would list hidden posts and every expert.
    @staticmethod
    def resolve_posts(thread: Any) -> list[Any]:
        return thread.post_list

    @staticmethod
    def resolve_routed_experts(thread: Any) -> list[Any] | None:
        return thread.routed_list


class ThreadFilters(Schema):
    kind: ThreadKind | None = None
    state: ThreadState | None = None
    topic: Slug | None = Field(None, description="Topic slug; threads on its sub-topics match.")
    unanswered: bool = Field(False, description="Only open questions without an answer.")
    urgent: bool = Field(False, description="Only urgent questions (a customer is waiting).")
    sort: Literal["activity", "newest", "oldest", "votes", "answers"] = Field(
        "activity", description="`activity` (default): latest activity first."
    )


class ThreadCreateIn(Schema):
    model_config = ConfigDict(extra="forbid")

    kind: ThreadKind = ThreadKind.QUESTION
    title: text(MAX_TITLE_LENGTH, min_length=1)
    body: text(MAX_POST_LENGTH, min_length=1) = Field(description="Markdown.")
    topics: list[Slug] = Field(
        default_factory=list, max_length=MAX_TOPICS, description="Topic slugs."
    )
    is_urgent: bool = Field(False, description="Questions only: a customer is waiting.")
    group: Slug | None = Field(
        None,
        description="A grassroots group of the community (its slug): the thread is the "
        "group's. Its current members (and the community's moderators) only; not an "
        "archived group.",
    )


class PostCreateIn(Schema):
    model_config = ConfigDict(extra="forbid")

    body: text(MAX_POST_LENGTH, min_length=1) = Field(description="Markdown.")
    reply_to: Id | None = Field(None, description="The post this one replies to.")


class PostEditIn(Schema):
    model_config = ConfigDict(extra="forbid")

    body: text(MAX_POST_LENGTH, min_length=1) = Field(description="Markdown.")
    title: text(MAX_TITLE_LENGTH, min_length=1) | None = Field(
        None, description="Only for the opening post: the thread's new title."
    )


class VoteIn(Schema):
    model_config = ConfigDict(extra="forbid")

    # A strict integer: `true` or `1.0` are not votes.
    value: StrictInt = Field(ge=-1, le=1, description="1 up, -1 down, 0 withdraws the vote.")


class AcceptIn(Schema):
    model_config = ConfigDict(extra="forbid")

    post_id: Id


class FlagIn(Schema):
    model_config = ConfigDict(extra="forbid")

    reason: FlagReason
    note: text(MAX_REASON_LENGTH) = ""


class FlagOut(Schema):
    id: int
    post_id: int
    reason: FlagReason
    note: str
    created_at: datetime


class FlaggedPostOut(Schema):
    id: int
    thread: ThreadRef
    author: PersonRef
    is_opening: bool = Field(description="The thread's first post: the question itself.")
    is_hidden: bool
    excerpt: str = Field(
        description=f"The post's Markdown, cut at {FLAG_EXCERPT_CHARS} characters."
    )

    @staticmethod
    def resolve_excerpt(post: Any) -> str:
        return Truncator(post.body).chars(FLAG_EXCERPT_CHARS)


class OpenFlagOut(Schema):
    """A flag waiting for a moderator, with the post it is about."""

    id: int
    reason: FlagReason
    note: str
    created_at: datetime
    flagged_by: PersonRef
    post: FlaggedPostOut


class FlagResolveIn(Schema):
    model_config = ConfigDict(extra="forbid")

    resolution: Literal["dismissed", "hidden"] = Field(
        description="dismissed: the post stays; hidden: hide the post, resolving all its flags."
    )


class ResolvedFlagOut(FlagOut):
    resolution: str
    resolved_at: datetime | None


class ReasonIn(Schema):
    model_config = ConfigDict(extra="forbid")

    reason: text(MAX_REASON_LENGTH) = ""


class MoveIn(Schema):
    model_config = ConfigDict(extra="forbid")

    community: Slug = Field(description="Slug of the community to move the thread to.")


class MergeIn(Schema):
    model_config = ConfigDict(extra="forbid")

    into: Id = Field(description="The thread that receives this thread's posts.")


class DuplicateIn(Schema):
    model_config = ConfigDict(extra="forbid")

    original: Id = Field(description="The question this one duplicates.")


# --- Finding -------------------------------------------------------------------------------


class SearchFilters(Schema):
    q: SearchText = Field(description="Words to find.")
    community: Slug | None = None
    topic: Slug | None = Field(None, description="Topic slug; sub-topics match as well.")
    answered: bool | None = Field(None, description="true: answered only; false: unanswered.")
    org_unit: Slug | None = Field(None, description="The author's org unit (and units below).")
    since: date | None = Field(None, description="Posted on or after this day.")
    until: date | None = Field(None, description="Posted on or before this day.")
    limit: int = Field(20, ge=1, le=100, description="How many hits to return (at most 100).")
    offset: int = Field(0, ge=0, le=10_000, description="How many hits to skip.")


class SearchHitOut(Schema):
    thread: ThreadOut
    post_id: int = Field(description="The thread's best-matching post.")
    snippet_html: str = Field(description="Escaped text of that post with matches in `<mark>`.")
    title_html: str = Field(description="The escaped title with matches in `<mark>`.")
    rank: float


class SearchPageOut(Schema):
    items: list[SearchHitOut]
    count: int


class SimilarFilters(Schema):
    text: SearchText = Field(description="The question being typed.")
    community: Slug | None = None
    limit: int = Field(5, ge=1, le=20)


class UnansweredFilters(Schema):
    community: Slug | None = None
    topic: Slug | None = Field(None, description="Topic slug; sub-topics match as well.")


# --- Subscriptions, notifications, preferences ---------------------------------------------


class SubscriptionIn(Schema):
    model_config = ConfigDict(extra="forbid")

    level: SubscriptionLevel = SubscriptionLevel.WATCHING


class SubscriptionOut(Schema):
    id: int
    level: SubscriptionLevel
    thread: ThreadRef | None
    topic: TopicRef | None
    community: CommunityRef | None
    created_at: datetime


class SubscriptionStateOut(Schema):
    level: SubscriptionLevel | None = Field(description="null: neither watching nor muted.")


class NotificationFilters(Schema):
    unread: bool = Field(False, description="Only notifications not yet read.")
    limit: int = Field(20, ge=1, le=100, description="How many to return (at most 100).")
    offset: int = Field(0, ge=0, le=10_000_000, description="How many to skip.")


class NotificationOut(Schema):
    id: int
    kind: NotificationKind
    thread: ThreadRef
    post_id: int | None
    actor: PersonRef | None
    data: dict[str, Any]
    created_at: datetime
    read_at: datetime | None


class NotificationPageOut(Schema):
    items: list[NotificationOut]
    count: int
    unread_count: int


class MarkReadIn(Schema):
    model_config = ConfigDict(extra="forbid")

    ids: list[Id] | None = Field(
        None, max_length=1000, description="Notifications to mark read; all when left out."
    )


class UnreadCountOut(Schema):
    unread_count: int


class PreferencesOut(Schema):
    email_mode: EmailMode
    routing_opt_out: bool
    quiet_hours_start: time | None
    quiet_hours_end: time | None
    max_open_routed: int


class PreferencesIn(Schema):
    """Only the fields sent change; `null` clears the quiet hours."""

    model_config = ConfigDict(extra="forbid")

    email_mode: EmailMode = None
    routing_opt_out: bool = None
    quiet_hours_start: time | None = None
    quiet_hours_end: time | None = None
    max_open_routed: int = Field(None, ge=0, le=MAX_OPEN_ROUTED)
