"""Reads of the shared kernel reused by views, API and metrics."""

from django.db.models import QuerySet

from practica.core.models import Topic
from practica.core.tree import subtree_filter


def topics_with_descendants(topics: QuerySet[Topic] | list[Topic]) -> QuerySet[Topic]:
    """The given topics and every topic below them."""
    condition = None
    for topic in topics:
        clause = subtree_filter(topic.path)
        condition = clause if condition is None else condition | clause
    if condition is None:
        return Topic.objects.none()
    return Topic.objects.filter(condition)


def topic_tree() -> QuerySet[Topic]:
    """All topics in depth-first order (by path), ready to render as an indented list."""
    return Topic.objects.order_by("path")
