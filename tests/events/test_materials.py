"""Materials of an event and the library of past content: adding and removing links (organizers
only, web links only), and finding past events by topic, format, kind of material and text."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from practica.core.models import AuditLogEntry
from practica.events.models import EventFormat, EventMaterial, EventStatus, MaterialKind
from practica.events.queries.attendance import library
from practica.events.services.materials import (
    MAX_MATERIALS_PER_EVENT,
    add_material,
    remove_material,
)
from tests.factories.communities import CommunityFactory
from tests.factories.core import TopicFactory
from tests.factories.events import EventFactory

pytestmark = pytest.mark.django_db


def past_event(community, *, days_ago=3, **fields):
    now = timezone.now()
    return EventFactory(
        community=community,
        starts_at=now - timedelta(days=days_ago, hours=1),
        ends_at=now - timedelta(days=days_ago),
        **fields,
    )


def test_an_organizer_attaches_and_removes_a_recording(community, organizer):
    event = past_event(community)
    material = add_material(
        event=event,
        actor=organizer,
        kind=MaterialKind.RECORDING,
        url=" https://video.example.com/watch/42 ",
        title="  The   recording ",
    )
    assert material.url == "https://video.example.com/watch/42"
    assert material.title == "The recording"
    assert material.added_by == organizer
    # The same link again is the same material (a double click), its title updated.
    again = add_material(
        event=event,
        actor=organizer,
        kind=MaterialKind.RECORDING,
        url="https://video.example.com/watch/42",
        title="Recording (edited)",
    )
    assert again.pk == material.pk
    assert again.title == "Recording (edited)"
    assert EventMaterial.objects.count() == 1
    remove_material(material=material, actor=organizer)
    assert not EventMaterial.objects.exists()
    assert AuditLogEntry.objects.filter(action__startswith="events.material").count() == 2


@pytest.mark.parametrize(
    "url",
    [
        "",
        "javascript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "ftp://files.example.com/slides.pdf",
        "not a url",
        "https://" + "a" * 600 + ".com",
    ],
)
def test_only_web_links_are_attached(community, organizer, url):
    event = past_event(community)
    with pytest.raises(ValidationError) as refused:
        add_material(event=event, actor=organizer, kind=MaterialKind.SLIDES, url=url)
    assert "url" in refused.value.message_dict
    assert not EventMaterial.objects.exists()


def test_material_bad_input_and_permissions(community, organizer, member):
    event = past_event(community)
    with pytest.raises(ValidationError):
        add_material(event=event, actor=organizer, kind="movie", url="https://x.example.com")
    with pytest.raises(ValidationError):
        add_material(
            event=event,
            actor=organizer,
            kind="slides",
            url="https://x.example.com",
            title="t" * 201,
        )
    with pytest.raises(PermissionDenied):
        add_material(event=event, actor=member, kind="slides", url="https://x.example.com")
    cancelled = past_event(community, status=EventStatus.CANCELLED)
    with pytest.raises(ValidationError):
        add_material(event=cancelled, actor=organizer, kind="slides", url="https://x.example.com")
    assert not EventMaterial.objects.exists()
    material = EventMaterial.objects.create(event=event, kind="slides", url="https://x.example.com")
    with pytest.raises(PermissionDenied):
        remove_material(material=material, actor=member)
    assert EventMaterial.objects.exists()


def test_an_event_has_at_most_so_many_materials(community, organizer):
    event = past_event(community)
    for number in range(MAX_MATERIALS_PER_EVENT):
        EventMaterial.objects.create(
            event=event, kind="other", url=f"https://x.example.com/{number}"
        )
    with pytest.raises(ValidationError, match="at most"):
        add_material(event=event, actor=organizer, kind="other", url="https://x.example.com/more")


# --- the library ----------------------------------------------------------------------------


def attach(event, kind=MaterialKind.RECORDING, title=""):
    return EventMaterial.objects.create(
        event=event, kind=kind, url=f"https://media.example.com/{event.pk}/{kind}", title=title
    )


def test_the_library_lists_past_events_with_materials_latest_first(community):
    older = past_event(community, days_ago=30)
    newer = past_event(community, days_ago=2)
    attach(older)
    attach(newer, MaterialKind.SLIDES)
    past_event(community)  # nothing attached
    upcoming = EventFactory(community=community)
    attach(upcoming)
    cancelled = past_event(community, status=EventStatus.CANCELLED)
    attach(cancelled)
    draft = past_event(community, status=EventStatus.DRAFT)
    attach(draft)
    assert list(library()) == [newer, older]


def test_the_library_filters_by_topic_with_subtopics(community):
    ml = TopicFactory(name="Machine learning")
    calibration = TopicFactory(name="Calibration", parent=ml)
    other = TopicFactory(name="Databases")
    on_calibration = past_event(community)
    on_calibration.topics.add(calibration)
    on_databases = past_event(community)
    on_databases.topics.add(other)
    for event in (on_calibration, on_databases):
        attach(event)
    assert list(library(topic=ml)) == [on_calibration]
    assert list(library(topic=other)) == [on_databases]


def test_the_library_filters_by_format_kind_and_text(community):
    lab = past_event(community, format=EventFormat.HANDS_ON_LAB, title="Feature stores lab")
    talk = past_event(community, format=EventFormat.TALK, title="Opening talk")
    attach(lab, MaterialKind.NOTEBOOK, title="Starter notebook")
    attach(talk, MaterialKind.RECORDING)
    attach(talk, MaterialKind.SLIDES, title="Deck about drift")
    assert list(library(format=EventFormat.HANDS_ON_LAB)) == [lab]
    assert list(library(kind=MaterialKind.SLIDES)) == [talk]
    assert [m.kind for m in library(kind=MaterialKind.SLIDES)[0].materials.all()] == ["slides"]
    assert list(library(text="feature LAB")) == [lab]
    assert list(library(text="drift")) == [talk]
    assert list(library(text="starter")) == [lab]
    assert list(library(text="nothing like this")) == []
    assert list(library(community=CommunityFactory())) == []
