"""SCIM provisioning tokens: staff create them (the secret once, only its hash stored),
revoke them, and requests authenticate with them."""

import hashlib

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from practica.core.models import AuditLogEntry
from practica.outreach.models import ProvisioningToken
from practica.outreach.services.tokens import (
    MAX_LIVE_TOKENS,
    authenticate_provisioning_token,
    create_provisioning_token,
    revoke_provisioning_token,
)
from tests.factories.people import UserFactory

pytestmark = [pytest.mark.unit, pytest.mark.django_db]


def test_staff_create_a_token_whose_secret_is_not_stored(staff):
    token, secret = create_provisioning_token(name="  Entra ID  ", actor=staff)

    assert secret.startswith(f"scim_{token.lookup_prefix}_")
    assert token.name == "Entra ID"
    assert token.created_by == staff
    assert token.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    stored = ProvisioningToken.objects.values_list("name", "lookup_prefix", "token_hash").get()
    assert secret not in " ".join(stored)
    assert AuditLogEntry.objects.filter(action="provisioning_token.created").count() == 1


def test_only_staff_manage_tokens(staff):
    member = UserFactory()
    with pytest.raises(PermissionDenied):
        create_provisioning_token(name="Mine", actor=member)
    token, _secret = create_provisioning_token(name="Okta", actor=staff)
    with pytest.raises(PermissionDenied):
        revoke_provisioning_token(token=token, actor=member)
    token.refresh_from_db()
    assert token.revoked_at is None


def test_a_token_needs_a_sensible_name_and_live_tokens_are_limited(staff):
    for name in ("", "   ", "x" * 81):
        with pytest.raises(ValidationError):
            create_provisioning_token(name=name, actor=staff)
    for number in range(MAX_LIVE_TOKENS):
        create_provisioning_token(name=f"T{number}", actor=staff)
    with pytest.raises(ValidationError):
        create_provisioning_token(name="One too many", actor=staff)
    assert ProvisioningToken.objects.count() == MAX_LIVE_TOKENS


def test_authentication_accepts_the_secret_and_nothing_else(staff):
    token, secret = create_provisioning_token(name="Entra ID", actor=staff)
    assert authenticate_provisioning_token(secret) == token
    token.refresh_from_db()
    assert token.last_used_at is not None
    for wrong in (
        "",
        secret[:-1] + ("A" if secret[-1] != "A" else "B"),
        f"pat_{secret}",
        "scim_" + "x" * 300,
        f"scim_{token.lookup_prefix}_guess",
    ):
        assert authenticate_provisioning_token(wrong) is None


def test_a_revoked_token_no_longer_authenticates_and_revoking_twice_is_harmless(staff):
    token, secret = create_provisioning_token(name="Entra ID", actor=staff)
    revoke_provisioning_token(token=token, actor=staff)
    first = token.revoked_at
    revoke_provisioning_token(token=token, actor=staff)
    assert token.revoked_at == first
    assert authenticate_provisioning_token(secret) is None
    assert AuditLogEntry.objects.filter(action="provisioning_token.revoked").count() == 1
