"""The reviewer pool, conflicts and bids, assignment runs, reviews and the reviewers'
discussion of a proposal."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from practica.core.models import TimeStampedModel


class ReviewerVolunteer(models.Model):
    """A member who volunteered to review for an edition, with their expertise and most load.

    The chair can set a volunteer aside (`is_active=False`); their bids and reviews stay.
    """

    edition = models.ForeignKey(
        "conference.Edition", on_delete=models.CASCADE, related_name="reviewers"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reviewer_seats"
    )
    topics = models.ManyToManyField(
        "core.Topic", verbose_name=_("expertise"), blank=True, related_name="+"
    )
    max_load = models.PositiveSmallIntegerField(
        _("most proposals I can review"),
        default=8,
        validators=[MinValueValidator(1), MaxValueValidator(50)],
    )
    statement = models.TextField(_("what I know about"), blank=True, max_length=3000)
    is_active = models.BooleanField(_("in the pool"), default=True)
    volunteered_at = models.DateTimeField(_("volunteered"), default=timezone.now)

    class Meta:
        ordering = ["volunteered_at"]
        verbose_name = _("reviewer")
        verbose_name_plural = _("reviewers")
        constraints = [
            models.UniqueConstraint(fields=["edition", "person"], name="reviewer_once"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} reviews {self.edition_id}"


class DeclaredConflict(models.Model):
    """A conflict of interest someone declared, beside those the org chart shows.

    A reviewer declares one on a proposal (or bids "conflict"); a speaker or the chair can
    declare one between a proposal and a member.
    """

    proposal = models.ForeignKey(
        "conference.Proposal", on_delete=models.CASCADE, related_name="declared_conflicts"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="declared_conflicts"
    )
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    declared_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["declared_at"]
        verbose_name = _("declared conflict")
        verbose_name_plural = _("declared conflicts")
        constraints = [
            models.UniqueConstraint(fields=["proposal", "person"], name="declared_conflict_once"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} × {self.proposal_id}"


class BidLevel(models.TextChoices):
    EAGER = "eager", _("Eager")
    WILLING = "willing", _("Willing")
    NOT_WILLING = "not_willing", _("Not willing")
    CONFLICT = "conflict", _("Conflict")


class Bid(models.Model):
    """A reviewer's wish about one proposal; "conflict" also counts as a declared conflict."""

    reviewer = models.ForeignKey(ReviewerVolunteer, on_delete=models.CASCADE, related_name="bids")
    proposal = models.ForeignKey(
        "conference.Proposal", on_delete=models.CASCADE, related_name="bids"
    )
    level = models.CharField(_("bid"), max_length=12, choices=BidLevel.choices)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("bid")
        verbose_name_plural = _("bids")
        constraints = [
            models.UniqueConstraint(fields=["reviewer", "proposal"], name="bid_once"),
        ]

    def __str__(self) -> str:
        return f"{self.reviewer_id} {self.level} {self.proposal_id}"


class AssignmentMode(models.TextChoices):
    MAX_AFFINITY = "max_affinity", _("Highest total affinity")
    FAIR = "fair", _("Fairness: raise the weakest proposal")


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class AssignmentRun(TimeStampedModel):
    """One run of the reviewer assignment, as a background job with progress.

    `parameters` holds what it ran with (k, loads, mode, sparsification), `report` what it
    found (total and per-proposal affinity, load spread, upper bound, gap). A run's pairs are
    written to `ReviewAssignment` only when the chair applies it (`applied_at`).
    """

    edition = models.ForeignKey(
        "conference.Edition", on_delete=models.CASCADE, related_name="assignment_runs"
    )
    mode = models.CharField(
        _("mode"),
        max_length=14,
        choices=AssignmentMode.choices,
        default=AssignmentMode.MAX_AFFINITY,
    )
    status = models.CharField(
        _("status"), max_length=8, choices=RunStatus.choices, default=RunStatus.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("progress"), default=0)
    progress_message = models.CharField(max_length=200, blank=True)
    parameters = models.JSONField(default=dict, blank=True)
    report = models.JSONField(default=dict, blank=True)
    pairs = models.JSONField(
        default=list, blank=True, help_text="[[proposal_id, person_id, affinity], …]"
    )
    error = models.TextField(blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    applied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("assignment run")
        verbose_name_plural = _("assignment runs")

    def __str__(self) -> str:
        return f"run {self.pk} of {self.edition_id} ({self.status})"


class PinKind(models.TextChoices):
    PIN = "pin", _("Always assign")
    FORBID = "forbid", _("Never assign")


class AssignmentPin(models.Model):
    """The chair's word on one reviewer × proposal pair, honoured by every later run."""

    proposal = models.ForeignKey(
        "conference.Proposal", on_delete=models.CASCADE, related_name="assignment_pins"
    )
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=6, choices=PinKind.choices)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    set_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("pinned pair")
        verbose_name_plural = _("pinned pairs")
        constraints = [
            models.UniqueConstraint(fields=["proposal", "person"], name="assignment_pin_once"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.person_id} × {self.proposal_id}"


class AssignmentSource(models.TextChoices):
    SOLVER = "solver", _("Assignment run")
    MANUAL = "manual", _("Chair")


class ReviewAssignment(models.Model):
    """A reviewer asked to review a proposal. `affinity` and `affinity_detail` are what the
    assignment computed for the pair (text similarity, topic overlap, bid), for the chair."""

    proposal = models.ForeignKey(
        "conference.Proposal", on_delete=models.CASCADE, related_name="assignments"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="review_assignments"
    )
    run = models.ForeignKey(
        AssignmentRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    source = models.CharField(
        max_length=8, choices=AssignmentSource.choices, default=AssignmentSource.SOLVER
    )
    affinity = models.FloatField(default=0)
    affinity_detail = models.JSONField(default=dict, blank=True)
    assigned_at = models.DateTimeField(default=timezone.now)
    reminded_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["assigned_at"]
        verbose_name = _("review assignment")
        verbose_name_plural = _("review assignments")
        constraints = [
            models.UniqueConstraint(fields=["proposal", "reviewer"], name="assignment_once"),
        ]
        indexes = [models.Index(fields=["reviewer", "proposal"], name="assignment_reviewer")]

    def __str__(self) -> str:
        return f"{self.reviewer_id} reviews {self.proposal_id}"


class Recommendation(models.IntegerChoices):
    STRONG_REJECT = -2, _("Strong reject")
    REJECT = -1, _("Reject")
    NEUTRAL = 0, _("Borderline")
    ACCEPT = 1, _("Accept")
    STRONG_ACCEPT = 2, _("Strong accept")


class ReviewStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")


class Review(TimeStampedModel):
    """One reviewer's review of one proposal (through their assignment).

    `weighted_score` is the weighted mean of the criterion scores, kept when it is submitted
    so the committee dashboard sorts without recomputing.
    """

    assignment = models.OneToOneField(
        ReviewAssignment, on_delete=models.CASCADE, related_name="review"
    )
    status = models.CharField(
        max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.DRAFT
    )
    recommendation = models.SmallIntegerField(
        _("overall recommendation"), choices=Recommendation.choices, null=True, blank=True
    )
    confidence = models.PositiveSmallIntegerField(
        _("confidence"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    comments_to_speakers = models.TextField(
        _("comments to the speakers"), blank=True, max_length=10000
    )
    comments_to_committee = models.TextField(
        _("comments to the committee"), blank=True, max_length=10000
    )
    weighted_score = models.FloatField(null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)

    class Meta:
        ordering = ["submitted_at"]
        verbose_name = _("review")
        verbose_name_plural = _("reviews")

    def __str__(self) -> str:
        return f"review {self.pk} ({self.status})"


class ReviewScore(models.Model):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(
        "conference.ReviewCriterion", on_delete=models.CASCADE, related_name="scores"
    )
    score = models.PositiveSmallIntegerField(
        _("score"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )

    class Meta:
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        constraints = [
            models.UniqueConstraint(fields=["review", "criterion"], name="score_once"),
            models.CheckConstraint(
                condition=models.Q(score__gte=1, score__lte=5), name="score_1_to_5"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.criterion_id}: {self.score}"


class ProposalComment(models.Model):
    """The discussion of a proposal among its reviewers and the committee (never speakers)."""

    proposal = models.ForeignKey(
        "conference.Proposal", on_delete=models.CASCADE, related_name="committee_comments"
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    body = models.TextField(_("comment"), max_length=5000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("committee comment")
        verbose_name_plural = _("committee comments")

    def __str__(self) -> str:
        return f"comment {self.pk} on {self.proposal_id}"


class DecisionOutcome(models.TextChoices):
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")
    WAITLISTED = "waitlisted", _("Waitlisted")


class DecisionTemplate(models.Model):
    """The mail speakers get for one outcome; `{{ proposal }}`, `{{ speaker }}` and
    `{{ edition }}` are filled in (Django template syntax, rendered with autoescape off)."""

    edition = models.ForeignKey(
        "conference.Edition", on_delete=models.CASCADE, related_name="decision_templates"
    )
    outcome = models.CharField(_("outcome"), max_length=12, choices=DecisionOutcome.choices)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("body"), max_length=10000)

    class Meta:
        verbose_name = _("decision mail")
        verbose_name_plural = _("decision mails")
        constraints = [
            models.UniqueConstraint(fields=["edition", "outcome"], name="decision_template_once"),
        ]

    def __str__(self) -> str:
        return f"{self.edition_id} {self.outcome}"
