"""Insert the planned conference in bulk, with the ledger rows the services would have written.

Rows go in as tuples through `practica.core.bulk`, ids counted up here so rows can point at
each other before either is written (the demo is alone on its database). The ledger gets
SERVED_ON_COMMITTEE (a seat, on the edition), PROPOSED (each accepted speaker of a submitted
proposal), REVIEWED (a submitted review, on the proposal), PRESENTED and KEYNOTED (speakers of
a published program's sessions and keynotes, on the slot), shaped as the conference services
record them.
"""

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.contrib.contenttypes.models import ContentType
from django.db import connection

from practica.conference.models import (
    AssignmentPin,
    Bid,
    CommitteeMember,
    DeclaredConflict,
    Edition,
    ProgramSlot,
    Proposal,
    ProposalComment,
    ProposalSpeaker,
    Review,
    ReviewAssignment,
    ReviewCriterion,
    ReviewerVolunteer,
    ReviewScore,
    Room,
    SessionFormat,
    SlotKind,
    Track,
)
from practica.conference.services.decisions import ensure_decision_templates
from practica.core.bulk import adapters, first_id, insert_rows, reset_sequences
from practica.core.models import Activity, ActivityKind
from practica.demo.conference_catalogue import ZONE
from practica.demo.conference_plans import EditionPlan, ProposalPlan
from practica.demo.growth import ML
from practica.demo.qa_saving import ACTIVITY_COLUMNS

if TYPE_CHECKING:
    from practica.demo.story import DemoStory

MODELS = (
    Edition, Track, SessionFormat, Room, ReviewCriterion, CommitteeMember, Proposal,
    ProposalSpeaker, ReviewerVolunteer, DeclaredConflict, Bid, AssignmentPin, ReviewAssignment,
    Review, ReviewScore, ProposalComment, ProgramSlot,
)  # fmt: skip


def _number(model, items: Iterable[Any]) -> None:
    """Give each planned row its id, above the table's largest."""
    next_id = first_id(model)
    for item in items:
        item.id, next_id = next_id, next_id + 1


def _day(value) -> str:
    return value.isoformat()


def _editions(story: "DemoStory", editions: list[EditionPlan], dt) -> None:
    community = story.communities[ML]
    chair_id = lambda e: e.chair.user.pk if e.chair else None  # noqa: E731
    _number(Edition, editions)
    insert_rows(
        Edition,
        ("id", "community_id", "name", "slug", "description", "event_id", "starts_on", "ends_on",
         "time_zone", "cfp_opens_at", "cfp_closes_at", "review_opens_at", "review_closes_at",
         "decisions_due_at", "reviewers_per_proposal", "reviewer_min_load", "reviewer_max_load",
         "double_blind", "is_published", "program_published_at", "review_reminder_sent_at",
         "created_by_id", "created_at", "updated_at"),
        (
            (e.id, community.pk, e.name, e.slug, e.event.description if e.event else "",
             e.event.id if e.event else None, _day(e.starts_on), _day(e.ends_on), ZONE,
             dt(e.cfp_opens_at), dt(e.cfp_closes_at), dt(e.review_opens_at),
             dt(e.review_closes_at), dt(e.decisions_due_at), 3, 0, e.max_load, e.double_blind,
             True, dt(e.program_published_at), None, chair_id(e), dt(e.created_at),
             dt(e.program_published_at or e.created_at))
            for e in editions
        ),
    )  # fmt: skip
    roots = [t.pk for t in story.topics.values() if t.depth == 0]
    insert_rows(
        Edition.topics.through,
        ("edition_id", "topic_id"),
        ((e.id, topic) for e in editions for topic in roots),
    )
    parts = [
        (Track, "tracks", ("id", "edition_id", "name", "description", "position"),
         lambda e, t: (t.id, e.id, t.name, t.description, t.position)),
        (SessionFormat, "formats",
         ("id", "edition_id", "kind", "name", "minutes", "open_for_proposals"),
         lambda e, f: (f.id, e.id, f.kind, f.name, f.minutes, f.open_for_proposals)),
        (Room, "rooms", ("id", "edition_id", "name", "venue", "capacity", "position"),
         lambda e, r: (r.id, e.id, r.name, r.venue, r.capacity, r.position)),
        (ReviewCriterion, "criteria",
         ("id", "edition_id", "name", "description", "weight", "position"),
         lambda e, c: (c.id, e.id, c.name, c.description, str(c.weight), c.position)),
    ]  # fmt: skip
    for model, attribute, columns, row in parts:
        items = [(e, item) for e in editions for item in getattr(e, attribute)]
        _number(model, (item for _e, item in items))
        insert_rows(model, columns, (row(e, item) for e, item in items))
    insert_rows(
        CommitteeMember,
        ("edition_id", "person_id", "is_chair", "added_at"),
        ((e.id, s.person.user.pk, s.is_chair, dt(s.added_at)) for e in editions
         for s in e.committee),
    )  # fmt: skip


def _proposals(story: "DemoStory", editions: list[EditionPlan], dt, js) -> None:
    proposals = [(e, p) for e in editions for p in e.proposals]
    _number(Proposal, (p for _e, p in proposals))
    insert_rows(
        Proposal,
        ("id", "edition_id", "title", "abstract", "format_id", "track_id", "audience_level",
         "links", "expected_audience", "state", "submitted_at", "withdrawn_at", "decided_at",
         "decided_by_id", "decision_mailed_at", "confirmed_at", "created_by_id", "created_at",
         "updated_at"),
        (
            (p.id, e.id, p.title, p.abstract, p.format.id, p.track.id, p.audience_level,
             js(p.links), p.expected_audience, p.state, dt(p.submitted_at), dt(p.withdrawn_at),
             dt(p.decided_at), e.chair.user.pk if p.decided_at and e.chair else None,
             dt(p.decision_mailed_at), dt(p.confirmed_at), p.created_by.user.pk,
             dt(p.created_at), dt(p.updated_at or p.created_at))
            for e, p in proposals
        ),
    )  # fmt: skip
    topic_ids = {slug: topic.pk for slug, topic in story.topics.items()}
    insert_rows(
        Proposal.topics.through,
        ("proposal_id", "topic_id"),
        ((p.id, topic_ids[slug]) for _e, p in proposals for slug in p.topics),
    )
    insert_rows(
        ProposalSpeaker,
        ("proposal_id", "person_id", "email", "status", "is_submitter", "token", "invited_at",
         "responded_at", "position"),
        (
            (p.id, s.person.user.pk, s.person.user.email, s.status, s.is_submitter, s.token,
             dt(s.invited_at), dt(s.responded_at), s.position)
            for _e, p in proposals
            for s in p.speakers
        ),
    )  # fmt: skip


def _pool(story: "DemoStory", editions: list[EditionPlan], dt) -> None:
    volunteers = [(e, v) for e in editions for v in e.reviewers]
    _number(ReviewerVolunteer, (v for _e, v in volunteers))
    insert_rows(
        ReviewerVolunteer,
        ("id", "edition_id", "person_id", "max_load", "statement", "is_active", "volunteered_at"),
        ((v.id, e.id, v.person.user.pk, v.max_load, v.statement, v.is_active,
          dt(v.volunteered_at)) for e, v in volunteers),
    )  # fmt: skip
    topic_ids = {slug: topic.pk for slug, topic in story.topics.items()}
    insert_rows(
        ReviewerVolunteer.topics.through,
        ("reviewervolunteer_id", "topic_id"),
        ((v.id, topic_ids[slug]) for _e, v in volunteers for slug in v.topics),
    )
    insert_rows(
        DeclaredConflict,
        ("proposal_id", "person_id", "reason", "declared_by_id", "declared_at"),
        ((p.id, person.user.pk, reason, by.user.pk, dt(at)) for e in editions
         for person, p, reason, by, at in e.declared),
    )  # fmt: skip
    insert_rows(
        Bid,
        ("reviewer_id", "proposal_id", "level", "updated_at"),
        ((v.id, p.id, level, dt(at)) for e in editions for v, p, level, at in e.bids),
    )
    insert_rows(
        AssignmentPin,
        ("proposal_id", "person_id", "kind", "set_by_id", "set_at"),
        ((p.id, person.user.pk, "pin", by.user.pk, dt(at)) for e in editions
         for p, person, by, at in e.pins),
    )  # fmt: skip


def save_assignments_and_reviews(editions: list[EditionPlan], dt, js) -> None:
    """Assignments not saved yet (id 0), their reviews and scores, and the comments."""
    pairs = [(p, a) for e in editions for p in e.proposals for a in p.assignments if a.id == 0]
    _number(ReviewAssignment, (a for _p, a in pairs))
    insert_rows(
        ReviewAssignment,
        ("id", "proposal_id", "reviewer_id", "source", "affinity", "affinity_detail",
         "assigned_at"),
        ((a.id, p.id, a.reviewer.person.user.pk, a.source, a.affinity, js(a.detail),
          dt(a.assigned_at)) for p, a in pairs),
    )  # fmt: skip
    reviews = [
        (e, a) for e in editions for p in e.proposals for a in p.assignments
        if a.review is not None and a.review.id == 0
    ]  # fmt: skip
    _number(Review, (a.review for _e, a in reviews))
    insert_rows(
        Review,
        ("id", "assignment_id", "status", "recommendation", "confidence", "comments_to_speakers",
         "comments_to_committee", "weighted_score", "submitted_at", "created_at", "updated_at"),
        ((r.id, a.id, r.status, r.recommendation, r.confidence, r.to_speakers, r.to_committee,
          r.weighted_score, dt(r.submitted_at), dt(r.created_at), dt(r.updated_at))
         for _e, a in reviews if (r := a.review) is not None),
    )  # fmt: skip
    insert_rows(
        ReviewScore,
        ("review_id", "criterion_id", "score"),
        (
            (a.review.id, criterion.id, score)
            for e, a in reviews
            if a.review is not None
            for criterion, score in zip(e.criteria, a.review.scores, strict=False)
        ),
    )
    insert_rows(
        ProposalComment,
        ("proposal_id", "author_id", "body", "created_at"),
        ((p.id, author.user.pk, body, dt(at)) for e in editions for p in e.proposals
         for author, body, at in p.comments),
    )  # fmt: skip


def _program(editions: list[EditionPlan], dt) -> None:
    slots = [(e, s) for e in editions for s in e.slots]
    _number(ProgramSlot, (s for _e, s in slots))
    uid = ProgramSlot._meta.get_field("uid")
    insert_rows(
        ProgramSlot,
        ("id", "edition_id", "kind", "proposal_id", "title", "speaker_id", "room_id", "track_id",
         "starts_at", "ends_at", "uid", "sequence"),
        ((s.id, e.id, s.kind, s.proposal.id if s.proposal else None, s.title,
          s.speaker.user.pk if s.speaker else None, s.room.id if s.room else None,
          s.track.id if s.track else None, dt(s.starts_at), dt(s.ends_at),
          uid.get_db_prep_save(s.uid, connection), 0) for e, s in slots),
    )  # fmt: skip


def save_editions(story: "DemoStory", editions: list[EditionPlan]) -> None:
    """Every planned row of the editions (reviews of assignments planned so far), then the
    decision mails' texts; PostgreSQL's sequences moved past the ids written."""
    dt, js = adapters()
    _editions(story, editions, dt)
    _proposals(story, editions, dt, js)
    _pool(story, editions, dt)
    save_assignments_and_reviews(editions, dt, js)
    _program(editions, dt)
    reset_sequences(*MODELS)
    for edition in Edition.objects.filter(community=story.communities[ML]):
        ensure_decision_templates(edition)


def _title(slot) -> str:
    return slot.title or (slot.proposal.title if slot.proposal else "")


def save_ledger(story: "DemoStory", editions: list[EditionPlan]) -> int:
    """The conference's activity rows, in time order."""
    dt, js = adapters()
    types = ContentType.objects.get_for_models(Edition, Proposal, ProgramSlot)
    edition_type, proposal_type, slot_type = (types[m].pk for m in (Edition, Proposal, ProgramSlot))
    community = story.communities[ML].pk
    rows: list[tuple[Any, ...]] = []
    add = rows.append
    for e in editions:
        for seat in e.committee:
            add((ActivityKind.SERVED_ON_COMMITTEE, seat.person.user.pk, community,
                 seat.added_at, edition_type, e.id, None, {"chair": seat.is_chair}))  # fmt: skip
        for p in e.proposals:
            _proposal_rows(add, p, e, community, proposal_type)
        for slot in e.slots:
            if slot.kind == SlotKind.SESSION and slot.proposal is not None:
                kind, people = ActivityKind.PRESENTED, slot.proposal.accepted_people
            elif slot.kind == SlotKind.KEYNOTE and slot.speaker is not None:
                kind, people = ActivityKind.KEYNOTED, [slot.speaker]
            else:
                continue
            data = {"edition_id": e.id, "proposal_id": slot.proposal.id if slot.proposal else None,
                    "title": _title(slot)}  # fmt: skip
            for person in people:
                add((kind, person.user.pk, community, slot.starts_at, slot_type, slot.id, None,
                     data))  # fmt: skip
    rows.sort(key=lambda row: row[3])
    insert_rows(
        Activity,
        ACTIVITY_COLUMNS,
        (
            (kind, person, c, dt(at), t, s, cp, js(data))
            for kind, person, c, at, t, s, cp, data in rows
        ),
    )
    return len(rows)


def _proposal_rows(add, p: ProposalPlan, e: EditionPlan, community: int, proposal_type: int):
    if p.submitted_at is not None:
        for s in p.speakers:
            if s.status == "accepted":
                at: datetime = max(p.submitted_at, s.responded_at or p.submitted_at)
                add((ActivityKind.PROPOSED, s.person.user.pk, community, at, proposal_type,
                     p.id, None, {"edition": e.id}))  # fmt: skip
    for a in p.assignments:
        r = a.review
        if r is not None and r.submitted_at is not None:
            data = {"edition": e.id, "recommendation": r.recommendation}
            add((ActivityKind.REVIEWED, a.reviewer.person.user.pk, community, r.submitted_at,
                 proposal_type, p.id, None, data))  # fmt: skip
