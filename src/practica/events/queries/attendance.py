"""Reads about what happens at and after an event: the check-in list, attendance counts,
feedback results, the AMA board, the library of past content and cost totals. Views, the API
and metrics use these, so each answers in plain rows and dataclasses.
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Sum
from django.utils import timezone

from practica.core.models import Topic
from practica.core.queries import topics_with_descendants
from practica.events.models import (
    AmaQuestion,
    AmaVote,
    CheckInMethod,
    CostCategory,
    Event,
    EventCost,
    EventMaterial,
    EventStatus,
    Feedback,
    QuestionStatus,
    Registration,
    RegistrationStatus,
)
from practica.events.permissions import can_moderate_ama

# --- check-in -------------------------------------------------------------------------------

CHECK_IN_FILTERS = ("", "checked_in", "not_checked_in", "waitlisted")


def check_in_list(event: Event, *, text: str = "", status: str = "") -> QuerySet[Registration]:
    """The registrants at the door, by name: everyone holding a seat or waiting for one.

    `text` matches the name or email (each word); `status` narrows to "checked_in",
    "not_checked_in" (holding a seat) or "waitlisted".
    """
    rows = Registration.objects.filter(
        event=event,
        status__in=[
            RegistrationStatus.REGISTERED,
            RegistrationStatus.OFFERED,
            RegistrationStatus.WAITLISTED,
        ],
    ).select_related("person")
    for word in text.split()[:8]:
        rows = rows.filter(
            Q(person__display_name__icontains=word) | Q(person__email__icontains=word)
        )
    if status == "checked_in":
        rows = rows.filter(checked_in_at__isnull=False)
    elif status == "not_checked_in":
        rows = rows.filter(
            checked_in_at__isnull=True,
            status__in=[RegistrationStatus.REGISTERED, RegistrationStatus.OFFERED],
        )
    elif status == "waitlisted":
        rows = rows.filter(status=RegistrationStatus.WAITLISTED)
    return rows.order_by("person__display_name", "person__email", "pk")


@dataclass
class AttendanceSummary:
    holding_seat: int
    checked_in: int
    waitlisted: int
    by_method: dict[str, int]

    @property
    def not_checked_in(self) -> int:
        return max(self.holding_seat - self.checked_in, 0)

    @property
    def walk_ins(self) -> int:
        return self.by_method.get(CheckInMethod.WALK_IN, 0)

    @property
    def rate(self) -> int | None:
        """Checked in out of those holding a seat, in percent."""
        return round(100 * self.checked_in / self.holding_seat) if self.holding_seat else None


def attendance_summary(event: Event) -> AttendanceSummary:
    rows = Registration.objects.filter(event=event)
    counts = rows.aggregate(
        holding=Count(
            "pk",
            filter=Q(status__in=[RegistrationStatus.REGISTERED, RegistrationStatus.OFFERED]),
        ),
        checked_in=Count("pk", filter=Q(checked_in_at__isnull=False)),
        waitlisted=Count("pk", filter=Q(status=RegistrationStatus.WAITLISTED)),
    )
    by_method = dict(
        rows.filter(checked_in_at__isnull=False)
        .values_list("check_in_method")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return AttendanceSummary(
        holding_seat=counts["holding"],
        checked_in=counts["checked_in"],
        waitlisted=counts["waitlisted"],
        by_method=by_method,
    )


# --- feedback -------------------------------------------------------------------------------


def feedback_recipients(event: Event) -> QuerySet[Registration]:
    """Who the survey is for: the checked-in registrants; when nobody was checked in
    (attendance not taken), everyone holding a registered seat."""
    registered = Registration.objects.filter(event=event, status=RegistrationStatus.REGISTERED)
    attended = registered.filter(checked_in_at__isnull=False)
    return attended if attended.exists() else registered


def may_give_feedback(event: Event, person: Any) -> bool:
    if person is None or not getattr(person, "is_authenticated", False):
        return False
    return feedback_recipients(event).filter(person=person).exists()


@dataclass
class FeedbackResults:
    responses: int
    recipients: int
    average: float | None
    distribution: list[tuple[int, int, int]]  # (score 5…1, answers, percent)
    recommend_answers: int
    promoters: int
    passives: int
    detractors: int
    comments: list[tuple[datetime, int, str]] = field(default_factory=list)

    @property
    def response_rate(self) -> int | None:
        return round(100 * self.responses / self.recipients) if self.recipients else None

    @property
    def nps(self) -> int | None:
        """Net promoter score: % answering 9–10 minus % answering 0–6, of those who answered."""
        if not self.recommend_answers:
            return None
        return round(100 * (self.promoters - self.detractors) / self.recommend_answers)


def feedback_results(event: Event) -> FeedbackResults:
    """An event's survey answers, summed up for its organizers. Comments carry no names."""
    answers = list(
        Feedback.objects.filter(event=event)
        .order_by("-submitted_at")
        .values_list("satisfaction", "would_recommend", "comment", "submitted_at")
    )
    scores = Counter(answer[0] for answer in answers)
    recommend = [answer[1] for answer in answers if answer[1] is not None]
    total = len(answers)
    return FeedbackResults(
        responses=total,
        recipients=feedback_recipients(event).count(),
        average=round(sum(a[0] for a in answers) / total, 2) if total else None,
        distribution=[
            (score, scores[score], round(100 * scores[score] / total) if total else 0)
            for score in range(5, 0, -1)
        ],
        recommend_answers=len(recommend),
        promoters=sum(1 for value in recommend if value >= 9),
        passives=sum(1 for value in recommend if 7 <= value <= 8),
        detractors=sum(1 for value in recommend if value <= 6),
        comments=[(a[3], a[0], a[2]) for a in answers if a[2]],
    )


# --- AMA ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BoardQuestion:
    """One question as the board shows it. For an anonymous question `author_id` and
    `author_name` are None for every viewer, moderators included."""

    pk: int
    text: str
    status: str
    vote_count: int
    asked_at: datetime
    answered_at: datetime | None
    is_anonymous: bool
    author_id: int | None
    author_name: str | None
    is_mine: bool
    voted: bool


@dataclass
class AmaBoard:
    open: list[BoardQuestion]
    answered: list[BoardQuestion]
    hidden: list[BoardQuestion]  # only for moderators, else empty
    can_moderate: bool


def ama_board(event: Event, viewer: Any) -> AmaBoard:
    """The board: open questions by votes (ties: first asked first), then the answered ones
    (latest first); hidden ones only for the event's moderators."""
    moderator = can_moderate_ama(viewer, event)
    viewer_id = getattr(viewer, "pk", None)
    rows = (
        AmaQuestion.objects.filter(event=event)
        .annotate(
            voted=Exists(AmaVote.objects.filter(question=OuterRef("pk"), person_id=viewer_id))
        )
        .values(
            "pk",
            "text",
            "status",
            "vote_count",
            "asked_at",
            "answered_at",
            "is_anonymous",
            "author_id",
            "author__display_name",
            "author__email",
            "voted",
        )
        .order_by("-vote_count", "asked_at", "pk")
    )
    board = AmaBoard(open=[], answered=[], hidden=[], can_moderate=moderator)
    for row in rows:
        if row["status"] == QuestionStatus.HIDDEN and not moderator:
            continue
        anonymous = row["is_anonymous"]
        question = BoardQuestion(
            pk=row["pk"],
            text=row["text"],
            status=row["status"],
            vote_count=row["vote_count"],
            asked_at=row["asked_at"],
            answered_at=row["answered_at"],
            is_anonymous=anonymous,
            author_id=None if anonymous else row["author_id"],
            author_name=None
            if anonymous
            else (row["author__display_name"] or row["author__email"]),
            is_mine=viewer_id is not None and row["author_id"] == viewer_id,
            voted=bool(row["voted"]),
        )
        lists: dict[str, list[BoardQuestion]] = {
            QuestionStatus.OPEN: board.open,
            QuestionStatus.ANSWERED: board.answered,
            QuestionStatus.HIDDEN: board.hidden,
        }
        lists[row["status"]].append(question)
    board.answered.sort(key=lambda q: q.answered_at or q.asked_at, reverse=True)
    return board


# --- the library of past content ------------------------------------------------------------


def library(
    *,
    text: str = "",
    topic: Topic | None = None,
    format: str = "",
    kind: str = "",
    community: Any = None,
    now: datetime | None = None,
) -> QuerySet[Event]:
    """Past events that left something to watch or read (a recording, slides, a notebook…),
    latest first, with their materials and topics prefetched.

    `text` matches (each word) the title, description or a material's title; `topic` includes
    its sub-topics; `kind` keeps events with a material of that kind (and lists only those).
    """
    events = Event.objects.filter(status=EventStatus.PUBLISHED, ends_at__lt=now or timezone.now())
    materials = EventMaterial.objects.all()
    if kind:
        materials = materials.filter(kind=kind)
    events = events.filter(Exists(materials.filter(event=OuterRef("pk"))))
    for word in text.split()[:8]:
        events = events.filter(
            Q(title__icontains=word)
            | Q(description__icontains=word)
            | Exists(EventMaterial.objects.filter(event=OuterRef("pk"), title__icontains=word))
        )
    if topic is not None:
        events = events.filter(
            Exists(
                Event.topics.through.objects.filter(
                    event_id=OuterRef("pk"),
                    topic_id__in=topics_with_descendants([topic]).values("pk"),
                )
            )
        )
    if format:
        events = events.filter(format=format)
    if community is not None:
        events = events.filter(community=community)
    return (
        events.select_related("community")
        .prefetch_related(
            Prefetch("materials", queryset=materials.order_by("kind", "pk")),
            "topics",
        )
        .order_by("-starts_at", "-pk")
    )


# --- costs ----------------------------------------------------------------------------------


def cost_lines(event: Event) -> QuerySet[EventCost]:
    return (
        EventCost.objects.filter(event=event)
        .select_related("recorded_by")
        .order_by("category", "incurred_on", "pk")
    )


@dataclass
class CostTotals:
    by_currency: list[tuple[str, Decimal]]
    by_category: list[tuple[str, str, str, Decimal]]  # (category, its label, currency, total)


def cost_totals(event: Event) -> CostTotals:
    """Totals per currency (amounts in different currencies are never added together) and per
    category and currency."""
    lines = EventCost.objects.filter(event=event).order_by()
    by_currency = [
        (row["currency"], row["total"])
        for row in lines.values("currency").annotate(total=Sum("amount")).order_by("currency")
    ]
    by_category = [
        (row["category"], str(CostCategory(row["category"]).label), row["currency"], row["total"])
        for row in lines.values("category", "currency")
        .annotate(total=Sum("amount"))
        .order_by("category", "currency")
    ]
    return CostTotals(by_currency=by_currency, by_category=by_category)
