"""Factories for the shared kernel."""

import factory
from django.utils.text import slugify

from practica.core.models import Topic
from practica.core.tree import child_path, path_depth


class TopicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Topic

    name = factory.Sequence(lambda n: f"Topic {n}")
    slug = factory.LazyAttribute(lambda topic: slugify(topic.name))
    parent = None
    path = factory.LazyAttribute(
        lambda topic: child_path(topic.parent.path if topic.parent else None, topic.slug)
    )
    depth = factory.LazyAttribute(lambda topic: path_depth(topic.path))
