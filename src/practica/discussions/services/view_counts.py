"""How often a thread's page is read: `Thread.view_count`, counted on the busiest page.

A view costs one cache call, and one UPDATE when it counts; nothing else, because the question
page's latency is benchmarked against a bare view (`practica bench question-page`).
"""

from typing import Any

from django.core.cache import cache
from django.db.models import F

from practica.discussions.models import Thread
from practica.people.permissions import is_signed_in

#: A member's views of a thread count once in this many seconds.
VIEW_WINDOW_SECONDS = 60 * 60


def record_thread_view(*, thread: Thread, viewer: Any) -> bool:
    """Count a view of the thread's page in `view_count` (one UPDATE with F(), and the same +1
    on `thread` in memory so the page shows it); returns whether this view counted. Not
    counted: the author's own views, signed-out callers, and a member's views of the thread
    within an hour of a counted one.

    The hour is kept in the cache, one `add` that checks and sets the key at once: a view is
    not worth a row, and a lost cache only counts a member again. No lock and no transaction
    of its own: the single UPDATE is atomic on its own.
    """
    if not is_signed_in(viewer) or viewer.pk == thread.author_id:
        return False
    if not cache.add(f"thread-viewed:{thread.pk}:{viewer.pk}", 1, VIEW_WINDOW_SECONDS):
        return False
    Thread.objects.filter(pk=thread.pk).update(view_count=F("view_count") + 1)
    thread.view_count += 1
    return True
