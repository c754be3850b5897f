"""Every write about people and the org chart: members, profiles, org units, API tokens."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from practica.core.models import ActivityKind, Topic
from practica.core.outgoing_mail import send_templated_mail
from practica.core.services import record_activity, record_audit
from practica.core.tree import child_path, path_depth
from practica.people.merging import MergeReport, repoint_person_rows
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
from practica.people.queries import access_token_with_owner
from practica.people.token_secrets import (
    hash_token_secret,
    lookup_prefix_of,
    new_token_secret,
    note_token_use,
    secret_matches,
)

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
        lookup_prefix, secret = new_token_secret(settings.PRACTICA_API_TOKEN_PREFIX)
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
    lookup_prefix = lookup_prefix_of(secret, settings.PRACTICA_API_TOKEN_PREFIX)
    if lookup_prefix is None:
        return None
    token = access_token_with_owner(lookup_prefix)
    if token is None or not token.is_usable or not token.user.is_active:
        return None
    if not secret_matches(token.token_hash, secret):
        return None
    note_token_use(token)
    return token.user


def find_or_create_placeholder(*, email: str, display_name: str = "") -> User:
    """The person with this email address, or a new placeholder profile for it.

    For authors of list mail who have no account (imported archives, moderated mail from
    outsiders): `is_placeholder=True`, an unusable password, not staff — a person can claim it
    later. An existing account with the address (case-insensitively) is returned as it is,
    placeholder or not — except a claimed placeholder, whose address now stands for the member
    who claimed it (see `claim_placeholder`). Raises ValidationError for an invalid address.
    A concurrent creation of the same address is settled by the unique index on the
    lower-cased email (no lock).
    """
    email = normalize_email_address(email)
    existing = _people_by_email([email]).get(email)
    if existing is not None:
        return existing
    name = placeholder_display_name(email=email, display_name=display_name)
    person = User(email=email, display_name=name, is_placeholder=True)
    person.set_unusable_password()
    try:
        with transaction.atomic():
            person.save()
    except IntegrityError:
        return User.objects.get(email__iexact=email)
    return person


# --- Placeholders from the list archive, and claiming them (helper "archive") ----------------

PLACEHOLDER_CLAIM_SALT = "practica.people.placeholder-claim"
PLACEHOLDER_CLAIM_MAX_AGE = timedelta(days=7)
PLACEHOLDER_CLAIMED = "placeholder.claimed"


def placeholder_display_name(*, email: str, display_name: str = "") -> str:
    """The name a placeholder shows: the mail's From name, else the address's local part."""
    name = " ".join((display_name or "").strip().strip("\"'").split())
    if not name or "@" in name:
        name = email.split("@", 1)[0]
    return name[:120]


def find_or_create_placeholders(*, authors: Mapping[str, str]) -> dict[str, tuple[User, bool]]:
    """Many `find_or_create_placeholder`s at once (an archive import): address → (person,
    created) for `authors`, which maps addresses to display names. Invalid addresses are left
    out; a claimed placeholder gives the member who claimed it. No lock: new rows go in with
    ignore_conflicts, so an address another writer just took is read back instead.
    """
    wanted: dict[str, str] = {}
    for email, name in authors.items():
        try:
            wanted[normalize_email_address(email)] = name
        except ValidationError:
            continue
    found = {email: (person, False) for email, person in _people_by_email(wanted).items()}
    missing = [email for email in wanted if email not in found]
    if missing:
        new = []
        for email in missing:
            person = User(
                email=email,
                display_name=placeholder_display_name(email=email, display_name=wanted[email]),
                is_placeholder=True,
            )
            person.set_unusable_password()
            new.append(person)
        with transaction.atomic():
            User.objects.bulk_create(new, batch_size=500, ignore_conflicts=True)
        mine = {person.email for person in new}
        for email, person in _people_by_email(missing).items():
            # Ours unless another writer created the address first (then it is not a placeholder
            # we named, or it was there before: either way not created here).
            found[email] = (person, person.is_placeholder and person.email in mine)
    return found


def _people_by_email(emails: Iterable[str]) -> dict[str, User]:
    """Accounts by lower-cased address; a claimed placeholder's address gives its claimant."""
    from practica.people.queries import claimants_of_placeholders

    found: dict[str, User] = {}
    addresses = list(emails)
    for start in range(0, len(addresses), 500):
        chunk = addresses[start : start + 500]
        rows = User.objects.annotate(address=Lower("email")).filter(address__in=chunk)
        for row in rows:
            found[str(row.address)] = row
    claimed = [person.pk for person in found.values() if person.is_placeholder]
    claimants = claimants_of_placeholders(claimed) if claimed else {}
    if claimants:
        people = User.objects.in_bulk(set(claimants.values()))
        for email, person in list(found.items()):
            claimant = people.get(claimants.get(person.pk, 0))
            if claimant is not None:
                found[email] = claimant
    return found


def _claim_signer() -> signing.TimestampSigner:
    return signing.TimestampSigner(salt=PLACEHOLDER_CLAIM_SALT)


def placeholder_claim_token(*, placeholder: User, claimant: User) -> str:
    """A signed, expiring token saying `claimant` asked to claim `placeholder`."""
    return _claim_signer().sign_object(
        {"p": placeholder.pk, "c": claimant.pk, "e": placeholder.email.lower()}
    )


def request_placeholder_claim(*, claimant: User, email: str) -> User:
    """Start claiming the posts of the old list sent from `email`: mail a confirmation link
    (signed, valid PLACEHOLDER_CLAIM_MAX_AGE) to that address, through the outbox.

    Only an unclaimed placeholder can be claimed: an address of a member's own account, or one
    nobody posted from, is refused with a ValidationError on "email". Asking again within the
    hour sends no second mail (the outbox's idempotency key). No lock: nothing changes yet.
    """
    email = normalize_email_address(email)
    if not claimant.is_active or claimant.is_placeholder:
        raise PermissionDenied(_("Only a signed-in member can claim posts."))
    if email == claimant.email.lower():
        raise ValidationError({"email": _("That is already your own address.")})
    person = User.objects.filter(email__iexact=email).first()
    if person is None or (person.is_placeholder and not person.is_active):
        raise ValidationError(
            {"email": _("No unclaimed posts from the old list came from that address.")}
        )
    if not person.is_placeholder:
        raise ValidationError(
            {
                "email": _(
                    "That address belongs to a member's account, not to the list archive: "
                    "only posts of people without an account can be claimed."
                )
            }
        )
    token = placeholder_claim_token(placeholder=person, claimant=claimant)
    hour = int(timezone.now().timestamp() // 3600)
    with transaction.atomic():
        send_templated_mail(
            to=person.email,
            template_prefix="people/mail/placeholder_claim",
            context={
                "claimant": claimant,
                "placeholder": person,
                "url": settings.SITE_URL + reverse("people:claim_confirm", args=[token]),
                "days": PLACEHOLDER_CLAIM_MAX_AGE.days,
            },
            idempotency_key=f"placeholder-claim:{person.pk}:{claimant.pk}:{hour}",
            language=claimant.preferred_language or None,
        )
        record_audit(
            actor_id=claimant.pk,
            action="placeholder.claim_requested",
            target=person,
            data={"email": person.email},
        )
    return person


@dataclass(frozen=True)
class PlaceholderClaim:
    """A finished claim: the placeholder (now inactive) and what moved to the claimant."""

    placeholder: User
    report: MergeReport


def read_placeholder_claim_token(*, token: str) -> dict[str, Any]:
    """The claim a token carries ({"p", "c", "e"}); ValidationError when it is not one of
    ours or is older than PLACEHOLDER_CLAIM_MAX_AGE."""
    try:
        payload = _claim_signer().unsign_object(
            token, max_age=PLACEHOLDER_CLAIM_MAX_AGE.total_seconds()
        )
    except signing.SignatureExpired as error:
        raise ValidationError(
            {"token": _("This link has expired. Ask for a new one from your profile.")}
        ) from error
    except signing.BadSignature as error:
        raise ValidationError({"token": _("This link is not valid.")}) from error
    if not isinstance(payload, dict) or not {"p", "c", "e"} <= set(payload):
        raise ValidationError({"token": _("This link is not valid.")})
    return payload


def claim_placeholder(*, claimant: User, token: str) -> PlaceholderClaim:
    """Make the placeholder named by `token` part of `claimant`: every row pointing at it, in
    every app, points at the claimant (duplicates under a unique constraint are dropped,
    the claimant's own row kept), then the placeholder is deactivated and the claim audited
    (`placeholder.claimed`, which later imports follow to attribute the address's mail to the
    claimant).

    The token must be valid, unexpired, issued to this claimant, for a placeholder not yet
    claimed whose address has not changed. Locks the placeholder row, then the claimant's
    (User select_for_update), so a claim happens once.
    """
    payload = read_placeholder_claim_token(token=token)
    if payload["c"] != claimant.pk:
        raise PermissionDenied(_("This link was sent for another member's request."))
    with transaction.atomic():
        placeholder = User.objects.select_for_update().filter(pk=payload["p"]).first()
        User.objects.select_for_update().filter(pk=claimant.pk).first()
        if (
            placeholder is None
            or not placeholder.is_placeholder
            or placeholder.email.lower() != payload["e"]
        ):
            raise ValidationError({"token": _("This link is not valid.")})
        if not placeholder.is_active:
            raise ValidationError({"token": _("These posts have already been claimed.")})
        report = repoint_person_rows(source=placeholder, target=claimant)
        placeholder.is_active = False
        placeholder.save(update_fields=["is_active"])
        record_audit(
            actor_id=claimant.pk,
            action=PLACEHOLDER_CLAIMED,
            target=placeholder,
            data={
                "claimant": claimant.pk,
                "email": placeholder.email,
                "moved": report.moved,
                "deleted": report.deleted,
            },
        )
    return PlaceholderClaim(placeholder=placeholder, report=report)
