"""A community's living strategy, versioned and approved, and its maturity self-assessments."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from practica.communities.models.core import Community


class StrategyStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    APPROVED = "approved", _("Approved")
    SUPERSEDED = "superseded", _("Superseded")


class StrategyVersion(models.Model):
    """One version of a community's strategy: a whole snapshot, so versions compare side by side.

    Only a draft is edited. Approving it records who approved and when, and supersedes the
    version approved before; the next change starts a new draft copied from it. At most one
    draft per community.
    """

    community = models.ForeignKey(
        Community, on_delete=models.CASCADE, related_name="strategy_versions"
    )
    number = models.PositiveIntegerField(_("version"))
    status = models.CharField(
        _("status"), max_length=10, choices=StrategyStatus.choices, default=StrategyStatus.DRAFT
    )
    summary = models.TextField(_("summary"), blank=True, max_length=5000)
    goals = models.JSONField(
        _("goals"), default=list, blank=True, help_text=_("Why the company invests.")
    )
    scenarios = models.JSONField(
        _("scenarios"), default=list, blank=True, help_text=_('"I can…" statements.')
    )
    principles = models.JSONField(_("principles"), default=list, blank=True)
    change_note = models.CharField(_("what changed"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    approval_note = models.CharField(
        _("approval"),
        max_length=500,
        blank=True,
        help_text=_("For example: approved by the sponsor's leadership team on 12 March."),
    )

    class Meta:
        ordering = ["community", "-number"]
        verbose_name = _("strategy version")
        verbose_name_plural = _("strategy versions")
        constraints = [
            models.UniqueConstraint(fields=["community", "number"], name="strategy_version_once"),
            models.UniqueConstraint(
                fields=["community"], condition=Q(status="draft"), name="one_strategy_draft"
            ),
        ]

    def __str__(self) -> str:
        return f"strategy v{self.number} of {self.community_id} ({self.status})"


class StrategyAudience(models.Model):
    """Whom the strategy aims to reach: an org unit (and everything under it), a role, or a job
    title; its live reach (how many of them are members) is computed, never stored."""

    version = models.ForeignKey(StrategyVersion, on_delete=models.CASCADE, related_name="audience")
    label = models.CharField(_("label"), max_length=160)
    org_unit = models.ForeignKey(
        "people.OrgUnit",
        verbose_name=_("org unit"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    role = models.CharField(_("role"), max_length=30, blank=True)
    job_title_contains = models.CharField(_("job title contains"), max_length=120, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["version", "position", "pk"]
        verbose_name = _("audience")
        verbose_name_plural = _("audiences")

    def __str__(self) -> str:
        return self.label


class TargetComparison(models.TextChoices):
    AT_LEAST = "at_least", _("at least")
    AT_MOST = "at_most", _("at most")


class StrategyTarget(models.Model):
    """A goal bound to a metric the platform computes (`metric_key` names one registered in
    `practica.communities.target_metrics`), e.g. median time to first response at most 2 h.

    Green when met; amber when missed by no more than `amber_margin_percent` of the target;
    red otherwise.
    """

    version = models.ForeignKey(StrategyVersion, on_delete=models.CASCADE, related_name="targets")
    metric_key = models.CharField(_("metric"), max_length=60)
    label = models.CharField(_("label"), max_length=200, blank=True)
    comparison = models.CharField(_("comparison"), max_length=10, choices=TargetComparison.choices)
    target_value = models.DecimalField(_("target"), max_digits=14, decimal_places=4)
    amber_margin_percent = models.PositiveSmallIntegerField(
        _("amber within (percent of target)"), default=10, validators=[MaxValueValidator(100)]
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["version", "position", "pk"]
        verbose_name = _("target")
        verbose_name_plural = _("targets")

    def __str__(self) -> str:
        return f"{self.metric_key} {self.comparison} {self.target_value}"


class StrategyLeader(models.Model):
    """A member of the leadership team named by a version, with their remit."""

    version = models.ForeignKey(StrategyVersion, on_delete=models.CASCADE, related_name="leaders")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="strategy_remits"
    )
    remit = models.CharField(_("remit"), max_length=300)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["version", "position", "pk"]
        verbose_name = _("leadership team member")
        verbose_name_plural = _("leadership team")
        constraints = [
            models.UniqueConstraint(fields=["version", "person"], name="strategy_leader_once"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id}: {self.remit}"


class MaturityCompetency(models.TextChoices):
    """The Community Roundtable's eight competencies of community management."""

    STRATEGY = "strategy", _("Strategy")
    LEADERSHIP = "leadership", _("Leadership")
    CULTURE = "culture", _("Culture")
    COMMUNITY_MANAGEMENT = "community_management", _("Community management")
    CONTENT_AND_PROGRAMMING = "content_and_programming", _("Content and programming")
    POLICIES_AND_GOVERNANCE = "policies_and_governance", _("Policies and governance")
    TOOLS = "tools", _("Tools")
    METRICS = "metrics", _("Metrics and measurement")


class MaturityStage(models.IntegerChoices):
    """The stages of the Community Maturity Model, from command-and-control to networked."""

    HIERARCHY = 1, _("Hierarchy")
    EMERGENT = 2, _("Emergent community")
    COMMUNITY = 3, _("Community")
    NETWORK = 4, _("Network")


class MaturityAssessment(models.Model):
    """One self-assessment of a community's maturity; kept over time to show the trend."""

    community = models.ForeignKey(
        Community, on_delete=models.CASCADE, related_name="maturity_assessments"
    )
    assessed_on = models.DateField(_("assessed on"))
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField(_("note"), blank=True, max_length=5000)
    created_at = models.DateTimeField(_("recorded"), default=timezone.now)

    class Meta:
        ordering = ["community", "-assessed_on", "-pk"]
        verbose_name = _("maturity assessment")
        verbose_name_plural = _("maturity assessments")

    def __str__(self) -> str:
        return f"maturity of {self.community_id} on {self.assessed_on}"


class MaturityScore(models.Model):
    """The stage one assessment gives one competency."""

    assessment = models.ForeignKey(
        MaturityAssessment, on_delete=models.CASCADE, related_name="scores"
    )
    competency = models.CharField(
        _("competency"), max_length=30, choices=MaturityCompetency.choices
    )
    stage = models.PositiveSmallIntegerField(
        _("stage"),
        choices=MaturityStage.choices,
        validators=[MinValueValidator(1), MaxValueValidator(4)],
    )
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        ordering = ["assessment", "competency"]
        verbose_name = _("maturity score")
        verbose_name_plural = _("maturity scores")
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "competency"], name="maturity_score_once"
            ),
            models.CheckConstraint(
                condition=Q(stage__gte=1) & Q(stage__lte=4), name="maturity_stage_1_to_4"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.competency}: {self.stage}"
