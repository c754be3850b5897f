"""Predicates about threads and posts, used by views, API and services alike.

Moderators of a community are its organizers, leaders, managers and platform staff
(`communities.permissions.can_moderate_community`). Closed communities' threads are visible
only to their members (and to staff); open communities' threads to every signed-in member.
A grassroots group's threads are its community's threads: read like them; started by the
group's members.
"""

from typing import Any

from practica.communities.group_permissions import is_group_member
from practica.communities.models import Community
from practica.communities.permissions import can_moderate_community, is_member
from practica.discussions.models import ThreadState
from practica.people.permissions import is_signed_in


def can_moderate(user: Any, community: Community) -> bool:
    """Organizers, leaders, managers of the community, and staff."""
    return can_moderate_community(user, community)


def can_read_community_threads(user: Any, community: Community) -> bool:
    """Open communities: any signed-in member; closed ones: members and staff."""
    if not is_signed_in(user):
        return False
    if not community.is_closed:
        return True
    return user.is_staff or is_member(user, community)


def can_view_thread(user: Any, thread: Any) -> bool:
    """Hidden threads only for moderators; closed communities only for members (and staff)."""
    if not can_read_community_threads(user, thread.community):
        return False
    if thread.is_hidden:
        return can_moderate(user, thread.community)
    return True


def can_view_post(user: Any, post: Any) -> bool:
    """Hidden posts are shown to moderators and to their own author."""
    if not can_view_thread(user, post.thread):
        return False
    if post.is_hidden:
        return post.author_id == user.pk or can_moderate(user, post.thread.community)
    return True


def can_post_in(user: Any, community: Community) -> bool:
    """Start a thread or post: anyone signed in in an open community; in a closed one, its
    members (and staff)."""
    return can_read_community_threads(user, community)


def can_reply(user: Any, thread: Any) -> bool:
    """Answer or reply: the thread is visible, not closed, not merged, and not locked
    (moderators may still post in a locked thread)."""
    if not can_view_thread(user, thread) or not can_post_in(user, thread.community):
        return False
    if thread.state == ThreadState.CLOSED or thread.merged_into_id is not None:
        return False
    if thread.is_locked:
        return can_moderate(user, thread.community)
    return True


def can_edit_post(user: Any, post: Any) -> bool:
    """The author or a moderator; in a locked thread only a moderator."""
    if not is_signed_in(user):
        return False
    thread = post.thread
    if can_moderate(user, thread.community):
        return True
    if thread.is_locked or post.author_id != user.pk:
        return False
    return can_view_thread(user, thread)


def can_accept(user: Any, thread: Any) -> bool:
    """Accept (or change, or withdraw) the accepted answer: the asker or a moderator."""
    if not is_signed_in(user) or not thread.is_question:
        return False
    if thread.author_id == user.pk:
        return can_view_thread(user, thread)
    return can_moderate(user, thread.community)


def can_vote(user: Any, post: Any) -> bool:
    """Anyone who may read the thread, except on their own post."""
    if not is_signed_in(user) or post.author_id == user.pk:
        return False
    return can_view_post(user, post)


def can_flag(user: Any, post: Any) -> bool:
    """Anyone who can see the post, except its author."""
    return is_signed_in(user) and post.author_id != user.pk and can_view_post(user, post)


def can_close(user: Any, thread: Any) -> bool:
    """Close or reopen: the thread's author or a moderator."""
    if not is_signed_in(user):
        return False
    return thread.author_id == user.pk or can_moderate(user, thread.community)


def can_link(user: Any, thread: Any) -> bool:
    """Link a thread to a related one: anyone who may reply, or a moderator."""
    return can_reply(user, thread) or can_moderate(user, thread.community)


def can_start_group_thread(user: Any, group: Any) -> bool:
    """Start a thread in a group: its current members and the community's moderators, as long
    as the group is not archived and the community's own rules let them post."""
    if group.is_archived or not can_post_in(user, group.community):
        return False
    return can_moderate(user, group.community) or is_group_member(user, group)
