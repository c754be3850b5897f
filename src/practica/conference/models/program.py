"""The program: sessions in rooms and time slots, keynotes and breaks, and personal agendas."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SlotKind(models.TextChoices):
    SESSION = "session", _("Session")
    KEYNOTE = "keynote", _("Keynote")
    BREAK = "break", _("Break")
    PLENARY = "plenary", _("Opening / closing")


class ProgramSlot(models.Model):
    """One entry of the program. A session shows an accepted proposal; a keynote may show a
    proposal or just a title and a speaker; a break or plenary with no room spans all rooms.

    `uid` and `sequence` make the session's calendar entry (SEQUENCE goes up on every move).
    """

    edition = models.ForeignKey(
        "conference.Edition", on_delete=models.CASCADE, related_name="program_slots"
    )
    kind = models.CharField(_("kind"), max_length=8, choices=SlotKind.choices)
    proposal = models.OneToOneField(
        "conference.Proposal",
        verbose_name=_("proposal"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="program_slot",
    )
    title = models.CharField(_("title"), max_length=200, blank=True)
    speaker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("speaker"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="keynote_slots",
    )
    room = models.ForeignKey(
        "conference.Room",
        verbose_name=_("room"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="slots",
    )
    track = models.ForeignKey(
        "conference.Track",
        verbose_name=_("track"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="slots",
    )
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    sequence = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["starts_at", "room__position", "pk"]
        verbose_name = _("program slot")
        verbose_name_plural = _("program slots")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="slot_ends_after_start"
            ),
        ]
        indexes = [models.Index(fields=["edition", "starts_at"], name="slot_edition_start")]

    def __str__(self) -> str:
        return self.title or (self.proposal.title if self.proposal_id else str(self.kind))


class AgendaItem(models.Model):
    """A session a member put on their personal agenda."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="agenda_items"
    )
    slot = models.ForeignKey(ProgramSlot, on_delete=models.CASCADE, related_name="agenda_items")
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["slot__starts_at"]
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        constraints = [
            models.UniqueConstraint(fields=["person", "slot"], name="agenda_item_once"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} → {self.slot_id}"
