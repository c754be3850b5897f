"""Searching threads and finding similar questions: indexing through the services, filters,
visibility, hidden posts, edits, escaping, hostile input, Chinese."""

import datetime as dt

import pytest
from django.utils import timezone

from practica.communities.models import Access, MembershipRole
from practica.discussions import search
from practica.discussions.models import ThreadKind
from practica.discussions.services.moderation import hide_post
from practica.discussions.services.threads import (
    accept_answer,
    create_thread,
    edit_post,
    post_reply,
)
from tests.core.test_search import HOSTILE_QUERIES
from tests.factories.communities import CommunityFactory, MembershipFactory
from tests.factories.core import TopicFactory
from tests.factories.people import OrgUnitFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def community():
    return CommunityFactory()


@pytest.fixture
def asker(community):
    person = UserFactory()
    MembershipFactory(community=community, person=person)
    return person


def ask(community, author, title, body="Any ideas?", **kwargs):
    kind = kwargs.pop("kind", ThreadKind.QUESTION)
    return create_thread(
        community=community, author=author, kind=kind, title=title, body=body, **kwargs
    )


def titles(results):
    return [hit.thread.title for hit in results.hits]


def test_a_question_is_found_by_its_title_and_body(community, asker, member):
    ask(community, asker, "Gradient checkpointing with PyTorch", "Memory blows up on long input")
    ask(community, asker, "Unrelated question about lunch", "Where do we eat?")
    assert titles(search.search_threads(user=member, text="checkpointing")) == [
        "Gradient checkpointing with PyTorch"
    ]
    results = search.search_threads(user=member, text="memory pytorch")
    assert results.total == 1
    hit = results.hits[0]
    assert "<mark>Memory</mark>" in hit.snippet_html
    assert hit.post_id == hit.thread.posts.get(is_opening=True).pk


def test_the_best_post_of_a_thread_is_the_hit_and_threads_are_not_repeated(
    community, asker, member
):
    thread = ask(community, asker, "Serving a model", "How do we serve it?")
    answer = post_reply(thread=thread, author=member, body="Use Triton with dynamic batching.")
    post_reply(thread=thread, author=member, body="Or just a plain Flask app.")
    results = search.search_threads(user=member, text="triton batching")
    assert [hit.post_id for hit in results.hits] == [answer.pk]
    assert results.total == 1


def test_title_matches_rank_above_passing_mentions(community, asker, member):
    ask(community, asker, "Quantization of LLMs", "Int8 or int4 quantization for serving?")
    ask(community, asker, "Weekly notes", "Lots of things, among them quantization once.")
    assert titles(search.search_threads(user=member, text="quantization"))[0] == (
        "Quantization of LLMs"
    )


def test_filters_community_topic_with_subtopics_and_answered(community, asker, member):
    nlp = TopicFactory(name="NLP")
    translation = TopicFactory(name="Translation", parent=nlp)
    other_community = CommunityFactory()
    MembershipFactory(community=other_community, person=asker)
    answered = ask(community, asker, "Tokenizer for translation", topics=[translation])
    open_one = ask(community, asker, "Tokenizer speed", topics=[nlp])
    ask(other_community, asker, "Tokenizer elsewhere")
    post_reply(thread=answered, author=member, body="Use sentencepiece.")

    def found(**filters):
        return set(titles(search.search_threads(user=member, text="tokenizer", **filters)))

    assert found(community=community) == {answered.title, open_one.title}
    assert found(topic=nlp) == {answered.title, open_one.title}
    assert found(topic=translation) == {answered.title}
    assert found(answered=True) == {answered.title}
    assert found(answered=False) == {open_one.title, "Tokenizer elsewhere"}


def test_accepting_and_answering_moves_a_question_between_answered_and_unanswered(
    community, asker, member
):
    thread = ask(community, asker, "Calibration of classifiers")
    assert titles(search.search_threads(user=member, text="calibration", answered=False))
    answer = post_reply(thread=thread, author=member, body="Use isotonic regression.")
    accept_answer(answer=answer, actor=asker)
    assert not titles(search.search_threads(user=member, text="calibration", answered=False))
    assert titles(search.search_threads(user=member, text="calibration", answered=True))


def test_org_unit_filter_includes_units_below(community, asker):
    division = OrgUnitFactory(name="Research")
    team = OrgUnitFactory(name="Speech team", parent=division)
    outsider_unit = OrgUnitFactory(name="Sales")
    inside = UserFactory(org_unit=team)
    outside = UserFactory(org_unit=outsider_unit)
    MembershipFactory(community=community, person=inside)
    MembershipFactory(community=community, person=outside)
    ask(community, inside, "Whisper fine-tuning")
    ask(community, outside, "Whisper pricing")
    found = search.search_threads(user=asker, text="whisper", org_unit=division)
    assert titles(found) == ["Whisper fine-tuning"]


def test_date_range_filter(community, asker, member):
    thread = ask(community, asker, "Distillation recipe")
    today = timezone.localdate()
    assert titles(search.search_threads(user=member, text="distillation", since=today))
    assert titles(search.search_threads(user=member, text="distillation", until=today))
    later = today + dt.timedelta(days=1)
    assert not titles(search.search_threads(user=member, text="distillation", since=later))
    earlier = timezone.now() - dt.timedelta(days=3)
    assert not search.search_threads(user=member, text="distillation", until=earlier).hits, thread


def test_closed_communities_threads_are_only_found_by_members(member, staff):
    closed = CommunityFactory(access=Access.CLOSED)
    insider = UserFactory()
    MembershipFactory(community=closed, person=insider)
    ask(closed, insider, "Secret roadmap for embeddings")
    assert search.search_threads(user=member, text="embeddings").hits == []
    assert search.similar_questions(user=member, text="roadmap embeddings") == []
    assert titles(search.search_threads(user=insider, text="embeddings")) == [
        "Secret roadmap for embeddings"
    ]
    assert titles(search.search_threads(user=staff, text="embeddings"))
    assert search.similar_questions(user=insider, text="embeddings roadmap")


def test_anonymous_users_find_nothing(community, asker):
    from django.contrib.auth.models import AnonymousUser

    ask(community, asker, "Public question about dropout")
    assert search.search_threads(user=AnonymousUser(), text="dropout").hits == []
    assert search.similar_questions(user=AnonymousUser(), text="dropout") == []


def test_hidden_posts_and_threads_disappear(community, asker, member):
    moderator = UserFactory()
    MembershipFactory(community=community, person=moderator, role=MembershipRole.ORGANIZER)
    thread = ask(community, asker, "Drift monitoring", "How to watch drift?")
    answer = post_reply(thread=thread, author=member, body="Evidently spam spam spam")
    assert titles(search.search_threads(user=member, text="evidently"))
    hide_post(post=answer, actor=moderator)
    assert not titles(search.search_threads(user=member, text="evidently"))
    assert titles(search.search_threads(user=member, text="drift"))
    hide_post(post=thread.posts.get(is_opening=True), actor=moderator)
    assert not titles(search.search_threads(user=member, text="drift"))
    assert not titles(search.search_threads(user=moderator, text="drift"))


def test_edits_are_reindexed(community, asker, member):
    thread = ask(community, asker, "Old title about xgboost", "Mentions lightgbm")
    opening = thread.posts.get(is_opening=True)
    reply = post_reply(thread=thread, author=member, body="Try catboost")
    edit_post(post=opening, editor=asker, body="Now about optuna", title="New title on tuning")
    assert not titles(search.search_threads(user=member, text="lightgbm"))
    assert not titles(search.search_threads(user=member, text="xgboost"))
    assert titles(search.search_threads(user=member, text="optuna")) == ["New title on tuning"]
    # The reply carries the thread's new title too.
    found = search.search_threads(user=member, text="catboost tuning")
    assert [hit.post_id for hit in found.hits] == [reply.pk]


def test_snippets_escape_hostile_html(community, asker, member):
    ask(
        community,
        asker,
        "XSS <script>alert(1)</script> payload",
        'payload <img src=x onerror="alert(2)"> and <a href="javascript:alert(3)">x</a>',
    )
    hit = search.search_threads(user=member, text="payload").hits[0]
    for html in (hit.snippet_html, hit.title_html):
        assert "<script" not in html
        assert "<img" not in html
        assert "<a " not in html
        assert html.replace("<mark>", "").replace("</mark>", "").count("<") == 0


@pytest.mark.parametrize("text", HOSTILE_QUERIES)
def test_hostile_queries_give_results_or_nothing_never_an_error(community, asker, member, text):
    ask(community, asker, "NEAR OR AND NOT title: star * question")
    results = search.search_threads(user=member, text=text)
    assert results.total >= 0
    assert isinstance(search.similar_questions(user=member, text=text), list)


def test_chinese_questions_are_found_by_chinese_words(community, asker, member):
    ask(community, asker, "如何解决显存不足的问题", "我们在微调大语言模型的时候遇到显存不足")
    ask(community, asker, "English only", "Nothing in Chinese here")
    results = search.search_threads(user=member, text="显存")
    assert titles(results) == ["如何解决显存不足的问题"]
    assert "<mark>" in results.hits[0].snippet_html
    assert "\u200b" not in results.hits[0].snippet_html + results.hits[0].title_html
    assert titles(search.search_threads(user=member, text="大语言模型"))
    assert search.search_threads(user=member, text="模显").hits == []
    assert [t.title for t in search.similar_questions(user=member, text="显存不够怎么办")] == [
        "如何解决显存不足的问题"
    ]


def test_pagination(community, asker, member):
    for n in range(5):
        ask(community, asker, f"Embedding question {n}")
    first = search.search_threads(user=member, text="embedding", limit=2)
    second = search.search_threads(user=member, text="embedding", limit=2, offset=2)
    assert first.total == 5
    assert len(first.hits) == 2
    assert not {h.thread.pk for h in first.hits} & {h.thread.pk for h in second.hits}


def test_similar_questions_match_any_significant_word_of_questions_only(community, asker, member):
    wanted = ask(community, asker, "How to fine-tune BERT with class imbalance")
    ask(community, asker, "BERT reading group", kind=ThreadKind.DISCUSSION)
    ask(community, asker, "Pizza on Friday")
    found = search.similar_questions(user=member, text="imbalance when fine tuning a model")
    assert found == [wanted]
    assert search.similar_questions(user=member, text="the and of") == []
    assert search.similar_questions(user=member, text="bert", community=CommunityFactory()) == []


def test_bulk_indexing_of_rows_made_without_the_services(member):
    from practica.core.models import SearchEntry
    from practica.discussions.models import Post
    from tests.factories.discussions import PostFactory, QuestionFactory

    topic = TopicFactory(name="Vision")
    thread = QuestionFactory(title="Segmentation masks", topics=[topic])
    PostFactory(thread=thread, body="Use a UNet", body_html="<p>Use a <em>UNet</em></p>")
    PostFactory(thread=thread, body="spam", is_hidden=True)
    SearchEntry.objects.all().delete()
    assert search.bulk_index_posts(Post.objects.all()) == 2
    found = search.search_threads(user=member, text="unet", topic=topic)
    assert titles(found) == ["Segmentation masks"]
    assert not search.search_threads(user=member, text="spam").hits
