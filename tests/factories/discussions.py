"""Factories for threads, posts, votes and Q&A settings.

These build rows directly (no services): use them to set up a scene. To test behaviour
(counters, states, activity rows), call the services in practica.discussions.services.
"""

import factory
from django.utils import timezone

from practica.discussions.models import (
    Flag,
    FlagReason,
    Post,
    QASettings,
    Thread,
    ThreadKind,
    ThreadState,
    Vote,
)
from tests.factories.communities import CommunityFactory
from tests.factories.people import UserFactory


class QASettingsFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = QASettings
        django_get_or_create = ("community",)

    community = factory.SubFactory(CommunityFactory)


class ThreadFactory(factory.django.DjangoModelFactory):
    """A thread with its opening post (pass `body=` to choose the opening post's text)."""

    class Meta:
        model = Thread
        skip_postgeneration_save = True

    community = factory.SubFactory(CommunityFactory)
    kind = ThreadKind.QUESTION
    title = factory.Sequence(lambda n: f"How do I tune model number {n}?")
    author = factory.SubFactory(UserFactory)
    state = ThreadState.OPEN
    created_at = factory.LazyFunction(timezone.now)
    last_activity_at = factory.LazyAttribute(lambda thread: thread.created_at)

    @factory.post_generation
    def body(self, create, extracted, **kwargs):
        if not create:
            return
        PostFactory(
            thread=self,
            author=self.author,
            is_opening=True,
            body=extracted or "What is the best way to do this?",
            created_at=self.created_at,
        )

    @factory.post_generation
    def topics(self, create, extracted, **kwargs):
        if create and extracted:
            self.topics.set(extracted)


class QuestionFactory(ThreadFactory):
    kind = ThreadKind.QUESTION


class DiscussionFactory(ThreadFactory):
    kind = ThreadKind.DISCUSSION
    title = factory.Sequence(lambda n: f"Let's talk about topic number {n}")


class PostFactory(factory.django.DjangoModelFactory):
    """An answer (or reply) in a thread; the opening post is made by ThreadFactory."""

    class Meta:
        model = Post

    thread = factory.SubFactory(ThreadFactory)
    author = factory.SubFactory(UserFactory)
    is_opening = False
    body = factory.Sequence(lambda n: f"Here is answer number {n}.")
    body_html = factory.LazyAttribute(lambda post: f"<p>{post.body}</p>")
    created_at = factory.LazyFunction(timezone.now)
    author_org_unit = factory.LazyAttribute(lambda post: post.author.org_unit)
    author_career_level = factory.LazyAttribute(lambda post: post.author.career_level)


class VoteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Vote

    post = factory.SubFactory(PostFactory)
    voter = factory.SubFactory(UserFactory)
    value = 1


class FlagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Flag

    post = factory.SubFactory(PostFactory)
    flagged_by = factory.SubFactory(UserFactory)
    reason = FlagReason.SPAM
