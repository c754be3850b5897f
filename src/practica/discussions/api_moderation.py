"""A community's open flags over HTTP, for its moderators: the queue, and settling a flag.

Part of the discussions router (`discussions.api` includes it, next to the other moderation
endpoints there); writes go through `discussions.services.moderation`, as on the flag page.
"""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Router
from ninja.pagination import paginate

from practica.api.errors import error_responses
from practica.api.fields import Id, Slug
from practica.api.pagination import Page
from practica.communities.models import Community
from practica.discussions import permissions as can
from practica.discussions import queries
from practica.discussions.models import Flag
from practica.discussions.schemas import FlagResolveIn, OpenFlagOut, ResolvedFlagOut
from practica.discussions.services import moderation

router = Router(tags=["moderation"])

ERRORS = error_responses(401, 403, 404, 422)


@router.get("/communities/{slug}/flags", response={200: list[OpenFlagOut], **ERRORS})
@paginate(Page)
def list_open_flags(request: HttpRequest, slug: Slug) -> Any:
    """The community's unresolved flags, oldest first, each with who flagged it and its post
    (an excerpt, its thread and author). Moderators of the community only (403)."""
    community = get_object_or_404(Community, slug=slug)
    if not can.can_moderate(request.auth, community):
        raise PermissionDenied(_("Only the community's moderators can see its flags."))
    return queries.open_flags(community=community)


@router.post("/flags/{flag_id}/resolve", response={200: ResolvedFlagOut, **ERRORS})
def resolve_flag(request: HttpRequest, flag_id: Id, payload: FlagResolveIn) -> Flag:
    """Dismiss a flag (the post stays) or hide its post, which resolves every open flag on it
    and tells the post's author. Moderators of the post's community only (403); a flag
    already resolved is a 422."""
    flag = get_object_or_404(Flag.objects.select_related("post__thread__community"), pk=flag_id)
    if not can.can_view_post(request.auth, flag.post):
        raise Http404
    return moderation.resolve_flag(flag=flag, actor=request.auth, resolution=payload.resolution)
