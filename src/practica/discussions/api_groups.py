"""A grassroots group's threads over HTTP (part of the discussions router).

Starting one is `POST /communities/{slug}/threads` with `group` (in `discussions.api`); the
list is here. The group's threads are its community's, so they follow its reading rules.
"""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router
from ninja.pagination import paginate

from practica.api.errors import error_responses
from practica.api.fields import Slug
from practica.api.pagination import Page
from practica.core.models import Topic
from practica.discussions.group_queries import group_of, group_thread_list
from practica.discussions.permissions import can_read_community_threads
from practica.discussions.schemas import ThreadFilters, ThreadOut

router = Router(tags=["threads"])


@router.get(
    "/communities/{slug}/groups/{group}/threads",
    response={200: list[ThreadOut], **error_responses(401, 403, 404, 422)},
)
@paginate(Page)
def list_group_threads(
    request: HttpRequest, slug: Slug, group: Slug, filters: Query[ThreadFilters]
) -> Any:
    """A grassroots group's threads, latest activity first unless `sort` says otherwise, with
    the filters of the community's list. Unknown community or group: 404; a closed
    community's groups: members only (403); an unknown topic: 422."""
    found = group_of(slug, group)
    if not can_read_community_threads(request.auth, found.community):
        raise PermissionDenied(
            _("Only members of %(name)s see its threads.") % {"name": found.community.name}
        )
    topic = Topic.objects.filter(slug=filters.topic).first() if filters.topic else None
    if filters.topic and topic is None:
        message = _("There is no topic “%(slug)s”.") % {"slug": filters.topic}
        raise ValidationError({"topic": message})
    return group_thread_list(
        user=request.auth,
        group=found,
        kind=filters.kind or "",
        state=filters.state or "",
        topic=topic,
        unanswered=filters.unanswered,
        urgent=filters.urgent,
        sort=filters.sort,
    )
