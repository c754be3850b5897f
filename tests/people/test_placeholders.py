"""Placeholder profiles for unknown authors of the list archive, and claiming them: the mailed
link, its checks, the merge of every row across apps, and their absence from the directory."""

import re

import pytest
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from practica.core.models import Activity, ActivityKind, AuditLogEntry
from practica.discussions.models import Post, Thread, Vote
from practica.people import queries
from practica.people.models import User
from practica.people.services import (
    PLACEHOLDER_CLAIM_MAX_AGE,
    PLACEHOLDER_CLAIMED,
    claim_placeholder,
    find_or_create_placeholder,
    find_or_create_placeholders,
    placeholder_claim_token,
    request_placeholder_claim,
)
from tests.factories.discussions import PostFactory, ThreadFactory
from tests.factories.people import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def placeholder():
    return find_or_create_placeholder(email="Old.Address@Example.org", display_name="Ben O.")


@pytest.fixture
def claimant():
    return UserFactory(email="ben.okafor@example.com", display_name="Ben Okafor")


def token_for(placeholder, claimant):
    return placeholder_claim_token(placeholder=placeholder, claimant=claimant)


def test_a_placeholder_is_an_unusable_account_named_from_the_mail(placeholder):
    assert placeholder.is_placeholder
    assert placeholder.email == "old.address@example.org"
    assert placeholder.display_name == "Ben O."
    assert not placeholder.has_usable_password()
    assert find_or_create_placeholder(email="OLD.address@example.org") == placeholder


def test_placeholders_in_bulk_find_members_and_create_the_rest(claimant):
    found = find_or_create_placeholders(
        authors={
            "Ben.Okafor@example.com": "Ben",
            "new@example.org": "",
            "not an address": "Nobody",
        }
    )
    assert found["ben.okafor@example.com"] == (claimant, False)
    person, created = found["new@example.org"]
    assert created
    assert person.is_placeholder
    assert person.display_name == "new"
    assert "not an address" not in found
    assert find_or_create_placeholders(authors={"new@example.org": ""})["new@example.org"] == (
        person,
        False,
    )


def test_asking_to_claim_mails_a_link_to_the_old_address(placeholder, claimant, mailoutbox):
    request_placeholder_claim(claimant=claimant, email="old.address@EXAMPLE.org")
    [message] = mailoutbox
    assert message.to == ["old.address@example.org"]
    assert "Ben Okafor" in message.body
    assert re.search(r"/people/me/claim/\S+/", message.body)
    assert AuditLogEntry.objects.filter(action="placeholder.claim_requested").exists()
    # Asking again within the hour sends nothing more (the outbox's idempotency key).
    request_placeholder_claim(claimant=claimant, email="old.address@example.org")


def test_the_claim_mail_goes_through_the_outbox_once_an_hour(placeholder, claimant, settings):
    from practica.mail.models import OutboundMessage

    settings.EMAIL_BACKEND = "practica.mail.backends.OutboxEmailBackend"
    request_placeholder_claim(claimant=claimant, email="old.address@example.org")
    request_placeholder_claim(claimant=claimant, email="old.address@example.org")
    [row] = OutboundMessage.objects.all()
    assert row.to_email == "old.address@example.org"
    assert row.idempotency_key.startswith("placeholder-claim:")


@pytest.mark.parametrize(
    ("email", "message"),
    [
        ("member@example.com", "belongs to a member"),
        ("nobody@example.com", "No unclaimed posts"),
        ("ben.okafor@example.com", "your own address"),
        ("not-an-address", "valid email"),
    ],
)
def test_only_an_unclaimed_placeholder_can_be_claimed(placeholder, claimant, email, message):
    UserFactory(email="member@example.com")
    with pytest.raises(ValidationError, match=message):
        request_placeholder_claim(claimant=claimant, email=email)


def test_claiming_moves_every_row_and_closes_the_placeholder(placeholder, claimant):
    thread = ThreadFactory(author=placeholder, title="Old question from the list?")
    answer = PostFactory(thread=thread, author=placeholder)
    Activity.objects.create(kind=ActivityKind.ASKED, person=placeholder)
    other = UserFactory()
    # Both voted on the same post: the claimant's vote stays, the placeholder's goes.
    voted = PostFactory(thread=ThreadFactory(author=other), author=other)
    Vote.objects.create(post=voted, voter=claimant, value=1)
    Vote.objects.create(post=voted, voter=placeholder, value=-1)
    Vote.objects.create(post=PostFactory(author=other), voter=placeholder, value=1)

    result = claim_placeholder(claimant=claimant, token=token_for(placeholder, claimant))

    assert result.placeholder == placeholder
    thread.refresh_from_db()
    assert thread.author == claimant
    assert Post.objects.get(pk=answer.pk).author == claimant
    assert not Post.objects.filter(author=placeholder).exists()
    assert Activity.objects.get(kind=ActivityKind.ASKED).person == claimant
    assert Vote.objects.get(post=voted).voter == claimant
    assert Vote.objects.get(post=voted).value == 1
    assert Vote.objects.filter(voter=claimant).count() == 2
    assert result.report.deleted == {"discussions.Vote.voter": 1}
    assert result.report.moved["discussions.Post.author"] == 2
    placeholder.refresh_from_db()
    assert not placeholder.is_active
    entry = AuditLogEntry.objects.get(action=PLACEHOLDER_CLAIMED)
    assert (entry.actor_id, entry.target_id, entry.data["claimant"]) == (
        claimant.pk,
        placeholder.pk,
        claimant.pk,
    )
    # The address now stands for the claimant wherever mail from it arrives.
    assert find_or_create_placeholder(email="old.address@example.org") == claimant
    assert queries.claimants_of_placeholders([placeholder.pk]) == {placeholder.pk: claimant.pk}


def test_a_link_works_once(placeholder, claimant):
    token = token_for(placeholder, claimant)
    claim_placeholder(claimant=claimant, token=token)
    with pytest.raises(ValidationError, match="already been claimed"):
        claim_placeholder(claimant=claimant, token=token)


def test_a_forged_or_mangled_link_is_refused(placeholder, claimant):
    token = token_for(placeholder, claimant)
    with pytest.raises(ValidationError, match="not valid"):
        claim_placeholder(claimant=claimant, token=token[:-2] + "xx")
    forged = signing.TimestampSigner(salt="another purpose").sign_object(
        {"p": placeholder.pk, "c": claimant.pk, "e": placeholder.email}
    )
    with pytest.raises(ValidationError, match="not valid"):
        claim_placeholder(claimant=claimant, token=forged)
    assert User.objects.get(pk=placeholder.pk).is_active


def test_an_expired_link_is_refused(placeholder, claimant, monkeypatch):
    import time

    issued = time.time() - PLACEHOLDER_CLAIM_MAX_AGE.total_seconds() - 60
    monkeypatch.setattr(signing.time, "time", lambda: issued)
    token = token_for(placeholder, claimant)
    monkeypatch.undo()
    with pytest.raises(ValidationError, match="expired"):
        claim_placeholder(claimant=claimant, token=token)


def test_a_link_for_someone_else_is_refused(placeholder, claimant):
    token = token_for(placeholder, claimant)
    with pytest.raises(PermissionDenied):
        claim_placeholder(claimant=UserFactory(), token=token)


def test_a_member_account_cannot_be_claimed_even_with_a_signed_token(claimant):
    member = UserFactory(email="real.person@example.com")
    with pytest.raises(ValidationError, match="not valid"):
        claim_placeholder(claimant=claimant, token=token_for(member, claimant))
    assert User.objects.get(pk=member.pk).is_active


def test_placeholders_are_not_in_the_directory(placeholder, claimant):
    assert claimant in queries.people_in_directory()
    assert placeholder not in queries.people_in_directory()
    assert placeholder not in queries.search_directory(text="Ben")


def test_the_directory_page_leaves_placeholders_out(client, placeholder, claimant):
    client.force_login(claimant)
    response = client.get(reverse("people:directory"), {"q": "Ben"})
    names = [person.display_name for person in response.context["people"]]
    assert "Ben Okafor" in names
    assert "Ben O." not in names


def test_the_claim_flow_through_the_screens(client, placeholder, claimant, mailoutbox):
    thread = ThreadFactory(author=placeholder, title="Old question from the list?")
    client.force_login(claimant)
    page = client.get(reverse("people:claim"))
    assert page.status_code == 200
    sent = client.post(reverse("people:claim"), {"email": "old.address@example.org"})
    assert sent.status_code == 302
    link = re.search(r"https?://[^/\s]+(/people/me/claim/\S+/)", mailoutbox[0].body).group(1)
    confirm = client.get(link)
    assert confirm.status_code == 200
    assert "old.address@example.org" in confirm.content.decode()
    assert Thread.objects.get(pk=thread.pk).author == placeholder  # a GET changes nothing
    done = client.post(link)
    assert done["Location"] == reverse("people:profile", args=[claimant.pk])
    assert Thread.objects.get(pk=thread.pk).author == claimant


def test_the_claim_screens_show_what_went_wrong(client, placeholder, claimant):
    client.force_login(claimant)
    refused = client.post(reverse("people:claim"), {"email": "nobody@example.com"})
    assert refused.status_code == 200
    assert "No unclaimed posts" in refused.content.decode()
    bad = client.get(reverse("people:claim_confirm", args=["not-a-token"]))
    assert bad.status_code == 400
    assert "not valid" in bad.content.decode()
    someone_else = UserFactory()
    client.force_login(someone_else)
    theirs = client.post(reverse("people:claim_confirm", args=[token_for(placeholder, claimant)]))
    assert theirs.status_code == 400
    assert User.objects.get(pk=placeholder.pk).is_active


def test_a_placeholders_profile_says_where_it_comes_from(client, placeholder, claimant):
    client.force_login(claimant)
    response = client.get(reverse("people:profile", args=[placeholder.pk]))
    assert "From the list archive" in response.content.decode()
