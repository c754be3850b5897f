"""Who may see, post, edit, vote, accept and moderate — the predicates behind every screen."""

import pytest
from django.contrib.auth.models import AnonymousUser

from practica.communities.models import Access, MembershipRole
from practica.discussions import permissions as can
from practica.discussions.models import ThreadKind, ThreadState
from tests.factories.communities import CommunityFactory, MembershipFactory
from tests.factories.discussions import PostFactory, QuestionFactory
from tests.factories.people import UserFactory

pytestmark = pytest.mark.unit


@pytest.fixture
def closed(db):
    return CommunityFactory(access=Access.CLOSED)


@pytest.mark.parametrize(
    ("role", "moderates"),
    [
        (MembershipRole.MEMBER, False),
        (MembershipRole.EXECUTIVE_SPONSOR, False),
        (MembershipRole.ORGANIZER, True),
        (MembershipRole.LEADER, True),
        (MembershipRole.MANAGER, True),
    ],
)
def test_moderators_are_organizers_leaders_and_managers(db, role, moderates):
    membership = MembershipFactory(role=role)
    assert can.can_moderate(membership.person, membership.community) is moderates


def test_staff_moderate_everywhere(staff):
    assert can.can_moderate(staff, CommunityFactory())


def test_closed_communities_are_for_members(closed, staff):
    thread = QuestionFactory(community=closed)
    insider = MembershipFactory(community=closed).person
    outsider = UserFactory()
    for check in (can.can_view_thread, can.can_reply):
        assert check(insider, thread)
        assert check(staff, thread)
        assert not check(outsider, thread)
        assert not check(AnonymousUser(), thread)
    assert can.can_post_in(insider, closed)
    assert not can.can_post_in(outsider, closed)
    assert not can.can_read_community_threads(outsider, closed)


def test_open_communities_are_for_everyone_signed_in(db):
    thread = QuestionFactory()
    outsider = UserFactory()
    assert can.can_view_thread(outsider, thread)
    assert can.can_reply(outsider, thread)
    assert not can.can_view_thread(AnonymousUser(), thread)
    assert not can.can_view_thread(None, thread)


def test_hidden_threads_and_posts(db):
    thread = QuestionFactory(is_hidden=True)
    moderator = MembershipFactory(community=thread.community, role=MembershipRole.LEADER).person
    assert not can.can_view_thread(UserFactory(), thread)
    assert can.can_view_thread(moderator, thread)
    visible = QuestionFactory(community=thread.community)
    hidden_post = PostFactory(thread=visible, is_hidden=True)
    assert not can.can_view_post(UserFactory(), hidden_post)
    assert can.can_view_post(hidden_post.author, hidden_post)
    assert can.can_view_post(moderator, hidden_post)
    assert not can.can_vote(UserFactory(), hidden_post)


def test_locked_and_closed_threads_take_no_replies(db):
    locked = QuestionFactory(is_locked=True)
    moderator = MembershipFactory(community=locked.community, role=MembershipRole.MANAGER).person
    assert not can.can_reply(UserFactory(), locked)
    assert can.can_reply(moderator, locked)
    closed_thread = QuestionFactory(state=ThreadState.CLOSED)
    assert not can.can_reply(UserFactory(), closed_thread)
    merged = QuestionFactory(merged_into=closed_thread)
    assert not can.can_reply(UserFactory(), merged)


def test_editing(db):
    thread = QuestionFactory()
    post = PostFactory(thread=thread)
    moderator = MembershipFactory(community=thread.community, role=MembershipRole.ORGANIZER).person
    assert can.can_edit_post(post.author, post)
    assert not can.can_edit_post(UserFactory(), post)
    assert can.can_edit_post(moderator, post)
    thread.is_locked = True
    assert not can.can_edit_post(post.author, post)
    assert can.can_edit_post(moderator, post)
    assert not can.can_edit_post(AnonymousUser(), post)


def test_accepting(db):
    thread = QuestionFactory()
    moderator = MembershipFactory(community=thread.community, role=MembershipRole.ORGANIZER).person
    assert can.can_accept(thread.author, thread)
    assert can.can_accept(moderator, thread)
    assert not can.can_accept(UserFactory(), thread)
    discussion = QuestionFactory(kind=ThreadKind.DISCUSSION)
    assert not can.can_accept(discussion.author, discussion)


def test_voting_and_flagging_not_on_ones_own_post(db):
    post = PostFactory()
    assert not can.can_vote(post.author, post)
    assert not can.can_flag(post.author, post)
    other = UserFactory()
    assert can.can_vote(other, post)
    assert can.can_flag(other, post)


def test_closing_and_linking(db):
    thread = QuestionFactory()
    assert can.can_close(thread.author, thread)
    assert not can.can_close(UserFactory(), thread)
    assert can.can_link(UserFactory(), thread)
    assert not can.can_close(AnonymousUser(), thread)
