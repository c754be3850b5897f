"""The ledger of `practica bench dashboard`'s history: questions and answers, events,
pulses and the rest of the activity (see `practica.bench.dashboard_history` for the whole).
"""

import bisect
import hashlib
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction

from practica.bench.dashboard_history import (
    ACTIVITY_COLUMNS,
    CHUNK,
    DAY,
    LEADERS,
    ORGANIZERS,
    YEARS,
    Generator,
    History,
    Roster,
    fast_load,
    insert_chunked,
)
from practica.core.bulk import first_id, insert_rows, reset_sequences
from practica.core.models import Activity, ActivityKind
from practica.discussions.models import Post, Thread, ThreadKind, ThreadState
from practica.events.models import (
    CheckInMethod,
    Event,
    EventFormat,
    EventHost,
    EventMode,
    EventStatus,
    Feedback,
    Registration,
    RegistrationStatus,
    SeatMode,
    SpeakerRole,
)
from practica.metrics.models import PulseInvitation, PulseStatus, PulseSurvey

LOADED_TABLES = (
    "core_activity", "discussions_thread", "discussions_post", "communities_membership",
    "people_affiliation", "events_registration", "people_user",
)  # fmt: skip
QUESTIONS_PER_ROW = 250 / 3000  # 250,000 questions for 3,000,000 ledger rows
UNANSWERED = 0.10
FILLER_KINDS = (
    (ActivityKind.VOTED, 0.52),
    (ActivityKind.REPLIED, 0.14),
    (ActivityKind.ROUTED, 0.08),
    (ActivityKind.REVIEWED, 0.06),
    (ActivityKind.DISCUSSED, 0.06),
    (ActivityKind.PROPOSED, 0.05),
    (ActivityKind.PRESENTED, 0.03),
    (ActivityKind.ASKED_AMA_QUESTION, 0.03),
    (ActivityKind.INVITED, 0.03),
)
THREAD_COLUMNS = (
    "id",
    "community_id",
    "kind",
    "title",
    "author_id",
    "state",
    "accepted_answer_id",
    "created_at",
    "last_activity_at",
    "first_response_at",
    "first_response_seconds",
    "accepted_at",
    "accepted_answer_seconds",
    "answer_count",
    "view_count",
)
POST_COLUMNS = (
    "id",
    "thread_id",
    "author_id",
    "is_opening",
    "body",
    "body_html",
    "created_at",
    "author_org_unit_id",
    "author_career_level",
    "is_cross_org",
    "is_cross_level",
)


# --- Questions and answers ----------------------------------------------------------


def median_hours(g: Generator, seconds: float) -> float:
    """Median hours to a first response: 12 in the first year, halving every ~3.5 years."""
    years = (seconds - g.start_s) / (365.25 * DAY)
    return 12.0 * 0.82**years


def _plan_answers(
    g: Generator, roster: Roster, asker: int, asked_s: float, post_id: int
) -> list[tuple[int, float, int]]:
    """(post id, seconds, person index) of a question's answers: none for 10 per cent, else
    the first after a log-normal wait around the year's median, more with probability 0.44
    each (1.8 on average), none after the present."""
    rng = g.rng
    answers: list[tuple[int, float, int]] = []
    if rng.random() < UNANSWERED:
        return answers
    median = median_hours(g, asked_s)
    moment = asked_s + 3600 * median * float(np.exp(1.2 * rng.standard_normal()))
    while moment < g.now_s and len(answers) < 8:
        who = g.member_at(roster, moment, asker)
        if who is None:
            break
        answers.append((post_id + len(answers), moment, who))
        if rng.random() >= 0.44:
            break
        moment += 3600 * 2 * median * float(np.exp(1.1 * rng.standard_normal()))
    return answers


def save_questions(g: Generator) -> None:
    rng = g.rng
    total = max(1, round(g.activities * QUESTIONS_PER_ROW))
    thread_type = ContentType.objects.get_for_model(Thread).pk
    post_type = ContentType.objects.get_for_model(Post).pk
    thread_id, post_id = first_id(Thread), first_id(Post)
    threads, posts, ledger, topics = [], [], [], []
    shares = (0.9, 0.05, 0.05)
    for c, roster in enumerate(g.rosters):
        community_id = g.community_rows[c].pk
        askers, asked = g.draw(roster, round(total * shares[c]))
        order = np.argsort(asked)
        for asker, asked_s in zip(askers[order].tolist(), asked[order].tolist(), strict=True):
            tid, asker_id = thread_id, int(g.user_ids[asker])
            thread_id += 1
            opening = post_id
            post_id += 1
            asked_at = g.moment(asked_s)
            asker_unit = g.unit_at(asker, asked_s)
            posts.append(
                (
                    opening,
                    tid,
                    asker_id,
                    True,
                    "Question",
                    "<p>Question</p>",
                    asked_at,
                    asker_unit,
                    int(g.level[asker]),
                    None,
                    None,
                )
            )
            topic = g.topic_ids[int(rng.integers(len(g.topic_ids)))]
            topics.append((tid, topic))
            ledger.append(
                (
                    ActivityKind.ASKED,
                    asker_id,
                    community_id,
                    asked_at,
                    thread_type,
                    tid,
                    None,
                    g.js({"urgent": False, "topics": [topic]}),
                )
            )
            answers = _plan_answers(g, roster, asker, asked_s, post_id)
            post_id += len(answers)
            for pid, moment, who in answers:
                unit = g.unit_at(who, moment)
                at, who_id = g.moment(moment), int(g.user_ids[who])
                cross = g.team_group[unit] != g.team_group[asker_unit]
                lower = int(g.level[who]) < int(g.level[asker])
                posts.append(
                    (
                        pid,
                        tid,
                        who_id,
                        False,
                        "Answer",
                        "<p>Answer</p>",
                        at,
                        unit,
                        int(g.level[who]),
                        cross,
                        lower,
                    )
                )
                ledger.append(
                    (
                        ActivityKind.ANSWERED,
                        who_id,
                        community_id,
                        at,
                        post_type,
                        pid,
                        asker_id,
                        g.js(
                            {
                                "thread": tid,
                                "cross_org": cross,
                                "cross_level": lower,
                                "seconds_since_question": int(moment - asked_s),
                            }
                        ),
                    )
                )
            accepted = None
            if answers and rng.random() < 0.55:
                accepted_s = answers[0][1] + 3600 * 3 * float(np.exp(rng.standard_normal()))
                if accepted_s < g.now_s:
                    accepted = (answers[0][0], accepted_s)
                    ledger.append(
                        (
                            ActivityKind.ACCEPTED,
                            asker_id,
                            community_id,
                            g.moment(accepted_s),
                            post_type,
                            answers[0][0],
                            int(g.user_ids[answers[0][2]]),
                            g.js(
                                {
                                    "thread": tid,
                                    "previous": None,
                                    "seconds_since_question": int(accepted_s - asked_s),
                                    "by_moderator": False,
                                }
                            ),
                        )
                    )
            first = answers[0][1] if answers else None
            last = max([asked_s] + [a[1] for a in answers] + ([accepted[1]] if accepted else []))
            state = (
                ThreadState.ACCEPTED
                if accepted
                else ThreadState.ANSWERED
                if answers
                else ThreadState.OPEN
            )
            threads.append(
                (
                    tid,
                    community_id,
                    ThreadKind.QUESTION,
                    f"Question {tid}",
                    asker_id,
                    state,
                    accepted[0] if accepted else None,
                    asked_at,
                    g.moment(last),
                    g.moment(first) if first else None,
                    int(first - asked_s) if first else None,
                    g.moment(accepted[1]) if accepted else None,
                    int(accepted[1] - asked_s) if accepted else None,
                    len(answers),
                    20 + 10 * len(answers),
                )
            )
    # Threads point at their accepted answers: the foreign keys are checked at commit.
    with transaction.atomic():
        insert_chunked(Thread, THREAD_COLUMNS, threads)
        insert_chunked(Post, POST_COLUMNS, posts)
    insert_chunked(Thread.topics.through, ("thread_id", "topic_id"), topics)
    reset_sequences(Thread, Post)
    g.rows += insert_chunked(Activity, ACTIVITY_COLUMNS, ledger)
    g.counts_questions = len(threads)
    g.counts_answers = len(posts) - len(threads)


# --- Events -------------------------------------------------------------------------


def save_events(g: Generator) -> None:
    rng, roster = g.rng, g.rosters[0]
    count = max(6, min(600, g.members // 330))
    formats = [f for f in EventFormat if f != EventFormat.CONFERENCE]
    planned: list[tuple[float, str]] = []  # (starts, format): two conferences a year first
    for year in range(YEARS + 1):
        for month in (3, 9):
            moment = datetime(g.now.year - YEARS + year, month, 20, 16, tzinfo=UTC)
            if moment.timestamp() < g.now_s - 30 * DAY:
                planned.append((moment.timestamp(), EventFormat.CONFERENCE))
    _people, starts = g.draw(roster, max(0, count - len(planned)))
    planned += [(float(s), formats[int(rng.integers(len(formats)))]) for s in starts]
    organizers = [
        int(g.user_ids[i]) for i in range(2 + LEADERS, 2 + LEADERS + ORGANIZERS) if i < g.members
    ] or [g.manager.pk]
    rows = []
    for n, (starts_s, fmt) in enumerate(planned):
        begin = datetime.fromtimestamp(round(starts_s / 3600) * 3600, UTC)
        hours = 8 if fmt == EventFormat.CONFERENCE else 1.5
        rows.append(
            Event(
                title=f"{fmt.label} {n}",
                format=fmt,
                community=g.community_rows[0],
                starts_at=begin,
                ends_at=begin + timedelta(hours=hours),
                mode=EventMode.HYBRID,
                status=EventStatus.PUBLISHED,
                created_by_id=organizers[n % len(organizers)],
            )
        )
    events = Event.objects.bulk_create(rows, batch_size=1000)
    EventHost.objects.bulk_create(
        [EventHost(event=e, person_id=e.created_by_id, role=SpeakerRole.HOST) for e in events]
    )
    _save_registrations(g, events)
    g.counts_events = len(events)


def _save_registrations(g: Generator, events: list[Event]) -> None:
    rng, roster = g.rng, g.rosters[0]
    event_type = ContentType.objects.get_for_model(Event).pk
    community_id = g.community_rows[0].pk
    registrations, feedback, ledger = [], [], []
    scale = g.members / 200_000
    for event in events:
        start_s = event.starts_at.timestamp()
        top = bisect.bisect_right(roster.joined_list, start_s)
        conference = event.format == EventFormat.CONFERENCE
        wanted = (0.02 * top) if conference else 60 * scale * float(rng.lognormal(0, 0.6))
        wanted = min(top, max(3, int(wanted)))
        past = event.ends_at.timestamp() < g.now_s
        seen: set[int] = set()
        for _ in range(wanted * 2):
            if len(seen) >= wanted:
                break
            registered_s = start_s - DAY * float(rng.uniform(0.5, 20))
            who = g.member_at(roster, registered_s, -1)
            if who is None or who in seen:
                continue
            seen.add(who)
            pid, at = int(g.user_ids[who]), g.moment(registered_s)
            cancelled = rng.random() < 0.08
            checked = past and not cancelled and rng.random() < 0.65
            checked_s = start_s + 600 * float(rng.random())
            registrations.append(
                (
                    event.pk,
                    pid,
                    SeatMode.ONLINE if rng.random() < 0.6 else SeatMode.IN_PERSON,
                    RegistrationStatus.CANCELLED if cancelled else RegistrationStatus.REGISTERED,
                    at,
                    g.moment(registered_s + DAY) if cancelled else None,
                    g.moment(checked_s) if checked else None,
                    CheckInMethod.SELF if checked else "",
                )
            )
            ledger.append(
                (
                    ActivityKind.REGISTERED,
                    pid,
                    community_id,
                    at,
                    event_type,
                    event.pk,
                    None,
                    g.empty,
                )
            )
            if checked:
                ledger.append(
                    (
                        ActivityKind.ATTENDED,
                        pid,
                        community_id,
                        g.moment(checked_s),
                        event_type,
                        event.pk,
                        None,
                        g.empty,
                    )
                )
                if rng.random() < 0.35:
                    score = int(rng.choice([1, 2, 3, 4, 5], p=[0.03, 0.05, 0.14, 0.40, 0.38]))
                    given = g.moment(event.ends_at.timestamp() + 3600 * 5)
                    feedback.append((event.pk, pid, score, "", given))
                    ledger.append(
                        (
                            ActivityKind.GAVE_FEEDBACK,
                            pid,
                            community_id,
                            given,
                            event_type,
                            event.pk,
                            None,
                            g.js({"satisfaction": score}),
                        )
                    )
        if past:
            ledger.append(
                (
                    ActivityKind.HOSTED,
                    event.created_by_id,
                    community_id,
                    g.moment(start_s),
                    event_type,
                    event.pk,
                    None,
                    g.empty,
                )
            )
    columns = (
        "event_id",
        "person_id",
        "mode",
        "status",
        "registered_at",
        "cancelled_at",
        "checked_in_at",
        "check_in_method",
    )
    g.counts_registrations = insert_chunked(Registration, columns, registrations)
    insert_chunked(
        Feedback, ("event_id", "person_id", "satisfaction", "comment", "submitted_at"), feedback
    )
    g.rows += insert_chunked(Activity, ACTIVITY_COLUMNS, ledger)


# --- Pulses and the rest of the ledger ----------------------------------------------


def save_pulses(g: Generator) -> None:
    rng, roster = g.rng, g.rosters[0]
    surveys, invited = [], []
    for k in range(6):
        send = g.now - timedelta(days=182 * (6 - k) - 30)
        send_s = send.timestamp()
        members = [
            int(roster.person[j])
            for j in range(bisect.bisect_right(roster.joined_list, send_s))
            if roster.ends[j] > send_s
        ]
        size = min(len(members), 1500, max(20, len(members) // 20))
        sample = rng.choice(members, size, replace=False).tolist() if size else []
        surveys.append(
            PulseSurvey(
                community=g.community_rows[0],
                question="How likely are you to recommend this community to a colleague?",
                sample_size=size,
                send_at=send,
                closes_at=send + timedelta(days=14),
                min_interval_days=90,
                status=PulseStatus.CLOSED,
                created_by=g.manager,
                created_at=send,
                sent_at=send,
                invited_count=size,
            )
        )
        invited.append(sample)
    PulseSurvey.objects.bulk_create(surveys)
    rows = []
    for k, (survey, sample) in enumerate(zip(surveys, invited, strict=True)):
        for who in sample:
            answered = rng.random() < 0.4
            score = int(min(10, max(0, round(rng.normal(6.5 + 0.3 * k, 2.2)))))
            token = hashlib.sha256(f"bench-{survey.pk}-{who}".encode()).hexdigest()
            rows.append(
                (
                    survey.pk,
                    int(g.user_ids[who]),
                    token,
                    "",
                    survey.send_at,
                    score if answered else None,
                    survey.send_at + timedelta(hours=30) if answered else None,
                )
            )
    columns = (
        "survey_id",
        "person_id",
        "token_hash",
        "comment",
        "invited_at",
        "score",
        "answered_at",
    )
    g.counts_invitations = insert_chunked(PulseInvitation, columns, rows)


def save_filler(g: Generator) -> None:
    """The rest of the ledger, up to `activities` rows, in chunks drawn as arrays."""
    remaining = max(0, g.activities - g.rows)
    kinds = [kind for kind, _share in FILLER_KINDS]
    shares = np.array([share for _kind, share in FILLER_KINDS])
    while remaining > 0:
        size = min(CHUNK, remaining)
        remaining -= size
        parts = np.array([0.9, 0.05, 0.05]) * size
        sizes = [size - int(parts[1]) - int(parts[2]), int(parts[1]), int(parts[2])]
        rows: list[tuple[Any, ...]] = []
        for c, roster in enumerate(g.rosters):
            people, moments = g.draw(roster, sizes[c])
            which = g.rng.choice(len(kinds), sizes[c], p=shares / shares.sum())
            community_id = g.community_rows[c].pk
            ids = g.user_ids[people].tolist()
            for pid, seconds, kind in zip(ids, moments.tolist(), which.tolist(), strict=True):
                rows.append(
                    (kinds[kind], pid, community_id, g.moment(seconds), None, None, None, g.empty)
                )
        g.rows += insert_rows(Activity, ACTIVITY_COLUMNS, rows)


def generate_history(*, members: int, activities: int, seed: int) -> tuple[History, dict]:
    """Write the whole history into the (empty, migrated) database; returns it and its counts."""
    generator = Generator(members=members, activities=activities, seed=seed)
    with fast_load(LOADED_TABLES):
        generator.org_chart()
        generator.people()
        generator.communities()
        save_questions(generator)
        save_events(generator)
        save_pulses(generator)
        save_filler(generator)
    if connection.vendor == "postgresql":
        # Fresh bulk-loaded tables have no statistics yet: plan queries as on a live database.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    counts = {
        "members": members,
        "memberships": generator.counts_memberships,
        "affiliations": generator.counts_affiliations,
        "activities": Activity.objects.count(),
        "questions": generator.counts_questions,
        "answers": generator.counts_answers,
        "events": generator.counts_events,
        "registrations": generator.counts_registrations,
        "pulse_invitations": generator.counts_invitations,
    }
    history = History(
        community=generator.community_rows[0],
        manager=generator.manager,
        now=generator.now,
        counts=counts,
    )
    return history, counts
