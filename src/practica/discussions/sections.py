"""The Q&A block of a member's home page: questions routed to them, and unanswered questions
in their communities (registered from DiscussionsConfig.ready())."""

from typing import Any

from django.http import HttpRequest

from practica.communities.models import Membership
from practica.discussions import queries
from practica.discussions.models import RoutedExpert, ThreadState
from practica.people.sections import PageSection, register_home_section

HOME_LIMIT = 5


def home_questions(request: HttpRequest, person: Any) -> dict[str, Any]:
    routed = (
        RoutedExpert.objects.filter(
            person=person,
            answered_at__isnull=True,
            closed_at__isnull=True,
            thread__state=ThreadState.OPEN,
            thread__is_hidden=False,
        )
        .select_related("thread", "thread__community")
        .order_by("-thread__is_urgent", "notified_at")[:HOME_LIMIT]
    )
    my_communities = Membership.objects.current().filter(person=person).values("community_id")
    waiting = (
        queries.unanswered_queue(user=person)
        .filter(community_id__in=my_communities)
        .exclude(author=person)[:HOME_LIMIT]
    )
    return {"routed_to_me": list(routed), "waiting": list(waiting)}


def register_sections() -> None:
    register_home_section(
        PageSection(
            key="discussions-questions",
            template="discussions/sections/home_questions.html",
            context=home_questions,
            order=50,
        )
    )
