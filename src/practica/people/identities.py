"""Signing in with the company's OpenID Connect provider: which account an identity is.

The provider vouches for a person by a stable subject (`sub`) at its issuer; the email is only
a hint that can change (a marriage, a rename, a recycled address). So an identity is matched by
(issuer, subject) first, and by email only the first time, when it is linked to the account
for good. `people.sso.CompanyAccountBackend` calls `sign_in_with_identity` after it has checked
the provider's tokens; nothing here talks to the network.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from practica.core.services import record_audit
from practica.people.models import ExternalIdentity, User
from practica.people.queries import claimants_of_placeholders
from practica.people.services import (
    create_member,
    normalize_email_address,
    placeholder_display_name,
)

IDENTITY_LINKED = "sso.identity_linked"
ACCOUNT_CREATED = "sso.account_created"
PLACEHOLDER_TAKEN_OVER = "sso.placeholder_taken_over"
EMAIL_FOLLOWED = "sso.email_followed"

MAX_ISSUER_LENGTH = 500
MAX_SUBJECT_LENGTH = 255
MAX_EMAIL_LENGTH = 254


class SignInRefusedError(Exception):
    """The provider vouched for someone Practica will not sign in; str(e) says why, translated.

    `.reason` is one of "deactivated", "no_email", "email_unverified", "linked_elsewhere",
    "invalid_claims".
    """

    def __init__(self, message: str, *, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class ClaimedProfile:
    """What the provider's claims say about the person, cleaned up."""

    email: str  # lower-cased, "" when absent or not an address
    email_verified: bool | None  # None when the provider does not say
    display_name: str


def profile_from_claims(claims: Mapping[str, Any]) -> ClaimedProfile:
    """Email (lower-case), whether the provider verified it, and a display name from `name`,
    else `given_name` + `family_name`, else the email's local part."""
    email = ""
    raw_email = claims.get("email")
    if isinstance(raw_email, str) and raw_email.strip():
        try:
            email = normalize_email_address(raw_email)
        except ValidationError:
            email = ""
        if len(email) > MAX_EMAIL_LENGTH:
            email = ""
    verified = claims.get("email_verified")
    if isinstance(verified, str):  # some providers send "true"/"false"
        verified = verified.strip().lower() == "true"
    email_verified = verified if isinstance(verified, bool) else None
    name = claims.get("name")
    if not isinstance(name, str) or not name.strip():
        parts = [claims.get("given_name"), claims.get("family_name")]
        name = " ".join(part.strip() for part in parts if isinstance(part, str) and part.strip())
    display_name = placeholder_display_name(email=email, display_name=name) if email else ""
    return ClaimedProfile(email=email, email_verified=email_verified, display_name=display_name)


def _refuse_unless_signable(person: User) -> None:
    # A leaver deprovisioned by SCIM or the HR feed is inactive and must stay out; service and
    # bot accounts never sign in through the company's provider.
    if not person.is_active or person.is_system:
        raise SignInRefusedError(
            _(
                "Your Practica account has been deactivated, so you cannot sign in. If you think "
                "this is a mistake, ask your community manager."
            ),
            reason="deactivated",
        )


def _email_is_vouched_for(profile: ClaimedProfile) -> bool:
    """Whether the provider vouches for the address: `email_verified: true`, or no claim at all
    from a provider the operator trusts for it (`OIDC_TRUST_EMAIL_WITHOUT_VERIFIED_CLAIM`,
    e.g. a company tenant whose addresses are its own mailboxes). Without that trust a missing
    claim is not enough: some providers let users set an address they do not own."""
    if profile.email_verified is not None:
        return profile.email_verified
    return bool(getattr(settings, "OIDC_TRUST_EMAIL_WITHOUT_VERIFIED_CLAIM", False))


def _account_for_email(email: str) -> User | None:
    """The account with this address, locked; a claimed placeholder gives its claimant."""
    person = User.objects.select_for_update().filter(email__iexact=email).first()
    if person is not None and person.is_placeholder and not person.is_active:
        claimant_id = claimants_of_placeholders([person.pk]).get(person.pk)
        if claimant_id is not None:
            return User.objects.select_for_update().filter(pk=claimant_id).first()
    return person


def _person_for_new_identity(*, issuer: str, subject: str, profile: ClaimedProfile) -> User:
    """The account a first sign-in with this identity belongs to: the one with its email
    (a placeholder is taken over), or a new one. Refuses what cannot be linked safely."""
    if not profile.email:
        raise SignInRefusedError(
            _(
                "Your identity provider did not share your email address, which Practica needs "
                "to find your account. Ask your administrator to release the email claim."
            ),
            reason="no_email",
        )
    if not _email_is_vouched_for(profile):
        # An unverified address would let anyone claim the account that has it.
        raise SignInRefusedError(
            _(
                "Your identity provider has not verified your email address, so Practica cannot "
                "link it to an account. Verify it there and try again."
            ),
            reason="email_unverified",
        )
    person = _account_for_email(profile.email)
    if person is None:
        person = create_member(email=profile.email, display_name=profile.display_name)
        record_audit(
            actor_id=person.pk,
            action=ACCOUNT_CREATED,
            target=person,
            data={"issuer": issuer, "subject": subject},
        )
        return person
    _refuse_unless_signable(person)
    if (person.is_staff or person.is_superuser) and profile.email_verified is not True:
        # An administrator's account is linked only on the provider's explicit word.
        raise SignInRefusedError(
            _(
                "Your identity provider has not verified your email address, so Practica cannot "
                "link it to an account. Verify it there and try again."
            ),
            reason="email_unverified",
        )
    if person.external_identities.filter(issuer=issuer).exists():
        # Another subject of this provider already is this account: an address handed on to
        # a new person must not open the previous holder's account.
        raise SignInRefusedError(
            _(
                "The Practica account for %(email)s belongs to another identity at your "
                "provider. Ask an administrator to check it."
            )
            % {"email": profile.email},
            reason="linked_elsewhere",
        )
    if person.is_placeholder:
        person.is_placeholder = False
        person.display_name = profile.display_name or person.display_name
        person.save(update_fields=["is_placeholder", "display_name"])
        record_audit(
            actor_id=person.pk,
            action=PLACEHOLDER_TAKEN_OVER,
            target=person,
            data={"issuer": issuer, "subject": subject},
        )
    record_audit(
        actor_id=person.pk,
        action=IDENTITY_LINKED,
        target=person,
        data={"issuer": issuer, "subject": subject, "email": profile.email},
    )
    return person


def _follow_email(*, person: User, profile: ClaimedProfile, issuer: str) -> None:
    """Take the provider's new address for a known identity when the provider vouches for it
    (see `_email_is_vouched_for`) and no other account has it; otherwise keep the one we have."""
    if not profile.email or not _email_is_vouched_for(profile):
        return
    if profile.email == person.email.lower():
        return
    if User.objects.filter(email__iexact=profile.email).exclude(pk=person.pk).exists():
        return
    previous = person.email
    person.email = profile.email
    person.save(update_fields=["email"])
    record_audit(
        actor_id=person.pk,
        action=EMAIL_FOLLOWED,
        target=person,
        data={"issuer": issuer, "before": previous, "after": profile.email},
    )


def _validate_identity(issuer: str, subject: str) -> None:
    if not (0 < len(issuer) <= MAX_ISSUER_LENGTH and 0 < len(subject) <= MAX_SUBJECT_LENGTH):
        raise SignInRefusedError(
            _("Your identity provider sent an answer Practica cannot use."),
            reason="invalid_claims",
        )


def sign_in_with_identity(*, issuer: str, subject: str, claims: Mapping[str, Any]) -> User:
    """The account the provider's identity (issuer, subject) signs in to, linked and stamped.

    Matching, in order: the linked `ExternalIdentity`; else the account with the claims' email
    (case-insensitively, never when the provider says `email_verified: false`, never an
    account another subject of this issuer is linked to), whose placeholder flag is cleared;
    else a new account (just in time: display name from the claims, lower-cased email,
    unusable password). A known identity follows a changed, verified email when it is free.
    Deactivated and system accounts are refused. Raises `SignInRefusedError` with the reason.

    One transaction; locks the identity row, else the account with the email (User
    select_for_update). A concurrent first sign-in of the same identity loses the race on the
    (issuer, subject) or email unique index and is retried once, finding the winner's rows.
    """
    issuer, subject = str(issuer or "").strip(), str(subject or "").strip()
    _validate_identity(issuer, subject)
    profile = profile_from_claims(claims)
    try:
        return _sign_in_once(issuer=issuer, subject=subject, profile=profile)
    except (IntegrityError, ValidationError):
        pass  # a concurrent first sign-in took the identity or the email: its rows are there now
    try:
        return _sign_in_once(issuer=issuer, subject=subject, profile=profile)
    except (IntegrityError, ValidationError) as error:
        raise SignInRefusedError(
            _("Your identity provider sent an answer Practica cannot use."),
            reason="invalid_claims",
        ) from error


def _sign_in_once(*, issuer: str, subject: str, profile: ClaimedProfile) -> User:
    with transaction.atomic():
        identity = (
            ExternalIdentity.objects.select_for_update()
            .filter(issuer=issuer, subject=subject)
            .first()
        )
        if identity is not None:
            person = User.objects.select_for_update().get(pk=identity.person_id)
            _refuse_unless_signable(person)
            _follow_email(person=person, profile=profile, issuer=issuer)
        else:
            person = _person_for_new_identity(issuer=issuer, subject=subject, profile=profile)
            identity = ExternalIdentity(person=person, issuer=issuer, subject=subject)
        identity.last_login_at = timezone.now()
        identity.save()
    return person
