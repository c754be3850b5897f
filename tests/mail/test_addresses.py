"""List addresses, reply keys and VERP bounce addresses: what an envelope recipient stands for."""

import pytest

from practica.mail.addresses import (
    BounceRecipient,
    ListRecipient,
    ReplyRecipient,
    UnknownRecipient,
    bounce_address,
    list_address,
    list_id,
    read_recipient,
    reply_address,
    verp_token_person,
)

pytestmark = pytest.mark.unit


def test_list_addresses_and_ids_live_on_the_list_domain(settings):
    settings.MAIL_LIST_DOMAIN = "lists.corp.example"

    assert list_address("Machine-Learning") == "machine-learning@lists.corp.example"
    assert list_id("machine-learning") == "machine-learning.lists.corp.example"
    assert read_recipient("Machine-Learning@LISTS.corp.example") == ListRecipient(
        "machine-learning"
    )
    assert read_recipient("<ml+anything@lists.corp.example>") == ListRecipient("ml")


def test_a_reply_address_names_its_member_and_thread_whatever_the_case():
    address = reply_address(person_id=1234, thread_id=98765)

    assert address.startswith("reply+")
    assert address.endswith("@lists.example.com")
    assert read_recipient(address) == ReplyRecipient(person_id=1234, thread_id=98765)
    assert read_recipient(address.upper()) == ReplyRecipient(person_id=1234, thread_id=98765)


@pytest.mark.parametrize(
    "tampered",
    [
        lambda key: key.replace("reply+", "reply+1"),  # another member
        lambda key: key[:-20] + ("0" if key[-20] != "0" else "1") + key[-19:],  # signature
        lambda key: key.replace("-", "", 1),  # one id fewer
        lambda key: key.replace("@", "-1@"),  # one part more
        lambda key: key.replace("reply+", "reply+!"),  # not a key at all
    ],
)
def test_a_forged_reply_key_names_nobody(tampered):
    forged = tampered(reply_address(person_id=7, thread_id=9))

    assert isinstance(read_recipient(forged), UnknownRecipient)


def test_bounce_addresses_name_the_recipient_and_cannot_pass_for_reply_keys():
    address = bounce_address(person_id=4321)
    token = address.split("+", 1)[1].split("@")[0]

    assert read_recipient(address) == BounceRecipient(person_id=4321)
    assert verp_token_person(token) == 4321
    assert verp_token_person(token[:-1] + ("a" if token[-1] != "a" else "b")) is None
    # A bounce key is signed for bounces only: as a reply key it is refused.
    assert isinstance(read_recipient(f"reply+{token}-1@lists.example.com"), UnknownRecipient)


@pytest.mark.parametrize(
    "address",
    ["", "no-at-sign", "ml@other.example.com", "@lists.example.com", "a b@lists.example.com"],
)
def test_anything_else_is_unknown(address):
    assert isinstance(read_recipient(address), UnknownRecipient)
