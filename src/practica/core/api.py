"""The topic taxonomy over HTTP: `/api/v1/topics`."""

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema

from practica.api.errors import error_responses
from practica.api.fields import Slug
from practica.core.models import TREE_PATH_SEPARATOR, Topic
from practica.core.queries import topic_tree

router = Router(tags=["topics"])

FULL_NAME_SEPARATOR = " › "


class TopicRef(Schema):
    id: int
    slug: str
    name: str


class TopicOut(Schema):
    id: int
    slug: str
    name: str
    full_name: str
    parent_id: int | None
    depth: int
    description: str


class TopicDetailOut(TopicOut):
    parent: TopicRef | None
    ancestors: list[TopicRef]
    children: list[TopicRef]


def _full_names(topics: list[Topic]) -> dict[int, str]:
    """Every topic's "A › B › C" name from one list of the whole tree (no query per topic)."""
    names = {topic.slug: topic.name for topic in topics}
    return {
        topic.pk: FULL_NAME_SEPARATOR.join(
            names.get(slug, slug) for slug in topic.path.strip(TREE_PATH_SEPARATOR).split("/")
        )
        for topic in topics
    }


def _topic_out(topic: Topic, full_name: str) -> dict:
    return {
        "id": topic.pk,
        "slug": topic.slug,
        "name": topic.name,
        "full_name": full_name,
        "parent_id": topic.parent_id,
        "depth": topic.depth,
        "description": topic.description,
    }


@router.get("/topics", response={200: list[TopicOut], **error_responses(401)})
def list_topics(request: HttpRequest) -> list[dict]:
    """The whole taxonomy in depth-first order; `parent_id` and `depth` give the tree."""
    topics = list(topic_tree())
    full_names = _full_names(topics)
    return [_topic_out(topic, full_names[topic.pk]) for topic in topics]


@router.get("/topics/{slug}", response={200: TopicDetailOut, **error_responses(401, 404, 422)})
def get_topic(request: HttpRequest, slug: Slug) -> dict:
    """One topic with its parent, its ancestors (outermost first) and its direct children."""
    topic = get_object_or_404(Topic.objects.select_related("parent"), slug=slug)
    ancestor_slugs = topic.path.strip(TREE_PATH_SEPARATOR).split(TREE_PATH_SEPARATOR)[:-1]
    by_slug = {found.slug: found for found in Topic.objects.filter(slug__in=ancestor_slugs)}
    ancestors = [by_slug[ancestor] for ancestor in ancestor_slugs if ancestor in by_slug]
    full_name = FULL_NAME_SEPARATOR.join([*(a.name for a in ancestors), topic.name])
    return {
        **_topic_out(topic, full_name),
        "parent": topic.parent,
        "ancestors": ancestors,
        "children": list(topic.children.order_by("name")),
    }
