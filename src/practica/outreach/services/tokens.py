"""The SCIM clients' bearer tokens: created by staff (the secret is shown once), revoked, and
checked on every SCIM request.

The secret is made and checked as personal access tokens' are (`people.token_secrets`): it
starts with a public `scim_<lookup>_` prefix so a request's token row is found by its prefix,
and only its SHA-256 is stored, compared in constant time.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from practica.core.services import record_audit
from practica.outreach.models import ProvisioningToken
from practica.outreach.permissions import can_manage_provisioning
from practica.people.models import User
from practica.people.token_secrets import (
    hash_token_secret,
    lookup_prefix_of,
    new_token_secret,
    note_token_use,
    secret_matches,
)

SCIM_TOKEN_PREFIX = "scim_"  # noqa: S105 — a public prefix, not a secret
MAX_LIVE_TOKENS = 20
MAX_NAME_LENGTH = 80


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
        lookup_prefix, secret = new_token_secret(SCIM_TOKEN_PREFIX)
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
    lookup_prefix = lookup_prefix_of(secret, SCIM_TOKEN_PREFIX)
    if lookup_prefix is None:
        return None
    token = ProvisioningToken.objects.filter(
        lookup_prefix=lookup_prefix, revoked_at__isnull=True
    ).first()
    if token is None or not secret_matches(token.token_hash, secret):
        return None
    note_token_use(token)
    return token
