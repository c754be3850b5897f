"""The ownership-provider registry: apps register providers, and a person's owned things are
gathered from all of them."""

import pytest

from practica.communities import continuity
from practica.communities.continuity import (
    OwnedThing,
    OwnershipProvider,
    owned_things,
    ownership_provider,
    ownership_providers,
    register_ownership_provider,
    thing_urls,
)

pytestmark = pytest.mark.unit


class FakeProvider:
    verbose_name = "Fake"

    def __init__(self, kind: str, things: dict[int, list[OwnedThing]]) -> None:
        self.kind = kind
        self.things = things

    def owned_by(self, person):
        return list(self.things.get(person.pk, []))

    def hand_over(self, *, object_id, leaver, successor, actor):
        pass

    def url_for(self, object_id):
        return f"/fake/{object_id}/"


class OtherProvider(FakeProvider):
    pass


class Person:
    def __init__(self, pk: int) -> None:
        self.pk = pk


@pytest.fixture
def empty_registry(monkeypatch):
    monkeypatch.setattr(continuity, "_PROVIDERS", {})


def thing(kind: str, object_id: int, community_id: int = 1) -> OwnedThing:
    return OwnedThing(
        kind=kind,
        object_id=object_id,
        label=f"{kind} {object_id}",
        community_id=community_id,
        url=f"/{kind}/{object_id}/",
    )


def test_the_apps_register_their_providers_at_start_up():
    kinds = {provider.kind for provider in ownership_providers()}
    assert {"group", "event_series", "hosted_event", "committee_seat", "routed_question"} <= kinds
    for provider in ownership_providers():
        assert isinstance(provider, OwnershipProvider)
        assert str(provider.verbose_name)


def test_owned_things_gathers_every_provider_in_registration_order(empty_registry):
    register_ownership_provider(FakeProvider("b", {7: [thing("b", 2), thing("b", 1)]}))
    register_ownership_provider(FakeProvider("a", {7: [thing("a", 5)], 8: [thing("a", 6)]}))
    assert owned_things(Person(7)) == [thing("b", 2), thing("b", 1), thing("a", 5)]
    assert owned_things(Person(8)) == [thing("a", 6)]
    assert owned_things(Person(9)) == []


def test_a_provider_is_found_by_its_kind(empty_registry):
    provider = FakeProvider("fake", {})
    register_ownership_provider(provider)
    assert ownership_provider("fake") is provider
    with pytest.raises(LookupError, match="nothing"):
        ownership_provider("nothing")


def test_registering_the_same_kind_again_replaces_it_but_another_class_is_refused(empty_registry):
    first, second = FakeProvider("fake", {}), FakeProvider("fake", {})
    register_ownership_provider(first)
    register_ownership_provider(second)
    assert ownership_provider("fake") is second
    assert len(ownership_providers()) == 1
    with pytest.raises(ValueError, match="already provided"):
        register_ownership_provider(OtherProvider("fake", {}))
    with pytest.raises(ValueError, match="needs a kind"):
        register_ownership_provider(FakeProvider("", {}))


def test_owned_thing_is_a_frozen_value():
    one = thing("group", 1)
    assert one == thing("group", 1)
    with pytest.raises(AttributeError):
        one.label = "changed"  # type: ignore[misc]


class BatchProvider(FakeProvider):
    def urls_for(self, object_ids):
        self.batches.append(list(object_ids))
        return {object_id: f"/batch/{object_id}/" for object_id in object_ids}


def test_thing_urls_asks_a_provider_for_many_at_once_when_it_can(empty_registry):
    batching = BatchProvider("batch", {})
    batching.batches = []
    register_ownership_provider(batching)
    register_ownership_provider(FakeProvider("fake", {}))
    assert thing_urls("batch", [3, 1, 3]) == {3: "/batch/3/", 1: "/batch/1/"}
    assert batching.batches == [[3, 1]]
    assert thing_urls("fake", [2, 5]) == {2: "/fake/2/", 5: "/fake/5/"}
    with pytest.raises(LookupError):
        thing_urls("nothing", [1])
