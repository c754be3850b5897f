"""Assignment runs (start, compute as a task, apply), pins and forbids, manual assignments:
the happy paths, every constraint on the result, permissions and infeasible settings."""

from collections import Counter
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from practica.conference.models import (
    AssignmentPin,
    AssignmentRun,
    AssignmentSource,
    DeclaredConflict,
    PinKind,
    Review,
    ReviewAssignment,
    RunStatus,
)
from practica.conference.services.assignment import (
    AssignmentRefused,
    add_manual_assignment,
    apply_assignment_run,
    remove_assignment,
    remove_pair_pin,
    run_assignment,
    set_pair_pin,
    start_assignment_run,
)
from practica.core.models import AuditLogEntry
from tests.conference.assignment_setup import OrgChart, person, proposal, reviewer, topic_tree

pytestmark = pytest.mark.django_db


class Scene:
    """Four proposals (two per division) and six reviewers (three per division)."""

    def __init__(self, edition):
        self.edition = edition
        self.chart = OrgChart()
        _ml, self.nlp, self.translation, self.vision = topic_tree()
        north, south = self.chart.n1, self.chart.s1
        self.reviewers = [
            reviewer(edition, unit, topics=[topic], bio=bio)
            for unit, topic, bio in [
                (north, self.nlp, "Machine translation and tokenizers."),
                (north, self.vision, "Object detection and segmentation."),
                (self.chart.n2, self.nlp, "Speech and language models."),
                (south, self.vision, "Image segmentation on satellites."),
                (south, self.translation, "Neural machine translation at scale."),
                (south, self.nlp, "Question answering and retrieval."),
            ]
        ]
        self.speakers = [
            person(north),
            person(self.chart.n2),
            person(south),
            person(south),
        ]
        self.proposals = [
            proposal(edition, speaker, title=title, abstract=abstract, topics=[topic])
            for speaker, title, abstract, topic in zip(
                self.speakers,
                ["Translating manuals", "Seeing defects", "Tokenizers", "Satellite images"],
                [
                    "Machine translation for product manuals.",
                    "Object detection of defects on the line.",
                    "Tokenizers for many languages.",
                    "Segmentation of satellite images.",
                ],
                [self.translation, self.vision, self.nlp, self.vision],
                strict=True,
            )
        ]


@pytest.fixture
def scene(edition):
    edition.reviewers_per_proposal = 2
    edition.reviewer_max_load = 3
    edition.save()
    return Scene(edition)


def start_and_run(scene, chair, django_capture_on_commit_callbacks, **settings):
    with django_capture_on_commit_callbacks(execute=True):
        run = start_assignment_run(edition=scene.edition, actor=chair, **settings)
    run.refresh_from_db()
    return run


def division(user):
    return user.org_unit.path.split("/")[1]


def check_run_pairs(scene, run, k=2, max_load=3):
    pairs = [(p, r) for p, r, *_rest in run.pairs]
    assert len(set(pairs)) == len(pairs)
    per_proposal = Counter(p for p, _r in pairs)
    assert per_proposal == {talk.pk: k for talk in scene.proposals}
    assert max(Counter(r for _p, r in pairs).values()) <= max_load
    people = {user.pk: user for user in scene.reviewers}
    for talk, speaker in zip(scene.proposals, scene.speakers, strict=True):
        assigned = [people[r] for p, r in pairs if p == talk.pk]
        assert speaker.org_unit_id not in {user.org_unit_id for user in assigned}
        assert any(division(user) != division(speaker) for user in assigned)
    return pairs


def test_a_run_computes_an_assignment_that_meets_every_constraint(
    scene, chair, django_capture_on_commit_callbacks
):
    run = start_and_run(scene, chair, django_capture_on_commit_callbacks)
    assert run.status == RunStatus.DONE
    assert run.progress == 100
    assert run.error == ""
    assert run.parameters == {
        "mode": "max_affinity",
        "reviewers_per_proposal": 2,
        "min_load": 0,
        "max_load": 3,
        "cross_division": True,
    }
    check_run_pairs(scene, run)
    report = run.report
    assert report["pairs"] == 8
    assert report["gap"] < 1e-6
    assert report["upper_bound"] >= report["total_affinity"] - 1e-6
    assert report["outsider_proposals"] == 4
    assert report["conflicts"] > 0
    assert len(report["weakest"]) == 4
    assert {"text", "topic", "bid", "score"} <= set(run.pairs[0][3])
    assert AuditLogEntry.objects.filter(action="conference.assignment_run_started").exists()


def test_fairness_mode_runs_too(scene, chair, django_capture_on_commit_callbacks):
    run = start_and_run(scene, chair, django_capture_on_commit_callbacks, mode="fair")
    assert run.status == RunStatus.DONE
    assert run.report["mode"] == "fair"
    check_run_pairs(scene, run)


def test_only_a_chair_starts_a_run(scene, committee_member):
    reviewer_person = scene.reviewers[0]
    for actor in (committee_member, reviewer_person):
        with pytest.raises(PermissionDenied):
            start_assignment_run(edition=scene.edition, actor=actor)
    assert not AssignmentRun.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"reviewers_per_proposal": 0}, "reviewers_per_proposal"),
        ({"reviewers_per_proposal": 11}, "reviewers_per_proposal"),
        ({"max_load": 0}, "max_load"),
        ({"min_load": 4, "max_load": 3}, "min_load"),
        ({"min_load": -1}, "min_load"),
        ({"mode": "random"}, "mode"),
    ],
)
def test_bad_settings_are_refused_field_by_field(scene, chair, changes, field):
    with pytest.raises(ValidationError) as excinfo:
        start_assignment_run(edition=scene.edition, actor=chair, **changes)
    assert field in excinfo.value.message_dict
    assert not AssignmentRun.objects.exists()


def test_more_reviews_than_the_pool_can_take_is_refused_with_what_to_change(scene, chair):
    with pytest.raises(ValidationError) as excinfo:
        start_assignment_run(
            edition=scene.edition, actor=chair, reviewers_per_proposal=5, max_load=3
        )
    (message,) = excinfo.value.message_dict["reviewers_per_proposal"]
    assert "need 20 reviews" in message
    assert "at most 18" in message
    assert "lower the reviewers per proposal" in message
    with pytest.raises(ValidationError) as excinfo:
        start_assignment_run(edition=scene.edition, actor=chair, reviewers_per_proposal=7)
    assert "only 6 reviewers" in excinfo.value.message_dict["reviewers_per_proposal"][0]
    with pytest.raises(ValidationError) as excinfo:
        start_assignment_run(edition=scene.edition, actor=chair, min_load=2)
    assert "lower the fewest proposals" in excinfo.value.message_dict["min_load"][0]
    assert not AssignmentRun.objects.exists()


def test_an_edition_without_proposals_or_reviewers_is_refused(edition, chair):
    with pytest.raises(ValidationError, match="no submitted proposals"):
        start_assignment_run(edition=edition, actor=chair)
    proposal(edition, person())
    with pytest.raises(ValidationError, match="reviewer pool is empty"):
        start_assignment_run(edition=edition, actor=chair)


def test_one_run_at_a_time_unless_the_running_one_went_quiet(scene, chair):
    first = start_assignment_run(edition=scene.edition, actor=chair)
    with pytest.raises(AssignmentRefused) as excinfo:
        start_assignment_run(edition=scene.edition, actor=chair)
    assert excinfo.value.code == "running"
    AssignmentRun.objects.filter(pk=first.pk).update(updated_at=timezone.now() - timedelta(hours=1))
    second = start_assignment_run(edition=scene.edition, actor=chair)
    first.refresh_from_db()
    assert first.status == RunStatus.FAILED
    assert "stopped reporting" in first.error
    assert second.status == RunStatus.QUEUED


def test_a_run_that_cannot_be_met_fails_with_a_message_naming_the_proposal(
    scene, chair, django_capture_on_commit_callbacks
):
    # Every reviewer declares a conflict with "Satellite images": nobody is left for it.
    talk = scene.proposals[3]
    for user in scene.reviewers:
        DeclaredConflict.objects.create(proposal=talk, person=user, reason="Same project")
    run = start_and_run(scene, chair, django_capture_on_commit_callbacks)
    assert run.status == RunStatus.FAILED
    assert "“Satellite images” has only 0 eligible reviewers" in run.error
    assert "lower the reviewers per proposal" in run.error
    assert run.pairs == []


def test_no_outsider_left_is_named_and_the_rule_can_be_dropped(
    scene, chair, django_capture_on_commit_callbacks
):
    talk = scene.proposals[0]  # a northern speaker
    for user in scene.reviewers[3:]:
        set_pair_pin(proposal=talk, person_id=user.pk, kind=PinKind.FORBID, actor=chair)
    run = start_and_run(scene, chair, django_capture_on_commit_callbacks, reviewers_per_proposal=1)
    assert run.status == RunStatus.FAILED
    assert "“Translating manuals” has no eligible reviewer from another division" in run.error
    run = start_and_run(
        scene,
        chair,
        django_capture_on_commit_callbacks,
        reviewers_per_proposal=1,
        cross_division=False,
    )
    assert run.status == RunStatus.DONE
    assert run.parameters["cross_division"] is False


def test_pins_and_forbids_are_honoured(scene, chair, django_capture_on_commit_callbacks):
    talk = scene.proposals[0]
    pinned, forbidden = scene.reviewers[5], scene.reviewers[4]
    set_pair_pin(proposal=talk, person_id=pinned.pk, kind=PinKind.PIN, actor=chair)
    set_pair_pin(proposal=talk, person_id=forbidden.pk, kind=PinKind.FORBID, actor=chair)
    run = start_and_run(scene, chair, django_capture_on_commit_callbacks)
    pairs = check_run_pairs(scene, run)
    assert (talk.pk, pinned.pk) in pairs
    assert (talk.pk, forbidden.pk) not in pairs
    assert run.report["pins"] == 1
    assert run.report["forbids"] == 1


def test_applying_replaces_solver_pairs_and_keeps_manual_and_started_ones(
    scene, chair, django_capture_on_commit_callbacks
):
    talk = scene.proposals[0]
    manual = add_manual_assignment(proposal=talk, person_id=scene.reviewers[5].pk, actor=chair)
    assert manual.source == AssignmentSource.MANUAL
    first = start_and_run(scene, chair, django_capture_on_commit_callbacks)
    summary = apply_assignment_run(run=first, actor=chair)
    assert summary.created == 7
    assert summary.removed == 0
    assert ReviewAssignment.objects.filter(proposal__edition=scene.edition).count() == 8
    started = ReviewAssignment.objects.filter(source=AssignmentSource.SOLVER).first()
    Review.objects.create(assignment=started)
    second = start_and_run(scene, chair, django_capture_on_commit_callbacks, mode="fair")
    second_pairs = {(p, r) for p, r, *_ in second.pairs}
    assert (talk.pk, scene.reviewers[5].pk) in second_pairs
    assert (started.proposal_id, started.reviewer_id) in second_pairs
    summary = apply_assignment_run(run=second, actor=chair)
    assert summary.removed == 6
    assert summary.kept == 2
    rows = ReviewAssignment.objects.filter(proposal__edition=scene.edition)
    assert set(rows.values_list("proposal_id", "reviewer_id")) == second_pairs
    assert rows.filter(source=AssignmentSource.MANUAL).count() == 1
    assert rows.get(pk=started.pk).review is not None
    applied = rows.filter(run=second).first()
    assert applied.affinity_detail["score"] == pytest.approx(applied.affinity, abs=1e-3)
    with pytest.raises(AssignmentRefused) as excinfo:
        apply_assignment_run(run=second, actor=chair)
    assert excinfo.value.code == "applied"


def test_applying_skips_pairs_that_became_conflicts(
    scene, chair, django_capture_on_commit_callbacks
):
    run = start_and_run(scene, chair, django_capture_on_commit_callbacks)
    proposal_id, person_id, *_ = run.pairs[0]
    DeclaredConflict.objects.create(proposal_id=proposal_id, person_id=person_id)
    summary = apply_assignment_run(run=run, actor=chair)
    assert summary.skipped_conflicts == 1
    assert not ReviewAssignment.objects.filter(
        proposal_id=proposal_id, reviewer_id=person_id
    ).exists()


def test_only_a_finished_run_is_applied_and_only_by_a_chair(scene, chair, committee_member):
    run = start_assignment_run(edition=scene.edition, actor=chair)
    with pytest.raises(AssignmentRefused) as excinfo:
        apply_assignment_run(run=run, actor=chair)
    assert excinfo.value.code == "not_done"
    with pytest.raises(PermissionDenied):
        apply_assignment_run(run=run, actor=committee_member)


def test_a_run_is_computed_once(scene, chair):
    run = start_assignment_run(edition=scene.edition, actor=chair)
    assert run_assignment(run.pk).status == RunStatus.DONE
    assert run_assignment(run.pk) is None


def test_pinning_a_conflict_is_refused_with_the_reason(scene, chair):
    talk = scene.proposals[0]
    teammate = scene.reviewers[0]  # same team as the speaker
    with pytest.raises(ValidationError) as excinfo:
        set_pair_pin(proposal=talk, person_id=teammate.pk, kind=PinKind.PIN, actor=chair)
    message = excinfo.value.message_dict["person"][0]
    assert "conflict of interest" in message
    assert "Same team as" in message
    forbid = set_pair_pin(proposal=talk, person_id=teammate.pk, kind=PinKind.FORBID, actor=chair)
    assert forbid.kind == PinKind.FORBID
    assert remove_pair_pin(proposal=talk, person_id=teammate.pk, actor=chair) is True
    assert remove_pair_pin(proposal=talk, person_id=teammate.pk, actor=chair) is False


def test_pins_need_a_pool_member_a_known_kind_and_a_chair(scene, chair, committee_member):
    talk = scene.proposals[0]
    outsider = person()
    with pytest.raises(ValidationError, match="not in the edition's reviewer pool"):
        set_pair_pin(proposal=talk, person_id=outsider.pk, kind=PinKind.PIN, actor=chair)
    with pytest.raises(ValidationError):
        set_pair_pin(proposal=talk, person_id=scene.reviewers[4].pk, kind="maybe", actor=chair)
    with pytest.raises(PermissionDenied):
        set_pair_pin(
            proposal=talk, person_id=scene.reviewers[4].pk, kind=PinKind.PIN, actor=committee_member
        )
    assert not AssignmentPin.objects.exists()


def test_manual_assignment_refuses_conflicts_forbidden_and_duplicate_pairs(scene, chair):
    talk = scene.proposals[0]
    with pytest.raises(ValidationError) as excinfo:
        add_manual_assignment(proposal=talk, person_id=scene.speakers[0].pk, actor=chair)
    assert "not in the edition's reviewer pool" in str(excinfo.value)
    with pytest.raises(ValidationError) as excinfo:
        add_manual_assignment(proposal=talk, person_id=scene.reviewers[0].pk, actor=chair)
    assert "Same team as" in excinfo.value.message_dict["person"][0]
    set_pair_pin(proposal=talk, person_id=scene.reviewers[3].pk, kind=PinKind.FORBID, actor=chair)
    with pytest.raises(ValidationError, match="never assign"):
        add_manual_assignment(proposal=talk, person_id=scene.reviewers[3].pk, actor=chair)
    assignment = add_manual_assignment(proposal=talk, person_id=scene.reviewers[4].pk, actor=chair)
    assert assignment.affinity > 0
    assert assignment.affinity_detail["topic"] == 1.0
    with pytest.raises(AssignmentRefused):
        add_manual_assignment(proposal=talk, person_id=scene.reviewers[4].pk, actor=chair)


def test_removing_an_assignment_is_refused_once_the_review_started(scene, chair, committee_member):
    talk = scene.proposals[0]
    first = add_manual_assignment(proposal=talk, person_id=scene.reviewers[4].pk, actor=chair)
    second = add_manual_assignment(proposal=talk, person_id=scene.reviewers[5].pk, actor=chair)
    Review.objects.create(assignment=second)
    with pytest.raises(PermissionDenied):
        remove_assignment(assignment=first, actor=committee_member)
    remove_assignment(assignment=first, actor=chair)
    assert not ReviewAssignment.objects.filter(pk=first.pk).exists()
    with pytest.raises(AssignmentRefused) as excinfo:
        remove_assignment(assignment=second, actor=chair)
    assert excinfo.value.code == "review_started"
    assert AuditLogEntry.objects.filter(action="conference.assignment_removed").count() == 1
