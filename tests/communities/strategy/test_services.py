"""The strategy services: drafts (start, edit, approve, discard) and maturity assessments —
who may, what each checks, and that a refusal changes nothing."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from practica.communities.models import (
    LeftReason,
    MaturityAssessment,
    MaturityCompetency,
    Membership,
    StrategyStatus,
    StrategyVersion,
)
from practica.communities.strategy.maturity_services import record_maturity_assessment
from practica.communities.strategy.sections import (
    MAX_ITEM_LENGTH,
    AudienceRow,
    LeaderRow,
    TargetRow,
    clean_statements,
    clean_target_value,
)
from practica.communities.strategy.services import (
    approve_strategy_draft,
    discard_strategy_draft,
    edit_strategy_draft,
    start_strategy_draft,
)
from practica.core.models import AuditLogEntry
from tests.factories.people import OrgUnitFactory, UserFactory

pytestmark = pytest.mark.django_db

ALL_STAGES = {competency.value: 3 for competency in MaturityCompetency}


def _approved(community, manager, **sections):
    draft = start_strategy_draft(community=community, actor=manager)
    edit_strategy_draft(draft=draft, actor=manager, **sections)
    return approve_strategy_draft(draft=draft, actor=manager, approval_note="Sponsor's team")


# --- Starting a draft ------------------------------------------------------------------------


def test_the_first_draft_is_empty_and_numbered_one(community, manager):
    draft = start_strategy_draft(community=community, actor=manager)

    assert (draft.number, draft.status, draft.created_by) == (1, StrategyStatus.DRAFT, manager)
    assert (draft.summary, draft.goals, draft.scenarios, draft.principles) == ("", [], [], [])
    entry = AuditLogEntry.objects.get(action="strategy.draft_started")
    assert entry.data == {"number": 1, "copied_from": None}


def test_a_later_draft_copies_the_approved_version_with_its_rows(
    community, manager, leader, metrics
):
    unit = OrgUnitFactory(name="ML Research")
    _approved(
        community,
        manager,
        summary="Learn together.",
        goals=["Faster answers"],
        scenarios=["I can find an expert"],
        principles=["We create opportunities for people to contribute"],
        audience=[AudienceRow(label="Researchers", org_unit=unit)],
        targets=[TargetRow(metric_key="members", comparison="at_least", target_value=Decimal(800))],
        leaders=[LeaderRow(person=leader, remit="Events")],
    )

    draft = start_strategy_draft(community=community, actor=manager)

    assert draft.number == 2
    assert (draft.summary, draft.goals, draft.principles) == (
        "Learn together.",
        ["Faster answers"],
        ["We create opportunities for people to contribute"],
    )
    assert [(row.label, row.org_unit) for row in draft.audience.all()] == [("Researchers", unit)]
    assert [(row.metric_key, row.target_value) for row in draft.targets.all()] == [
        ("members", Decimal("800.0000"))
    ]
    assert [(row.person, row.remit) for row in draft.leaders.all()] == [(leader, "Events")]
    # The copy is its own: the approved version keeps its rows.
    assert StrategyVersion.objects.get(number=1).targets.count() == 1


def test_only_one_draft_at_a_time(community, manager):
    start_strategy_draft(community=community, actor=manager)

    with pytest.raises(ValidationError, match="draft exists already"):
        start_strategy_draft(community=community, actor=manager)
    assert StrategyVersion.objects.count() == 1


@pytest.mark.parametrize("who", ["leader", "sponsor", "organizer", "plain_member", "outsider"])
def test_only_the_manager_starts_a_draft(request, community, who):
    actor = request.getfixturevalue(who)

    with pytest.raises(PermissionDenied, match="community manager"):
        start_strategy_draft(community=community, actor=actor)
    assert not StrategyVersion.objects.exists()


def test_staff_may_step_in(community, staff):
    assert start_strategy_draft(community=community, actor=staff).number == 1


# --- Editing ---------------------------------------------------------------------------------


def test_editing_cleans_statements_and_replaces_sections(community, manager, leader, metrics):
    draft = start_strategy_draft(community=community, actor=manager)

    edited = edit_strategy_draft(
        draft=draft,
        actor=manager,
        summary="  Our strategy.\nTwo lines.  ",
        goals=["  Faster   answers ", "", "Fewer repeated questions"],
        change_note="First cut",
        audience=[AudienceRow(label=" Data scientists ", role="data_scientist")],
        targets=[
            TargetRow(
                metric_key="answered_share",
                comparison="at_least",
                target_value=Decimal("0.6"),
                label="Answered within a day",
            )
        ],
        leaders=[LeaderRow(person=leader, remit=" Q&A ")],
    )

    assert edited.summary == "Our strategy.\nTwo lines."
    assert edited.goals == ["Faster answers", "Fewer repeated questions"]
    assert edited.change_note == "First cut"
    assert [(row.label, row.role, row.position) for row in edited.audience.all()] == [
        ("Data scientists", "data_scientist", 0)
    ]
    assert edited.targets.get().target_value == Decimal("0.6000")
    assert edited.leaders.get().remit == "Q&A"

    # A section not given stays; a section given replaces the old one whole.
    edit_strategy_draft(draft=draft, actor=manager, targets=[])
    draft.refresh_from_db()
    assert draft.goals == ["Faster answers", "Fewer repeated questions"]
    assert draft.targets.count() == 0
    assert draft.audience.count() == 1
    assert AuditLogEntry.objects.filter(action="strategy.draft_edited").count() == 2


@pytest.mark.parametrize(
    ("goals", "message"),
    [
        (["Same", "same"], "listed twice"),
        (["x" * (MAX_ITEM_LENGTH + 1)], "longer than 300"),
        ([f"Goal {n}" for n in range(31)], "at most 30"),
        ("one string", "list of short statements"),
        (["bad\x00"], "NUL"),
    ],
)
def test_bad_statements_are_refused(community, manager, goals, message):
    draft = start_strategy_draft(community=community, actor=manager)

    with pytest.raises(ValidationError) as refusal:
        edit_strategy_draft(draft=draft, actor=manager, goals=goals, summary="Kept?")

    assert message in " ".join(refusal.value.message_dict["goals"])
    draft.refresh_from_db()
    assert (draft.goals, draft.summary) == ([], "")


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (TargetRow("unknown", "at_least", Decimal(1)), "not a metric the platform computes"),
        (TargetRow("members", "about", Decimal(1)), "at least"),
        (TargetRow("members", "at_least", Decimal(-1)), "cannot be negative"),
        (TargetRow("members", "at_least", Decimal("10000001")), "beyond any sensible target"),
        (TargetRow("members", "at_least", Decimal("NaN")), "as a number"),
        (TargetRow("members", "at_least", "lots"), "as a number"),
        (TargetRow("answered_share", "at_least", Decimal(60)), "between 0 and 1"),
        (TargetRow("members", "at_least", Decimal(1), amber_margin_percent=101), "0 to 100"),
        (TargetRow("members", "at_least", Decimal(1), label="x" * 201), "200 characters"),
    ],
)
def test_bad_targets_are_refused(community, manager, metrics, row, message):
    draft = start_strategy_draft(community=community, actor=manager)

    with pytest.raises(ValidationError) as refusal:
        edit_strategy_draft(draft=draft, actor=manager, targets=[row])

    problems = refusal.value.message_dict["targets"]
    assert problems[0].startswith("Row 1:")
    assert message in problems[0]
    assert draft.targets.count() == 0


def test_a_metric_has_one_target(community, manager, metrics):
    draft = start_strategy_draft(community=community, actor=manager)
    rows = [TargetRow("members", "at_least", Decimal(1)), TargetRow("members", "at_most", 9)]

    with pytest.raises(ValidationError, match="has a target already"):
        edit_strategy_draft(draft=draft, actor=manager, targets=rows)


def test_bad_audience_rows_are_refused(community, manager):
    draft = start_strategy_draft(community=community, actor=manager)
    rows = [
        AudienceRow(label="", role="data_scientist"),
        AudienceRow(label="Everyone"),
        AudienceRow(label="Wizards", role="wizard"),
        AudienceRow(label="Scientists", job_title_contains="scientist"),
        AudienceRow(label="scientists", role="researcher"),
    ]

    with pytest.raises(ValidationError) as refusal:
        edit_strategy_draft(draft=draft, actor=manager, audience=rows)

    problems = refusal.value.message_dict["audience"]
    assert problems[0] == "Row 1: give the audience a label."
    assert "Row 2: choose an org unit, a role or a job title" in problems[1]
    assert problems[2] == "Row 3: “wizard” is not a known role."
    assert problems[3] == "Row 5: “scientists” is listed twice."
    assert draft.audience.count() == 0


def test_leaders_must_be_current_members_once_with_a_remit(
    community, manager, leader, plain_member, outsider
):
    draft = start_strategy_draft(community=community, actor=manager)
    former = UserFactory(display_name="Fay Former")
    Membership.objects.create(
        community=community,
        person=former,
        left_at=timezone.now(),
        left_reason=LeftReason.LEFT_COMPANY,
    )
    rows = [
        LeaderRow(person=outsider, remit="Nothing"),
        LeaderRow(person=former, remit="Once"),
        LeaderRow(person=leader, remit="  "),
        LeaderRow(person=plain_member, remit="Newsletter"),
        LeaderRow(person=plain_member, remit="Again"),
    ]

    with pytest.raises(ValidationError) as refusal:
        edit_strategy_draft(draft=draft, actor=manager, leaders=rows)

    problems = refusal.value.message_dict["leaders"]
    assert problems == [
        "Row 1: Otto Outsider is not a member of Machine Learning.",
        "Row 2: Fay Former is not a member of Machine Learning.",
        "Row 3: say what Leo Leader is responsible for.",
        "Row 5: Mo Member is listed twice.",
    ]


def test_every_problem_is_reported_at_once_and_nothing_changes(community, manager, metrics):
    draft = start_strategy_draft(community=community, actor=manager)

    with pytest.raises(ValidationError) as refusal:
        edit_strategy_draft(
            draft=draft,
            actor=manager,
            summary="x" * 5001,
            principles=["a", "A"],
            targets=[TargetRow("members", "at_least", Decimal(-3))],
            audience=[AudienceRow(label="Ok", role="engineer")],
        )

    assert set(refusal.value.message_dict) == {"summary", "principles", "targets"}
    assert draft.audience.count() == 0


def test_only_the_manager_edits(community, manager, leader):
    draft = start_strategy_draft(community=community, actor=manager)

    with pytest.raises(PermissionDenied):
        edit_strategy_draft(draft=draft, actor=leader, summary="Mine now")
    draft.refresh_from_db()
    assert draft.summary == ""


def test_an_approved_version_is_not_edited(community, manager):
    draft = start_strategy_draft(community=community, actor=manager)
    edit_strategy_draft(draft=draft, actor=manager, summary="Done")
    approve_strategy_draft(draft=draft, actor=manager)

    with pytest.raises(ValidationError, match="approved or discarded meanwhile"):
        edit_strategy_draft(draft=draft, actor=manager, summary="Sneaky")
    draft.refresh_from_db()
    assert draft.summary == "Done"


# --- Approving and discarding ----------------------------------------------------------------


def test_approval_records_who_when_and_supersedes_the_previous(community, manager):
    first = _approved(community, manager, summary="v1")
    draft = start_strategy_draft(community=community, actor=manager)
    before = timezone.now()

    approved = approve_strategy_draft(
        draft=draft, actor=manager, approval_note="  Approved by the sponsor's team  "
    )

    first.refresh_from_db()
    assert first.status == StrategyStatus.SUPERSEDED
    assert approved.status == StrategyStatus.APPROVED
    assert approved.approved_by == manager
    assert approved.approved_at >= before
    assert approved.approval_note == "Approved by the sponsor's team"
    entry = AuditLogEntry.objects.filter(action="strategy.approved").latest("pk")
    assert entry.data == {
        "number": 2,
        "superseded": [1],
        "note": "Approved by the sponsor's team",
    }
    assert entry.community_id == community.pk
    assert StrategyVersion.objects.filter(status=StrategyStatus.APPROVED).count() == 1


def test_an_empty_draft_is_not_approved(community, manager):
    draft = start_strategy_draft(community=community, actor=manager)

    with pytest.raises(ValidationError, match="empty strategy"):
        approve_strategy_draft(draft=draft, actor=manager)
    draft.refresh_from_db()
    assert draft.status == StrategyStatus.DRAFT


def test_approval_note_is_bounded(community, manager):
    draft = start_strategy_draft(community=community, actor=manager)
    edit_strategy_draft(draft=draft, actor=manager, goals=["One"])

    with pytest.raises(ValidationError) as refusal:
        approve_strategy_draft(draft=draft, actor=manager, approval_note="x" * 501)
    assert "approval_note" in refusal.value.message_dict


@pytest.mark.parametrize("who", ["leader", "sponsor", "plain_member"])
def test_only_the_manager_approves(request, community, manager, who):
    draft = start_strategy_draft(community=community, actor=manager)
    edit_strategy_draft(draft=draft, actor=manager, goals=["One"])

    with pytest.raises(PermissionDenied):
        approve_strategy_draft(draft=draft, actor=request.getfixturevalue(who))
    draft.refresh_from_db()
    assert draft.status == StrategyStatus.DRAFT


def test_discarding_deletes_the_draft_only(community, manager, leader):
    first = _approved(community, manager, summary="v1")
    draft = start_strategy_draft(community=community, actor=manager)

    with pytest.raises(PermissionDenied):
        discard_strategy_draft(draft=draft, actor=leader)
    discard_strategy_draft(draft=draft, actor=manager)

    assert list(StrategyVersion.objects.all()) == [first]
    assert AuditLogEntry.objects.get(action="strategy.draft_discarded").data["number"] == 2
    with pytest.raises(ValidationError):
        discard_strategy_draft(draft=first, actor=manager)
    # The next draft takes the number again: nothing was ever approved under it.
    assert start_strategy_draft(community=community, actor=manager).number == 2


# --- Maturity ---------------------------------------------------------------------------------


def test_recording_an_assessment(community, manager):
    assessment = record_maturity_assessment(
        community=community,
        actor=manager,
        assessed_on=datetime.date(2021, 5, 1),
        stages={**ALL_STAGES, "tools": 4},
        score_notes={"tools": "  We  run our own platform "},
        note="With the leadership team.",
    )

    assert assessment.assessed_by == manager
    scores = {score.competency: (score.stage, score.note) for score in assessment.scores.all()}
    assert len(scores) == 8
    assert scores["tools"] == (4, "We run our own platform")
    assert scores["culture"] == (3, "")
    assert AuditLogEntry.objects.get(action="strategy.maturity_recorded").target_id == (
        assessment.pk
    )


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"stages": {**ALL_STAGES, "tools": 5}}, "stages", "1, 2, 3 or 4"),
        ({"stages": {**ALL_STAGES, "tools": 0}}, "stages", "1, 2, 3 or 4"),
        ({"stages": {**ALL_STAGES, "tools": True}}, "stages", "1, 2, 3 or 4"),
        ({"stages": {**ALL_STAGES, "tools": "3"}}, "stages", "1, 2, 3 or 4"),
        ({"stages": {"strategy": 2}}, "stages", "Choose a stage for Leadership"),
        ({"stages": {**ALL_STAGES, "vibes": 2}}, "stages", "Unknown competencies: vibes"),
        ({"assessed_on": datetime.date(2999, 1, 1)}, "assessed_on", "in the future"),
        ({"assessed_on": datetime.date(1970, 1, 1)}, "assessed_on", "2000"),
        ({"score_notes": {"tools": "x" * 501}}, "score_notes", "500 characters"),
        ({"score_notes": {"vibes": "good"}}, "score_notes", "Unknown competency"),
        ({"note": "x" * 5001}, "note", "5000 characters"),
    ],
)
def test_bad_assessments_are_refused(community, manager, changes, field, message):
    arguments = {"assessed_on": datetime.date(2021, 5, 1), "stages": ALL_STAGES, **changes}

    with pytest.raises(ValidationError) as refusal:
        record_maturity_assessment(community=community, actor=manager, **arguments)

    assert message in " ".join(refusal.value.message_dict[field])
    assert not MaturityAssessment.objects.exists()


@pytest.mark.parametrize("who", ["leader", "sponsor", "plain_member", "outsider"])
def test_only_the_manager_records_an_assessment(request, community, who):
    with pytest.raises(PermissionDenied):
        record_maturity_assessment(
            community=community,
            actor=request.getfixturevalue(who),
            assessed_on=datetime.date(2021, 5, 1),
            stages=ALL_STAGES,
        )


# --- Properties of the checks ------------------------------------------------------------------


@given(st.lists(st.text(max_size=400), max_size=40))
def test_cleaned_statements_are_one_line_short_and_unique(values):
    items, problems = clean_statements(values)

    for item in items:
        assert item == " ".join(item.split())
        assert 0 < len(item) <= MAX_ITEM_LENGTH
    assert len({item.casefold() for item in items}) == len(items)
    if not problems:
        assert len(items) <= 30


@given(st.decimals(allow_nan=True, allow_infinity=True))
def test_a_target_value_is_kept_only_when_sensible(value):
    number, problem = clean_target_value(value, unit="count")

    if problem:
        assert number is None
    else:
        assert 0 <= number <= 10_000_000
        assert number == number.quantize(Decimal("0.0001"))
