"""Shared kernel models: the topic taxonomy, the activity ledger and the audit log."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

TREE_PATH_SEPARATOR = "/"


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True


class Topic(models.Model):
    """A node of the company-wide topic taxonomy, e.g. NLP › Machine translation.

    `path` is the materialised chain of slugs ("/nlp/machine-translation/") so that
    "this topic and everything under it" is one indexed prefix query.
    """

    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    description = models.TextField(_("description"), blank=True, max_length=2000)
    path = models.CharField(_("path"), max_length=1000, db_index=True, editable=False)
    depth = models.PositiveSmallIntegerField(_("depth"), default=0, editable=False)

    class Meta:
        ordering = ["path"]
        verbose_name = _("topic")
        verbose_name_plural = _("topics")

    def __str__(self) -> str:
        return self.name

    @property
    def full_name(self) -> str:
        names = []
        node: Topic | None = self
        while node is not None:
            names.append(node.name)
            node = node.parent
        return " › ".join(reversed(names))


class ActivityKind(models.TextChoices):
    """The ledger's vocabulary; each capability adds the kinds it records."""

    JOINED = "joined", _("joined a community")
    LEFT = "left", _("left a community")
    REQUESTED_TO_JOIN = "requested_to_join", _("asked to join a community")
    ROLE_CHANGED = "role_changed", _("changed role")
    PROFILE_UPDATED = "profile_updated", _("updated their profile")
    ASKED = "asked", _("asked a question")
    DISCUSSED = "discussed", _("started a discussion")
    ANSWERED = "answered", _("answered a question")
    REPLIED = "replied", _("replied in a discussion")
    ACCEPTED = "accepted", _("accepted an answer")
    VOTED = "voted", _("voted")
    ROUTED = "routed", _("was asked to answer a question")
    REGISTERED = "registered", _("registered for an event")
    ATTENDED = "attended", _("attended an event")
    HOSTED = "hosted", _("hosted an event")
    PRESENTED = "presented", _("presented at an event")
    GAVE_FEEDBACK = "gave_feedback", _("gave feedback on an event")
    ASKED_AMA_QUESTION = "asked_ama_question", _("asked an AMA question")
    PROPOSED = "proposed", _("proposed a conference session")
    REVIEWED = "reviewed", _("reviewed a conference proposal")
    SERVED_ON_COMMITTEE = "served_on_committee", _("served on a program committee")
    KEYNOTED = "keynoted", _("gave a keynote")
    INVITED = "invited", _("invited a colleague")
    ORGANIZED_GROUP = "organized_group", _("organized a group")
    RAN_GRANT_ACTIVITY = "ran_grant_activity", _("ran a grant-funded activity")
    VOLUNTEERED = "volunteered", _("volunteered for an opportunity")


class Activity(models.Model):
    """One row per member action; metrics read this ledger, apps only append to it."""

    kind = models.CharField(_("kind"), max_length=40, choices=ActivityKind.choices)
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="activities",
    )
    community = models.ForeignKey(
        "communities.Community",
        verbose_name=_("community"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="activities",
    )
    occurred_at = models.DateTimeField(_("when"), default=timezone.now)
    subject_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    subject_id = models.PositiveBigIntegerField(null=True, blank=True)
    subject = GenericForeignKey("subject_type", "subject_id")
    counterpart = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("counterpart"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    data = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        ordering = ["-occurred_at"]
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        indexes = [
            models.Index(fields=["occurred_at"], name="activity_when"),
            models.Index(fields=["community", "occurred_at"], name="activity_community_when"),
            models.Index(fields=["person", "occurred_at"], name="activity_person_when"),
            models.Index(fields=["kind", "occurred_at"], name="activity_kind_when"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.kind} @ {self.occurred_at:%Y-%m-%d %H:%M}"


class AuditLogEntry(models.Model):
    """Who did what to whom with authority (approvals, role changes, moderation)."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=80)
    target_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    target_id = models.PositiveBigIntegerField(null=True, blank=True)
    target = GenericForeignKey("target_type", "target_id")
    community = models.ForeignKey(
        "communities.Community",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="audit_entries",
    )
    data = models.JSONField(_("details"), default=dict, blank=True)
    created_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("audit log entry")
        verbose_name_plural = _("audit log entries")

    def __str__(self) -> str:
        return f"{self.action} by {self.actor_id} @ {self.created_at:%Y-%m-%d %H:%M}"


class SearchEntry(models.Model):
    """One searchable document, kept by `practica.core.search` (never written directly).

    The full-text index lives beside it: an FTS5 table fed by triggers on SQLite, stored
    generated tsvector columns with GIN indexes on PostgreSQL (both made by migration 0004).
    `source` names the id space of `object_id` (e.g. "discussions.post"); `group_id` is what
    results are grouped by (a thread). `tags` are opaque filter tokens (community, topic,
    state…, hashed by core.search) indexed beside the text so filters are index look-ups.
    `title` and `body` hold plain text, with CJK characters separated so each is a token.
    """

    source = models.CharField(max_length=40)
    object_id = models.BigIntegerField()
    group_id = models.BigIntegerField()
    created_at = models.DateTimeField()
    title = models.TextField(blank=True)
    body = models.TextField(blank=True)
    tags = models.TextField(blank=True)

    class Meta:
        verbose_name = _("search entry")
        verbose_name_plural = _("search entries")
        constraints = [
            models.UniqueConstraint(fields=["source", "object_id"], name="search_entry_once"),
        ]
        indexes = [models.Index(fields=["source", "group_id"], name="search_entry_group")]

    def __str__(self) -> str:
        return f"{self.source} {self.object_id}"
