"""Response-time routing: asking the members most likely to answer a question well and soon.

- `schedule_routing(thread)`: called by `create_thread` inside its transaction; on commit a
  Celery task runs `route_question(thread=..., reason=POSTED)`.
- `route_question`: one round — ranks the community's eligible members
  (`practica.discussions.routing.rank_experts`), records the round and each pick with its
  reasons, notifies each pick and appends a ROUTED activity row. One transaction; it locks the
  thread row (`select_for_update`, a no-op on SQLite where writers are serialised anyway) so
  two rounds of one question never interleave; the constraints `one_round_number` and
  `route_person_once` are the last line against duplicates.
- `reroute_unanswered(now=None)`: the beat task; a question still open after the community's
  `reroute_after_minutes` gets another round with new people (never the same person twice).
- `record_answer(post)` / `close_routing(thread)`: outcomes, and the open load each routed
  question puts on its expert.
- `hand_over_routed_question(...)`: a leaver's open routed question goes to a successor
  (continuity after a leaver, `discussions.ownership`).
- `routing_outcomes(...)`: hit rate and effect on response time, for the manager's view.
"""

import statistics
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Exists, Max, OuterRef, Q
from django.db.models.functions import Coalesce
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from practica.communities.models import Community
from practica.communities.permissions import can_manage_community
from practica.core.models import ActivityKind
from practica.core.services import record_activity
from practica.discussions.models import (
    Post,
    QASettings,
    RoutedExpert,
    RoutingReason,
    RoutingRound,
    Thread,
    ThreadKind,
    ThreadState,
)
from practica.discussions.services.posting_rules import qa_settings_for

#: A question gets at most this many rounds (the first one included).
MAX_ROUNDS = 4
#: Open questions older than this are no longer rerouted (nor routed late).
REROUTE_WINDOW = timedelta(days=7)
#: A question with no round this long after it was asked lost its task: route it now.
LOST_TASK_GRACE = timedelta(minutes=5)
#: States in which a question still counts against its routed experts' open load.
OPEN_STATES = (ThreadState.OPEN, ThreadState.ANSWERED)


def _is_routable(thread: Thread) -> bool:
    return (
        thread.kind == ThreadKind.QUESTION
        and thread.state == ThreadState.OPEN
        and not thread.is_hidden
        and not thread.is_locked
        and thread.duplicate_of_id is None
        and thread.merged_into_id is None
    )


def schedule_routing(thread: Thread) -> None:
    """Route a newly asked question once the caller's transaction commits (Celery task)."""
    if thread.kind != ThreadKind.QUESTION:
        return
    thread_id = thread.pk

    def enqueue() -> None:
        from practica.discussions.tasks import route_question_task

        route_question_task.delay(thread_id, RoutingReason.POSTED)

    transaction.on_commit(enqueue)


def route_question(
    *, thread: Thread, reason: str, now: datetime | None = None
) -> RoutingRound | None:
    """Ask the next k experts about `thread`; None when it is no longer routable.

    Locks the thread row for the round. Everyone asked in earlier rounds, the asker and
    everyone who already posted in the thread are left out.
    """
    from practica.discussions.routing import QuestionInput, rank_experts

    if reason not in RoutingReason.values:
        raise ValueError(f"unknown routing reason {reason!r}")
    now = now or timezone.now()
    with transaction.atomic():
        locked = Thread.objects.select_for_update().filter(pk=thread.pk).first()
        if locked is None or not _is_routable(locked):
            return None
        qa = qa_settings_for(locked.community_id)
        if not qa.routing_enabled:
            return None
        rounds = RoutingRound.objects.filter(thread=locked)
        number = (rounds.aggregate(last=Max("number"))["last"] or 0) + 1
        if number > MAX_ROUNDS:
            return None
        excluded = set(
            RoutedExpert.objects.filter(thread=locked).values_list("person_id", flat=True)
        )
        excluded |= set(Post.objects.filter(thread=locked).values_list("author_id", flat=True))
        opening = Post.objects.filter(thread=locked, is_opening=True).values_list("body", flat=True)
        question = QuestionInput(
            community_id=locked.community_id,
            asker_id=locked.author_id,
            text=f"{locked.title}\n{next(iter(opening), '')}",
            topic_ids=list(locked.topics.values_list("pk", flat=True)),
            exclude_ids=frozenset(excluded),
            thread_id=locked.pk,
        )
        ranking = rank_experts(question, k=qa.routing_k, now=now)
        routing_round = RoutingRound.objects.create(
            thread=locked,
            number=number,
            reason=reason,
            created_at=now,
            candidates_considered=ranking.considered,
        )
        experts = []
        for rank, pick in enumerate(ranking.picks, start=1):
            expert = RoutedExpert.objects.create(
                round=routing_round,
                thread=locked,
                person_id=pick.person_id,
                rank=rank,
                score=round(pick.score, 4),
                reasons={**pick.reasons, "round": number, "asked": len(ranking.picks)},
                notified_at=now,
            )
            record_activity(
                kind=ActivityKind.ROUTED,
                person_id=pick.person_id,
                community_id=locked.community_id,
                subject=locked,
                counterpart_id=locked.author_id,
                occurred_at=now,
                data={"round": number, "rank": rank, "score": round(pick.score, 4)},
            )
            experts.append(expert)
        _notify(experts)
    return routing_round


def _notify(experts: list[RoutedExpert]) -> None:
    if not experts:
        return
    from practica.discussions.services.notifications import notify_routed

    for expert in experts:
        notify_routed(expert, asked=len(experts))


def route_question_by_id(thread_id: int, reason: str = RoutingReason.POSTED) -> int | None:
    """The Celery task's body: route the thread if it still exists; the round's id or None."""
    thread = Thread.objects.filter(pk=thread_id).first()
    if thread is None:
        return None
    routing_round = route_question(thread=thread, reason=reason)
    return routing_round.pk if routing_round else None


def record_answer(post: Post) -> None:
    """Called by `post_reply` in its transaction: a routed expert answered (their load closes);
    on a question already accepted or closed every open load closes."""
    if post.is_opening:
        return
    RoutedExpert.objects.filter(
        thread_id=post.thread_id, person_id=post.author_id, answered_post__isnull=True
    ).update(
        answered_post=post,
        answered_at=post.created_at,
        closed_at=Coalesce("closed_at", post.created_at),
    )
    state = Thread.objects.filter(pk=post.thread_id).values_list("state", flat=True).first()
    if state not in OPEN_STATES:
        close_routing(post.thread_id)


def close_routing(thread_or_id: Thread | int, *, at: datetime | None = None) -> int:
    """Close every open load on the question (accepted, closed, duplicate, merged, hidden).

    Call it inside the action's transaction; returns how many loads were closed.
    """
    thread_id = thread_or_id if isinstance(thread_or_id, int) else thread_or_id.pk
    return RoutedExpert.objects.filter(thread_id=thread_id, closed_at__isnull=True).update(
        closed_at=at or timezone.now()
    )


def _due_for_rerouting(now: datetime) -> list[tuple[int, str]]:
    """(thread id, reason) of open questions whose last round is older than the delay."""
    questions = (
        Thread.objects.filter(
            kind=ThreadKind.QUESTION,
            state=ThreadState.OPEN,
            is_hidden=False,
            is_locked=False,
            duplicate_of__isnull=True,
            merged_into__isnull=True,
            created_at__gte=now - REROUTE_WINDOW,
        )
        .annotate(last_round=Max("routing_rounds__created_at"), rounds=Count("routing_rounds"))
        .filter(rounds__lt=MAX_ROUNDS)
        .values_list("pk", "community_id", "created_at", "is_urgent", "last_round")
    )
    settings_by_community: dict[int, QASettings] = {}
    due: list[tuple[int, str]] = []
    for pk, community_id, created_at, urgent, last_round in questions:
        if community_id not in settings_by_community:
            settings_by_community[community_id] = qa_settings_for(community_id)
        qa = settings_by_community[community_id]
        if not qa.routing_enabled:
            continue
        if last_round is None:
            if created_at <= now - LOST_TASK_GRACE:
                due.append((pk, RoutingReason.POSTED))
            continue
        delay = timedelta(minutes=qa.reroute_after_minutes)
        if urgent:
            # A customer is waiting: ask more people by half the response target at the latest.
            delay = min(delay, timedelta(minutes=max(qa.response_target_minutes // 2, 5)))
        if last_round <= now - delay:
            due.append((pk, RoutingReason.UNANSWERED))
    return due


def _close_finished_loads(now: datetime) -> int:
    finished = ~Q(thread__state__in=OPEN_STATES) | Q(thread__is_hidden=True)
    finished |= Q(thread__duplicate_of__isnull=False) | Q(thread__merged_into__isnull=False)
    return RoutedExpert.objects.filter(finished, closed_at__isnull=True).update(closed_at=now)


def reroute_unanswered(now: datetime | None = None) -> dict[str, int]:
    """Beat task: another round for each question still unanswered after the delay; also
    closes the loads of questions that finished without `close_routing` being called."""
    now = now or timezone.now()
    closed = _close_finished_loads(now)
    rounds = 0
    for thread_id, reason in _due_for_rerouting(now):
        thread = Thread.objects.filter(pk=thread_id).first()
        if thread is not None and route_question(thread=thread, reason=reason, now=now):
            rounds += 1
    return {"rounds": rounds, "loads_closed": closed}


def hand_over_routed_question(
    *, thread: Thread, leaver: Any, successor: Any, actor: Any, now: datetime | None = None
) -> RoutedExpert | None:
    """Ask `successor` about `thread` in `leaver`'s place (a continuity hand-over when the
    leaver left the company): the leaver's open load is closed, and the successor is asked in
    the same round with the same rank, notified, and a ROUTED activity row appended.

    The community's managers only. Locks the thread row. A question no longer open, a
    successor already asked about it, and a successor who asked it themself only close the
    leaver's load. Returns the successor's row (None when nobody new was asked).
    """
    if not can_manage_community(actor, thread.community):
        raise PermissionDenied(_("Only the community's managers can hand over routed questions."))
    now = now or timezone.now()
    with transaction.atomic():
        locked = Thread.objects.select_for_update().filter(pk=thread.pk).first()
        if locked is None:
            return None
        theirs = (
            RoutedExpert.objects.select_related("round")
            .filter(thread=locked, person=leaver)
            .first()
        )
        RoutedExpert.objects.filter(thread=locked, person=leaver, closed_at__isnull=True).update(
            closed_at=now
        )
        if theirs is None or not _is_routable(locked) or successor.pk == locked.author_id:
            return None
        if RoutedExpert.objects.filter(thread=locked, person=successor).exists():
            return None
        with translation.override(settings.LANGUAGE_CODE):
            summary = [_("took over from %(name)s") % {"name": leaver}]
        expert = RoutedExpert.objects.create(
            round_id=theirs.round_id,
            thread=locked,
            person=successor,
            rank=theirs.rank,
            score=0.0,
            reasons={
                "summary": summary,
                "handed_over_from": leaver.pk,
                "round": theirs.round.number,
            },
            notified_at=now,
        )
        record_activity(
            kind=ActivityKind.ROUTED,
            person_id=successor.pk,
            community_id=locked.community_id,
            subject=locked,
            counterpart_id=locked.author_id,
            occurred_at=now,
            data={"round": theirs.round.number, "rank": theirs.rank, "handed_over_from": leaver.pk},
        )
        _notify([expert])
    return expert


# --- Outcomes -------------------------------------------------------------------------------


@dataclass(frozen=True)
class RoutingOutcomes:
    """How routing did for the questions asked in a period (one community or all)."""

    questions: int
    routed_questions: int
    hit_questions: int
    hit_rate: float | None
    answers: int
    answers_from_routed: int
    routed_answer_share: float | None
    median_first_response_routed_seconds: float | None
    median_first_response_unrouted_seconds: float | None

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def _median(values: list[int]) -> float | None:
    return float(statistics.median(values)) if values else None


def routing_outcomes(
    *,
    community: Community | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> RoutingOutcomes:
    """Hit rate (share of routed questions a routed member answered), share of answers that
    came from routed members, and median time to first response of routed vs unrouted
    questions — for questions asked in [since, until), in one community or all."""
    questions = Thread.objects.filter(kind=ThreadKind.QUESTION, is_hidden=False)
    if community is not None:
        questions = questions.filter(community=community)
    if since is not None:
        questions = questions.filter(created_at__gte=since)
    if until is not None:
        questions = questions.filter(created_at__lt=until)
    routed = RoutedExpert.objects.filter(thread=OuterRef("pk"))
    questions = questions.annotate(
        was_routed=Exists(routed), was_hit=Exists(routed.filter(answered_post__isnull=False))
    )
    rows = list(questions.values_list("was_routed", "was_hit", "first_response_seconds"))
    routed_times = [s for was_routed, _, s in rows if was_routed and s is not None]
    unrouted_times = [s for was_routed, _, s in rows if not was_routed and s is not None]
    routed_count = sum(1 for was_routed, _, _ in rows if was_routed)
    hits = sum(1 for _, was_hit, _ in rows if was_hit)
    answers = Post.objects.filter(
        thread__in=questions.values("pk"), is_opening=False, is_hidden=False
    ).annotate(
        from_routed=Exists(
            RoutedExpert.objects.filter(thread=OuterRef("thread"), person=OuterRef("author"))
        )
    )
    counts = answers.aggregate(total=Count("pk"), routed=Count("pk", filter=Q(from_routed=True)))
    total = counts["total"] or 0
    return RoutingOutcomes(
        questions=len(rows),
        routed_questions=routed_count,
        hit_questions=hits,
        hit_rate=hits / routed_count if routed_count else None,
        answers=total,
        answers_from_routed=counts["routed"] or 0,
        routed_answer_share=(counts["routed"] or 0) / total if total else None,
        median_first_response_routed_seconds=_median(routed_times),
        median_first_response_unrouted_seconds=_median(unrouted_times),
    )
