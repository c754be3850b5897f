"""What every Q&A view needs: loading what the viewer may see, and wording refusals."""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.db import router
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.functional import LazyObject, empty
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from practica.communities.models import Community, Membership
from practica.discussions.inbox import unread_count_subquery
from practica.discussions.models import Post, QASettings, Subscription, Thread, ThreadLink
from practica.discussions.permissions import can_view_post, can_view_thread
from practica.discussions.queries import ReusedStatement
from practica.discussions.services.posting_rules import qa_settings_for


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


def unwrap_user(request: HttpRequest) -> Any:
    """Put the signed-in member itself in `request.user`, in place of the lazy stand-in the
    authentication middleware leaves there, and return it. The same object, but a page that
    checks permissions per post reads its attributes hundreds of times, each a detour
    through the wrapper otherwise."""
    user = request.user
    if isinstance(user, LazyObject):
        if user._wrapped is empty:
            user._setup()
        user = user._wrapped
        request.user = user
    return user


def community_or_404(slug: str) -> Community:
    return get_object_or_404(Community.objects.select_related("program"), slug=slug)


def forbidden(request: HttpRequest, community: Community, reason: str) -> HttpResponse:
    context = {"community": community, "reason": reason}
    return render(request, "discussions/forbidden.html", context, status=403)


def closed_reason(community: Community) -> str:
    return _("%(name)s is a closed community: only its members can read and ask its questions.") % {
        "name": community.name
    }


_THREAD_COLUMNS = [field.name for field in Thread._meta.concrete_fields]
_COMMUNITY_COLUMNS = [field.name for field in Community._meta.concrete_fields]
_THREAD_ATTNAMES = [field.attname for field in Thread._meta.concrete_fields]
_COMMUNITY_ATTNAMES = [field.attname for field in Community._meta.concrete_fields]


def _page_thread(thread: Any, person: Any) -> QuerySet[Thread]:
    return (
        Thread.objects.filter(pk=thread)
        .order_by()
        .values_list(
            *_THREAD_COLUMNS,
            *(f"community__{column}" for column in _COMMUNITY_COLUMNS),
            Subquery(
                Membership.objects.current()
                .filter(community_id=OuterRef("community_id"), person_id=person)
                .order_by("pk")
                .values("role")[:1]
            ),
            Subquery(
                Subscription.objects.filter(person_id=person, thread_id=OuterRef("pk"))
                .order_by("pk")
                .values("level")[:1]
            ),
            Subquery(
                QASettings.objects.filter(community_id=OuterRef("community_id")).values(
                    "response_target_minutes"
                )[:1]
            ),
            Exists(
                ThreadLink.objects.filter(
                    Q(from_thread=OuterRef("pk")) | Q(to_thread=OuterRef("pk"))
                )
            ),
            unread_count_subquery(person),
        )
    )


# A thread's page: the thread, its community and what the page shows around them for a viewer,
# in one statement built once.
_PAGE_THREAD = ReusedStatement(Thread, _page_thread, 2)


def _thread_for_page(pk: int, user: Any) -> Thread:
    """The thread with its community, as `select_related("community")` would load them, and
    the page's facts for the viewer (see `thread_or_404`); a 404 if there is no such thread."""
    found = _PAGE_THREAD.converted_rows(pk, user.pk)
    if not found:
        raise Http404
    row = found[0]
    db = router.db_for_read(Thread)
    split = len(_THREAD_ATTNAMES)
    facts = split + len(_COMMUNITY_ATTNAMES)
    thread = Thread.from_db(db, _THREAD_ATTNAMES, row[:split])
    thread.community = Community.from_db(db, _COMMUNITY_ATTNAMES, row[split:facts])
    role, level, target, has_links, unread = row[facts:]
    thread.viewer_unread_notifications = unread or 0  # type: ignore[attr-defined]
    thread.viewer_watch_level = level  # type: ignore[attr-defined]
    thread.target_minutes_setting = target  # type: ignore[attr-defined]
    thread.has_links = bool(has_links)  # type: ignore[attr-defined]
    # What `current_role` would read, read already (the same per-request cache).
    user.__dict__.setdefault("_community_roles", {})[thread.community_id] = role
    return thread


def thread_or_404(request: HttpRequest, pk: int, *, for_page: bool = False) -> Thread:
    """The thread, if the viewer may see it; a 404 otherwise, so closed communities'
    threads do not even admit to existing.

    `for_page`: only what the thread's page shows of it is read (its community; a duplicate's
    original is read if there is one, and its topics come with `queries.thread_page_rows`),
    and with it, in the same statement, what the page shows around it: the viewer's role in
    the community (kept where `communities.permissions.current_role` looks first), their
    subscription level as `viewer_watch_level`, the community's response target as
    `target_minutes_setting` (None when it set none), and `has_links` (whether any thread
    link touches it), and the viewer's unread notifications for the header's badge."""
    user = request.user
    if for_page and user.is_authenticated:
        thread = _thread_for_page(pk, user)
        # The header's badge reads this instead of counting again (`context_processors`).
        request.inbox_unread = thread.viewer_unread_notifications  # type: ignore[attr-defined]
    else:
        threads = Thread.objects.select_related(
            "community", "community__program", "author", "author__org_unit", "duplicate_of"
        ).prefetch_related("topics")
        thread = get_object_or_404(threads, pk=pk)
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
    return qa_settings_for(community.pk).response_target_minutes


def thread_target_minutes(thread: Thread) -> int:
    """`response_target_minutes` of the thread's community, without a query when the thread
    was loaded by `thread_or_404(..., for_page=True)`."""
    if not hasattr(thread, "target_minutes_setting"):
        return response_target_minutes(thread.community)
    found = thread.target_minutes_setting
    return found or QASettings._meta.get_field("response_target_minutes").default
