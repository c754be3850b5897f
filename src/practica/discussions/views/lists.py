"""Lists of threads: a community's Q&A, all questions, the unanswered queue, and search."""

from collections.abc import Sequence
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from practica.communities.models import Community
from practica.discussions import queries
from practica.discussions.forms import SearchForm, ThreadFilterForm, UnansweredFilterForm
from practica.discussions.permissions import (
    can_moderate,
    can_post_in,
    can_read_community_threads,
)
from practica.discussions.search import search_threads
from practica.discussions.views.shared import (
    closed_reason,
    community_or_404,
    forbidden,
    page_of,
    response_target_minutes,
)

THREADS_PER_PAGE = 20
SEARCH_PER_PAGE = 20


def _results_template(request: HttpRequest, template: str) -> str:
    """htmx live filtering swaps only the results; a full (or boosted) request gets the page."""
    if request.htmx and not request.htmx.boosted:
        return f"{template}#results"
    return template


def _thread_list(
    request: HttpRequest, community: Community | None
) -> tuple[ThreadFilterForm, dict[str, Any], Any]:
    form = ThreadFilterForm(request.GET or None, community=community)
    filters = form.filters()
    threads = queries.thread_list(
        user=request.user,
        community=community or filters.get("community"),
        kind=filters.get("kind", ""),
        state=filters.get("state", ""),
        topic=filters.get("topic"),
        unanswered=bool(filters.get("unanswered")),
        urgent=bool(filters.get("urgent")),
        sort=filters.get("sort") or "activity",
    )
    shown = {key: value for key, value in filters.items() if key != "sort"}
    return form, shown, page_of(request, threads, THREADS_PER_PAGE)


@login_required
@require_GET
def community_questions(request: HttpRequest, slug: str) -> HttpResponse:
    community = community_or_404(slug)
    if not can_read_community_threads(request.user, community):
        return forbidden(request, community, closed_reason(community))
    form, filters, page_obj = _thread_list(request, community)
    context = {
        "community": community,
        "form": form,
        "filtered": bool(filters),
        "page_obj": page_obj,
        "list_url": request.path,
        "can_ask": can_post_in(request.user, community),
        "target_minutes": response_target_minutes(community),
        # Moderators get the Flags tab with its count; for others the tab is not there.
        "open_flag_count": queries.open_flag_count(community)
        if can_moderate(request.user, community)
        else None,
    }
    template = _results_template(request, "discussions/questions.html")
    return render(request, template, context)


@login_required
@require_GET
def all_questions(request: HttpRequest) -> HttpResponse:
    form, filters, page_obj = _thread_list(request, None)
    context = {
        "form": form,
        "filtered": bool(filters),
        "page_obj": page_obj,
        "list_url": request.path,
    }
    return render(request, _results_template(request, "discussions/questions.html"), context)


@login_required
@require_GET
def unanswered(request: HttpRequest) -> HttpResponse:
    form = UnansweredFilterForm(request.GET or None)
    filters = form.filters()
    community = filters.get("community")
    if community is not None and not can_read_community_threads(request.user, community):
        return forbidden(request, community, closed_reason(community))
    threads = queries.unanswered_queue(
        user=request.user, community=community, topic=filters.get("topic")
    )
    context = {
        "form": form,
        "filtered": bool(filters),
        "page_obj": page_of(request, threads, THREADS_PER_PAGE),
        "now": timezone.now(),
    }
    return render(request, _results_template(request, "discussions/unanswered.html"), context)


class _SearchHits(Sequence):
    """The hits of one search as a sequence a Paginator can page: its length is the total,
    and a slice asks the search for that page (the first page asked is already fetched)."""

    def __init__(self, run: Any, first_offset: int, per_page: int) -> None:
        self._run = run
        self._offset = first_offset
        results = run(offset=first_offset, limit=per_page)
        self._hits, self._total = list(results.hits), results.total

    def __len__(self) -> int:
        return self._total

    def __getitem__(self, index: Any) -> Any:
        if not isinstance(index, slice):
            return self[index : index + 1][0]
        start, stop = index.start or 0, index.stop or self._total
        if start != self._offset:
            self._offset = start
            self._hits = list(self._run(offset=start, limit=stop - start).hits)
        return self._hits[: stop - start]


@login_required
@require_GET
def search(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET or None)
    filters = form.filters()
    text = filters.get("q", "")
    page_obj = None
    if text:
        answered = {"yes": True, "no": False}.get(filters.get("answered", ""))

        def run(*, offset: int, limit: int) -> Any:
            return search_threads(
                user=request.user,
                text=text,
                community=filters.get("community"),
                topic=filters.get("topic"),
                answered=answered,
                org_unit=filters.get("org_unit"),
                since=filters.get("since"),
                until=filters.get("until"),
                limit=limit,
                offset=offset,
            )

        try:
            number = max(int(request.GET.get("page", 1)), 1)
        except ValueError:
            number = 1
        hits = _SearchHits(run, (number - 1) * SEARCH_PER_PAGE, SEARCH_PER_PAGE)
        page_obj = Paginator(hits, SEARCH_PER_PAGE).get_page(number)
    context = {"form": form, "text": text, "page_obj": page_obj, "filtered": bool(filters)}
    return render(request, _results_template(request, "discussions/search.html"), context)
