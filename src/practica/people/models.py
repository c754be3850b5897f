"""People and the organisation: members (email login) with profiles, the org chart, API tokens."""

import zoneinfo

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

TIME_ZONES = frozenset(zoneinfo.available_timezones())
MAX_BIO_LENGTH = 5000


def validate_time_zone(value: str) -> None:
    if value not in TIME_ZONES:
        raise ValidationError(_("“%(value)s” is not a known time zone."), params={"value": value})


class OrgUnitKind(models.TextChoices):
    DIVISION = "division", _("Division")
    GROUP = "group", _("Group")
    TEAM = "team", _("Team")


class OrgUnit(models.Model):
    """A node of the org chart (division → group → team), with a materialised path."""

    name = models.CharField(_("name"), max_length=160)
    slug = models.SlugField(_("slug"), max_length=160, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=OrgUnitKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField(_("path"), max_length=1000, db_index=True, editable=False)
    depth = models.PositiveSmallIntegerField(_("depth"), default=0, editable=False)

    class Meta:
        ordering = ["path"]
        verbose_name = _("org unit")
        verbose_name_plural = _("org units")

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    RESEARCHER = "researcher", _("Researcher")
    ENGINEER = "engineer", _("Engineer")
    DATA_SCIENTIST = "data_scientist", _("Data scientist")
    APPLIED_SCIENTIST = "applied_scientist", _("Applied scientist")
    PRODUCT_MANAGER = "pm", _("Product manager")
    FIELD = "field", _("Field / sales")
    OTHER = "other", _("Other")


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields: object) -> "User":
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields: object) -> "User":
        fields.setdefault("is_staff", True)
        fields.setdefault("is_superuser", True)
        return self.create_user(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A member of the company who signs in with their email address; the profile lives here."""

    email = models.EmailField(_("email address"), max_length=254, unique=True)
    display_name = models.CharField(_("display name"), max_length=120)
    org_unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("org unit"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="people",
    )
    manager = models.ForeignKey(
        "self",
        verbose_name=_("manager"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reports",
    )
    role = models.CharField(_("role"), max_length=30, choices=Role.choices, default=Role.OTHER)
    career_level = models.PositiveSmallIntegerField(
        _("career level"),
        null=True,
        blank=True,
        help_text=_("The company's career level, 1 (entry) to 10 (most senior)."),
    )
    job_title = models.CharField(_("job title"), max_length=120, blank=True)
    location = models.CharField(_("location"), max_length=120, blank=True)
    country = models.CharField(_("country"), max_length=2, blank=True)
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="UTC", validators=[validate_time_zone]
    )
    languages = models.JSONField(_("languages"), default=list, blank=True)
    bio = models.TextField(_("bio"), blank=True, max_length=MAX_BIO_LENGTH)
    expertise = models.ManyToManyField(
        "core.Topic", verbose_name=_("expertise"), blank=True, related_name="experts"
    )
    employee_number = models.CharField(
        _("employee number"),
        max_length=64,
        null=True,
        blank=True,
        unique=True,
        help_text=_("The HR system's stable number; provisioning matches people by it."),
    )
    hired_on = models.DateField(_("hired on"), null=True, blank=True)
    left_on = models.DateField(_("left the company on"), null=True, blank=True)
    preferred_language = models.CharField(_("site language"), max_length=10, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(_("staff"), default=False)
    is_system = models.BooleanField(
        _("system account"),
        default=False,
        help_text=_("Service and bot accounts, excluded from every metric."),
    )
    is_placeholder = models.BooleanField(
        _("placeholder from the list archive"),
        default=False,
        help_text=_("Made for an unknown author of imported list mail; a person can claim it."),
    )
    date_joined = models.DateTimeField(_("account created"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["display_name"]

    class Meta:
        ordering = ["display_name"]
        verbose_name = _("member")
        verbose_name_plural = _("members")
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_ci_unique"),
        ]
        indexes = [models.Index(Lower("display_name"), name="user_display_name_ci")]

    def __str__(self) -> str:
        return self.display_name or self.email

    def get_full_name(self) -> str:
        return self.display_name

    def get_short_name(self) -> str:
        return self.display_name.split(" ")[0] if self.display_name else self.email

    def clean(self) -> None:
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()


class Affiliation(models.Model):
    """One stretch of a person's place in the company: org unit, title and manager, with dates.

    Provisioning closes the open row and opens a new one when any of the three changes, so
    figures about the past read the affiliation of the time and do not move on a transfer.
    """

    person = models.ForeignKey(User, on_delete=models.CASCADE, related_name="affiliations")
    org_unit = models.ForeignKey(
        OrgUnit, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    job_title = models.CharField(_("job title"), max_length=120, blank=True)
    manager = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    valid_from = models.DateField(_("from"))
    valid_to = models.DateField(_("until"), null=True, blank=True)

    class Meta:
        ordering = ["person", "valid_from"]
        verbose_name = _("affiliation")
        verbose_name_plural = _("affiliations")
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=models.Q(valid_to__isnull=True),
                name="one_open_affiliation",
            ),
        ]
        indexes = [models.Index(fields=["org_unit", "valid_from"], name="affiliation_unit_from")]

    def __str__(self) -> str:
        return f"{self.person_id} in {self.org_unit_id} from {self.valid_from}"


class ExternalIdentity(models.Model):
    """A person's stable subject at the company's OpenID Connect provider."""

    person = models.ForeignKey(User, on_delete=models.CASCADE, related_name="external_identities")
    issuer = models.CharField(_("issuer"), max_length=500)
    subject = models.CharField(_("subject"), max_length=255)
    created_at = models.DateTimeField(_("linked"), default=timezone.now)
    last_login_at = models.DateTimeField(_("last sign-in"), null=True, blank=True)

    class Meta:
        ordering = ["issuer", "subject"]
        verbose_name = _("external identity")
        verbose_name_plural = _("external identities")
        constraints = [
            models.UniqueConstraint(fields=["issuer", "subject"], name="external_identity_once"),
        ]

    def __str__(self) -> str:
        return f"{self.subject} at {self.issuer}"


class PersonalAccessToken(models.Model):
    """An API token; only its SHA-256 is stored, the secret is shown once at creation."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=80)
    lookup_prefix = models.CharField(max_length=16, unique=True)
    token_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("personal access token")
        verbose_name_plural = _("personal access tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.lookup_prefix}…)"

    @property
    def is_usable(self) -> bool:
        now = timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)
