"""Every write about people and the org chart: members, profiles, org units, API tokens."""

import hashlib
import secrets
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from practica.core.models import ActivityKind, Topic
from practica.core.services import record_activity, record_audit
from practica.core.tree import child_path, path_depth
from practica.people.models import (
    MAX_BIO_LENGTH,
    TIME_ZONES,
    OrgUnit,
    OrgUnitKind,
    PersonalAccessToken,
    Role,
    User,
)
from practica.people.permissions import can_edit_profile

MAX_TOKENS_PER_MEMBER = 20
MAX_LANGUAGES = 12
PROFILE_FIELDS = frozenset(
    {
        "display_name",
        "org_unit",
        "manager",
        "role",
        "career_level",
        "job_title",
        "location",
        "country",
        "time_zone",
        "languages",
        "bio",
        "hired_on",
        "left_on",
    }
)


def create_org_unit(
    *, name: str, kind: str, parent: OrgUnit | None = None, slug: str = ""
) -> OrgUnit:
    """Add a unit to the org chart under `parent`; the slug must be unique."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("An org unit needs a name.")})
    if kind not in OrgUnitKind.values:
        raise ValidationError({"kind": _("Unknown kind of org unit.")})
    slug = slugify(slug or name)[:160]
    if not slug:
        raise ValidationError({"name": _("The name must contain letters or digits.")})
    with transaction.atomic():
        if OrgUnit.objects.filter(slug=slug).exists():
            raise ValidationError({"slug": _("An org unit with this slug already exists.")})
        path = child_path(parent.path if parent else None, slug)
        return OrgUnit.objects.create(
            name=name, slug=slug, kind=kind, parent=parent, path=path, depth=path_depth(path)
        )


def normalize_email_address(email: str) -> str:
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError as error:
        raise ValidationError({"email": _("Enter a valid email address.")}) from error
    return email


def _validate_profile(changes: dict[str, Any], person: User | None = None) -> dict[str, Any]:
    """Check profile values; raises ValidationError with a message per field."""
    errors: dict[str, str] = {}
    unknown = set(changes) - PROFILE_FIELDS
    if unknown:
        errors["__all__"] = _("Unknown profile fields: %(fields)s") % {
            "fields": ", ".join(sorted(unknown))
        }
    if "display_name" in changes:
        changes["display_name"] = (changes["display_name"] or "").strip()
        if not changes["display_name"]:
            errors["display_name"] = _("A display name is required.")
        elif len(changes["display_name"]) > 120:
            errors["display_name"] = _("Keep the display name to 120 characters.")
    if "time_zone" in changes and changes["time_zone"] not in TIME_ZONES:
        errors["time_zone"] = _("“%(value)s” is not a known time zone.") % {
            "value": changes["time_zone"]
        }
    if "role" in changes and changes["role"] not in Role.values:
        errors["role"] = _("Choose one of the listed roles.")
    level = changes.get("career_level")
    if level is not None and not (isinstance(level, int) and 1 <= level <= 10):
        errors["career_level"] = _("The career level is a whole number from 1 to 10.")
    if len(changes.get("bio") or "") > MAX_BIO_LENGTH:
        errors["bio"] = _("Keep the bio to %(limit)d characters.") % {"limit": MAX_BIO_LENGTH}
    for field, limit in (("job_title", 120), ("location", 120)):
        if len(changes.get(field) or "") > limit:
            errors[field] = _("Keep this to %(limit)d characters.") % {"limit": limit}
    if "country" in changes:
        changes["country"] = (changes["country"] or "").strip().upper()
        if changes["country"] and not (
            len(changes["country"]) == 2 and changes["country"].isalpha()
        ):
            errors["country"] = _("Use the two-letter country code, e.g. DE or CN.")
    if "languages" in changes:
        languages = changes["languages"] or []
        if isinstance(languages, str):
            languages = [part.strip() for part in languages.split(",")]
        languages = [lang for lang in languages if lang]
        if len(languages) > MAX_LANGUAGES or any(len(lang) > 40 for lang in languages):
            errors["languages"] = _("List at most %(n)d languages.") % {"n": MAX_LANGUAGES}
        changes["languages"] = languages
    manager = changes.get("manager")
    if person is not None and manager is not None:
        node: User | None = manager
        seen = 0
        while node is not None and seen < 64:
            if node.pk == person.pk:
                errors["manager"] = _("A member cannot be in their own management chain.")
                break
            node = node.manager
            seen += 1
    hired, left = changes.get("hired_on"), changes.get("left_on")
    if isinstance(hired, date) and isinstance(left, date) and left < hired:
        errors["left_on"] = _("The leaving date cannot be before the hiring date.")
    if errors:
        raise ValidationError(errors)
    return changes


def create_member(
    *,
    email: str,
    display_name: str,
    password: str | None = None,
    expertise: Iterable[Topic] = (),
    **profile: Any,
) -> User:
    """Create a member account; the email must not be taken (case-insensitively)."""
    email = normalize_email_address(email)
    profile = _validate_profile({"display_name": display_name, **profile})
    with transaction.atomic():
        if User.objects.filter(email__iexact=email).exists():
            raise ValidationError({"email": _("A member with this email address already exists.")})
        person = User(email=email, **profile)
        if password:
            person.set_password(password)
        else:
            person.set_unusable_password()
        person.save()
        if expertise:
            person.expertise.set(list(expertise))
    return person


def update_profile(
    *, person: User, actor: User, expertise: Iterable[Topic] | None = None, **changes: Any
) -> User:
    """Change a member's profile. The member themself or staff may do it."""
    if not can_edit_profile(actor, person):
        raise PermissionDenied(_("You may only edit your own profile."))
    changes = _validate_profile(dict(changes), person)
    with transaction.atomic():
        for field, value in changes.items():
            setattr(person, field, value)
        person.save(update_fields=list(changes) or None)
        if expertise is not None:
            person.expertise.set(list(expertise))
        record_activity(
            kind=ActivityKind.PROFILE_UPDATED,
            person_id=person.pk,
            data={"fields": sorted(changes) + (["expertise"] if expertise else [])},
        )
        if actor.pk != person.pk:
            record_audit(
                actor_id=actor.pk,
                action="profile.updated",
                target=person,
                data={"fields": sorted(changes)},
            )
    return person


def set_preferred_language(*, person: User, language: str) -> User:
    """Remember the member's site language (one of settings.LANGUAGES)."""
    codes = {code for code, _name in settings.LANGUAGES}
    if language not in codes:
        raise ValidationError({"language": _("Choose one of the site's languages.")})
    person.preferred_language = language
    person.save(update_fields=["preferred_language"])
    return person


def hash_token_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_access_token(
    *, user: User, name: str, expires_at: datetime | None = None
) -> tuple[PersonalAccessToken, str]:
    """Create a personal access token; returns the row and the secret, which is never stored."""
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Give the token a name, e.g. the script that uses it.")})
    if len(name) > 80:
        raise ValidationError({"name": _("Keep the name to 80 characters.")})
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationError({"expires_at": _("The expiry must be in the future.")})
    with transaction.atomic():
        live = PersonalAccessToken.objects.filter(user=user, revoked_at__isnull=True).count()
        if live >= MAX_TOKENS_PER_MEMBER:
            raise ValidationError({"name": _("You have too many tokens; revoke one first.")})
        lookup_prefix = secrets.token_hex(6)
        secret = f"{settings.PRACTICA_API_TOKEN_PREFIX}{lookup_prefix}_{secrets.token_urlsafe(32)}"
        token = PersonalAccessToken.objects.create(
            user=user,
            name=name,
            lookup_prefix=lookup_prefix,
            token_hash=hash_token_secret(secret),
            expires_at=expires_at,
        )
    return token, secret


def revoke_access_token(*, token: PersonalAccessToken, actor: User) -> PersonalAccessToken:
    """Revoke a token; only its owner or staff may."""
    if actor.pk != token.user_id and not actor.is_staff:
        raise PermissionDenied(_("You may only revoke your own tokens."))
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def authenticate_access_token(secret: str) -> User | None:
    """The active member a token secret belongs to, or None; notes when it was last used."""
    prefix = settings.PRACTICA_API_TOKEN_PREFIX
    if not secret or not secret.startswith(prefix) or len(secret) > 200:
        return None
    lookup_prefix = secret[len(prefix) :].split("_", 1)[0]
    token = (
        PersonalAccessToken.objects.select_related("user")
        .filter(lookup_prefix=lookup_prefix)
        .first()
    )
    if token is None or not token.is_usable or not token.user.is_active:
        return None
    if not secrets.compare_digest(token.token_hash, hash_token_secret(secret)):
        return None
    now = timezone.now()
    # Writing on every call would serialise API traffic on SQLite; a minute's precision is enough.
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        PersonalAccessToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
