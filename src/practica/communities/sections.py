"""What communities adds to the people app's home and profile pages."""

from typing import Any

from django.http import HttpRequest

from practica.communities.queries import communities_of
from practica.people.sections import PageSection, register_home_section, register_profile_section


def _communities_context(request: HttpRequest, person: Any) -> dict[str, Any]:
    return {"communities": list(communities_of(person))}


def register_sections() -> None:
    register_home_section(
        PageSection(
            key="communities",
            template="communities/sections/home_communities.html",
            context=_communities_context,
            order=10,
        )
    )
    register_profile_section(
        PageSection(
            key="communities",
            template="communities/sections/profile_communities.html",
            context=_communities_context,
            order=10,
        )
    )
