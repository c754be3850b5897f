"""Turning a dashboard address's query string into filters, or into the messages saying what is
wrong with it. `parse_filters` does the checking; this adds the `community` parameter, which
names communities by slug and which only the page can resolve."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import urlencode

from django.http import QueryDict
from django.utils.translation import gettext as _

from practica.communities.models import Community
from practica.metrics.dashboards.forms import used_params
from practica.metrics.queries.filters import DashboardFilters, FilterError, parse_filters


@dataclass(frozen=True)
class FilterOutcome:
    """The filters asked for, or the messages saying why they cannot be used."""

    filters: DashboardFilters | None
    params: dict[str, str]  # the filters given, to carry into links (CSV, report)
    errors: list[str] = field(default_factory=list)
    communities: tuple[Community, ...] = ()
    # Parameters links carry besides `params` (the communities a program page narrowed to).
    extra_params: tuple[tuple[str, str], ...] = ()

    @property
    def query_string(self) -> str:
        """ "?…" carrying these filters into a link (a CSV, a report), or "" for none."""
        pairs = [*self.params.items(), *self.extra_params]
        return f"?{urlencode(pairs)}" if pairs else ""


def parse_or_messages(
    params: dict[str, str], *, community_ids: Sequence[int], today: date
) -> tuple[DashboardFilters | None, list[str]]:
    try:
        return parse_filters(params, community_ids=community_ids, today=today), []
    except FilterError as error:
        return None, [str(message) for message in error.messages]


def community_page_filters(query: QueryDict, *, community: Community, today: date) -> FilterOutcome:
    """A community's dashboard: the community is the page's; `community=<its slug>` is allowed
    (links built for several pages carry it), any other community is refused."""
    params = used_params(query)
    named = params.pop("community", "")
    errors: list[str] = []
    if named and named != community.slug:
        errors.append(
            _("This dashboard shows %(name)s only; open the other community’s own dashboard.")
            % {"name": community.name}
        )
    filters, messages = parse_or_messages(params, community_ids=[community.pk], today=today)
    errors.extend(messages)
    return FilterOutcome(
        filters=None if errors else filters,
        params=params,
        errors=errors,
        communities=(community,),
    )


def program_page_filters(
    query: QueryDict, *, communities: Sequence[Community], today: date
) -> FilterOutcome:
    """A program's comparison: `community` (repeatable) narrows it to some of the program's
    communities; a slug that is not one of them is refused."""
    params = used_params(query, exclude=("community",))
    asked = [slug for slug in query.getlist("community") if slug.strip()]
    by_slug = {community.slug: community for community in communities}
    errors = [
        _("“%(slug)s” is not a community of this program.") % {"slug": slug}
        for slug in asked
        if slug not in by_slug
    ]
    narrowed = tuple(community for community in communities if community.slug in asked)
    chosen = narrowed or tuple(communities)
    filters: DashboardFilters | None = None
    if chosen:
        # Checked even when a slug was refused, so every problem is listed at once.
        filters, messages = parse_or_messages(
            params, community_ids=[community.pk for community in chosen], today=today
        )
        errors.extend(messages)
    return FilterOutcome(
        filters=None if errors else filters,
        params=params,
        errors=errors,
        communities=chosen,
        extra_params=tuple(("community", community.slug) for community in narrowed),
    )
