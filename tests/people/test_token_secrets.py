"""Bearer-token secrets, shared by personal access tokens and SCIM provisioning tokens: their
shape, how a secret finds its row and is checked, and the last-use stamp."""

from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from practica.people.models import PersonalAccessToken
from practica.people.queries import access_token_with_owner
from practica.people.services import create_access_token
from practica.people.token_secrets import (
    MAX_SECRET_LENGTH,
    hash_token_secret,
    lookup_prefix_of,
    new_token_secret,
    note_token_use,
    secret_matches,
)
from tests.factories.people import UserFactory

pytestmark = [pytest.mark.unit]


def test_a_new_secret_carries_its_public_lookup_part_and_is_random():
    lookup, secret = new_token_secret("scim_")
    assert secret.startswith(f"scim_{lookup}_")
    assert len(lookup) == 12
    assert lookup_prefix_of(secret, "scim_") == lookup
    assert new_token_secret("scim_") != (lookup, secret)


def test_only_a_plausible_secret_of_the_kind_has_a_lookup_part():
    assert lookup_prefix_of("pat_abc_rest", "pat_") == "abc"
    assert lookup_prefix_of("pat_abc", "pat_") == "abc"
    for other in ("", "scim_abc_rest", "PAT_abc_rest", "pat_" + "x" * MAX_SECRET_LENGTH):
        assert lookup_prefix_of(other, "pat_") is None


def test_a_secret_matches_its_hash_only():
    _lookup, secret = new_token_secret("pat_")
    stored = hash_token_secret(secret)
    assert len(stored) == 64
    assert secret_matches(stored, secret)
    assert not secret_matches(stored, secret + "x")


@pytest.mark.django_db
def test_the_last_use_is_stamped_at_most_once_a_minute():
    token, _secret = create_access_token(user=UserFactory(), name="script")
    note_token_use(token)
    first = PersonalAccessToken.objects.get(pk=token.pk).last_used_at
    assert first is not None
    assert token.last_used_at == first

    note_token_use(token)
    assert PersonalAccessToken.objects.get(pk=token.pk).last_used_at == first

    an_hour_ago = timezone.now() - timedelta(hours=1)
    PersonalAccessToken.objects.filter(pk=token.pk).update(last_used_at=an_hour_ago)
    token.last_used_at = an_hour_ago
    note_token_use(token)
    assert PersonalAccessToken.objects.get(pk=token.pk).last_used_at > first


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_the_stamp_skips_the_disk_wait_on_postgresql_only_for_itself():
    token, _secret = create_access_token(user=UserFactory(), name="script")
    with CaptureQueriesContext(connection) as captured:
        note_token_use(token)
    assert PersonalAccessToken.objects.get(pk=token.pk).last_used_at == token.last_used_at
    statements = [query["sql"] for query in captured.captured_queries]
    if connection.vendor == "postgresql":
        # One round trip: the setting and the stamp in one implicit transaction.
        assert len(statements) == 1
        assert statements[0].startswith("SET LOCAL synchronous_commit TO OFF; UPDATE")
        with connection.cursor() as cursor:  # the setting ended with its own transaction
            cursor.execute("SHOW synchronous_commit")
            assert cursor.fetchone()[0] == "on"
    else:
        assert not any("synchronous_commit" in sql for sql in statements)


@pytest.mark.django_db
def test_inside_a_callers_transaction_the_stamp_is_an_ordinary_write():
    token, _secret = create_access_token(user=UserFactory(), name="script")
    with transaction.atomic(), CaptureQueriesContext(connection) as captured:
        note_token_use(token)
    assert not any("synchronous_commit" in query["sql"] for query in captured.captured_queries)
    assert PersonalAccessToken.objects.get(pk=token.pk).last_used_at is not None


@pytest.mark.django_db
def test_a_token_is_found_with_its_owner_in_one_query_with_the_orms_types():
    person = UserFactory()
    token, _secret = create_access_token(user=person, name="script")
    note_token_use(token)
    stamped = PersonalAccessToken.objects.get(pk=token.pk).last_used_at
    with CaptureQueriesContext(connection) as captured:
        found = access_token_with_owner(token.lookup_prefix)
        assert found.user == person
        assert found.user.is_active is True
        assert found.last_used_at == stamped
        assert found.is_usable
    assert len(captured.captured_queries) == 1
    assert found.name == "script"  # a field not selected loads on access
    assert access_token_with_owner("nosuchprefix") is None
