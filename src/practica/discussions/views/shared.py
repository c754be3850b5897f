"""What every Q&A view needs: loading what the viewer may see, and wording refusals."""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from practica.communities.models import Community
from practica.discussions.models import Post, QASettings, Thread
from practica.discussions.permissions import can_view_post, can_view_thread


def refusal(error: ValidationError | PermissionDenied) -> str:
    """The human sentence inside a service's refusal."""
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error) or _("You are not allowed to do that.")


def add_refusal(form: Any, error: ValidationError | PermissionDenied) -> None:
    """Show a service's refusal on a form: per field where the form has that field."""
    if isinstance(error, ValidationError) and hasattr(error, "error_dict"):
        for field, field_errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, field_errors)
    else:
        form.add_error(None, refusal(error))


def back(request: HttpRequest, default: str) -> HttpResponseRedirect:
    """Redirect to the safe `next` the form carried, or to `default`."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect(default)


def page_of(request: HttpRequest, items: Any, per_page: int) -> Page:
    return Paginator(items, per_page).get_page(request.GET.get("page"))


def community_or_404(slug: str) -> Community:
    return get_object_or_404(Community.objects.select_related("program"), slug=slug)


def forbidden(request: HttpRequest, community: Community, reason: str) -> HttpResponse:
    context = {"community": community, "reason": reason}
    return render(request, "discussions/forbidden.html", context, status=403)


def closed_reason(community: Community) -> str:
    return _("%(name)s is a closed community: only its members can read and ask its questions.") % {
        "name": community.name
    }


def thread_or_404(request: HttpRequest, pk: int) -> Thread:
    """The thread, if the viewer may see it; a 404 otherwise, so closed communities'
    threads do not even admit to existing."""
    thread = get_object_or_404(
        Thread.objects.select_related(
            "community", "community__program", "author", "author__org_unit", "duplicate_of"
        ).prefetch_related("topics"),
        pk=pk,
    )
    if not can_view_thread(request.user, thread):
        raise Http404
    return thread


def post_or_404(request: HttpRequest, pk: int) -> Post:
    post = get_object_or_404(
        Post.objects.select_related("thread", "thread__community", "author").prefetch_related(
            Prefetch("thread__topics")
        ),
        pk=pk,
    )
    if not can_view_post(request.user, post):
        raise Http404
    return post


def thread_url(thread: Thread, post: Post | None = None) -> str:
    url = reverse("discussions:thread", args=[thread.pk])
    return f"{url}#post-{post.pk}" if post is not None else url


def response_target_minutes(community: Community) -> int:
    """The community's response target for urgent questions (the default if it set none);
    read only, so a page view never creates settings."""
    found = (
        QASettings.objects.filter(community=community)
        .values_list("response_target_minutes", flat=True)
        .first()
    )
    return found or QASettings._meta.get_field("response_target_minutes").default
