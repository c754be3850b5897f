"""Moderation services: flags, hide, lock, move, merge — who may, what changes, the audit log."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from practica.communities.models import MembershipRole
from practica.communities.permissions import forget_cached_roles
from practica.core.models import AuditLogEntry
from practica.discussions import queries
from practica.discussions.models import (
    Flag,
    FlagReason,
    Notification,
    NotificationKind,
    Post,
    Thread,
    ThreadKind,
    ThreadState,
)
from practica.discussions.search import search_threads
from practica.discussions.services import moderation
from practica.discussions.services import threads as services
from practica.mail.models import OutboundMessage
from tests.factories.communities import CommunityFactory, MembershipFactory
from tests.factories.people import UserFactory

pytestmark = pytest.mark.unit


@pytest.fixture
def community(db):
    return CommunityFactory()


@pytest.fixture
def asker(community):
    return MembershipFactory(community=community).person


@pytest.fixture
def answerer(community):
    return MembershipFactory(community=community).person


@pytest.fixture
def moderator(community):
    return MembershipFactory(community=community, role=MembershipRole.ORGANIZER).person


@pytest.fixture
def question(community, asker):
    return services.create_thread(
        community=community,
        author=asker,
        kind=ThreadKind.QUESTION,
        title="Why does my quantized model drift?",
        body="Accuracy drops after int8 quantization of the encoder.",
    )


@pytest.fixture
def answer(question, answerer):
    return services.post_reply(thread=question, author=answerer, body="Calibrate per channel.")


def actions():
    return list(AuditLogEntry.objects.order_by("pk").values_list("action", flat=True))


# --- flags ---------------------------------------------------------------------------------


def test_a_member_flags_a_post_once(answer):
    reporter = UserFactory()
    flag = moderation.flag_post(post=answer, actor=reporter, reason=FlagReason.SPAM, note=" ad ")
    assert flag.note == "ad"
    with pytest.raises(ValidationError, match="already flagged"):
        moderation.flag_post(post=answer, actor=reporter, reason=FlagReason.OFFENSIVE)
    assert Flag.objects.count() == 1


def test_bad_flags_are_refused(answer, answerer):
    with pytest.raises(ValidationError):
        moderation.flag_post(post=answer, actor=answerer, reason=FlagReason.SPAM)
    with pytest.raises(ValidationError):
        moderation.flag_post(post=answer, actor=UserFactory(), reason="boring")
    with pytest.raises(ValidationError):
        moderation.flag_post(
            post=answer, actor=UserFactory(), reason=FlagReason.OTHER, note="x" * 1001
        )
    assert not Flag.objects.exists()


def test_dismissing_a_flag(answer, moderator):
    flag = moderation.flag_post(post=answer, actor=UserFactory(), reason=FlagReason.OFF_TOPIC)
    with pytest.raises(PermissionDenied):
        moderation.resolve_flag(flag=flag, actor=UserFactory(), resolution="dismissed")
    with pytest.raises(ValidationError):
        moderation.resolve_flag(flag=flag, actor=moderator, resolution="ignored")
    flag = moderation.resolve_flag(flag=flag, actor=moderator, resolution="dismissed")
    assert flag.resolved_by == moderator
    assert flag.resolution == "dismissed"
    answer.refresh_from_db()
    assert not answer.is_hidden
    with pytest.raises(ValidationError):
        moderation.resolve_flag(flag=flag, actor=moderator, resolution="hidden")
    assert actions() == ["flag.resolved"]


def test_resolving_by_hiding_settles_every_flag_on_the_post(answer, moderator):
    first = moderation.flag_post(post=answer, actor=UserFactory(), reason=FlagReason.SPAM)
    second = moderation.flag_post(post=answer, actor=UserFactory(), reason=FlagReason.SPAM)
    moderation.resolve_flag(flag=first, actor=moderator, resolution="hidden")
    second.refresh_from_db()
    assert second.resolution == "hidden"
    answer.refresh_from_db()
    assert answer.is_hidden
    assert list(queries.open_flags()) == []


# --- hiding --------------------------------------------------------------------------------


def test_hiding_an_answer(question, answer, moderator, asker, answerer):
    services.accept_answer(answer=answer, actor=asker)
    with pytest.raises(PermissionDenied):
        moderation.hide_post(post=answer, actor=asker)
    moderation.hide_post(post=answer, actor=moderator, reason="rude")
    question.refresh_from_db()
    assert question.answer_count == 0
    assert question.accepted_answer is None
    assert question.state == ThreadState.ANSWERED
    # Readers no longer see it; its author and moderators do.
    reader = UserFactory()
    assert [p.pk for p in queries.thread_page(question, viewer=reader).answers] == []
    assert [p.pk for p in queries.thread_page(question, viewer=answerer).answers] == [answer.pk]
    assert [p.pk for p in queries.thread_page(question, viewer=moderator).answers] == [answer.pk]
    moderation.unhide_post(post=answer, actor=moderator)
    question.refresh_from_db()
    assert question.answer_count == 1
    assert actions() == ["post.hidden", "post.unhidden"]
    assert AuditLogEntry.objects.first().data == {"reason": ""}


def test_hiding_removes_the_post_from_search(question, answer, moderator):
    reader = UserFactory()
    assert search_threads(user=reader, text="calibrate channel").total == 1
    moderation.hide_post(post=answer, actor=moderator)
    assert search_threads(user=reader, text="calibrate channel").total == 0
    moderation.unhide_post(post=answer, actor=moderator)
    assert search_threads(user=reader, text="calibrate channel").total == 1


def test_hiding_the_opening_post_hides_the_thread(question, moderator):
    opening = question.posts.get(is_opening=True)
    moderation.hide_post(post=opening, actor=moderator)
    question.refresh_from_db()
    assert question.is_hidden
    assert not queries.visible_threads(UserFactory()).filter(pk=question.pk).exists()
    assert queries.visible_threads(moderator).filter(pk=question.pk).exists()
    moderation.unhide_post(post=opening, actor=moderator)
    question.refresh_from_db()
    assert not question.is_hidden


# --- locking -------------------------------------------------------------------------------


def test_locking_stops_replies_until_unlocked(question, moderator, answerer):
    with pytest.raises(PermissionDenied):
        moderation.lock_thread(thread=question, actor=answerer)
    moderation.lock_thread(thread=question, actor=moderator)
    with pytest.raises(PermissionDenied):
        services.post_reply(thread=question, author=answerer, body="Let me answer.")
    moderation.unlock_thread(thread=question, actor=moderator)
    services.post_reply(thread=question, author=answerer, body="Let me answer.")
    assert actions() == ["thread.locked", "thread.unlocked"]


# --- moving --------------------------------------------------------------------------------


def test_moving_needs_moderation_rights_in_both_communities(question, moderator):
    elsewhere = CommunityFactory()
    with pytest.raises(PermissionDenied):
        moderation.move_thread(thread=question, to_community=elsewhere, actor=moderator)
    with pytest.raises(ValidationError):
        moderation.move_thread(thread=question, to_community=question.community, actor=moderator)
    MembershipFactory(community=elsewhere, person=moderator, role=MembershipRole.MANAGER)
    forget_cached_roles(moderator)  # the factory bypasses the services that do this
    moved = moderation.move_thread(thread=question, to_community=elsewhere, actor=moderator)
    assert moved.community == elsewhere
    entry = AuditLogEntry.objects.get(action="thread.moved")
    assert entry.data == {"from_community": question.community_id}
    hit = search_threads(user=UserFactory(), text="quantized", community=elsewhere)
    assert hit.total == 1


def test_staff_may_move_anywhere(question, staff):
    moved = moderation.move_thread(thread=question, to_community=CommunityFactory(), actor=staff)
    assert moved.community != question.community


# --- merging -------------------------------------------------------------------------------


def test_merging_moves_posts_and_closes_the_source(community, question, answer, moderator):
    duplicate_asker = UserFactory()
    source = services.create_thread(
        community=community,
        author=duplicate_asker,
        kind=ThreadKind.QUESTION,
        title="Quantized encoder accuracy drop",
        body="Same problem here.",
    )
    earlier = timezone.now() - timedelta(days=1)
    reply = services.post_reply(thread=source, author=UserFactory(), body="Use QAT.")
    Post.objects.filter(pk=reply.pk).update(created_at=earlier)
    target = moderation.merge_threads(source=source, target=question, actor=moderator)
    source.refresh_from_db()
    assert source.merged_into == question
    assert source.state == ThreadState.CLOSED
    assert source.answer_count == 0
    assert target.answer_count == 3  # the answer, the source's opening post, its reply
    assert Post.objects.filter(thread=question, is_opening=True).count() == 1
    reply.refresh_from_db()
    assert reply.thread_id == question.pk
    assert reply.created_at == earlier
    assert AuditLogEntry.objects.get(action="thread.merged").data == {
        "target": question.pk,
        "posts": 2,
    }
    with pytest.raises(ValidationError):
        moderation.merge_threads(source=source, target=question, actor=moderator)
    with pytest.raises(ValidationError):
        services.post_reply(thread=source, author=UserFactory(), body="Too late.")


def test_merging_fills_in_a_missing_first_response(community, question, moderator):
    source = services.create_thread(
        community=community,
        author=UserFactory(),
        kind=ThreadKind.QUESTION,
        title="Quantized encoder accuracy drop",
        body="Same problem here.",
    )
    target = moderation.merge_threads(source=source, target=question, actor=moderator)
    assert target.state == ThreadState.ANSWERED
    assert target.first_response_at is not None
    assert target.first_response_seconds >= 0


def test_merge_refusals(community, question, asker, moderator):
    other = services.create_thread(
        community=community,
        author=asker,
        kind=ThreadKind.QUESTION,
        title="Another question entirely",
        body="Body.",
    )
    with pytest.raises(ValidationError):
        moderation.merge_threads(source=question, target=question, actor=moderator)
    with pytest.raises(PermissionDenied):
        moderation.merge_threads(source=other, target=question, actor=asker)
    foreign = services.create_thread(
        community=CommunityFactory(),
        author=asker,
        kind=ThreadKind.QUESTION,
        title="A question in another community",
        body="Body.",
    )
    with pytest.raises(PermissionDenied):
        moderation.merge_threads(source=foreign, target=question, actor=moderator)
    assert Thread.objects.filter(merged_into__isnull=False).count() == 0


# --- settling flags ----------------------------------------------------------------------------


def test_hiding_from_the_thread_page_settles_the_open_flags(answer, moderator):
    flag = moderation.flag_post(post=answer, actor=UserFactory(), reason=FlagReason.OFF_TOPIC)
    moderation.hide_post(post=answer, actor=moderator, reason="Not about quantization.")
    flag.refresh_from_db()
    assert (flag.resolution, flag.resolved_by) == ("hidden", moderator)
    hidden = AuditLogEntry.objects.get(action="post.hidden")
    assert hidden.data == {"reason": "Not about quantization.", "flag_reasons": ["off_topic"]}


def test_hiding_an_already_hidden_post_still_settles_its_flags(answer, moderator):
    moderation.hide_post(post=answer, actor=moderator)
    late = Flag.objects.create(post=answer, flagged_by=moderator, reason=FlagReason.SPAM)
    moderation.hide_post(post=answer, actor=moderator)
    late.refresh_from_db()
    assert late.resolution == "hidden"
    assert actions() == ["post.hidden"]  # the post itself did not change again


def test_dismissing_all_or_one_of_a_posts_flags(answer, moderator):
    first, second, third = (
        moderation.flag_post(post=answer, actor=UserFactory(), reason=reason)
        for reason in (FlagReason.SPAM, FlagReason.OFF_TOPIC, FlagReason.OTHER)
    )
    with pytest.raises(PermissionDenied):
        moderation.dismiss_flags(post=answer, actor=UserFactory())
    assert moderation.dismiss_flags(post=answer, actor=moderator, flag_ids=[second.pk]) == 1
    assert [flag.pk for flag in queries.open_flags()] == [first.pk, third.pk]
    assert moderation.dismiss_flags(post=answer, actor=moderator) == 2
    assert not queries.open_flags().exists()
    assert set(Flag.objects.values_list("resolution", flat=True)) == {"dismissed"}
    answer.refresh_from_db()
    assert not answer.is_hidden
    with pytest.raises(ValidationError, match="already been resolved"):
        moderation.dismiss_flags(post=answer, actor=moderator)
    assert actions() == ["flag.resolved"] * 3


# --- telling the author ----------------------------------------------------------------------


def moderation_notes(person):
    return list(
        Notification.objects.filter(recipient=person, kind=NotificationKind.MODERATION).order_by(
            "pk"
        )
    )


def test_the_author_is_told_when_their_post_is_hidden_and_shown_again(answer, answerer, moderator):
    moderation.hide_post(post=answer, actor=moderator, reason="Please keep it civil.")
    moderation.unhide_post(post=answer, actor=moderator)
    moderation.hide_post(post=answer, actor=moderator)  # hidden again: told again

    notes = moderation_notes(answerer)
    assert [(note.data["action"], note.post_id, note.actor) for note in notes] == [
        ("hidden", answer.pk, moderator),
        ("unhidden", answer.pk, moderator),
        ("hidden", answer.pk, moderator),
    ]
    assert notes[0].data["reason"] == "Please keep it civil."
    mails = OutboundMessage.objects.filter(to_email=answerer.email).order_by("pk")
    hid, shown, hid_again = [mail.body_text for mail in mails if "your post" in mail.body_text]
    name = moderator.display_name
    assert f"{name} hid your post in {answer.thread.community.name}." in hid
    assert "Reason: Please keep it civil." in hid
    assert "because a moderator acted on your post" in hid
    assert f"{name} made your post in {answer.thread.community.name} visible again." in shown
    assert "Reason" not in hid_again


def test_hiding_for_flags_tells_the_author_the_flagged_reasons(answer, answerer, moderator):
    flag = moderation.flag_post(post=answer, actor=UserFactory(), reason=FlagReason.SPAM)
    moderation.flag_post(post=answer, actor=UserFactory(), reason=FlagReason.OFF_TOPIC)
    moderation.resolve_flag(flag=flag, actor=moderator, resolution="hidden")

    [note] = moderation_notes(answerer)
    assert note.data == {"action": "hidden", "reason": "", "flag_reasons": ["off_topic", "spam"]}
    [mail] = [
        m for m in OutboundMessage.objects.filter(to_email=answerer.email) if "hid" in m.body_text
    ]
    assert "Reason: Off topic, Spam" in mail.body_text


def test_hiding_a_question_tells_its_asker_though_the_thread_is_hidden(question, asker, moderator):
    moderation.hide_post(post=question.posts.get(is_opening=True), actor=moderator, reason="Spam")
    [note] = moderation_notes(asker)
    assert note.data["action"] == "hidden"


def test_a_moderator_is_not_told_about_their_own_post(question, moderator):
    own = services.post_reply(thread=question, author=moderator, body="A moderator's answer.")
    moderation.hide_post(post=own, actor=moderator)
    moderation.unhide_post(post=own, actor=moderator)
    assert moderation_notes(moderator) == []
