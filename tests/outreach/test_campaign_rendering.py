"""A campaign's texts: its variables filled in for a person, unknown variables refused by name,
values escaped, the HTML sanitized, and the community's events and questions listed."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from practica.communities.models import Access
from practica.events.models import EventStatus
from practica.outreach.campaign_rendering import (
    CampaignExtras,
    ListedLink,
    campaign_extras,
    render_campaign,
    text_problems,
    validate_campaign_texts,
    values_for,
)
from tests.factories.communities import CommunityFactory
from tests.factories.discussions import DiscussionFactory, QuestionFactory
from tests.factories.events import EventFactory
from tests.factories.outreach import NewHireFactory
from tests.factories.people import UserFactory

JOIN = "https://practica.example.com/outreach/join/c1:abc:def/"
EXTRAS = CampaignExtras(
    upcoming_events=(
        ListedLink("Intro to RL", "https://practica.example.com/events/1/", "2026-05-12 14:00"),
    ),
    top_questions=(ListedLink("How to tune *XGBoost*?", "https://practica.example.com/q/2/"),),
)


def render(subject, body, person, community, extras=EXTRAS):
    values = values_for(person=person, community=community, join_link=JOIN, extras=extras)
    return render_campaign(subject=subject, body=body, values=values)


@pytest.mark.django_db
def test_every_variable_is_filled_in(community):
    manager = UserFactory(display_name="Grace Hopper")
    person = NewHireFactory(display_name="Ada Lovelace", manager=manager)
    rendered = render(
        "Welcome to {{ community }}, {{first_name}}",
        "Hi {{ first_name }}, {{ manager }} knows us.\n\n{{ upcoming_events }}\n\n"
        "{{ top_questions }}\n\nJoin: {{ join_link }}",
        person,
        community,
    )
    assert rendered.subject == f"Welcome to {community.name}, Ada"
    assert "Hi Ada, Grace Hopper knows us." in rendered.html
    assert (
        '<a href="https://practica.example.com/events/1/" rel="nofollow noopener">Intro to RL</a>'
        in rendered.html
    )
    assert "2026-05-12 14:00" in rendered.html
    assert "How to tune *XGBoost*?</a>" in rendered.html  # a title's Markdown stays text
    assert f'<a href="{JOIN}" rel="nofollow noopener">{JOIN}</a>' in rendered.html
    assert "Hi Ada, Grace Hopper knows us." in rendered.text
    assert (
        "- Intro to RL (2026-05-12 14:00): https://practica.example.com/events/1/" in rendered.text
    )
    assert f"Join: {JOIN}" in rendered.text


@pytest.mark.django_db
def test_a_link_written_around_the_join_link_uses_it_as_its_address(community):
    rendered = render("Hi", "[Join us]({{ join_link }})", NewHireFactory(), community)
    assert f'<a href="{JOIN}" rel="nofollow noopener">Join us</a>' in rendered.html


@pytest.mark.django_db
def test_no_manager_and_no_lists_read_well(community):
    rendered = render(
        "Hi",
        "Manager: {{ manager }}.\n\n{{ upcoming_events }}\n\n{{ top_questions }}",
        NewHireFactory(manager=None),
        community,
        extras=CampaignExtras(),
    )
    assert "Manager: ." in rendered.text
    assert "No events are announced yet." in rendered.html
    assert "No questions were asked in the last 30 days." in rendered.text


@pytest.mark.django_db
def test_values_are_escaped_and_the_html_sanitized(community):
    person = NewHireFactory(display_name="[click](javascript:alert(1)) <script>x</script>")
    rendered = render(
        "Hi {{ first_name }}",
        "Hello {{ first_name }} <img src=x onerror=alert(1)> <script>alert(2)</script>\n\n"
        "[bad](javascript:alert(3)) <b onclick='x()'>bold</b>",
        person,
        community,
    )
    assert 'href="javascript' not in rendered.html
    assert "[click](javascript:alert(1))" in rendered.html  # the name's Markdown stayed text
    assert "<script" not in rendered.html
    assert "onerror" not in rendered.html
    assert "onclick" not in rendered.html
    assert "<img" not in rendered.html
    assert "<b>bold</b>" in rendered.html


@pytest.mark.django_db
def test_the_subject_is_one_line(community):
    person = NewHireFactory(display_name="Eve\r\nBcc: all@example.com")
    rendered = render("Hello\n {{ first_name }}", "Body", person, community)
    assert "\n" not in rendered.subject
    assert "\r" not in rendered.subject


def test_the_template_engine_is_never_used():
    # Django template syntax in a manager's text is only text.
    problems = text_problems("{% load static %}{{ first_name|upper }}")
    assert problems == [
        "Unknown variable {{ first_name|upper }}: use one of {{ first_name }}, {{ manager }}, "
        "{{ community }}, {{ upcoming_events }}, {{ top_questions }}, {{ join_link }}."
    ]


@pytest.mark.parametrize(
    ("subject", "body", "field", "message"),
    [
        ("Hi {{ name }}", "Body", "subject", "Unknown variable {{ name }}"),
        ("Hi", "Hello {{ user.email }}", "body", "Unknown variable {{ user.email }}"),
        ("Hi", "Hello {{ first_name }", "body", "is not closed"),
        (
            "News: {{ upcoming_events }}",
            "Body",
            "subject",
            "is a list and cannot go in the subject",
        ),
        ("", "Body", "subject", "cannot be empty"),
        ("Hi", "   ", "body", "cannot be empty"),
        ("x" * 201, "Body", "subject", "200 characters"),
        ("Hi", "a\x00b", "body", "NUL"),
    ],
)
def test_bad_texts_are_refused_naming_the_field(subject, body, field, message):
    with pytest.raises(ValidationError) as refused:
        validate_campaign_texts(subject=subject, body=body)
    assert message in " ".join(refused.value.message_dict[field])


def test_good_texts_come_back_tidied():
    assert validate_campaign_texts(subject="  Hi  {{ first_name }} ", body=" Body\n") == (
        "Hi {{ first_name }}",
        "Body",
    )


@pytest.mark.django_db
def test_extras_list_the_communitys_next_published_events_and_top_questions():
    community = CommunityFactory()
    now = timezone.now()
    soon = EventFactory(community=community, title="Soon", starts_at=now + timedelta(days=2))
    later = EventFactory(community=community, title="Later", starts_at=now + timedelta(days=9))
    EventFactory(community=community, title="Draft", status=EventStatus.DRAFT)
    EventFactory(community=community, title="Past", starts_at=now - timedelta(days=3))
    EventFactory(title="Elsewhere")
    asked = now - timedelta(days=3)
    top = QuestionFactory(
        community=community, title="Top", score=9, answer_count=1, created_at=asked
    )
    answered = QuestionFactory(
        community=community, title="Answered", score=2, answer_count=5, created_at=asked
    )
    QuestionFactory(community=community, title="Hidden", score=50, is_hidden=True, created_at=asked)
    QuestionFactory(community=community, title="Old", score=50, created_at=now - timedelta(days=40))
    DiscussionFactory(community=community, title="Chat", score=80, created_at=asked)
    extras = campaign_extras(community, now=now)
    assert [link.title for link in extras.upcoming_events] == ["Soon", "Later"]
    assert extras.upcoming_events[0].url.endswith(f"/events/{soon.pk}/")
    assert later.pk
    assert [link.title for link in extras.top_questions] == ["Top", "Answered"]
    assert extras.top_questions[0].url.endswith(f"/questions/{top.pk}/")
    assert answered.pk


@pytest.mark.django_db
def test_a_closed_communitys_questions_are_not_shown_to_outsiders():
    community = CommunityFactory(access=Access.CLOSED)
    QuestionFactory(
        community=community,
        title="Members only",
        score=3,
        created_at=timezone.now() - timedelta(days=1),
    )
    assert campaign_extras(community).top_questions == ()
