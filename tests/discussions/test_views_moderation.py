"""The flag queue page: moderators see a community's flagged posts and dismiss the flags or hide
the post; members get a 403; an empty queue says so; the Q&A pages link to it for moderators.
And the notification list words a moderation."""

import pytest
from django.urls import reverse

from practica.communities.models import MembershipRole
from practica.discussions.models import Flag, FlagReason, Notification, ThreadKind
from practica.discussions.services import moderation
from practica.discussions.services import threads as services
from tests.factories.communities import CommunityFactory, MembershipFactory
from tests.factories.people import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def community(db):
    return CommunityFactory(name="Machine Learning", slug="machine-learning")


@pytest.fixture
def moderator(community):
    return MembershipFactory(
        community=community,
        person=UserFactory(display_name="Mo Moderator"),
        role=MembershipRole.ORGANIZER,
    ).person


@pytest.fixture
def answerer(community):
    return MembershipFactory(
        community=community, person=UserFactory(display_name="Bo Answerer")
    ).person


@pytest.fixture
def question(community):
    return services.create_thread(
        community=community,
        author=UserFactory(display_name="Ada Asker"),
        kind=ThreadKind.QUESTION,
        title="How do I calibrate a gradient boosted classifier?",
        body="The predicted probabilities look too confident.",
    )


@pytest.fixture
def answer(question, answerer):
    return services.post_reply(
        thread=question, author=answerer, body="Buy cheap watches at example.com!"
    )


def flag(post, reason=FlagReason.SPAM, note="", by=None):
    return moderation.flag_post(
        post=post, actor=by or UserFactory(display_name="Cy Reporter"), reason=reason, note=note
    )


def queue_url(community):
    return reverse("discussions:flags", args=[community.slug])


def messages_of(response):
    return [str(message) for message in response.context["messages"]]


def test_moderators_see_flagged_posts_with_their_reasons(client, community, moderator, answer):
    flag(answer, note="Looks like an ad")
    flag(answer, reason=FlagReason.OFFENSIVE, by=UserFactory(display_name="Di Reader"))
    client.force_login(moderator)

    page = client.get(queue_url(community))

    assert page.status_code == 200
    html = page.content.decode()
    assert "How do I calibrate a gradient boosted classifier?" in html
    assert f"{reverse('discussions:thread', args=[answer.thread_id])}#post-{answer.pk}" in html
    assert "Buy cheap watches" in html
    assert "Bo Answerer" in html
    assert "Looks like an ad" in html
    assert "Cy Reporter" in html
    assert "Di Reader" in html
    assert "Spam" in html
    assert "Offensive or abusive" in html
    assert "2 open flags" in html


def test_moderators_dismiss_one_flag_then_the_rest(client, community, moderator, answer):
    first = flag(answer)
    flag(answer, reason=FlagReason.OFF_TOPIC)
    flag(answer, reason=FlagReason.OTHER)
    client.force_login(moderator)
    dismiss = reverse("discussions:dismiss_flags", args=[answer.pk])

    one = client.post(dismiss, {"flag": first.pk, "next": queue_url(community)}, follow=True)
    first.refresh_from_db()
    assert first.resolution == "dismissed"
    assert Flag.objects.filter(resolved_at__isnull=True).count() == 2
    assert one.redirect_chain[-1][0] == queue_url(community)
    assert any("dismissed" in message for message in messages_of(one))

    rest = client.post(dismiss, follow=True)
    assert not Flag.objects.filter(resolved_at__isnull=True).exists()
    assert "No flags to review" in rest.content.decode()
    answer.refresh_from_db()
    assert not answer.is_hidden


def test_moderators_hide_a_flagged_post_with_a_reason(client, community, moderator, answer):
    flag(answer)
    client.force_login(moderator)

    response = client.post(
        reverse("discussions:hide_flagged", args=[answer.pk]),
        {"reason": "Advertising."},
        follow=True,
    )

    answer.refresh_from_db()
    assert answer.is_hidden
    assert Flag.objects.get().resolution == "hidden"
    assert any("hidden" in message for message in messages_of(response))
    note = Notification.objects.get(recipient=answer.author, kind="moderation")
    assert note.data["reason"] == "Advertising."


def test_a_too_long_reason_changes_nothing(client, moderator, answer):
    flag(answer)
    client.force_login(moderator)
    response = client.post(
        reverse("discussions:hide_flagged", args=[answer.pk]), {"reason": "x" * 501}, follow=True
    )
    answer.refresh_from_db()
    assert not answer.is_hidden
    assert messages_of(response)


def test_members_get_a_403_and_cannot_act(client, community, answerer, answer):
    flagged = flag(answer)
    client.force_login(UserFactory())

    page = client.get(queue_url(community))
    client.post(reverse("discussions:dismiss_flags", args=[answer.pk]))
    client.post(reverse("discussions:hide_flagged", args=[answer.pk]))

    assert page.status_code == 403
    assert "Only the moderators of Machine Learning" in page.content.decode()
    flagged.refresh_from_db()
    assert flagged.resolved_at is None
    answer.refresh_from_db()
    assert not answer.is_hidden


def test_an_empty_queue_says_so(client, community, moderator):
    client.force_login(moderator)
    html = client.get(queue_url(community)).content.decode()
    assert "No flags to review" in html
    assert "0 open flags" in html


def test_the_questions_page_links_the_queue_for_moderators_only(
    client, community, moderator, answer
):
    flag(answer)
    questions = reverse("discussions:community", args=[community.slug])

    client.force_login(moderator)
    as_moderator = client.get(questions).content.decode()
    client.force_login(UserFactory())
    as_member = client.get(questions).content.decode()

    assert queue_url(community) in as_moderator
    assert '<span class="badge badge-warning">1<' in as_moderator
    assert queue_url(community) not in as_member


def test_the_notification_list_words_a_hidden_post(client, moderator, answer):
    moderation.hide_post(post=answer, actor=moderator, reason="Advertising.")
    client.force_login(answer.author)
    html = client.get(reverse("discussions:notifications")).content.decode()
    assert "hid your post" in html
    assert "Reason: Advertising." in html
