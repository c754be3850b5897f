"""The unread-notification count shown in every page's header."""

from functools import cached_property
from typing import Any

from django.http import HttpRequest


class InboxBadge:
    """Counts the member's unread notifications once, and only if a template asks."""

    def __init__(self, user: Any, known: int | None = None) -> None:
        self.user = user
        if known is not None:  # the page's own statement counted them already
            self.__dict__["unread"] = known

    @cached_property
    def unread(self) -> int:
        from practica.discussions.inbox import unread_count

        return unread_count(self.user)


def notifications(request: HttpRequest) -> dict[str, Any]:
    """`inbox_badge.unread`: the signed-in member's unread notifications."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"inbox_badge": InboxBadge(user, getattr(request, "inbox_unread", None))}
