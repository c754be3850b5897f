"""A grassroots group's list address: `<community>.<group>@`, who may write to it, what mail to
it becomes (a thread of the group, through discussions' real handler), and its recipients."""

import pytest
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from practica.communities.models import GroupRole
from practica.discussions.models import Post, PostOrigin, Thread
from practica.discussions.services.inbound import DiscussionListHandler
from practica.mail.addresses import (
    GroupListRecipient,
    ListRecipient,
    UnknownRecipient,
    group_list_address,
    group_list_id,
    read_recipient,
    reply_address,
)
from practica.mail.models import (
    DeliveryMode,
    InboundMessage,
    InboundStatus,
    InboundVia,
    ListSubscription,
    OutboundMessage,
)
from practica.mail.queries import list_recipients
from practica.mail.services.group_lists import group_list_refusal, is_group_list_member
from practica.mail.services.inbound import receive_message
from tests.factories.communities import (
    CommunityFactory,
    GroupFactory,
    GroupMembershipFactory,
    MembershipFactory,
)
from tests.factories.people import UserFactory
from tests.mail.inbound_doubles import make_message, registered_handler

GROUP_ADDRESS = "ml.reading@lists.example.com"


# --- Addresses -------------------------------------------------------------------------------


def test_a_groups_list_address_and_id():
    assert group_list_address("ML", "Reading") == GROUP_ADDRESS
    assert group_list_id("ml", "reading") == "reading.ml.lists.example.com"


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        (GROUP_ADDRESS, GroupListRecipient("ml", "reading")),
        ("<ML.Reading+anything@lists.example.com>", GroupListRecipient("ml", "reading")),
        ("ml@lists.example.com", ListRecipient("ml")),
    ],
)
def test_reading_a_group_list_recipient(address, expected):
    assert read_recipient(address) == expected


@pytest.mark.parametrize(
    "local", ["ml.", ".reading", "ml..reading", "ml.reading.extra", "ml.read ing", "ml.réading"]
)
def test_malformed_group_list_names_are_not_lists(local):
    assert isinstance(read_recipient(f"{local}@lists.example.com"), UnknownRecipient)


slugs = st.from_regex(r"[a-z0-9][-a-z0-9_]{0,30}", fullmatch=True)


@given(community=slugs, group=slugs)
def test_every_group_address_reads_back_as_its_group(community, group):
    assert read_recipient(group_list_address(community, group)) == GroupListRecipient(
        community, group
    )


# --- Who may write ---------------------------------------------------------------------------


@pytest.fixture
def community(db):
    return CommunityFactory(slug="ml", name="Machine Learning")


@pytest.fixture
def group(community):
    return GroupFactory(community=community, slug="reading", name="Reading group")


def in_group(group, email, role=GroupRole.MEMBER):
    person = MembershipFactory(community=group.community, person__email=email).person
    GroupMembershipFactory(group=group, person=person, role=role)
    return person


@pytest.mark.django_db
def test_only_current_group_members_still_in_the_community_may_write(community, group):
    ada = in_group(group, "ada@example.org")
    outsider = MembershipFactory(community=community).person
    left_community = in_group(group, "lc@example.org")
    left_community.memberships.update(left_at=timezone.now())
    placeholder = UserFactory(is_placeholder=True)
    GroupMembershipFactory(group=group, person=placeholder)

    assert group_list_refusal(ada, group) is None
    assert is_group_list_member(ada, group)
    for person in (outsider, left_community, placeholder, None):
        assert group_list_refusal(person, group) == (
            "Only members of the group Reading group can post to its list."
        )


# --- Mail to a group's list ------------------------------------------------------------------


@pytest.fixture
def real_handler():
    with registered_handler(DiscussionListHandler()) as handler:
        yield handler


def receive(raw, *, to=GROUP_ADDRESS, sender="ada@example.org"):
    return receive_message(raw=raw, envelope_from=sender, recipient=to, via=InboundVia.SMTP)


@pytest.mark.django_db
def test_mail_from_a_group_member_starts_a_thread_of_the_group(real_handler, group):
    ada = in_group(group, "ada@example.org")
    raw = make_message(
        sender="Ada <ada@example.org>",
        to=GROUP_ADDRESS,
        subject="Notes from session 4",
        body="We covered attention.\n",
    )

    outcome = receive(raw)

    assert outcome.status == InboundStatus.POSTED, outcome
    thread = Thread.objects.get()
    assert (thread.group, thread.community, thread.author) == (group, group.community, ada)
    opening = Post.objects.get(thread=thread)
    assert opening.origin == PostOrigin.EMAIL
    row = InboundMessage.objects.get(pk=outcome.inbound_id)
    assert (row.community, row.person) == (group.community, ada)


@pytest.mark.django_db
def test_a_community_member_outside_the_group_is_refused_and_told(real_handler, community, group):
    grace = MembershipFactory(community=community, person__email="grace@example.org").person
    raw = make_message(sender="grace@example.org", to=GROUP_ADDRESS, subject="Can I join in?")

    outcome = receive(raw, sender="grace@example.org")

    assert (outcome.status, outcome.smtp_code) == (InboundStatus.REJECTED, 250)
    assert "told why by mail" in outcome.smtp_text
    assert not Thread.objects.exists()
    told = OutboundMessage.objects.get(to_email=grace.email)
    assert told.idempotency_key == f"inbound-refused:{outcome.inbound_id}"
    assert "Only members of the group Reading group" in told.body_text
    assert InboundMessage.objects.get(pk=outcome.inbound_id).status == InboundStatus.REJECTED


@pytest.mark.django_db
def test_unknown_senders_are_refused_not_held(real_handler, group):
    raw = make_message(sender="stranger@elsewhere.example", to=GROUP_ADDRESS)

    outcome = receive(raw, sender="stranger@elsewhere.example")

    assert (outcome.status, outcome.smtp_code) == (InboundStatus.REJECTED, 550)
    assert outcome.smtp_text.startswith("5.7.1 Not posted: Only members of the group")
    assert not OutboundMessage.objects.exists()
    assert not Thread.objects.exists()


@pytest.mark.django_db
def test_an_unknown_group_or_community_is_no_such_list(real_handler, group):
    in_group(group, "ada@example.org")
    for address in ("ml.nope@lists.example.com", "nope.reading@lists.example.com"):
        outcome = receive(make_message(sender="ada@example.org", to=address), to=address)
        assert (outcome.status, outcome.smtp_code) == (InboundStatus.REJECTED, 550)
        assert outcome.smtp_text == "5.1.1 No such list here"
    assert not Thread.objects.exists()


@pytest.mark.django_db
def test_an_archived_group_refuses_new_threads_by_mail(real_handler, group):
    ada = in_group(group, "ada@example.org")
    group.archived_at = timezone.now()
    group.save()

    outcome = receive(make_message(sender="ada@example.org", to=GROUP_ADDRESS))

    assert (outcome.status, outcome.smtp_code) == (InboundStatus.REJECTED, 250)
    assert "archived" in OutboundMessage.objects.get(to_email=ada.email).body_text
    assert not Thread.objects.exists()


@pytest.mark.django_db
def test_mail_to_the_group_address_that_answers_a_thread_is_a_reply(real_handler, group):
    in_group(group, "ada@example.org")
    grace = in_group(group, "grace@example.org")
    started = receive(make_message(sender="ada@example.org", to=GROUP_ADDRESS, subject="Week 5"))
    assert started.status == InboundStatus.POSTED
    thread = Thread.objects.get()
    opening = Post.objects.get(thread=thread)

    answer = make_message(
        sender="grace@example.org",
        to=GROUP_ADDRESS,
        subject="Re: Week 5",
        body="I can present.\n",
        headers={"In-Reply-To": opening.email_message_id},
    )
    replied = receive(answer, sender="grace@example.org")

    assert replied.status == InboundStatus.POSTED, replied
    assert Thread.objects.count() == 1
    assert Post.objects.get(thread=thread, is_opening=False).author == grace


@pytest.mark.django_db
def test_a_reply_key_of_a_group_thread_posts_in_it(real_handler, group):
    in_group(group, "ada@example.org")
    grace = in_group(group, "grace@example.org")
    receive(make_message(sender="ada@example.org", to=GROUP_ADDRESS, subject="Week 6"))
    thread = Thread.objects.get()
    key = reply_address(person_id=grace.pk, thread_id=thread.pk)

    replied = receive(make_message(sender="grace@example.org", to=key), to=key)

    assert replied.status == InboundStatus.POSTED, replied
    assert thread.posts.filter(author=grace).exists()


# --- Who gets a group's list mail ------------------------------------------------------------


@pytest.mark.django_db
def test_list_recipients_of_a_group_follow_the_community_lists_choice(community, group):
    every = in_group(group, "every@example.org")
    ListSubscription.objects.create(person=every, community=community, mode=DeliveryMode.EVERY)
    daily = in_group(group, "daily@example.org")  # the list's default
    outside = MembershipFactory(community=community).person
    ListSubscription.objects.create(person=outside, community=community, mode=DeliveryMode.EVERY)
    gone = in_group(group, "gone@example.org")
    ListSubscription.objects.create(person=gone, community=community, mode=DeliveryMode.EVERY)
    group.memberships.filter(person=gone).update(left_at=timezone.now())
    other_group = GroupFactory(community=community)
    GroupMembershipFactory(group=other_group, person=outside)

    def people(mode, group_id):
        return set(list_recipients(community_id=community.pk, mode=mode, group_id=group_id))

    assert people(DeliveryMode.EVERY, group.pk) == {every}
    assert people(DeliveryMode.DAILY, group.pk) == {daily}
    assert people(DeliveryMode.EVERY, None) == {every, outside, gone}
    assert people(DeliveryMode.EVERY, other_group.pk) == {outside}
