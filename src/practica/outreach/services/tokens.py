"""The SCIM clients' bearer tokens: created by staff (the secret is shown once), revoked, and
checked on every SCIM request.

Only the token's SHA-256 is stored, hashed as personal access tokens are
(`people.services.hash_token_secret`); the secret starts with a public `scim_<lookup>_`
prefix so a request's token row is found by its prefix, then compared in constant time.
"""

import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from practica.core.services import record_audit
from practica.outreach.models import ProvisioningToken
from practica.outreach.permissions import can_manage_provisioning
from practica.people.models import User
from practica.people.services import hash_token_secret

SCIM_TOKEN_PREFIX = "scim_"  # noqa: S105 — a public prefix, not a secret
MAX_LIVE_TOKENS = 20
MAX_NAME_LENGTH = 80
MAX_SECRET_LENGTH = 200
# Writing on every request would serialise a provisioning burst on SQLite; a minute will do.
LAST_USED_PRECISION_SECONDS = 60


def create_provisioning_token(*, name: str, actor: User) -> tuple[ProvisioningToken, str]:
    """A new token for a SCIM client (staff only); returns the row and the secret, which is
    not stored anywhere and cannot be shown again. At most MAX_LIVE_TOKENS unrevoked tokens."""
    if not can_manage_provisioning(actor):
        raise PermissionDenied(_("Only staff manage provisioning tokens."))
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError(
            {"name": _("Give the token a name, e.g. the identity provider that uses it.")}
        )
    if len(name) > MAX_NAME_LENGTH:
        raise ValidationError(
            {"name": _("Keep the name to %(limit)d characters.") % {"limit": MAX_NAME_LENGTH}}
        )
    with transaction.atomic():
        if ProvisioningToken.objects.filter(revoked_at__isnull=True).count() >= MAX_LIVE_TOKENS:
            raise ValidationError(
                {"name": _("There are too many live provisioning tokens; revoke one first.")}
            )
        lookup_prefix = secrets.token_hex(6)
        secret = f"{SCIM_TOKEN_PREFIX}{lookup_prefix}_{secrets.token_urlsafe(32)}"
        token = ProvisioningToken.objects.create(
            name=name,
            lookup_prefix=lookup_prefix,
            token_hash=hash_token_secret(secret),
            created_by=actor,
        )
        record_audit(
            actor_id=actor.pk,
            action="provisioning_token.created",
            target=token,
            data={"name": name, "lookup_prefix": lookup_prefix},
        )
    return token, secret


def revoke_provisioning_token(*, token: ProvisioningToken, actor: User) -> ProvisioningToken:
    """Revoke a token at once (staff only); revoking it again changes nothing."""
    if not can_manage_provisioning(actor):
        raise PermissionDenied(_("Only staff manage provisioning tokens."))
    with transaction.atomic():
        updated = ProvisioningToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        token.refresh_from_db(fields=["revoked_at"])
        if updated:
            record_audit(
                actor_id=actor.pk,
                action="provisioning_token.revoked",
                target=token,
                data={"name": token.name, "lookup_prefix": token.lookup_prefix},
            )
    return token


def authenticate_provisioning_token(secret: str) -> ProvisioningToken | None:
    """The live token a bearer secret belongs to, or None; notes when it was last used."""
    if not secret or not secret.startswith(SCIM_TOKEN_PREFIX) or len(secret) > MAX_SECRET_LENGTH:
        return None
    lookup_prefix = secret[len(SCIM_TOKEN_PREFIX) :].split("_", 1)[0]
    token = ProvisioningToken.objects.filter(
        lookup_prefix=lookup_prefix, revoked_at__isnull=True
    ).first()
    if token is None or not secrets.compare_digest(token.token_hash, hash_token_secret(secret)):
        return None
    now = timezone.now()
    if (
        token.last_used_at is None
        or (now - token.last_used_at).total_seconds() > LAST_USED_PRECISION_SECONDS
    ):
        ProvisioningToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
