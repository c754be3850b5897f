"""The Q&A screens: every page, who may see what, each action through its view, and bad input
(hostile Markdown, oversize posts, votes on one's own post, accepting someone else's question,
posting in a closed community, answering a locked thread): a clear message, nothing changed,
never a 500."""

import re

import pytest
from django.urls import reverse

from practica.communities.models import Access, MembershipRole
from practica.discussions.models import (
    MAX_POST_LENGTH,
    Notification,
    NotificationKind,
    Post,
    RoutedExpert,
    RoutingReason,
    RoutingRound,
    Subscription,
    Thread,
    ThreadKind,
    ThreadState,
)
from practica.discussions.services import moderation
from practica.discussions.services import threads as services
from tests.factories.communities import CommunityFactory, MembershipFactory
from tests.factories.core import TopicFactory
from tests.factories.people import UserFactory

pytestmark = pytest.mark.django_db

JS_URL = re.compile(r"(href|src)\s*=\s*[\"']?\s*javascript:", re.IGNORECASE)

XSS_PAYLOADS = [
    "<script>alert('xss')</script>",
    '<img src=x onerror="alert(1)">',
    "[click me](javascript:alert(1))",
    '<a href="javascript:alert(1)">link</a>',
    "<iframe src='https://evil.example'></iframe>",
    '<svg onload="alert(1)"><circle r="4"/></svg>',
    '"><style>body{display:none}</style>',
    "<details open ontoggle=alert(1)>",
]


@pytest.fixture
def topic(db):
    return TopicFactory(name="Model calibration")


@pytest.fixture
def community(topic):
    community = CommunityFactory(name="Machine Learning", slug="machine-learning")
    community.topics.add(topic)
    return community


@pytest.fixture
def closed_community(db):
    return CommunityFactory(name="Paper Club", slug="paper-club", access=Access.CLOSED)


@pytest.fixture
def asker(community):
    return MembershipFactory(
        community=community, person=UserFactory(display_name="Ada Asker")
    ).person


@pytest.fixture
def answerer(community):
    return MembershipFactory(
        community=community, person=UserFactory(display_name="Bo Answerer")
    ).person


@pytest.fixture
def moderator(community):
    return MembershipFactory(
        community=community,
        person=UserFactory(display_name="Mo Moderator"),
        role=MembershipRole.ORGANIZER,
    ).person


@pytest.fixture
def question(community, asker, topic):
    return services.create_thread(
        community=community,
        author=asker,
        kind=ThreadKind.QUESTION,
        title="How do I calibrate a gradient boosted classifier?",
        body="The predicted probabilities look **too confident** after training.",
        topics=[topic],
    )


@pytest.fixture
def answer(question, answerer):
    return services.post_reply(
        thread=question, author=answerer, body="Use isotonic regression on a held-out set."
    )


def url(name, *args):
    return reverse(f"discussions:{name}", args=args)


def messages_of(response):
    return [str(message) for message in response.context["messages"]]


def signed_in(client, person):
    client.force_login(person)
    return client


# --- Lists -------------------------------------------------------------------------------


def test_pages_need_a_signed_in_member(client, community, question):
    for target in (
        url("community", community.slug),
        url("ask", community.slug),
        url("thread", question.pk),
        url("unanswered"),
        url("search"),
        url("notifications"),
        url("preferences"),
    ):
        response = client.get(target)
        assert response.status_code == 302
        assert "/people/sign-in/" in response["Location"]


def test_community_questions_lists_threads_with_state_and_counts(client, asker, question, answer):
    response = signed_in(client, asker).get(url("community", question.community.slug))
    assert response.status_code == 200
    html = response.content.decode()
    assert question.title in html
    assert "Answered" in html
    assert "Model calibration" in html
    assert "Ask a question" in html


def test_community_questions_filters_and_sorts(client, asker, community, question, answer):
    other = services.create_thread(
        community=community,
        author=asker,
        kind=ThreadKind.DISCUSSION,
        title="Our favourite papers this month",
        body="Share yours.",
    )
    client = signed_in(client, asker)
    page = client.get(url("community", community.slug), {"kind": "discussion"})
    assert other.title in page.content.decode()
    assert question.title not in page.content.decode()

    unanswered = client.get(url("community", community.slug), {"unanswered": "on"})
    assert question.title not in unanswered.content.decode()  # it has an answer

    by_topic = client.get(url("community", community.slug), {"topic": "model-calibration"})
    assert question.title in by_topic.content.decode()
    assert other.title not in by_topic.content.decode()

    for sort in ("activity", "newest", "votes"):
        assert client.get(url("community", community.slug), {"sort": sort}).status_code == 200


def test_live_filtering_returns_only_the_results(client, asker, community, question):
    response = signed_in(client, asker).get(
        url("community", community.slug), {"state": "open"}, HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert question.title in html
    assert "<html" not in html


def test_bad_filters_and_pages_are_reported_not_fatal(client, asker, community, question):
    response = signed_in(client, asker).get(
        url("community", community.slug),
        {"topic": "no-such-topic", "state": "nonsense", "sort": "x", "page": "abc"},
    )
    assert response.status_code == 200
    assert "There is no such topic." in response.content.decode()


def test_all_questions_page_lists_threads_across_communities(client, asker, question):
    response = signed_in(client, asker).get(url("list"))
    assert response.status_code == 200
    assert question.title in response.content.decode()


def test_closed_community_questions_are_for_members_only(client, closed_community, member):
    insider = MembershipFactory(community=closed_community).person
    secret = services.create_thread(
        community=closed_community,
        author=insider,
        kind=ThreadKind.QUESTION,
        title="Which reviewers are on the secret committee?",
        body="Asking for the paper club.",
    )
    client = signed_in(client, member)
    assert client.get(url("community", closed_community.slug)).status_code == 403
    assert client.get(url("thread", secret.pk)).status_code == 404
    assert secret.title not in client.get(url("list")).content.decode()
    assert secret.title not in client.get(url("unanswered")).content.decode()

    client.force_login(insider)
    assert client.get(url("thread", secret.pk)).status_code == 200


def test_unanswered_queue_puts_urgent_first_and_drops_answered(
    client, asker, community, question, answer
):
    waiting = services.create_thread(
        community=community,
        author=asker,
        kind=ThreadKind.QUESTION,
        title="Why does my tokenizer split emoji oddly?",
        body="Details inside.",
    )
    urgent = services.create_thread(
        community=community,
        author=asker,
        kind=ThreadKind.QUESTION,
        title="Customer asks: is our model GDPR compliant?",
        body="Customer meeting right now.",
        is_urgent=True,
    )
    response = signed_in(client, asker).get(url("unanswered"))
    html = response.content.decode()
    assert question.title not in html
    assert html.index(urgent.title) < html.index(waiting.title)
    assert "left" in html  # time left against respond_by

    filtered = client.get(url("unanswered"), {"community": community.slug, "topic": "nope"})
    assert filtered.status_code == 200


# --- Asking ------------------------------------------------------------------------------


def test_ask_page_explains_the_response_target(client, asker, community):
    response = signed_in(client, asker).get(url("ask", community.slug))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Urgent: a customer is waiting" in html
    assert "within 1 hour" in html
    assert "Model calibration" in html


def test_asking_creates_the_question_and_shows_it(client, asker, community, topic):
    response = signed_in(client, asker).post(
        url("ask", community.slug),
        {
            "kind": "question",
            "title": "How should I evaluate a retrieval augmented generator?",
            "body": "We have **no** labelled data yet.",
            "topics": [topic.pk],
            "is_urgent": "on",
        },
        follow=True,
    )
    thread = Thread.objects.get(title__startswith="How should I evaluate")
    assert thread.is_urgent
    assert thread.respond_by is not None
    assert list(thread.topics.all()) == [topic]
    assert response.redirect_chain[-1][0] == url("thread", thread.pk)
    assert "<strong>no</strong>" in response.content.decode()
    assert any("is posted" in message for message in messages_of(response))


def test_asking_with_bad_input_changes_nothing(client, asker, community):
    client = signed_in(client, asker)
    empty = client.post(url("ask", community.slug), {"kind": "question", "title": "", "body": ""})
    assert empty.status_code == 400
    assert "Give your question a title." in empty.content.decode()

    short = client.post(
        url("ask", community.slug), {"kind": "question", "title": "Help?", "body": "Please"}
    )
    assert short.status_code == 400
    assert "at least" in short.content.decode()

    huge = client.post(
        url("ask", community.slug),
        {
            "kind": "question",
            "title": "A very long question indeed",
            "body": "x" * (MAX_POST_LENGTH + 1),
        },
    )
    assert huge.status_code == 400
    assert "Keep it under" in huge.content.decode()

    urgent_talk = client.post(
        url("ask", community.slug),
        {"kind": "discussion", "title": "Chit chat", "body": "Hi", "is_urgent": "on"},
    )
    assert urgent_talk.status_code == 400
    assert "Only questions can be marked urgent." in urgent_talk.content.decode()
    assert not Thread.objects.exists()


def test_posting_in_a_closed_community_is_refused(client, closed_community, member):
    client = signed_in(client, member)
    assert client.get(url("ask", closed_community.slug)).status_code == 403
    response = client.post(
        url("ask", closed_community.slug),
        {"kind": "question", "title": "Can I ask here without joining?", "body": "Hello"},
    )
    assert response.status_code == 403
    assert "closed community" in response.content.decode()
    assert not Thread.objects.exists()


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_hostile_markdown_is_shown_harmless(client, asker, community, payload):
    client = signed_in(client, asker)
    client.post(
        url("ask", community.slug),
        {"kind": "question", "title": "Is this payload rendered safely?", "body": payload},
    )
    thread = Thread.objects.get()
    html = client.get(url("thread", thread.pk)).content.decode()
    post_html = html.split('class="post-body">', 1)[1].split("</div>", 1)[0]
    assert "<script" not in post_html
    assert not JS_URL.search(post_html)
    assert not re.search(r"\son\w+\s*=", post_html)
    assert "<iframe" not in post_html
    assert "<style" not in post_html

    preview = client.post(url("preview"), {"body": payload}).content.decode()
    assert "<script" not in preview
    assert not JS_URL.search(preview)
    assert not re.search(r"\son\w+\s*=", preview)


def test_hostile_titles_are_escaped(client, asker, community):
    thread = services.create_thread(
        community=community,
        author=asker,
        kind=ThreadKind.QUESTION,
        title="<script>alert('title')</script> is this escaped?",
        body="Body",
    )
    client = signed_in(client, asker)
    for target in (url("thread", thread.pk), url("community", community.slug), url("list")):
        html = client.get(target).content.decode()
        assert "<script>alert('title')" not in html
        assert "&lt;script&gt;alert(" in html


def test_preview_renders_markdown(client, asker):
    response = signed_in(client, asker).post(url("preview"), {"body": "Use `torch.compile`"})
    assert "<code>torch.compile</code>" in response.content.decode()
    too_long = client.post(url("preview"), {"body": "x" * (MAX_POST_LENGTH + 1)})
    assert too_long.status_code == 200
    assert "<code>" not in too_long.content.decode()


def test_similar_questions_appear_while_typing(client, asker, community, question, answerer):
    response = signed_in(client, answerer).get(
        url("similar", community.slug),
        {"title": "calibrate gradient boosted classifier probabilities", "body": ""},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert question.title in response.content.decode()

    nothing = client.get(url("similar", community.slug), {"title": "hi"})
    assert "Start typing" in nothing.content.decode()


# --- A thread ------------------------------------------------------------------------------


def test_thread_page_shows_question_answers_and_facts(client, asker, question, answer):
    response = signed_in(client, asker).get(url("thread", question.pk))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<strong>too confident</strong>" in html
    assert "isotonic regression" in html
    assert "Accept this answer" in html
    assert "First response" in html
    assert "Routed to 0 experts" in html  # the asker sees the routing panel


def test_routed_experts_and_their_reasons_for_asker_and_moderators_only(
    client, asker, answerer, moderator, question
):
    expert = UserFactory(display_name="Eve Expert")
    routing_round = RoutingRound.objects.create(
        thread=question, number=1, reason=RoutingReason.POSTED
    )
    RoutedExpert.objects.create(
        round=routing_round,
        thread=question,
        person=expert,
        rank=1,
        score=0.9,
        reasons={"summary": ["expert in Model calibration"], "asked": 1},
    )
    for person in (asker, moderator):
        html = signed_in(client, person).get(url("thread", question.pk)).content.decode()
        assert "Routed to 1 expert" in html
        assert "Eve Expert" in html
        assert "expert in Model calibration" in html
    html = signed_in(client, answerer).get(url("thread", question.pk)).content.decode()
    assert "Eve Expert" not in html


def test_answering_posts_and_redirects_to_the_answer(client, answerer, question):
    response = signed_in(client, answerer).post(
        url("answer", question.pk), {"body": "Try Platt scaling first."}
    )
    post = Post.objects.get(thread=question, is_opening=False)
    assert response.status_code == 302
    assert response["Location"].endswith(f"#post-{post.pk}")
    question.refresh_from_db()
    assert question.state == ThreadState.ANSWERED


def test_answering_with_bad_input_changes_nothing(client, answerer, question):
    client = signed_in(client, answerer)
    empty = client.post(url("answer", question.pk), {"body": "   "})
    assert empty.status_code == 400
    huge = client.post(url("answer", question.pk), {"body": "y" * (MAX_POST_LENGTH + 1)})
    assert huge.status_code == 400
    assert "Keep it under" in huge.content.decode()
    assert not Post.objects.filter(thread=question, is_opening=False).exists()


def test_answering_a_locked_thread_is_refused_with_a_message(client, answerer, moderator, question):
    moderation.lock_thread(thread=question, actor=moderator)
    page = signed_in(client, answerer).get(url("thread", question.pk)).content.decode()
    assert "This thread is locked" in page
    assert 'id="answer-form"' not in page
    response = client.post(url("answer", question.pk), {"body": "Let me in anyway."})
    assert response.status_code == 400
    assert "locked" in response.content.decode()
    assert not Post.objects.filter(thread=question, is_opening=False).exists()


def test_a_non_member_cannot_answer_in_a_closed_community(client, closed_community, member):
    insider = MembershipFactory(community=closed_community).person
    thread = services.create_thread(
        community=closed_community,
        author=insider,
        kind=ThreadKind.QUESTION,
        title="A members-only question about papers",
        body="Hmm",
    )
    response = signed_in(client, member).post(url("answer", thread.pk), {"body": "Hello"})
    assert response.status_code == 404
    assert not Post.objects.filter(thread=thread, is_opening=False).exists()


# --- Votes and accepting -------------------------------------------------------------------


def test_voting_on_someone_elses_post(client, asker, answer):
    client = signed_in(client, asker)
    response = client.post(url("vote", answer.pk), {"value": "1"})
    assert response.status_code == 302
    answer.refresh_from_db()
    assert answer.score == 1

    withdrawn = client.post(url("vote", answer.pk), {"value": "0"}, HTTP_HX_REQUEST="true")
    assert withdrawn.status_code == 200
    assert 'id="vote-' in withdrawn.content.decode()
    answer.refresh_from_db()
    assert answer.score == 0


def test_voting_on_ones_own_post_is_refused(client, answerer, answer):
    client = signed_in(client, answerer)
    response = client.post(url("vote", answer.pk), {"value": "1"}, follow=True)
    assert any("own" in message for message in messages_of(response))
    answer.refresh_from_db()
    assert answer.score == 0

    htmx = client.post(url("vote", answer.pk), {"value": "1"}, HTTP_HX_REQUEST="true")
    assert 'role="alert"' in htmx.content.decode()
    answer.refresh_from_db()
    assert answer.score == 0


def test_a_bad_vote_value_is_refused(client, asker, answer):
    response = signed_in(client, asker).post(url("vote", answer.pk), {"value": "7"}, follow=True)
    assert any("up, down or withdrawn" in message for message in messages_of(response))
    answer.refresh_from_db()
    assert answer.score == 0


def test_the_asker_accepts_and_unaccepts(client, asker, question, answer):
    client = signed_in(client, asker)
    response = client.post(url("accept", answer.pk), follow=True)
    question.refresh_from_db()
    assert question.accepted_answer_id == answer.pk
    assert question.state == ThreadState.ACCEPTED
    assert "Accepted answer" in response.content.decode()

    client.post(url("unaccept", question.pk))
    question.refresh_from_db()
    assert question.accepted_answer_id is None


def test_accepting_on_someone_elses_question_is_refused(client, answerer, member, question, answer):
    for person in (answerer, member):
        response = signed_in(client, person).post(url("accept", answer.pk), follow=True)
        assert response.status_code == 200
        assert messages_of(response)
        question.refresh_from_db()
        assert question.accepted_answer_id is None
    page = client.get(url("thread", question.pk)).content.decode()
    assert "Accept this answer" not in page


# --- Editing -------------------------------------------------------------------------------


def test_the_author_edits_and_the_history_keeps_the_old_text(client, answerer, answer):
    client = signed_in(client, answerer)
    assert client.get(url("edit_post", answer.pk)).status_code == 200
    response = client.post(url("edit_post", answer.pk), {"body": "Use isotonic or Platt."})
    assert response.status_code == 302
    answer.refresh_from_db()
    assert answer.body == "Use isotonic or Platt."
    history = client.get(url("history", answer.pk)).content.decode()
    assert "Use isotonic regression on a held-out set." in history
    assert "Use isotonic or Platt." in history


def test_editing_the_question_changes_its_title(client, asker, question):
    opening = question.posts.get(is_opening=True)
    signed_in(client, asker).post(
        url("edit_post", opening.pk),
        {"title": "How do I calibrate boosted tree probabilities?", "body": "Edited."},
    )
    question.refresh_from_db()
    assert question.title == "How do I calibrate boosted tree probabilities?"


def test_others_cannot_edit(client, member, answer):
    client = signed_in(client, member)
    assert client.get(url("edit_post", answer.pk)).status_code == 403
    assert client.post(url("edit_post", answer.pk), {"body": "Vandalism"}).status_code == 403
    answer.refresh_from_db()
    assert answer.body == "Use isotonic regression on a held-out set."


# --- Watching and flagging -----------------------------------------------------------------


def test_watching_and_muting_a_thread(client, member, question):
    client = signed_in(client, member)
    client.post(url("watch", question.pk), {"level": "watching"})
    assert Subscription.objects.get(person=member, thread=question).level == "watching"
    htmx = client.post(url("watch", question.pk), {"level": "muted"}, HTTP_HX_REQUEST="true")
    assert "Muted" in htmx.content.decode()
    client.post(url("watch", question.pk), {"level": "none"})
    assert not Subscription.objects.filter(person=member, thread=question).exists()
    bad = client.post(url("watch", question.pk), {"level": "loud"}, follow=True)
    assert bad.status_code == 200


def test_flagging_a_post(client, member, answer):
    response = signed_in(client, member).post(
        url("flag", answer.pk), {"reason": "spam", "note": "Looks like an ad"}, follow=True
    )
    assert answer.flags.count() == 1
    assert any("moderators" in message for message in messages_of(response))
    bad = client.post(url("flag", answer.pk), {"reason": "because"}, follow=True)
    assert answer.flags.count() == 1
    assert messages_of(bad)


# --- Moderation ----------------------------------------------------------------------------


def test_moderators_lock_close_and_hide(client, moderator, question, answer):
    client = signed_in(client, moderator)
    page = client.get(url("thread", question.pk)).content.decode()
    assert "Moderation" in page
    client.post(url("lock", question.pk))
    question.refresh_from_db()
    assert question.is_locked
    client.post(url("unlock", question.pk))
    client.post(url("close", question.pk), {"reason": "Off topic"})
    question.refresh_from_db()
    assert question.state == ThreadState.CLOSED
    client.post(url("reopen", question.pk))
    question.refresh_from_db()
    assert question.state != ThreadState.CLOSED
    client.post(url("hide", answer.pk), {"reason": "spam"})
    answer.refresh_from_db()
    assert answer.is_hidden


def test_members_cannot_moderate(client, answerer, question):
    client = signed_in(client, answerer)
    response = client.post(url("lock", question.pk), follow=True)
    assert messages_of(response)
    question.refresh_from_db()
    assert not question.is_locked
    assert "Moderation" not in response.content.decode()


def test_marking_a_duplicate_and_moving(client, moderator, asker, community, question):
    copy = services.create_thread(
        community=community,
        author=asker,
        kind=ThreadKind.QUESTION,
        title="Calibrating boosted classifiers, again?",
        body="Same question.",
    )
    client = signed_in(client, moderator)
    bad = client.post(url("duplicate", copy.pk), {"thread": "not a thread"}, follow=True)
    assert any("number or address" in message for message in messages_of(bad))
    missing = client.post(url("duplicate", copy.pk), {"thread": "999999"}, follow=True)
    assert any("no thread" in message for message in messages_of(missing))

    client.post(url("duplicate", copy.pk), {"thread": f"/questions/{question.pk}/"})
    copy.refresh_from_db()
    assert copy.duplicate_of_id == question.pk
    assert "is a duplicate of" in client.get(url("thread", copy.pk)).content.decode()

    elsewhere = CommunityFactory(name="Data Engineering", slug="data-engineering")
    MembershipFactory(community=elsewhere, person=moderator, role=MembershipRole.ORGANIZER)
    client.post(url("move", copy.pk), {"to_community": elsewhere.slug})
    copy.refresh_from_db()
    assert copy.community == elsewhere


# --- Search ----------------------------------------------------------------------------------


def test_search_finds_and_highlights(client, answerer, question):
    client = signed_in(client, answerer)
    empty = client.get(url("search"))
    assert "What do you need to know?" in empty.content.decode()
    response = client.get(url("search"), {"q": "calibrate probabilities"})
    html = response.content.decode()
    assert question.title in html or "<mark>" in html
    assert "<mark>" in html
    filtered = client.get(
        url("search"),
        {"q": "calibrate", "answered": "yes", "since": "2020-01-01", "until": "2019-01-01"},
    )
    assert "The end date is before the start date." in filtered.content.decode()
    assert client.get(url("search"), {"q": "calibrate", "page": "999"}).status_code == 200


# --- Notifications -----------------------------------------------------------------------------


def test_notifications_list_badge_and_mark_read(client, answerer, question):
    note = Notification.objects.create(
        recipient=answerer, kind=NotificationKind.ROUTED, thread=question, data={"asked": 3}
    )
    client = signed_in(client, answerer)
    home = client.get(reverse("home")).content.decode()
    assert "Notifications: 1 unread" in home
    page = client.get(url("notifications")).content.decode()
    assert question.title in page
    assert "one of 3 people asked" in page

    opened = client.get(url("open_notification", note.pk))
    assert opened["Location"].startswith(url("thread", question.pk))
    note.refresh_from_db()
    assert note.read_at is not None

    Notification.objects.create(recipient=answerer, kind=NotificationKind.ANSWER, thread=question)
    client.post(url("mark_read"))
    assert not Notification.objects.filter(recipient=answerer, read_at__isnull=True).exists()


def test_someone_elses_notification_is_not_found(client, member, answerer, question):
    note = Notification.objects.create(
        recipient=answerer, kind=NotificationKind.ROUTED, thread=question
    )
    assert signed_in(client, member).get(url("open_notification", note.pk)).status_code == 404
    note.refresh_from_db()
    assert note.read_at is None


def test_preferences_are_saved_and_bad_ones_refused(client, member):
    client = signed_in(client, member)
    assert client.get(url("preferences")).status_code == 200
    response = client.post(
        url("preferences"),
        {
            "email_mode": "daily",
            "routing_opt_out": "on",
            "quiet_hours_start": "22:00",
            "quiet_hours_end": "07:00",
            "max_open_routed": "2",
        },
    )
    assert response.status_code == 302
    preferences = member.discussion_preferences
    assert preferences.email_mode == "daily"
    assert preferences.routing_opt_out
    assert preferences.max_open_routed == 2

    bad = client.post(
        url("preferences"),
        {"email_mode": "hourly", "quiet_hours_start": "22:00", "max_open_routed": "99"},
    )
    assert bad.status_code == 400
    preferences.refresh_from_db()
    assert preferences.email_mode == "daily"


# --- Home -------------------------------------------------------------------------------------


def test_home_shows_questions_routed_to_me_and_waiting_in_my_communities(
    client, answerer, question
):
    routing_round = RoutingRound.objects.create(
        thread=question, number=1, reason=RoutingReason.POSTED
    )
    RoutedExpert.objects.create(
        round=routing_round, thread=question, person=answerer, rank=1, score=0.5
    )
    html = signed_in(client, answerer).get(reverse("home")).content.decode()
    assert "Asked of you" in html
    assert question.title in html
    assert "Waiting in your communities" in html
