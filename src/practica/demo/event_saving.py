"""Insert the planned events in bulk, with the ledger rows the services would have written.

Rows go in as tuples through `practica.core.bulk` (no model instances): event and AMA question
ids are allocated here so seats, hosts, registrations, feedback, materials, questions, votes
and costs can point at them. The ledger gets REGISTERED (when a registration got its seat),
ATTENDED (check-in), HOSTED/PRESENTED (member hosts and speakers of events that took place),
GAVE_FEEDBACK and ASKED_AMA_QUESTION rows shaped as `events.services` records them; the first
two, most of the rows, are written by one INSERT … SELECT from the saved registrations.
"""

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.contrib.contenttypes.models import ContentType
from django.db import connection

from practica.core.bulk import adapters, first_id, insert_rows, reset_sequences
from practica.core.models import Activity, ActivityKind
from practica.demo import event_catalogue as catalogue
from practica.demo.event_extras import URLS
from practica.demo.events import EventPlan
from practica.demo.qa_saving import ACTIVITY_COLUMNS
from practica.events.models import (
    AmaQuestion,
    AmaVote,
    CadenceTarget,
    CheckInMethod,
    Event,
    EventCost,
    EventHost,
    EventMaterial,
    EventSeats,
    EventSeries,
    EventStatus,
    Feedback,
    Registration,
    RegistrationStatus,
)

if TYPE_CHECKING:
    from practica.demo.story import DemoStory

EVENT_COLUMNS = (
    "id", "title", "description", "format", "community_id", "series_id", "starts_at", "ends_at",
    "time_zone", "mode", "venue_room", "venue_building", "venue_city", "online_url",
    "registration_opens_at", "registration_closes_at", "status", "cancellation_reason", "uid",
    "sequence", "check_in_code", "anonymous_questions", "offer_minutes", "created_by_id",
    "day_reminder_sent_at", "hour_reminder_sent_at", "feedback_requested_at", "created_at",
    "updated_at",
)  # fmt: skip
REGISTRATION_COLUMNS = (
    "event_id", "person_id", "mode", "status", "registered_at", "waitlist_position",
    "offered_at", "offer_expires_at", "cancelled_at", "checked_in_at", "check_in_method",
    "reminders_sent",
)  # fmt: skip
HOSTING_KINDS = {"host": ActivityKind.HOSTED, "moderator": ActivityKind.HOSTED,
                 "speaker": ActivityKind.PRESENTED}  # fmt: skip


def _sent(moment: datetime, now: datetime) -> datetime | None:
    return moment if moment < now else None


def _event_rows(story: "DemoStory", plans: list[EventPlan], series_ids: dict[str, int], dt):
    now = story.now
    uid_field = Event._meta.get_field("uid")
    for plan in plans:
        published = plan.status == EventStatus.PUBLISHED
        changed = plan.created_at
        if plan.sequence:
            changed = min(
                now - timedelta(hours=1), max(changed, plan.starts_at - timedelta(days=3))
            )
        yield (
            plan.id,
            plan.title,
            plan.description,
            plan.format,
            story.communities[plan.community].pk,
            series_ids.get(plan.series) if plan.series else None,
            dt(plan.starts_at),
            dt(plan.ends_at),
            plan.time_zone,
            plan.mode,
            plan.venue_room,
            plan.venue_building,
            plan.venue_city,
            plan.online_url,
            dt(plan.registration_opens_at),
            None,
            plan.status,
            plan.cancellation_reason,
            uid_field.get_db_prep_save(plan.uid, connection),
            plan.sequence,
            plan.check_in_code,
            plan.anonymous_questions,
            plan.offer_minutes,
            plan.organizer.user.pk,
            dt(_sent(plan.starts_at - timedelta(days=1), now)) if published else None,
            dt(_sent(plan.starts_at - timedelta(hours=1), now)) if published else None,
            dt(_sent(plan.ends_at + timedelta(minutes=15), now)) if published else None,
            dt(plan.created_at),
            dt(changed),
        )


def _save_series(story: "DemoStory", plans: list[EventPlan]) -> dict[str, int]:
    first: dict[str, datetime] = {}
    for plan in plans:
        if plan.series and plan.series not in first:
            first[plan.series] = plan.created_at
    specs = [spec for spec in catalogue.SERIES if spec.key in first]
    rows = EventSeries.objects.bulk_create(
        [
            EventSeries(
                community=story.communities[spec.community],
                title=spec.title,
                description=spec.description,
                cadence=spec.cadence,
                created_at=first[spec.key],
            )
            for spec in specs
        ]
    )
    return {spec.key: row.pk for spec, row in zip(specs, rows, strict=True)}


def _registration_rows(plans: list[EventPlan], dt):
    for plan in plans:
        for r in plan.registrations:
            yield (
                plan.id, r.person.user.pk, r.mode, r.status, dt(r.registered_at),
                r.waitlist_position, dt(r.offered_at), dt(r.offer_expires_at),
                dt(r.cancelled_at), dt(r.checked_in_at), r.check_in_method, r.reminders_sent,
            )  # fmt: skip


def _registration_ledger(plans: list[EventPlan], event_type: int) -> int:
    """REGISTERED and ATTENDED rows straight from the saved registrations, in time order
    (they are most of the ledger; the database makes them faster than Python can hand them
    over). REGISTERED when the seat was taken: at registering, or when offered from the
    waiting list (confirmed at once); not for walk-ins, who only attended. ATTENDED at the
    check-in, or the event's end for someone checked in afterwards."""
    if not plans:
        return 0
    quote = connection.ops.quote_name
    activity, registration, event = (
        quote(model._meta.db_table) for model in (Activity, Registration, Event)
    )
    if connection.vendor == "postgresql":
        mode, method = (
            "jsonb_build_object('mode', r.mode)",
            "jsonb_build_object('method', r.check_in_method)",
        )
        attended_at = "LEAST(r.checked_in_at, e.ends_at)"
    else:
        mode, method = "json_object('mode', r.mode)", "json_object('method', r.check_in_method)"
        attended_at = "min(r.checked_in_at, e.ends_at)"
    ids = (plans[0].id, plans[-1].id)
    statement = f"""
        INSERT INTO {activity} (kind, person_id, community_id, occurred_at, subject_type_id,
                                subject_id, counterpart_id, data)
        SELECT kind, person_id, community_id, occurred_at, %s, event_id, NULL, data FROM (
            SELECT %s AS kind, r.person_id, e.community_id,
                   COALESCE(r.offered_at, r.registered_at) AS occurred_at, r.event_id,
                   {mode} AS data
            FROM {registration} r JOIN {event} e ON e.id = r.event_id
            WHERE r.event_id BETWEEN %s AND %s AND r.status IN (%s, %s)
                  AND r.check_in_method <> %s
            UNION ALL
            SELECT %s, r.person_id, e.community_id, {attended_at}, r.event_id, {method}
            FROM {registration} r JOIN {event} e ON e.id = r.event_id
            WHERE r.event_id BETWEEN %s AND %s AND r.checked_in_at IS NOT NULL
        ) ledger ORDER BY occurred_at
    """  # noqa: S608 — table names from _meta, values as parameters
    params = [
        event_type, ActivityKind.REGISTERED, *ids, RegistrationStatus.REGISTERED,
        RegistrationStatus.CANCELLED, CheckInMethod.WALK_IN, ActivityKind.ATTENDED, *ids,
    ]  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.rowcount


def _ledger(story: "DemoStory", plans: list[EventPlan], dt, js) -> list[tuple[Any, ...]]:
    """The rest of the ledger: hosts and speakers, feedback, AMA questions."""
    event_type = ContentType.objects.get_for_model(Event).pk
    now = story.now
    rows: list[tuple[Any, ...]] = []
    add = rows.append
    for plan in plans:
        community_id = story.communities[plan.community].pk
        if plan.status == EventStatus.PUBLISHED and plan.starts_at <= now:
            seen = set()
            for host in plan.hosts:
                kind = HOSTING_KINDS[host.role]
                if host.person is None or (kind, id(host.person)) in seen:
                    continue
                seen.add((kind, id(host.person)))
                add((kind, host.person.user.pk, community_id, dt(plan.starts_at), event_type,
                     plan.id, None, js({"role": host.role})))  # fmt: skip
        for person, satisfaction, _recommend, _comment, at in plan.feedback:
            add((ActivityKind.GAVE_FEEDBACK, person.user.pk, community_id, dt(at), event_type,
                 plan.id, None, js({"satisfaction": satisfaction})))  # fmt: skip
        for q in plan.questions:
            data = {"anonymous": True} if q.is_anonymous else {"question": q.id}
            add((ActivityKind.ASKED_AMA_QUESTION, q.author.user.pk, community_id, dt(q.asked_at),
                 event_type, plan.id, None, js(data)))  # fmt: skip
    return rows


def save_events(story: "DemoStory") -> None:
    plans: list[EventPlan] = story.events
    dt, js = adapters()
    series_ids = _save_series(story, plans)
    event_id, question_id = first_id(Event), first_id(AmaQuestion)
    for plan in plans:
        plan.id, event_id = event_id, event_id + 1
        for question in plan.questions:
            question.id, question_id = question_id, question_id + 1
    insert_rows(Event, EVENT_COLUMNS, _event_rows(story, plans, series_ids, dt))
    topic_ids = {slug: topic.pk for slug, topic in story.topics.items()}
    insert_rows(
        Event.topics.through,
        ("event_id", "topic_id"),
        ((plan.id, topic_ids[slug]) for plan in plans for slug in plan.topics),
    )
    insert_rows(
        Event.co_hosts.through,
        ("event_id", "community_id"),
        ((plan.id, story.communities[slug].pk) for plan in plans for slug in plan.co_hosts),
    )
    insert_rows(
        EventSeats,
        ("event_id", "mode", "capacity", "waitlist_limit", "taken", "waitlisted",
         "last_waitlist_position"),
        (
            (plan.id, s.mode, s.capacity, s.waitlist_limit, s.taken, s.waitlisted,
             s.last_waitlist_position)
            for plan in plans
            for s in plan.seats.values()
        ),
    )  # fmt: skip
    insert_rows(
        EventHost,
        ("event_id", "person_id", "guest_name", "guest_affiliation", "role", "position"),
        (
            (plan.id, h.person.user.pk if h.person else None, h.guest_name, h.guest_affiliation,
             h.role, position)
            for plan in plans
            for position, h in enumerate(plan.hosts)
        ),
    )  # fmt: skip
    registrations = insert_rows(Registration, REGISTRATION_COLUMNS, _registration_rows(plans, dt))
    insert_rows(
        Feedback,
        ("event_id", "person_id", "satisfaction", "would_recommend", "comment", "submitted_at"),
        (
            (plan.id, person.user.pk, satisfaction, recommend, comment, dt(at))
            for plan in plans
            for person, satisfaction, recommend, comment, at in plan.feedback
        ),
    )
    _save_materials_questions_costs(story, plans, dt)
    reset_sequences(Event, AmaQuestion)
    CadenceTarget.objects.bulk_create(
        [
            CadenceTarget(
                community=story.communities[slug], events_per_year_min=low, events_per_year_max=high
            )
            for slug, (low, high) in catalogue.CADENCE.items()
            if slug in story.communities
        ]
    )
    ledger = _ledger(story, plans, dt, js)
    # In time order: most of the ledger's indexes lead with the time, so rows append.
    ledger.sort(key=lambda row: row[3])
    insert_rows(Activity, ACTIVITY_COLUMNS, ledger)
    attendance = _registration_ledger(plans, ContentType.objects.get_for_model(Event).pk)
    story.counts["events"] = len(plans)
    story.counts["registrations"] = registrations
    story.counts["activities"] = story.counts.get("activities", 0) + len(ledger) + attendance


def _save_materials_questions_costs(story: "DemoStory", plans: list[EventPlan], dt) -> None:
    insert_rows(
        EventMaterial,
        ("event_id", "kind", "title", "url", "added_by_id", "added_at"),
        (
            (plan.id, kind, title, URLS[kind].format(community=plan.community, id=plan.id),
             by.user.pk, dt(at))
            for plan in plans
            for kind, title, by, at in plan.materials
        ),
    )  # fmt: skip
    insert_rows(
        AmaQuestion,
        ("id", "event_id", "author_id", "is_anonymous", "text", "status", "vote_count",
         "asked_at", "answered_at"),
        (
            (q.id, plan.id, q.author.user.pk, q.is_anonymous, q.text, q.status, len(q.votes),
             dt(q.asked_at), dt(q.answered_at))
            for plan in plans
            for q in plan.questions
        ),
    )  # fmt: skip
    insert_rows(
        AmaVote,
        ("question_id", "person_id", "voted_at"),
        (
            (q.id, voter.user.pk, dt(at))
            for plan in plans
            for q in plan.questions
            for voter, at in q.votes
        ),
    )
    insert_rows(
        EventCost,
        ("event_id", "category", "description", "amount", "currency", "incurred_on",
         "recorded_by_id", "recorded_at"),
        (
            (plan.id, category, description, amount, "USD", incurred.isoformat(), by.user.pk,
             dt(at))
            for plan in plans
            for category, description, amount, incurred, by, at in plan.costs
        ),
    )  # fmt: skip
