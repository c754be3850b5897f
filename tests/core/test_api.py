"""The topic taxonomy API."""

import pytest
from django.test import Client

from tests.api.clients import API, token_client
from tests.factories.core import TopicFactory

pytestmark = [pytest.mark.unit, pytest.mark.django_db]


@pytest.fixture
def taxonomy():
    nlp = TopicFactory(name="NLP")
    translation = TopicFactory(name="Machine translation", parent=nlp)
    low_resource = TopicFactory(name="Low-resource MT", parent=translation)
    vision = TopicFactory(name="Vision")
    return nlp, translation, low_resource, vision


def test_topics_list_in_tree_order_with_parents_and_full_names(member, taxonomy):
    nlp, translation, _low_resource, _vision = taxonomy

    response = token_client(member).get(f"{API}/topics")

    assert response.status_code == 200
    assert [
        (topic["slug"], topic["parent_id"], topic["depth"], topic["full_name"])
        for topic in response.json()
    ] == [
        ("nlp", None, 0, "NLP"),
        ("machine-translation", nlp.pk, 1, "NLP › Machine translation"),
        ("low-resource-mt", translation.pk, 2, "NLP › Machine translation › Low-resource MT"),
        ("vision", None, 0, "Vision"),
    ]


def test_listing_topics_takes_one_query(member, taxonomy, django_assert_num_queries):
    client = token_client(member)
    client.get(f"{API}/me")  # the token's first use records last_used_at

    with django_assert_num_queries(2):  # the token, the topics
        client.get(f"{API}/topics")


def test_a_topic_with_its_ancestors_and_children(member, taxonomy):
    nlp, translation, low_resource, _vision = taxonomy

    body = token_client(member).get(f"{API}/topics/machine-translation").json()

    assert body["id"] == translation.pk
    assert body["full_name"] == "NLP › Machine translation"
    assert body["parent"] == {"id": nlp.pk, "slug": "nlp", "name": "NLP"}
    assert [topic["slug"] for topic in body["ancestors"]] == ["nlp"]
    assert body["children"] == [
        {"id": low_resource.pk, "slug": "low-resource-mt", "name": "Low-resource MT"}
    ]


def test_an_unknown_topic_is_404(member):
    response = token_client(member).get(f"{API}/topics/astrology")

    assert response.status_code == 404
    assert response.json()["detail"]


def test_topics_need_authentication(db):
    assert Client().get(f"{API}/topics").status_code == 401
