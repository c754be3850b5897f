"""Proposals submitted to an edition's call, and their speakers."""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from practica.core.models import TimeStampedModel


class AudienceLevel(models.TextChoices):
    BEGINNER = "beginner", _("Beginner")
    INTERMEDIATE = "intermediate", _("Intermediate")
    ADVANCED = "advanced", _("Advanced")


class ProposalState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")
    WAITLISTED = "waitlisted", _("Waitlisted")
    CONFIRMED = "confirmed", _("Confirmed")


# Proposals that are in the review: what the assignment, the bids and the dashboard read.
IN_REVIEW_STATES = (
    ProposalState.SUBMITTED,
    ProposalState.ACCEPTED,
    ProposalState.REJECTED,
    ProposalState.WAITLISTED,
    ProposalState.CONFIRMED,
)
DECIDED_STATES = (
    ProposalState.ACCEPTED,
    ProposalState.REJECTED,
    ProposalState.WAITLISTED,
    ProposalState.CONFIRMED,
)


class ProposalQuerySet(models.QuerySet["Proposal"]):
    def in_review(self) -> "ProposalQuerySet":
        return self.filter(state__in=IN_REVIEW_STATES)


class Proposal(TimeStampedModel):
    """A session proposed to an edition. Editable by its speakers until the deadline.

    `decision_mailed_at` is set when the decision mail went to the outbox, so a bulk send
    never mails a speaker twice.
    """

    edition = models.ForeignKey(
        "conference.Edition", on_delete=models.CASCADE, related_name="proposals"
    )
    title = models.CharField(_("title"), max_length=200)
    abstract = models.TextField(_("abstract"), max_length=10000)
    format = models.ForeignKey(
        "conference.SessionFormat",
        verbose_name=_("format"),
        on_delete=models.PROTECT,
        related_name="proposals",
    )
    track = models.ForeignKey(
        "conference.Track",
        verbose_name=_("track"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="proposals",
    )
    topics = models.ManyToManyField(
        "core.Topic", verbose_name=_("topics"), blank=True, related_name="proposals"
    )
    audience_level = models.CharField(
        _("audience level"),
        max_length=12,
        choices=AudienceLevel.choices,
        default=AudienceLevel.INTERMEDIATE,
    )
    links = models.JSONField(_("links"), default=list, blank=True)
    expected_audience = models.PositiveIntegerField(_("expected audience"), null=True, blank=True)
    state = models.CharField(
        _("state"), max_length=12, choices=ProposalState.choices, default=ProposalState.DRAFT
    )
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decision_mailed_at = models.DateTimeField(null=True, blank=True, editable=False)
    confirmed_at = models.DateTimeField(_("confirmed by the speakers"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        on_delete=models.PROTECT,
        related_name="conference_proposals",
    )

    objects = ProposalQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        indexes = [models.Index(fields=["edition", "state"], name="proposal_edition_state")]

    def __str__(self) -> str:
        return self.title


class SpeakerStatus(models.TextChoices):
    INVITED = "invited", _("Invited")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")


def new_invitation_token() -> str:
    return secrets.token_urlsafe(24)


class ProposalSpeaker(models.Model):
    """A speaker of a proposal. The submitter is accepted at once; co-speakers are invited by
    email and must accept (by the link in the invitation, signed in as that address).

    `person` is set when the address belongs to a member (at invitation or on acceptance).
    """

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="speakers")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="proposal_speaker_roles",
    )
    email = models.EmailField(_("email address"), max_length=254)
    status = models.CharField(
        _("status"), max_length=10, choices=SpeakerStatus.choices, default=SpeakerStatus.INVITED
    )
    is_submitter = models.BooleanField(_("submitter"), default=False)
    token = models.CharField(max_length=64, unique=True, default=new_invitation_token)
    invited_at = models.DateTimeField(_("invited"), default=timezone.now)
    responded_at = models.DateTimeField(_("answered"), null=True, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "invited_at"]
        verbose_name = _("speaker")
        verbose_name_plural = _("speakers")
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "email"], name="speaker_email_once_per_proposal"
            ),
            models.UniqueConstraint(
                fields=["proposal", "person"],
                condition=Q(person__isnull=False),
                name="speaker_person_once_per_proposal",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} on {self.proposal_id} ({self.status})"
