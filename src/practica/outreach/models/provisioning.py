"""Accounts arriving and leaving with the company: SCIM clients, provisioned accounts, the
HR feed's imports and the log of every change applied to a person."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ProvisioningToken(models.Model):
    """A SCIM client's bearer token (the identity provider's); only its SHA-256 is stored."""

    name = models.CharField(_("name"), max_length=80)
    lookup_prefix = models.CharField(max_length=16, unique=True)
    token_hash = models.CharField(max_length=64)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("provisioning token")
        verbose_name_plural = _("provisioning tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.lookup_prefix}…)"


class ProvisionedAccount(models.Model):
    """The SCIM side of a person: the resource id we gave, the provider's externalId and
    userName, a version for ETags, and the attributes we keep but do not model."""

    person = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="provisioned_account"
    )
    scim_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    external_id = models.CharField(max_length=255, blank=True, db_index=True)
    user_name = models.CharField(max_length=254, unique=True)
    version = models.PositiveIntegerField(default=1)
    attributes = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["user_name"]
        verbose_name = _("provisioned account")
        verbose_name_plural = _("provisioned accounts")

    def __str__(self) -> str:
        return self.user_name


class ScimGroup(models.Model):
    """A group the identity provider pushes, kept so that its group pushes succeed and read back."""

    scim_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    external_id = models.CharField(max_length=255, blank=True, db_index=True)
    display_name = models.CharField(max_length=255, unique=True)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["display_name"]
        verbose_name = _("SCIM group")
        verbose_name_plural = _("SCIM groups")

    def __str__(self) -> str:
        return self.display_name


class HrImportStatus(models.TextChoices):
    PREVIEWED = "previewed", _("Previewed")
    APPLIED = "applied", _("Applied")
    FAILED = "failed", _("Refused")


class HrImport(models.Model):
    """One HR feed file: its mapping, what the preview found, and what applying it changed."""

    file_name = models.CharField(_("file"), max_length=255)
    content = models.TextField(_("content"))
    column_mapping = models.JSONField(_("column mapping"), default=dict, blank=True)
    effective_on = models.DateField(_("effective on"))
    status = models.CharField(
        _("status"), max_length=12, choices=HrImportStatus.choices, default=HrImportStatus.PREVIEWED
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("uploaded"), default=timezone.now)
    applied_at = models.DateTimeField(_("applied"), null=True, blank=True)
    rows_total = models.PositiveIntegerField(default=0)
    report = models.JSONField(_("report"), default=dict, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("HR feed import")
        verbose_name_plural = _("HR feed imports")

    def __str__(self) -> str:
        return f"{self.file_name} ({self.status})"


class ChangeSource(models.TextChoices):
    SCIM = "scim", _("SCIM")
    HR_FEED = "hr_feed", _("HR feed")
    SSO = "sso", _("Single sign-on")
    MANUAL = "manual", _("By hand")


class ChangeKind(models.TextChoices):
    JOINER = "joiner", _("Joined the company")
    LEAVER = "leaver", _("Left the company")
    TRANSFER = "transfer", _("Transferred")
    UPDATE = "update", _("Details updated")
    REACTIVATED = "reactivated", _("Came back")


class PersonChange(models.Model):
    """One change provisioning applied to a person, with the fields before and after."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="provisioning_changes"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=ChangeKind.choices)
    source = models.CharField(_("source"), max_length=10, choices=ChangeSource.choices)
    hr_import = models.ForeignKey(
        HrImport, null=True, blank=True, on_delete=models.SET_NULL, related_name="changes"
    )
    effective_on = models.DateField(_("effective on"))
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)

    class Meta:
        ordering = ["-recorded_at"]
        verbose_name = _("person change")
        verbose_name_plural = _("person changes")
        indexes = [
            models.Index(fields=["kind", "effective_on"], name="person_change_kind_on"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.kind} on {self.effective_on}"
