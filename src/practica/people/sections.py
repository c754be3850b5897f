"""Sections that apps above `people` add to the home and profile pages.

People comes before communities (and every later app) in the dependency order, so its pages
cannot import them. Instead each app registers, in its AppConfig.ready(), the sections it
contributes — "My communities" on the home page, "Communities" on a profile, later "Questions
answered", "Talks given" — and people renders whatever is registered, in order.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

SectionContext = Callable[[HttpRequest, Any], Mapping[str, Any]]


@dataclass(frozen=True)
class PageSection:
    """A block of a page: `template` rendered with `context(request, person)`."""

    key: str
    template: str
    context: SectionContext
    order: int = 100


_HOME_SECTIONS: dict[str, PageSection] = {}
_PROFILE_SECTIONS: dict[str, PageSection] = {}


def register_home_section(section: PageSection) -> None:
    _HOME_SECTIONS[section.key] = section


def register_profile_section(section: PageSection) -> None:
    _PROFILE_SECTIONS[section.key] = section


def _render(
    sections: dict[str, PageSection], request: HttpRequest, person: Any
) -> list[SafeString]:
    ordered = sorted(sections.values(), key=lambda section: (section.order, section.key))
    return [
        render_to_string(
            section.template,
            {"person": person, **section.context(request, person)},
            request=request,
        )
        for section in ordered
    ]


def render_home_sections(request: HttpRequest, person: Any) -> list[SafeString]:
    return _render(_HOME_SECTIONS, request, person)


def render_profile_sections(request: HttpRequest, person: Any) -> list[SafeString]:
    return _render(_PROFILE_SECTIONS, request, person)
