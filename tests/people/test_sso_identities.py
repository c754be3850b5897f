"""Which account a provider's identity signs in to (`people.identities`), without a provider:
the service takes the claims the backend has already checked."""

import pytest

from practica.core.models import AuditLogEntry
from practica.people.identities import (
    ACCOUNT_CREATED,
    EMAIL_FOLLOWED,
    PLACEHOLDER_TAKEN_OVER,
    SignInRefusedError,
    profile_from_claims,
    sign_in_with_identity,
)
from practica.people.models import ExternalIdentity, User
from practica.people.services import claim_placeholder, placeholder_claim_token
from tests.factories.people import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.unit]

ISSUER = "https://login.example.com/tenant/v2.0"


def sign_in(subject: str = "sub-1", issuer: str = ISSUER, **claims) -> User:
    """Signs in with the claims given; `email_verified` is true unless a test says otherwise
    (None: the provider sends no such claim)."""
    claims.setdefault("email_verified", True)
    if claims["email_verified"] is None:
        del claims["email_verified"]
    return sign_in_with_identity(issuer=issuer, subject=subject, claims={"sub": subject, **claims})


def refusal(**kwargs) -> SignInRefusedError:
    with pytest.raises(SignInRefusedError) as caught:
        sign_in(**kwargs)
    return caught.value


# --- Claims ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("claims", "name"),
    [
        ({"name": "  Ada   Lovelace "}, "Ada Lovelace"),
        ({"given_name": "Ada", "family_name": "Lovelace"}, "Ada Lovelace"),
        ({"given_name": "Ada"}, "Ada"),
        ({}, "ada.l"),
        ({"name": "   "}, "ada.l"),
    ],
)
def test_the_display_name_comes_from_name_then_given_and_family_name(claims, name):
    assert profile_from_claims({"email": "Ada.L@Example.com", **claims}).display_name == name


def test_email_verified_is_read_as_the_provider_sends_it():
    assert profile_from_claims({"email_verified": False}).email_verified is False
    assert profile_from_claims({"email_verified": "false"}).email_verified is False
    assert profile_from_claims({"email_verified": "TRUE"}).email_verified is True
    assert profile_from_claims({}).email_verified is None


def test_an_address_that_is_not_one_counts_as_no_email():
    assert profile_from_claims({"email": "not an address"}).email == ""
    assert profile_from_claims({"email": ["a@example.com"]}).email == ""


# --- Creating and matching ---------------------------------------------------------------------


def test_a_new_person_gets_an_account_just_in_time():
    person = sign_in(email="Lin.Wei@Example.com", given_name="Lin", family_name="Wei")

    assert person.email == "lin.wei@example.com"
    assert person.display_name == "Lin Wei"
    assert not person.has_usable_password()
    assert not person.is_staff
    identity = ExternalIdentity.objects.get(person=person)
    assert (identity.issuer, identity.subject) == (ISSUER, "sub-1")
    assert identity.last_login_at is not None
    assert AuditLogEntry.objects.filter(action=ACCOUNT_CREATED, target_id=person.pk).exists()


def test_the_identity_wins_over_the_email():
    first = sign_in(email="lin@example.com")
    other = UserFactory(email="someone@example.com")

    again = sign_in(email="someone@example.com")  # the address now belongs to another account

    assert again == first
    first.refresh_from_db()
    assert first.email == "lin@example.com"  # taken: kept
    assert other.external_identities.count() == 0


def test_a_known_identity_follows_a_changed_address_and_records_it():
    person = sign_in(email="lin@example.com")

    sign_in(email="lin.wei@example.com")

    person.refresh_from_db()
    assert person.email == "lin.wei@example.com"
    entry = AuditLogEntry.objects.get(action=EMAIL_FOLLOWED)
    assert entry.data["before"] == "lin@example.com"


def test_an_unverified_new_address_is_not_followed():
    person = sign_in(email="lin@example.com")

    sign_in(email="lin.wei@example.com", email_verified=False)

    person.refresh_from_db()
    assert person.email == "lin@example.com"


def test_a_known_identity_signs_in_even_without_an_email():
    person = sign_in(email="lin@example.com")

    assert sign_in() == person


def test_another_issuer_is_another_identity_linked_by_email():
    # A company moving from one provider to another: the new one links by the verified email.
    first = sign_in(email="lin@example.com")

    second = sign_in(issuer="https://idp.new.example.com", email="lin@example.com")

    assert second == first
    assert sorted(first.external_identities.values_list("issuer", flat=True)) == [
        "https://idp.new.example.com",
        ISSUER,
    ]


def test_an_account_linked_to_another_subject_of_the_issuer_is_not_taken():
    first = sign_in(subject="sub-old", email="lin@example.com")

    assert refusal(subject="sub-new", email="lin@example.com").reason == "linked_elsewhere"
    assert list(ExternalIdentity.objects.values_list("subject", flat=True)) == ["sub-old"]
    assert first.external_identities.count() == 1


def test_an_existing_identity_stamps_the_last_sign_in():
    sign_in(email="lin@example.com")
    before = ExternalIdentity.objects.get().last_login_at

    sign_in(email="lin@example.com")

    assert ExternalIdentity.objects.get().last_login_at >= before
    assert ExternalIdentity.objects.count() == 1


def test_a_claimed_placeholder_address_signs_in_its_claimant():
    placeholder = UserFactory(email="old.alias@example.com", is_placeholder=True)
    claimant = UserFactory(email="lin@example.com")
    claim_placeholder(
        claimant=claimant,
        token=placeholder_claim_token(placeholder=placeholder, claimant=claimant),
    )

    assert sign_in(email="old.alias@example.com") == claimant


def test_an_unclaimed_placeholder_is_taken_over_and_recorded():
    placeholder = UserFactory(email="lin@example.com", is_placeholder=True, display_name="lin")

    person = sign_in(email="lin@example.com", name="Lin Wei")

    assert person.pk == placeholder.pk
    placeholder.refresh_from_db()
    assert not placeholder.is_placeholder
    assert placeholder.display_name == "Lin Wei"
    assert AuditLogEntry.objects.filter(action=PLACEHOLDER_TAKEN_OVER).count() == 1


# --- Refusals ----------------------------------------------------------------------------------


def test_a_first_sign_in_without_an_email_is_refused():
    assert refusal().reason == "no_email"
    assert not User.objects.exists()


def test_an_unverified_email_never_creates_or_links_an_account():
    UserFactory(email="lin@example.com")

    assert refusal(email="lin@example.com", email_verified=False).reason == "email_unverified"
    assert refusal(email="new@example.com", email_verified=False).reason == "email_unverified"
    assert not ExternalIdentity.objects.exists()
    assert User.objects.count() == 1


def test_deactivated_and_system_accounts_are_refused_by_email_and_by_subject():
    UserFactory(email="leaver@example.com", is_active=False)
    UserFactory(email="bot@example.com", is_system=True)
    linked = sign_in(subject="sub-2", email="lin@example.com")
    linked.is_active = False
    linked.save(update_fields=["is_active"])

    assert refusal(email="leaver@example.com").reason == "deactivated"
    assert refusal(subject="sub-3", email="bot@example.com").reason == "deactivated"
    assert refusal(subject="sub-2", email="lin@example.com").reason == "deactivated"
    assert ExternalIdentity.objects.count() == 1


@pytest.mark.parametrize(
    ("issuer", "subject"),
    [("", "sub-1"), (ISSUER, ""), (ISSUER, "   "), (ISSUER, "s" * 256), ("i" * 501, "sub-1")],
)
def test_an_unusable_issuer_or_subject_is_refused(issuer, subject):
    with pytest.raises(SignInRefusedError) as caught:
        sign_in_with_identity(issuer=issuer, subject=subject, claims={"email": "a@example.com"})

    assert caught.value.reason == "invalid_claims"
    assert not User.objects.exists()


def test_a_refusal_changes_nothing():
    UserFactory(email="lin@example.com", is_active=False)
    before = AuditLogEntry.objects.count()

    refusal(email="lin@example.com", name="Someone Else")

    assert AuditLogEntry.objects.count() == before
    assert User.objects.get().display_name != "Someone Else"


# --- Providers that do not say whether an address is verified ------------------------------------


def test_without_the_verified_claim_an_address_is_not_trusted_unless_the_operator_says_so(
    settings,
):
    person = UserFactory(email="lin@example.com")
    assert refusal(email="lin@example.com", email_verified=None).reason == "email_unverified"
    assert refusal(email="new@example.com", email_verified=None).reason == "email_unverified"
    assert not ExternalIdentity.objects.exists()

    settings.OIDC_TRUST_EMAIL_WITHOUT_VERIFIED_CLAIM = True
    assert sign_in(email="lin@example.com", email_verified=None) == person


def test_an_administrators_account_is_linked_only_on_an_explicitly_verified_address(settings):
    settings.OIDC_TRUST_EMAIL_WITHOUT_VERIFIED_CLAIM = True
    admin = UserFactory(email="root@example.com", is_staff=True, is_superuser=True)

    assert refusal(email="root@example.com", email_verified=None).reason == "email_unverified"
    assert not ExternalIdentity.objects.filter(person=admin).exists()

    assert sign_in(email="root@example.com", email_verified=True) == admin


def test_a_known_identity_does_not_follow_an_address_nobody_vouched_for():
    person = sign_in(email="ada@example.com")
    sign_in(email="someone.else@example.com", email_verified=None)
    person.refresh_from_db()
    assert person.email == "ada@example.com"
