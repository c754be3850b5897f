"""The discussions' ownership provider (kind "routed_question"), registered from
DiscussionsConfig.ready(): the unanswered questions a person was asked to answer and has not
(their routed row neither answered nor closed, the question still open). Handing one over
asks the successor in their place, through `services.routing.hand_over_routed_question`.
"""

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from practica.communities.continuity import OwnedThing
from practica.discussions.models import RoutedExpert, Thread, ThreadKind, ThreadState
from practica.discussions.services.routing import hand_over_routed_question
from practica.people.models import User


def thread_url(thread_id: int) -> str:
    return reverse("discussions:thread", args=[thread_id])


class RoutedQuestionOwnership:
    kind = "routed_question"
    verbose_name = gettext_lazy("Question routed to them")

    def owned_by(self, person: User) -> list[OwnedThing]:
        rows = (
            RoutedExpert.objects.filter(
                person=person,
                answered_at__isnull=True,
                closed_at__isnull=True,
                thread__kind=ThreadKind.QUESTION,
                thread__state=ThreadState.OPEN,
                thread__is_hidden=False,
                thread__duplicate_of__isnull=True,
                thread__merged_into__isnull=True,
            )
            .select_related("thread")
            .order_by("thread__created_at", "thread_id")
        )
        # Labels are stored on the alert: written in the site's language, whoever triggered it.
        with translation.override(settings.LANGUAGE_CODE):
            return [
                OwnedThing(
                    kind=self.kind,
                    object_id=row.thread_id,
                    label=_("Question: %(title)s") % {"title": row.thread.title},
                    community_id=row.thread.community_id,
                    url=thread_url(row.thread_id),
                )
                for row in rows
            ]

    def hand_over(self, *, object_id: int, leaver: User, successor: User, actor: User) -> None:
        thread = Thread.objects.select_related("community").filter(pk=object_id).first()
        if thread is None:
            return  # deleted since: nobody needs to answer it
        hand_over_routed_question(thread=thread, leaver=leaver, successor=successor, actor=actor)

    def url_for(self, object_id: int) -> str:
        return thread_url(object_id)
