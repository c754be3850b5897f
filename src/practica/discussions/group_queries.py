"""Reads about a grassroots group's threads, for its thread page and the API.

A group's threads are its community's threads with `Thread.group` set, so the same visibility
rules hold (`queries.visible_threads`): a closed community's group threads are for its members.
"""

from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from practica.communities.models import Community, Group
from practica.core.models import Topic
from practica.discussions import queries
from practica.discussions.models import Thread, ThreadKind, ThreadState


def group_of(community_slug: str, group_slug: str) -> Group:
    """The group `group_slug` of the community `community_slug`, with its community (and the
    community's program); a 404 if either is unknown."""
    community = get_object_or_404(Community.objects.select_related("program"), slug=community_slug)
    group = get_object_or_404(Group, community=community, slug=group_slug)
    group.community = community
    return group


def group_thread_list(
    *,
    user: Any,
    group: Group,
    kind: str = "",
    state: str = "",
    topic: Topic | None = None,
    unanswered: bool = False,
    urgent: bool = False,
    sort: str = "activity",
) -> QuerySet[Thread]:
    """The group's threads `user` may see, filtered and sorted as `queries.thread_list`."""
    return queries.thread_list(
        user=user,
        community=group.community,
        kind=kind,
        state=state,
        topic=topic,
        unanswered=unanswered,
        urgent=urgent,
        sort=sort,
    ).filter(group=group)


def open_question_count(group: Group) -> int:
    """The group's questions nobody has answered yet (hidden and merged ones left out)."""
    return Thread.objects.filter(
        group=group,
        kind=ThreadKind.QUESTION,
        state=ThreadState.OPEN,
        is_hidden=False,
        merged_into__isnull=True,
    ).count()
