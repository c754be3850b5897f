"""The demo's conference: editions twice a year since 2014 with proposals, reviews, decisions and
published programs; the edition under review today with hundreds of proposals, over a hundred
reviewers, bids, conflicts and solver assignments; the ledger that matches.

The demo is loaded once for `TestConferenceDemo` (a community of 2,000 members: the
conference's full size, see `conference_setup.FULL_SIZE_MEMBERS`) inside a transaction rolled
back after the class; each test runs in its own savepoint. The small demo on another day runs
outside the class, on an empty database.
"""

import io
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from statistics import mean

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import Count, F, Q

from practica.conference.models import (
    AssignmentRun,
    Bid,
    CommitteeMember,
    DeclaredConflict,
    Edition,
    EditionPhase,
    ProgramSlot,
    Proposal,
    ProposalSpeaker,
    ProposalState,
    Review,
    ReviewAssignment,
    ReviewerVolunteer,
    ReviewStatus,
    RunStatus,
    SlotKind,
)
from practica.conference.permissions import can_review, is_chair
from practica.conference.queries.conflicts import detect_conflicts
from practica.conference.queries.program import program_warnings
from practica.conference.services.reviews import submit_review, weighted_score
from practica.core.models import Activity, ActivityKind
from practica.demo.logins import MANAGER_EMAIL, MEMBER_EMAIL
from practica.events.models import Event, EventFormat
from practica.people.models import User

N = 2000
TODAY = "2026-11-27"
NOW = datetime(2026, 11, 27, tzinfo=UTC)
PAST = [f"{season} {year}" for year in range(2014, 2027) for season in ("Spring", "Autumn")]
DECIDED = (ProposalState.ACCEPTED, ProposalState.CONFIRMED)


def load_demo(*, members: int, today: str, seed: int = 7) -> None:
    call_command(
        "demo", "--members", str(members), "--seed", str(seed), "--today", today,
        stdout=io.StringIO(),
    )  # fmt: skip


@pytest.fixture(scope="class")
def demo(django_db_setup, django_db_blocker):
    """The demo, loaded once for the class and rolled back after it."""
    with django_db_blocker.unblock():
        ContentType.objects.clear_cache()
        outer = transaction.atomic()
        outer.__enter__()
        try:
            load_demo(members=N, today=TODAY)
            # Check the demo's deferred foreign keys once, here: else every test's teardown
            # (which checks the constraints inside its savepoint) checks them all again.
            connection.check_constraints()
            yield
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            ContentType.objects.clear_cache()


@pytest.fixture
def editions(demo, db):
    return list(Edition.objects.order_by("starts_on"))


class TestConferenceDemo:
    def test_editions_twice_a_year_since_2014(self, editions):
        assert [e.name for e in editions] == [*PAST, "Spring 2027"]
        *past, current = editions
        for edition in past:
            assert edition.phase(NOW) == EditionPhase.FINISHED
            assert edition.starts_on.month == (4 if edition.name.startswith("Spring") else 10)
            assert edition.ends_on == edition.starts_on + timedelta(days=1)
            assert (
                edition.cfp_opens_at
                < edition.cfp_closes_at
                < edition.review_opens_at
                < edition.review_closes_at
                < edition.decisions_due_at
                < edition.program_published_at
            )
            assert edition.program_published_at.date() < edition.starts_on
        assert current.phase(NOW) == EditionPhase.REVIEWING
        assert current.is_published
        assert current.program_published_at is None
        assert NOW - timedelta(days=7) < current.cfp_closes_at < NOW - timedelta(days=2)
        assert current.review_opens_at < NOW < current.review_closes_at
        # Each edition is a conference event on the community's calendar, over its days.
        events = Event.objects.filter(
            format=EventFormat.CONFERENCE, community__slug="machine-learning"
        )
        assert events.count() == len(editions)
        for edition in Edition.objects.select_related("event"):
            assert edition.event.starts_at.astimezone(UTC).date() == edition.starts_on
        assert (
            events.filter(registrations__isnull=False, starts_at__year=2025).distinct().count() == 2
        )
        # Every edition's set-up: tracks, formats (keynotes by invitation), rooms, criteria, chair.
        parts = Edition.objects.annotate(
            tracks_=Count("tracks", distinct=True),
            formats_=Count("formats", distinct=True),
            rooms_=Count("rooms", distinct=True),
            criteria_=Count("criteria", distinct=True),
            chairs_=Count("committee", filter=Q(committee__is_chair=True), distinct=True),
            committee_=Count("committee", distinct=True),
            templates_=Count("decision_templates", distinct=True),
        )
        for edition in parts:
            assert edition.tracks_ >= 3
            assert edition.rooms_ >= edition.tracks_
            assert edition.formats_ >= 2
            assert edition.criteria_ >= 3
            assert edition.chairs_ == 1
            assert edition.committee_ >= 5
            assert edition.templates_ == 3
        manager = User.objects.get(email=MANAGER_EMAIL)
        assert is_chair(manager, current)
        assert CommitteeMember.objects.get(edition=current, is_chair=True).person == manager
        tracks = set(current.tracks.values_list("name", flat=True))
        assert tracks >= {"Research", "Engineering", "Applied ML", "MLOps"}
        assert not current.formats.get(kind="keynote").open_for_proposals

    def test_proposals_grow_and_have_speakers_and_topics(self, editions):
        counts = dict(Edition.objects.annotate(n=Count("proposals")).values_list("name", "n"))
        assert 10 <= counts["Spring 2014"] < 60
        assert counts["Autumn 2026"] >= 200
        assert counts["Spring 2027"] >= 250
        assert counts["Autumn 2026"] > counts["Spring 2020"] > counts["Spring 2014"]
        proposals = Proposal.objects.all()
        assert not proposals.filter(topics__isnull=True).exists()
        assert not proposals.filter(track__isnull=True).exists()
        assert proposals.values("title").distinct().count() > 0.8 * proposals.count()
        assert (
            not proposals.filter(speakers__is_submitter=True)
            .annotate(n=Count("speakers", filter=Q(speakers__is_submitter=True)))
            .filter(n__gt=1)
            .exists()
        )
        assert not proposals.exclude(speakers__is_submitter=True).exists()
        assert not proposals.exclude(
            speakers__person=F("created_by"), speakers__is_submitter=True
        ).exists()
        # Co-speakers: teammates mostly, some from another division.
        co = ProposalSpeaker.objects.filter(is_submitter=False).select_related(
            "person__org_unit", "proposal__created_by__org_unit"
        )
        assert co.count() > 0.2 * proposals.count()
        other_division = [
            s for s in co if s.person.org_unit.path.split("/")[1]
            != s.proposal.created_by.org_unit.path.split("/")[1]
        ]  # fmt: skip
        assert len(other_division) > 0.05 * co.count()
        # Submitted inside the call; a few drafts and withdrawals.
        assert not proposals.filter(submitted_at__gt=F("edition__cfp_closes_at")).exists()
        assert not proposals.filter(submitted_at__lt=F("edition__cfp_opens_at")).exists()
        states = Counter(proposals.values_list("state", flat=True))
        assert states[ProposalState.DRAFT] > 0
        assert states[ProposalState.WITHDRAWN] > 0
        assert not proposals.filter(state=ProposalState.DRAFT, submitted_at__isnull=False).exists()

    def test_past_decisions_and_published_programs(self, editions):
        *past, _current = editions
        for edition in past:
            proposals = edition.proposals.all()
            states = Counter(proposals.values_list("state", flat=True))
            decided = sum(states[s] for s in DECIDED)
            in_review = decided + states[ProposalState.REJECTED] + states[ProposalState.WAITLISTED]
            assert states[ProposalState.SUBMITTED] == 0, edition
            assert 0.3 <= decided / in_review <= 0.7, edition
            assert states[ProposalState.CONFIRMED] > states[ProposalState.ACCEPTED]
            # Every accepted proposal is in the published program.
            scheduled = set(
                edition.program_slots.filter(proposal__isnull=False).values_list(
                    "proposal_id", flat=True
                )
            )
            accepted = set(proposals.filter(state__in=DECIDED).values_list("pk", flat=True))
            assert scheduled == accepted, edition
            assert not proposals.filter(
                state__in=(*DECIDED, ProposalState.REJECTED, ProposalState.WAITLISTED),
                decision_mailed_at__isnull=True,
            ).exists()
            slots = edition.program_slots.all()
            kinds = Counter(slots.values_list("kind", flat=True))
            assert kinds[SlotKind.KEYNOTE] == 2
            assert kinds[SlotKind.BREAK] >= 3
            assert not slots.filter(
                starts_at__lt=edition.event.starts_at - timedelta(minutes=1)
            ).exists()
        # Scores agree with decisions: accepted proposals scored higher than rejected ones.
        latest = past[-1]
        means = {}
        for state in (ProposalState.CONFIRMED, ProposalState.REJECTED):
            scores = Review.objects.filter(
                assignment__proposal__edition=latest,
                assignment__proposal__state=state,
                status=ReviewStatus.SUBMITTED,
            ).values_list("weighted_score", flat=True)
            means[state] = mean(scores)
        assert means[ProposalState.CONFIRMED] > means[ProposalState.REJECTED] + 0.5
        # The builder's warnings find nothing to fix in the published programs.
        for edition in (past[0], past[len(past) // 2], latest):
            assert program_warnings(edition) == [], edition
        keynoters = User.objects.filter(keynote_slots__isnull=False).distinct()
        assert keynoters.exists()
        assert all(
            (person.career_level or 0) >= 9
            or person.memberships.filter(role__in=["leader", "executive_sponsor"]).exists()
            for person in keynoters
        )

    def test_the_edition_under_review(self, editions):
        current = editions[-1]
        in_review = current.proposals.in_review()
        assert in_review.count() >= 250
        pool = ReviewerVolunteer.objects.filter(edition=current, is_active=True)
        assert pool.count() >= 100
        assert not pool.filter(topics__isnull=True).exists()
        assert not pool.filter(max_load__gt=current.reviewer_max_load).exists()
        assert (
            Bid.objects.filter(reviewer__edition=current).values("reviewer").distinct().count() > 20
        )
        levels = set(Bid.objects.filter(reviewer__edition=current).values_list("level", flat=True))
        assert levels >= {"eager", "willing", "not_willing"}
        assert DeclaredConflict.objects.filter(proposal__edition=current).exists()
        # Three reviewers per proposal in review; nobody above their most load.
        per_proposal = Counter(
            ReviewAssignment.objects.filter(proposal__edition=current).values_list(
                "proposal_id", flat=True
            )
        )
        assert set(per_proposal.values()) == {3}
        assert set(per_proposal) == set(in_review.values_list("pk", flat=True))
        loads = Counter(
            ReviewAssignment.objects.filter(proposal__edition=current).values_list(
                "reviewer_id", flat=True
            )
        )
        most = dict(pool.values_list("person_id", "max_load"))
        assert all(loads[person] <= most[person] for person in loads)
        # The solver's run, applied by the chair, with its report.
        run = AssignmentRun.objects.get(edition=current)
        assert run.status == RunStatus.DONE
        assert run.applied_at is not None
        assert run.applied_at < NOW
        assert run.report["gap"] < 0.01
        assert run.report["pairs"] == 3 * in_review.count()
        # About a third reviewed so far, some drafts.
        reviews = Review.objects.filter(assignment__proposal__edition=current)
        statuses = Counter(reviews.values_list("status", flat=True))
        assigned = sum(per_proposal.values())
        assert 0.25 * assigned <= statuses[ReviewStatus.SUBMITTED] <= 0.45 * assigned
        assert statuses[ReviewStatus.DRAFT] > 0
        assert not reviews.filter(submitted_at__gte=NOW).exists()

    def test_the_member_login_can_review(self, editions):
        current = editions[-1]
        member = User.objects.get(email=MEMBER_EMAIL)
        mine = ReviewAssignment.objects.filter(proposal__edition=current, reviewer=member)
        assert mine.count() >= 2
        waiting = [a for a in mine.select_related("proposal") if not hasattr(a, "review")]
        assert waiting
        proposal = waiting[0].proposal
        assert can_review(member, proposal)
        criteria = list(current.criteria.all())
        review = submit_review(
            proposal=proposal,
            reviewer=member,
            scores={criterion.pk: 4 for criterion in criteria},
            recommendation=1,
            confidence=3,
            comments_to_speakers="Clear and useful; please show the evaluation set.",
            now=NOW + timedelta(hours=10),
        )
        assert review.status == ReviewStatus.SUBMITTED
        assert review.weighted_score == 4

    def test_reviews_only_by_assigned_reviewers_without_conflicts(self, editions):
        for edition in editions:
            conflicts = detect_conflicts(edition).pairs()
            pairs = set(
                ReviewAssignment.objects.filter(proposal__edition=edition).values_list(
                    "proposal_id", "reviewer_id"
                )
            )
            assert not pairs & conflicts, edition
        own = ReviewAssignment.objects.filter(proposal__speakers__person=F("reviewer"))
        assert not own.exists()
        # A review belongs to its assignment's reviewer, who volunteered for the edition.
        volunteers = set(ReviewerVolunteer.objects.values_list("edition_id", "person_id"))
        reviewed = set(
            Review.objects.values_list(
                "assignment__proposal__edition_id", "assignment__reviewer_id"
            )
        )
        assert reviewed <= volunteers
        # Submitted reviews: a score per criterion, the weighted mean kept, inside the window.
        submitted = Review.objects.filter(status=ReviewStatus.SUBMITTED).select_related(
            "assignment__proposal__edition"
        )
        assert not submitted.filter(
            Q(submitted_at__lt=F("assignment__proposal__edition__review_opens_at"))
            | Q(submitted_at__gt=F("assignment__proposal__edition__review_closes_at"))
        ).exists()
        assert not submitted.filter(
            Q(recommendation__isnull=True) | Q(confidence__isnull=True)
        ).exists()
        for review in submitted.order_by("?")[:40]:
            edition = review.assignment.proposal.edition
            criteria = list(edition.criteria.all())
            scores = dict(review.scores.values_list("criterion_id", "score"))
            assert set(scores) == {c.pk for c in criteria}
            assert review.weighted_score == pytest.approx(weighted_score(criteria, scores))

    def test_the_ledger_matches_the_rows(self, editions):
        def ledger(kind: str, model: str) -> Counter:
            return Counter(
                Activity.objects.filter(kind=kind, subject_type__model=model).values_list(
                    "subject_id", "person_id"
                )
            )

        seats = CommitteeMember.objects.values_list("edition_id", "person_id")
        assert ledger(ActivityKind.SERVED_ON_COMMITTEE, "edition") == Counter(seats)
        speakers = ProposalSpeaker.objects.filter(
            status="accepted", proposal__submitted_at__isnull=False
        ).values_list("proposal_id", "person_id")
        assert ledger(ActivityKind.PROPOSED, "proposal") == Counter(speakers)
        reviews = Review.objects.filter(status=ReviewStatus.SUBMITTED).values_list(
            "assignment__proposal_id", "assignment__reviewer_id"
        )
        assert ledger(ActivityKind.REVIEWED, "proposal") == Counter(reviews)
        sessions = ProgramSlot.objects.filter(
            kind=SlotKind.SESSION, proposal__speakers__status="accepted"
        ).values_list("pk", "proposal__speakers__person_id")
        assert ledger(ActivityKind.PRESENTED, "programslot") == Counter(sessions)
        keynotes = ProgramSlot.objects.filter(kind=SlotKind.KEYNOTE).values_list("pk", "speaker_id")
        assert ledger(ActivityKind.KEYNOTED, "programslot") == Counter(keynotes)
        conference = Activity.objects.filter(
            kind__in=[ActivityKind.PROPOSED, ActivityKind.REVIEWED, ActivityKind.PRESENTED,
                      ActivityKind.KEYNOTED, ActivityKind.SERVED_ON_COMMITTEE],
            subject_type__app_label="conference",
        )  # fmt: skip
        assert not conference.filter(occurred_at__gte=NOW).exists()
        assert not conference.exclude(community__slug="machine-learning").exists()
        reviewed = Activity.objects.filter(kind=ActivityKind.REVIEWED).order_by("?").first()
        review = Review.objects.get(
            assignment__proposal_id=reviewed.subject_id, assignment__reviewer=reviewed.person
        )
        assert reviewed.occurred_at == review.submitted_at


@pytest.mark.django_db
def test_a_small_demo_on_another_day():
    """A small community on another day: the edition under review is then spring 2026."""
    ContentType.objects.clear_cache()
    load_demo(members=300, today="2026-01-15")
    names = list(Edition.objects.order_by("starts_on").values_list("name", flat=True))
    assert names == [*PAST[:-2], "Spring 2026"]
    current = Edition.objects.get(name="Spring 2026")
    assert current.phase(datetime(2026, 1, 15, tzinfo=UTC)) == EditionPhase.REVIEWING
    assert current.starts_on >= date(2026, 4, 1)
    assert current.proposals.in_review().count() > 20
    assert ReviewAssignment.objects.filter(proposal__edition=current).exists()
    assert Event.objects.filter(format=EventFormat.CONFERENCE).count() == len(names)
