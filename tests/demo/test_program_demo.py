"""The demo's program story: Machine Learning's strategy since 2014 and its maturity, budgets
and grants by year, the contributor ladder and the opportunities board, grassroots groups
(thriving, idle after their founder left, archived) and the program's office.

The demo is loaded once for `TestProgramDemo` inside a transaction rolled back after the
class; each test runs in its own savepoint. The determinism test loads a smaller demo twice.
"""

import io
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection, transaction

from practica.budget.fiscal_years import fiscal_year_of
from practica.budget.models import (
    Budget,
    BudgetCategory,
    BudgetLine,
    Expense,
    ExpenseStatus,
    Grant,
    GrantStatus,
)
from practica.budget.queries.standing import budget_standing
from practica.communities.group_health import groups_health
from practica.communities.ladder.services import place_members_on_ladders
from practica.communities.models import (
    Community,
    ContributionAsk,
    Group,
    GroupHealthAlert,
    GroupHealthAlertKind,
    GroupKind,
    GroupMembership,
    GroupRole,
    LadderRung,
    LadderStep,
    LadderStepSource,
    MaturityAssessment,
    Membership,
    MembershipRole,
    Opportunity,
    OpportunityStatus,
    StrategyStatus,
    StrategyVersion,
    Volunteer,
    VolunteerStatus,
)
from practica.communities.target_metrics import target_metric
from practica.core.models import Activity, ActivityKind, AuditLogEntry
from practica.demo.logins import MANAGER_EMAIL, MEMBER_EMAIL
from practica.discussions.models import Thread
from practica.events.models import Event
from practica.people.models import User

N = 300
TODAY = date(2026, 1, 15)
NOW = datetime(2026, 1, 15, tzinfo=UTC)
STEWARDS = {MembershipRole.MANAGER, MembershipRole.LEADER, MembershipRole.EXECUTIVE_SPONSOR}


def load_demo(*, members: int, seed: int = 7, reset: bool = False) -> None:
    extra = ["--reset"] if reset else []
    call_command(
        "demo", "--members", str(members), "--seed", str(seed), "--today", TODAY.isoformat(),
        *extra, stdout=io.StringIO(),
    )  # fmt: skip


@pytest.fixture(scope="class")
def demo(django_db_setup, django_db_blocker):
    """The demo, loaded once for the class and rolled back after it."""
    with django_db_blocker.unblock():
        ContentType.objects.clear_cache()
        outer = transaction.atomic()
        outer.__enter__()
        try:
            load_demo(members=N)
            connection.check_constraints()
            yield
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            ContentType.objects.clear_cache()


@pytest.fixture
def ml(demo, db):
    return Community.objects.get(slug="machine-learning")


def member_at(person_id: int, community: Community, moment: datetime) -> Membership | None:
    return Membership.objects.filter(person_id=person_id, community=community).as_of(moment).first()


class TestProgramDemo:
    # --- Strategy and maturity ----------------------------------------------------------------

    def test_versions_since_2014_one_approved_one_draft(self, ml):
        versions = list(StrategyVersion.objects.filter(community=ml).order_by("number"))
        assert [v.number for v in versions] == list(range(1, len(versions) + 1))
        assert [v.created_at.year for v in versions[:3]] == [2014, 2017, 2021]
        assert [v.status for v in versions] == [
            *[StrategyStatus.SUPERSEDED] * (len(versions) - 2),
            StrategyStatus.APPROVED,
            StrategyStatus.DRAFT,
        ]
        manager = User.objects.get(email=MANAGER_EMAIL)
        for version in versions[:-1]:
            assert version.created_at < version.approved_at < NOW
            assert version.approved_by == manager
            assert "leadership team" in version.approval_note
            assert version.change_note
        draft = versions[-1]
        assert draft.approved_at is None
        assert draft.created_at < NOW
        assert draft.change_note
        approvals = AuditLogEntry.objects.filter(action="strategy.approved", community=ml)
        assert approvals.count() == len(versions) - 1

    def test_the_2014_strategy_says_what_the_issue_says(self, ml):
        first = StrategyVersion.objects.get(community=ml, number=1)
        assert first.summary
        assert len(first.goals) >= 3
        assert "I can easily find and connect with other practitioners at the company." in (
            first.scenarios
        )
        assert all(s.startswith("I can") for s in first.scenarios)
        assert "We create opportunities for people to contribute." in first.principles
        assert "We don't try to control the conversation." in first.principles
        audience = list(first.audience.all())
        assert {row.org_unit.name for row in audience if row.org_unit} >= {"Research"}
        titles = {row.job_title_contains for row in audience if row.job_title_contains}
        assert titles == {"Data scientist", "Applied scientist"}

    def test_targets_are_bound_to_registered_metrics_and_live(self, ml):
        current = StrategyVersion.objects.get(community=ml, status=StrategyStatus.APPROVED)
        keys = set()
        for version in StrategyVersion.objects.filter(community=ml):
            for target in version.targets.all():
                assert target_metric(target.metric_key) is not None, target.metric_key
                assert target.target_value > 0
                keys.add(target.metric_key)
        assert {"members", "median_first_response_hours", "retention_6_months"} <= keys
        for target in current.targets.all():
            value = target_metric(target.metric_key).compute(ml.pk, NOW)
            assert value is None or isinstance(value, Decimal)
        members = current.targets.get(metric_key="members")
        assert members.target_value >= N  # the members target grows with the community

    def test_leadership_teams_were_stewards_and_members_then(self, ml):
        for version in StrategyVersion.objects.filter(community=ml):
            at = version.approved_at or NOW
            leaders = list(version.leaders.all())
            assert 3 <= len(leaders) <= 8
            assert all(leader.remit for leader in leaders)
            for leader in leaders:
                membership = member_at(leader.person_id, ml, at)
                assert membership is not None
                assert membership.role in STEWARDS

    def test_maturity_assessed_every_year_and_only_rising(self, ml):
        assessments = list(MaturityAssessment.objects.filter(community=ml).order_by("assessed_on"))
        assert [a.assessed_on.year for a in assessments] == list(range(2014, TODAY.year))
        previous: dict[str, int] = {}
        for assessment in assessments:
            scores = dict(assessment.scores.values_list("competency", "stage"))
            assert len(scores) == 8
            assert all(previous.get(c, 1) <= stage for c, stage in scores.items())
            previous = scores
        assert min(assessments[0].scores.values_list("stage", flat=True)) == 1
        assert max(assessments[-1].scores.values_list("stage", flat=True)) == 4

    # --- Budgets and grants -------------------------------------------------------------------
    def test_a_budget_per_fiscal_year_with_every_category(self, ml):
        budgets = list(Budget.objects.filter(community=ml).order_by("fiscal_year"))
        years = [b.fiscal_year for b in budgets]
        assert years == list(range(fiscal_year_of(date(2014, 1, 1)), fiscal_year_of(TODAY) + 1))
        for budget in budgets:
            assert budget.currency == "USD"
            assert budget.lines.count() == len(BudgetCategory.values)
        overspent = [b for b in budgets if budget_standing(b).overspent]
        assert len(overspent) == 1
        (over,) = overspent[0].expenses.exclude(override_reason="")
        assert over.category in {c.category for c in budget_standing(overspent[0]).overspent}
        assert AuditLogEntry.objects.filter(action="budget.overspend_overridden").count() == 1

    def test_expenses_linked_to_events_voided_and_committed(self, ml):
        expenses = Expense.objects.filter(budget__community=ml).select_related("budget", "event")
        linked = [e for e in expenses if e.event is not None]
        assert linked
        for expense in expenses:
            assert expense.budget.starts_on <= expense.incurred_on <= expense.budget.ends_on
            assert expense.amount > 0
            if expense.event is not None:
                assert expense.event.community_id == ml.pk
        (voided,) = expenses.filter(voided_at__isnull=False)
        assert voided.void_reason
        committed = expenses.filter(status=ExpenseStatus.COMMITTED)
        assert all(e.incurred_on >= TODAY for e in committed)

    def test_grants_by_year_in_every_state(self, ml):
        grants = Grant.objects.filter(community=ml).select_related("budget")
        statuses = set(grants.values_list("status", flat=True))
        assert statuses >= {
            GrantStatus.SUBMITTED,
            GrantStatus.APPROVED,
            GrantStatus.PARTLY_APPROVED,
            GrantStatus.DECLINED,
            GrantStatus.REPORTED,
        }
        assert grants.values("activity_on__year").distinct().count() >= 8
        for grant in grants:
            assert grant.decided_by_id != grant.applicant_id
            assert member_at(grant.applicant_id, ml, grant.created_at) is not None
            if grant.amount_approved is not None:
                assert grant.budget.starts_on <= grant.activity_on <= grant.budget.ends_on
                assert grant.amount_approved <= grant.amount_requested
                assert grant.decided_at > grant.created_at
            else:
                assert grant.budget is None
            if grant.status == GrantStatus.PARTLY_APPROVED:
                assert grant.amount_approved < grant.amount_requested
                assert grant.decision_reason
            if grant.status == GrantStatus.DECLINED:
                assert grant.decision_reason
        reported = grants.filter(status=GrantStatus.REPORTED)
        for grant in reported:
            assert grant.outcome
            assert grant.reported_at < NOW
            assert grant.amount_spent <= grant.amount_approved
            row = Activity.objects.get(kind=ActivityKind.RAN_GRANT_ACTIVITY, subject_id=grant.pk)
            assert row.person_id == grant.applicant_id
            assert row.data.get("group") == grant.group_id
        assert reported.filter(group__isnull=False).exists()
        assert grants.filter(applicant__email=MEMBER_EMAIL, status=GrantStatus.SUBMITTED).exists()

    def test_this_years_grants_commit_and_leave_room(self, ml):
        budget = Budget.objects.get(community=ml, fiscal_year=fiscal_year_of(TODAY))
        grants = budget_standing(budget).category(BudgetCategory.GRANTS)
        assert grants.committed > 0
        assert grants.remaining > 0

    # --- The ladder and the board -------------------------------------------------------------
    def test_default_ladder_and_histories_only_upward(self, ml):
        rungs = list(LadderRung.objects.filter(community=ml).order_by("position"))
        assert [r.name for r in rungs] == [
            "Participant",
            "Presenter",
            "Reviewer",
            "Program committee",
            "Organizer",
        ]
        position = {r.pk: r.position for r in rungs}
        highest: dict[int, int] = {}
        steps = LadderStep.objects.filter(community=ml).order_by("reached_at", "pk")
        for step in steps.filter(source=LadderStepSource.EARNED):
            assert position[step.rung_id] > highest.get(step.person_id, 0)
            highest[step.person_id] = position[step.rung_id]
        assert steps.filter(source=LadderStepSource.MANAGER).exclude(note="").exists()
        assert set(steps.values_list("rung__position", flat=True)) == {1, 2, 3, 4, 5}

    def test_placement_today_adds_nothing(self, ml):
        assert place_members_on_ladders(now=NOW) == 0

    def test_a_2014_presenter_became_a_reviewer_then_program_committee(self, ml):
        found = []
        for person_id in LadderStep.objects.filter(
            community=ml, rung__position=2, reached_at__year=2014
        ).values_list("person_id", flat=True):
            path = list(
                LadderStep.objects.filter(community=ml, person_id=person_id)
                .order_by("reached_at", "pk")
                .values_list("rung__position", "reached_at")
            )
            positions = [p for p, _at in path]
            if 3 in positions and 4 in positions:
                assert positions.index(2) < positions.index(3) < positions.index(4)
                found.append((person_id, dict(path)))
        assert found
        asked = [
            (person_id, path)
            for person_id, path in found
            if ContributionAsk.objects.filter(
                community=ml, person_id=person_id, asked_at__lt=path[3], asked_at__gt=path[2]
            ).exists()
        ]
        assert len(asked) == 1

    def test_opportunities_open_and_closed_with_volunteers(self, ml):
        calls = Opportunity.objects.filter(community=ml)
        assert calls.filter(status=OpportunityStatus.OPEN).count() >= 2
        assert calls.filter(status=OpportunityStatus.CLOSED).count() >= 1
        for call in calls:
            accepted = call.volunteers.filter(status=VolunteerStatus.ACCEPTED)
            assert call.seats is None or accepted.count() <= call.seats
            if call.status == OpportunityStatus.CLOSED:
                assert call.closed_at < NOW
                assert not call.volunteers.filter(offered_at__gt=call.closed_at).exists()
            for volunteer in accepted:
                assert Activity.objects.filter(
                    kind=ActivityKind.VOLUNTEERED,
                    person_id=volunteer.person_id,
                    subject_id=call.pk,
                    occurred_at=volunteer.decided_at,
                ).exists()
        assert Volunteer.objects.filter(
            person__email=MEMBER_EMAIL, status=VolunteerStatus.OFFERED
        ).exists()
        assert ContributionAsk.objects.filter(community=ml, opportunity__isnull=False).exists()

    # --- Groups and the program ---------------------------------------------------------------
    def test_groups_have_threads_meetings_and_marked_ledger_rows(self, ml):
        groups = Group.objects.all()
        assert groups.filter(community=ml).count() == 4  # the outreach step's four
        assert groups.exclude(community=ml).count() == 3
        for group in groups:
            founder = Activity.objects.get(kind=ActivityKind.ORGANIZED_GROUP, subject_id=group.pk)
            assert founder.data == {"group": group.pk}
            assert group.memberships.filter(person_id=founder.person_id, role=GroupRole.OWNER)
            for thread in Thread.objects.filter(group=group):
                assert thread.community_id == group.community_id
                assert group.memberships.filter(
                    person_id=thread.author_id, joined_at__lte=thread.created_at
                ).exists()
        marked = Activity.objects.filter(data__group__isnull=False)
        threads = Thread.objects.filter(group__isnull=False)
        assert threads.exists()
        assert Event.objects.filter(group__isnull=False).exists()
        for thread in threads[:20]:
            asked = Activity.objects.get(subject_id=thread.pk, kind__in=("asked", "discussed"))
            assert asked.data["group"] == thread.group_id
        kinds = set(marked.values_list("kind", flat=True))
        assert {"asked", "answered", "registered", "hosted", "organized_group"} <= kinds

    def test_thriving_idle_leaderless_and_archived_groups(self, ml):
        groups = list(Group.objects.all())
        health = groups_health(groups, now=NOW)
        by_slug = {g.slug: g for g in groups}
        assert health[by_slug["llm-practitioners"].pk].state == "active"
        assert health[by_slug["rai-reading-group"].pk].state == "active"
        assert Event.objects.filter(group=by_slug["rai-reading-group"], starts_at__gt=NOW)
        assert health[by_slug["meeting-summarizer-team"].pk].state == "archived"
        assert by_slug["meeting-summarizer-team"].kind == GroupKind.HACKATHON_TEAM
        idle = by_slug["stream-processing-study-group"]
        assert health[idle.pk].state == "idle"
        assert health[idle.pk].no_active_owner
        assert not User.objects.get(
            pk=idle.memberships.get(role=GroupRole.OWNER).person_id
        ).is_active
        # The open alerts are the ones the daily check would hold.
        for group in groups:
            open_kinds = set(
                GroupHealthAlert.objects.filter(group=group, resolved_at__isnull=True).values_list(
                    "kind", flat=True
                )
            )
            wanted = set()
            if health[group.pk].is_idle:
                wanted.add(GroupHealthAlertKind.IDLE)
            if health[group.pk].no_active_owner:
                wanted.add(GroupHealthAlertKind.NO_ACTIVE_OWNER)
            assert open_kinds == wanted, group.slug
        assert all(a.notified_at and a.raised_at < NOW for a in GroupHealthAlert.objects.all())

    def test_the_member_login_is_in_a_group(self, ml):
        assert GroupMembership.objects.filter(
            person__email=MEMBER_EMAIL, group__slug="llm-practitioners", left_at__isnull=True
        ).exists()

    def test_the_program_with_its_office(self, ml):
        program = ml.program
        slugs = set(program.communities.values_list("slug", flat=True))
        assert {"machine-learning", "artificial-intelligence"} <= slugs
        office = set(program.office.values_list("email", flat=True))
        assert MANAGER_EMAIL in office
        ai = Community.objects.get(slug="artificial-intelligence")
        ai_managers = Membership.objects.filter(
            community=ai, role=MembershipRole.MANAGER, left_at__isnull=True
        ).values_list("person__email", flat=True)
        assert office & set(ai_managers)


def program_snapshot() -> dict[str, list]:
    return {
        "strategy": list(
            StrategyVersion.objects.order_by(
                "number", "leaders__position", "targets__position"
            ).values_list(
                "number", "status", "approved_at", "leaders__person__email", "targets__target_value"
            )
        ),
        "grants": list(
            Grant.objects.order_by("created_at", "title").values_list(
                "applicant__email", "title", "status", "amount_requested", "amount_approved"
            )
        ),
        "lines": list(
            BudgetLine.objects.order_by("budget__fiscal_year", "category").values_list(
                "budget__fiscal_year", "category", "planned"
            )
        ),
        "expenses": list(
            Expense.objects.order_by("incurred_on", "description", "amount").values_list(
                "incurred_on", "description", "amount", "status"
            )
        ),
        "steps": list(
            LadderStep.objects.order_by("person__email", "reached_at").values_list(
                "person__email", "rung__position", "reached_at"
            )
        ),
        "groups": list(
            GroupMembership.objects.order_by(
                "group__slug", "person__email", "joined_at"
            ).values_list("group__slug", "person__email", "joined_at", "left_at")
        ),
        "alerts": list(
            GroupHealthAlert.objects.order_by("raised_at", "kind").values_list(
                "group__slug", "kind"
            )
        ),
    }


@pytest.mark.django_db
def test_same_seed_same_program():
    load_demo(members=80)
    first = program_snapshot()
    assert first["strategy"]
    assert first["grants"]
    assert first["steps"]
    load_demo(members=80, reset=True)
    assert program_snapshot() == first
