"""Signed join and opt-out links: what they carry, and how a tampered or old one is refused."""

import time

import pytest
from django.core import signing

from practica.outreach.join_links import (
    JOIN_LINK_MAX_AGE_DAYS,
    JOIN_SALT,
    BadJoinLink,
    JoinTicket,
    join_token,
    join_url_for_community,
    join_url_for_invitation,
    join_url_for_recipient,
    opt_out_token,
    opt_out_url,
    read_join_token,
    read_opt_out_token,
)
from practica.outreach.models import CampaignRecipient, Invitation


def signed_days_ago(payload: str, days: float) -> str:
    """A join token as the site would have signed it `days` ago."""

    class Then(signing.TimestampSigner):
        def timestamp(self) -> str:
            return signing.b62_encode(int(time.time() - days * 86400))

    return Then(salt=JOIN_SALT).sign(payload)


def test_a_token_carries_its_ticket_compactly():
    for ticket in (
        JoinTicket("campaign", 42),
        JoinTicket("invitation", 7),
        JoinTicket("community", 3),
    ):
        token = join_token(ticket)
        assert read_join_token(token) == ticket
        assert len(token) < 60
        assert "/" not in token


def test_urls_are_absolute_and_name_their_row(settings):
    settings.SITE_URL = "https://practica.example.com"
    recipient_url = join_url_for_recipient(CampaignRecipient(pk=5))
    assert recipient_url.startswith("https://practica.example.com/outreach/join/c5:")
    assert read_join_token(recipient_url.rstrip("/").rsplit("/", 1)[1]) == JoinTicket("campaign", 5)
    invitation_url = join_url_for_invitation(Invitation(pk=9))
    assert read_join_token(invitation_url.rstrip("/").rsplit("/", 1)[1]) == JoinTicket(
        "invitation", 9
    )
    assert "/outreach/join/m4:" in join_url_for_community(4)


@pytest.mark.parametrize(
    "tampered",
    [
        lambda token: token[:-1] + ("A" if token[-1] != "A" else "B"),  # the signature
        lambda token: "c43" + token[3:],  # another recipient
        lambda token: "i42" + token[3:],  # another kind
        lambda token: token.split(":", 1)[1],  # the payload cut off
        lambda token: "",
        lambda token: "not a token at all",
        lambda token: signing.TimestampSigner(salt="another.salt").sign("c42"),
    ],
)
def test_a_tampered_token_is_refused(tampered):
    with pytest.raises(BadJoinLink) as bad:
        read_join_token(tampered(join_token(JoinTicket("campaign", 42))))
    assert bad.value.reason == "tampered"


@pytest.mark.parametrize("payload", ["x42", "c", "c-1", "c0", "c1.5", "c٣", "c" + "9" * 20])
def test_a_well_signed_but_meaningless_payload_is_tampered(payload):
    with pytest.raises(BadJoinLink) as bad:
        read_join_token(signing.TimestampSigner(salt=JOIN_SALT).sign(payload))
    assert bad.value.reason == "tampered"


def test_a_link_older_than_sixty_days_has_expired_but_says_what_it_was_for():
    assert read_join_token(signed_days_ago("c42", JOIN_LINK_MAX_AGE_DAYS - 1)) == JoinTicket(
        "campaign", 42
    )
    with pytest.raises(BadJoinLink) as bad:
        read_join_token(signed_days_ago("c42", JOIN_LINK_MAX_AGE_DAYS + 1))
    assert bad.value.reason == "expired"
    assert bad.value.ticket == JoinTicket("campaign", 42)


def test_an_old_and_tampered_link_is_tampered():
    token = signed_days_ago("c42", 90)
    with pytest.raises(BadJoinLink) as bad:
        read_join_token("c43" + token[3:])
    assert bad.value.reason == "tampered"


def test_opt_out_links_carry_the_address_and_never_expire(settings):
    settings.SITE_URL = "https://practica.example.com"
    token = opt_out_token(" Ada@Example.COM ")
    assert read_opt_out_token(token) == "ada@example.com"
    assert opt_out_url("ada@example.com") == (
        f"https://practica.example.com/outreach/opt-out/{token}/"
    )
    for bad in (token[:-2], "", "abc:def", signing.Signer(salt="x").sign_object("a@b.c")):
        with pytest.raises(BadJoinLink):
            read_opt_out_token(bad)
    with pytest.raises(BadJoinLink):  # a join token is no opt-out token
        read_opt_out_token(join_token(JoinTicket("campaign", 1)))
