"""A community's flag queue: the posts its members flagged, for its moderators to dismiss the
flags or hide the post. Each action returns to the queue page the moderator was on."""

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from practica.discussions import queries
from practica.discussions.forms import DismissFlagsForm, ReasonForm
from practica.discussions.models import Post
from practica.discussions.permissions import can_moderate
from practica.discussions.services import moderation
from practica.discussions.views.shared import (
    back,
    community_or_404,
    forbidden,
    page_of,
    post_or_404,
    refusal,
)

FLAGGED_POSTS_PER_PAGE = 20


@login_required
@require_GET
def flag_queue(request: HttpRequest, slug: str) -> HttpResponse:
    community = community_or_404(slug)
    if not can_moderate(request.user, community):
        reason = _("Only the moderators of %(name)s see its flags.") % {"name": community.name}
        return forbidden(request, community, reason)
    flagged = queries.flagged_posts(community=community)
    context = {
        "community": community,
        "page_obj": page_of(request, flagged, FLAGGED_POSTS_PER_PAGE),
        "open_flag_count": queries.open_flag_count(community),
    }
    return render(request, "discussions/flags.html", context)


def _on_flagged_post(
    request: HttpRequest, pk: int, form: ReasonForm | DismissFlagsForm, act: Callable[[Post], str]
) -> HttpResponse:
    """Validate `form`, run `act` on the post (a service call it words), report, go back."""
    post = post_or_404(request, pk)
    queue = reverse("discussions:flags", args=[post.thread.community.slug])
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return back(request, queue)
    try:
        note = act(post)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, refusal(error))
    else:
        messages.success(request, note)
    return back(request, queue)


@login_required
@require_POST
def dismiss_flags(request: HttpRequest, pk: int) -> HttpResponse:
    """Dismiss one flag of the post (`flag`) or all its open flags; the post stays."""
    form = DismissFlagsForm(request.POST)

    def act(post: Post) -> str:
        flag = form.cleaned_data["flag"]
        dismissed = moderation.dismiss_flags(
            post=post, actor=request.user, flag_ids=[flag] if flag else None
        )
        return ngettext(
            "The flag is dismissed; the post stays visible.",
            "%(count)d flags are dismissed; the post stays visible.",
            dismissed,
        ) % {"count": dismissed}

    return _on_flagged_post(request, pk, form, act)


@login_required
@require_POST
def hide_flagged_post(request: HttpRequest, pk: int) -> HttpResponse:
    """Hide the post, which settles its flags; the author is told, with the optional reason."""
    form = ReasonForm(request.POST)

    def act(post: Post) -> str:
        moderation.hide_post(post=post, actor=request.user, reason=form.cleaned_data["reason"])
        return _("The post is hidden and its flags are resolved.")

    return _on_flagged_post(request, pk, form, act)
