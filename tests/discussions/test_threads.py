"""Services of asking, answering, editing, voting and accepting: states, counters, response
times, cross-org facts, activity rows, and every refusal."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from practica.communities.models import Access, MembershipRole
from practica.core.models import Activity, ActivityKind, AuditLogEntry
from practica.discussions.models import (
    MAX_POST_LENGTH,
    Mention,
    Post,
    PostRevision,
    QASettings,
    Thread,
    ThreadKind,
    ThreadLink,
    ThreadState,
    Vote,
)
from practica.discussions.services import threads as services
from practica.people.models import OrgUnitKind
from tests.concurrency import postgres_only, run_concurrently
from tests.factories.communities import CommunityFactory, MembershipFactory
from tests.factories.core import TopicFactory
from tests.factories.people import OrgUnitFactory, UserFactory

pytestmark = pytest.mark.unit


@pytest.fixture
def community(db):
    return CommunityFactory()


@pytest.fixture
def asker(community):
    return MembershipFactory(community=community).person


@pytest.fixture
def answerer(community):
    return MembershipFactory(community=community).person


@pytest.fixture
def moderator(community):
    return MembershipFactory(community=community, role=MembershipRole.ORGANIZER).person


def ask(community, author, **kwargs):
    values = {
        "kind": ThreadKind.QUESTION,
        "title": "How do I calibrate a gradient-boosted model?",
        "body": "The probabilities look off after training.",
    }
    values.update(kwargs)
    return services.create_thread(community=community, author=author, **values)


def kinds_of(person):
    return list(
        Activity.objects.filter(person=person).order_by("pk").values_list("kind", flat=True)
    )


# --- asking --------------------------------------------------------------------------------


def test_asking_creates_an_open_question_with_its_opening_post(community, asker):
    topic = TopicFactory()
    thread = ask(community, asker, topics=[topic])
    assert thread.state == ThreadState.OPEN
    assert thread.answer_count == 0
    assert list(thread.topics.all()) == [topic]
    opening = Post.objects.get(thread=thread)
    assert opening.is_opening
    assert opening.body_html == "<p>The probabilities look off after training.</p>\n"
    assert opening.author_career_level == asker.career_level
    activity = Activity.objects.get(person=asker)
    assert activity.kind == ActivityKind.ASKED
    assert activity.subject == thread
    assert activity.community_id == community.pk


def test_a_discussion_records_discussed(community, asker):
    thread = ask(community, asker, kind=ThreadKind.DISCUSSION, title="Monthly paper picks")
    assert thread.kind == ThreadKind.DISCUSSION
    assert kinds_of(asker) == [ActivityKind.DISCUSSED]


def test_topics_may_be_given_as_ids(community, asker):
    topic = TopicFactory()
    thread = ask(community, asker, topics=[topic.pk, str(topic.pk)])
    assert list(thread.topics.all()) == [topic]


def test_an_urgent_question_must_be_answered_within_the_response_target(community, asker):
    QASettings.objects.create(community=community, response_target_minutes=30)
    thread = ask(community, asker, is_urgent=True)
    assert thread.is_urgent
    assert thread.respond_by == thread.created_at + timedelta(minutes=30)


def test_settings_are_created_with_defaults_on_first_use(community):
    settings = services.qa_settings_for(community.pk, create_missing=True)
    assert settings.response_target_minutes == 60
    assert services.qa_settings_for(community.pk, create_missing=True).pk == settings.pk


def test_reading_missing_settings_gives_the_defaults_and_writes_nothing(community):
    settings = services.qa_settings_for(community.pk)
    assert settings.pk is None
    assert settings.response_target_minutes == 60
    assert not QASettings.objects.filter(community=community).exists()
    QASettings.objects.create(community=community, routing_k=5)
    assert services.qa_settings_for(community.pk).routing_k == 5


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": "Too short"}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"title": "   "}, "title"),
        ({"body": ""}, "body"),
        ({"body": "   \n  "}, "body"),
        ({"body": "x" * (MAX_POST_LENGTH + 1)}, "body"),
        ({"kind": "poll"}, "kind"),
        ({"kind": ThreadKind.DISCUSSION, "title": "Chat", "is_urgent": True}, "is_urgent"),
        ({"topics": [987654]}, "topics"),
        ({"topics": ["not-a-number"]}, "topics"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(community, asker, changes, field):
    with pytest.raises(ValidationError) as error:
        ask(community, asker, **changes)
    assert field in error.value.message_dict
    assert not Thread.objects.exists()
    assert not Post.objects.exists()
    assert not Activity.objects.filter(person=asker).exists()


def test_a_title_of_ten_characters_and_a_body_at_the_limit_are_accepted(community, asker):
    thread = ask(community, asker, title="0123456789", body="y" * MAX_POST_LENGTH)
    assert thread.title == "0123456789"


def test_a_non_member_cannot_post_in_a_closed_community(db):
    closed = CommunityFactory(access=Access.CLOSED)
    outsider = UserFactory()
    with pytest.raises(PermissionDenied):
        ask(closed, outsider)
    assert not Thread.objects.exists()
    member = MembershipFactory(community=closed).person
    assert ask(closed, member).community == closed


def test_anyone_signed_in_may_ask_in_an_open_community(community):
    assert ask(community, UserFactory()).pk


def test_the_rate_limit_stops_the_next_post_with_a_clear_message(community, asker, answerer):
    QASettings.objects.create(community=community, posts_per_hour=2)
    thread = ask(community, asker)
    services.post_reply(thread=thread, author=asker, body="More details: it is binary.")
    with pytest.raises(ValidationError) as error:
        services.post_reply(thread=thread, author=asker, body="And one more thing.")
    assert "last hour" in error.value.message_dict["body"][0]
    assert Post.objects.filter(author=asker).count() == 2
    # Posts older than an hour no longer count; other members have their own budget.
    Post.objects.filter(author=asker).update(created_at=timezone.now() - timedelta(hours=2))
    services.post_reply(thread=thread, author=asker, body="And one more thing.")
    services.post_reply(thread=thread, author=answerer, body="Try isotonic calibration.")


def test_moderators_are_not_rate_limited(community, moderator):
    QASettings.objects.create(community=community, posts_per_hour=1)
    thread = ask(community, moderator)
    services.post_reply(thread=thread, author=moderator, body="Pinned: read the FAQ first.")


# --- answering -----------------------------------------------------------------------------


def test_the_first_answer_by_someone_else_answers_the_question(community, asker, answerer):
    thread = ask(community, asker)
    Thread.objects.filter(pk=thread.pk).update(created_at=timezone.now() - timedelta(minutes=5))
    services.post_reply(thread=thread, author=asker, body="Edit: I use scikit-learn.")
    thread.refresh_from_db()
    assert thread.state == ThreadState.OPEN
    assert thread.first_response_at is None
    assert thread.answer_count == 1

    answer = services.post_reply(thread=thread, author=answerer, body="Use CalibratedClassifierCV.")
    thread.refresh_from_db()
    assert thread.state == ThreadState.ANSWERED
    assert thread.answer_count == 2
    assert thread.first_response_at == answer.created_at
    assert 299 <= thread.first_response_seconds <= 301
    assert thread.last_activity_at == answer.created_at
    assert answer.thread.answer_count == 2  # the returned post carries the fresh thread

    later = services.post_reply(thread=thread, author=UserFactory(), body="Or Platt scaling.")
    thread.refresh_from_db()
    assert thread.first_response_at == answer.created_at
    assert thread.answer_count == 3
    assert later.pk

    answered = Activity.objects.get(person=answerer, kind=ActivityKind.ANSWERED)
    assert answered.counterpart_id == asker.pk
    assert answered.subject == answer
    assert 299 <= answered.data["seconds_since_question"] <= 301
    assert set(answered.data) >= {"cross_org", "cross_level", "seconds_since_question"}
    assert kinds_of(asker) == [ActivityKind.ASKED, ActivityKind.REPLIED]


def test_replies_in_a_discussion_are_replies(community, asker, answerer):
    thread = ask(community, asker, kind=ThreadKind.DISCUSSION, title="Paper picks")
    services.post_reply(thread=thread, author=answerer, body="Attention is all you need.")
    thread.refresh_from_db()
    assert thread.state == ThreadState.OPEN
    assert thread.first_response_at is not None
    assert kinds_of(answerer) == [ActivityKind.REPLIED]


def test_a_reply_to_a_post_of_another_thread_is_refused(community, asker, answerer):
    thread = ask(community, asker)
    other = ask(community, asker, title="Another question about models")
    foreign = services.post_reply(thread=other, author=answerer, body="Over here.")
    with pytest.raises(ValidationError):
        services.post_reply(thread=thread, author=answerer, body="Hi", reply_to=foreign)
    own = services.post_reply(thread=thread, author=answerer, body="First.")
    reply = services.post_reply(thread=thread, author=asker, body="Thanks!", reply_to=own)
    assert reply.reply_to == own


def test_a_locked_thread_takes_posts_only_from_moderators(community, asker, answerer, moderator):
    thread = ask(community, asker)
    Thread.objects.filter(pk=thread.pk).update(is_locked=True)
    with pytest.raises(PermissionDenied):
        services.post_reply(thread=thread, author=answerer, body="An answer.")
    assert services.post_reply(thread=thread, author=moderator, body="Locked: off topic.").pk
    assert Post.objects.filter(thread=thread).count() == 2


def test_a_closed_thread_takes_no_posts(community, asker, answerer, moderator):
    thread = ask(community, asker)
    services.close_thread(thread=thread, actor=asker)
    for author in (answerer, moderator):
        with pytest.raises(ValidationError):
            services.post_reply(thread=thread, author=author, body="An answer.")
    assert Post.objects.filter(thread=thread).count() == 1


def test_a_non_member_cannot_answer_in_a_closed_community(db):
    closed = CommunityFactory(access=Access.CLOSED)
    asker = MembershipFactory(community=closed).person
    thread = ask(closed, asker)
    with pytest.raises(PermissionDenied):
        services.post_reply(thread=thread, author=UserFactory(), body="Let me in.")


def test_oversize_and_empty_answers_are_refused(community, asker, answerer):
    thread = ask(community, asker)
    for body in ("", "x" * (MAX_POST_LENGTH + 1)):
        with pytest.raises(ValidationError):
            services.post_reply(thread=thread, author=answerer, body=body)
    thread.refresh_from_db()
    assert thread.answer_count == 0


@pytest.fixture
def org(db):
    """Two divisions; the first has two groups, each with a team."""
    research = OrgUnitFactory(name="Research")
    vision = OrgUnitFactory(name="Vision", parent=research, kind=OrgUnitKind.GROUP)
    speech = OrgUnitFactory(name="Speech", parent=research, kind=OrgUnitKind.GROUP)
    field = OrgUnitFactory(name="Field")
    return {
        "research": research,
        "vision": vision,
        "speech": speech,
        "vision-team": OrgUnitFactory(name="Vision team", parent=vision, kind=OrgUnitKind.TEAM),
        "speech-team": OrgUnitFactory(name="Speech team", parent=speech, kind=OrgUnitKind.TEAM),
        "field": field,
    }


@pytest.mark.parametrize(
    "case",
    [
        (1, "speech-team", 3, True, True),  # another group, more junior
        (1, "vision", 7, False, False),  # same group, more senior
        (0, "speech-team", 6, False, False),  # same division, same level
        (0, "field", 6, True, False),
        (1, None, None, None, None),  # unknown → None
    ],
)
def test_answers_record_cross_org_and_cross_level_facts(community, org, case):
    depth, answerer_unit, answerer_level, cross_org, cross_level = case
    QASettings.objects.create(community=community, cross_org_depth=depth)
    asker = UserFactory(org_unit=org["vision-team"], career_level=6)
    answerer = UserFactory(
        org_unit=org[answerer_unit] if answerer_unit else None, career_level=answerer_level
    )
    thread = ask(community, asker)
    answer = services.post_reply(thread=thread, author=answerer, body="Here is how.")
    assert answer.is_cross_org is cross_org
    assert answer.is_cross_level is cross_level
    assert answer.author_org_unit_id == (org[answerer_unit].pk if answerer_unit else None)
    assert answer.author_career_level == answerer_level
    data = Activity.objects.get(kind=ActivityKind.ANSWERED).data
    assert data["cross_org"] is cross_org
    assert data["cross_level"] is cross_level


def test_cross_facts_compare_with_the_asker_as_they_were_when_asking(community, org):
    asker = UserFactory(org_unit=org["vision-team"], career_level=6)
    thread = ask(community, asker)
    asker.org_unit, asker.career_level = org["speech-team"], 2
    asker.save()
    answerer = UserFactory(org_unit=org["speech-team"], career_level=4)
    answer = services.post_reply(thread=thread, author=answerer, body="Welcome to speech!")
    assert answer.is_cross_org is True
    assert answer.is_cross_level is True


def test_the_askers_own_posts_carry_no_cross_facts(community, org):
    asker = UserFactory(org_unit=org["vision-team"], career_level=6)
    thread = ask(community, asker)
    own = services.post_reply(thread=thread, author=asker, body="Any ideas?")
    assert own.is_cross_org is None
    assert own.is_cross_level is None


def test_mentions_link_to_profiles_and_are_recorded(community, asker):
    lukas = UserFactory(email="Lukas.Becker@example.com")
    thread = ask(community, asker, body="@lukas.becker do you know? cc @nobody.here")
    opening = thread.posts.get()
    assert f'href="/people/{lukas.pk}/"' in opening.body_html
    assert "@nobody.here" in opening.body_html
    assert list(Mention.objects.values_list("person_id", flat=True)) == [lukas.pk]


def test_mentioning_oneself_records_no_mention(community, asker):
    handle = asker.email.split("@")[0]
    ask(community, asker, body=f"Note to self @{handle}")
    assert not Mention.objects.exists()


# --- editing -------------------------------------------------------------------------------


def test_editing_keeps_the_previous_version(community, asker):
    thread = ask(community, asker)
    opening = thread.posts.get()
    services.edit_post(
        post=opening, editor=asker, body="New **text**", title="A much better title here"
    )
    opening.refresh_from_db()
    thread.refresh_from_db()
    assert opening.body == "New **text**"
    assert "<strong>text</strong>" in opening.body_html
    assert opening.edited_at is not None
    assert thread.title == "A much better title here"
    revision = PostRevision.objects.get(post=opening)
    assert revision.body == "The probabilities look off after training."
    assert revision.title == "How do I calibrate a gradient-boosted model?"
    assert revision.edited_by == asker


def test_an_unchanged_edit_keeps_no_revision(community, asker):
    thread = ask(community, asker)
    opening = thread.posts.get()
    services.edit_post(post=opening, editor=asker, body=opening.body)
    assert not PostRevision.objects.exists()


def test_only_the_author_or_a_moderator_may_edit(community, asker, answerer, moderator):
    thread = ask(community, asker)
    opening = thread.posts.get()
    with pytest.raises(PermissionDenied):
        services.edit_post(post=opening, editor=answerer, body="Vandalism")
    services.edit_post(post=opening, editor=moderator, body="Tidied up by a moderator")
    assert AuditLogEntry.objects.filter(action="post.edited", actor=moderator).exists()


def test_in_a_locked_thread_only_moderators_edit(community, asker, moderator):
    thread = ask(community, asker)
    Thread.objects.filter(pk=thread.pk).update(is_locked=True)
    opening = thread.posts.get()
    with pytest.raises(PermissionDenied):
        services.edit_post(post=opening, editor=asker, body="Sneaky change")
    services.edit_post(post=opening, editor=moderator, body="Moderator's change")


def test_bad_edits_are_refused(community, asker, answerer):
    thread = ask(community, asker)
    answer = services.post_reply(thread=thread, author=answerer, body="An answer.")
    with pytest.raises(ValidationError):
        services.edit_post(post=answer, editor=answerer, body="ok", title="Answers have no title")
    with pytest.raises(ValidationError):
        services.edit_post(post=thread.posts.first(), editor=asker, body="ok", title="short")
    with pytest.raises(ValidationError):
        services.edit_post(post=answer, editor=answerer, body="")
    assert not PostRevision.objects.exists()


# --- votes ---------------------------------------------------------------------------------


def test_votes_move_the_score_and_can_change_or_be_withdrawn(community, asker, answerer):
    thread = ask(community, asker)
    answer = services.post_reply(thread=thread, author=answerer, body="An answer.")
    voter = UserFactory()
    assert services.vote(post=answer, voter=voter, value=1).score == 1
    assert services.vote(post=answer, voter=voter, value=1).score == 1
    assert services.vote(post=answer, voter=voter, value=-1).score == -1
    assert services.vote(post=answer, voter=asker, value=-1).score == -2
    assert services.vote(post=answer, voter=voter, value=0).score == -1
    assert Vote.objects.filter(post=answer).count() == 1
    thread.refresh_from_db()
    assert thread.score == 0
    voted = Activity.objects.filter(kind=ActivityKind.VOTED, person=voter).order_by("pk")
    assert [(a.data["value"], a.data["previous"]) for a in voted] == [(1, 0), (-1, 1), (0, -1)]
    assert voted[0].counterpart_id == answerer.pk


def test_a_vote_on_the_opening_post_is_the_questions_score(community, asker, answerer):
    thread = ask(community, asker)
    services.vote(post=thread.posts.get(), voter=answerer, value=1)
    thread.refresh_from_db()
    assert thread.score == 1


def test_voting_on_ones_own_post_is_refused(community, asker):
    thread = ask(community, asker)
    with pytest.raises(ValidationError, match="own post"):
        services.vote(post=thread.posts.get(), voter=asker, value=1)
    assert not Vote.objects.exists()


@pytest.mark.parametrize("value", [2, -2, 5])
def test_votes_are_plus_or_minus_one(community, asker, answerer, value):
    thread = ask(community, asker)
    with pytest.raises(ValidationError):
        services.vote(post=thread.posts.get(), voter=answerer, value=value)


def test_outsiders_cannot_vote_in_a_closed_community(db):
    closed = CommunityFactory(access=Access.CLOSED)
    thread = ask(closed, MembershipFactory(community=closed).person)
    with pytest.raises(PermissionDenied):
        services.vote(post=thread.posts.get(), voter=UserFactory(), value=1)


# --- accepting -----------------------------------------------------------------------------


def test_the_asker_accepts_an_answer(community, asker, answerer):
    thread = ask(community, asker)
    Thread.objects.filter(pk=thread.pk).update(created_at=timezone.now() - timedelta(hours=1))
    answer = services.post_reply(thread=thread, author=answerer, body="An answer.")
    thread = services.accept_answer(answer=answer, actor=asker)
    assert thread.state == ThreadState.ACCEPTED
    assert thread.accepted_answer == answer
    assert thread.accepted_at is not None
    assert 3599 <= thread.accepted_answer_seconds <= 3601
    accepted = Activity.objects.get(kind=ActivityKind.ACCEPTED)
    assert accepted.person_id == asker.pk
    assert accepted.counterpart_id == answerer.pk
    assert not AuditLogEntry.objects.filter(action="answer.accepted").exists()


def test_the_accepted_answer_can_change_and_be_withdrawn(community, asker, answerer):
    thread = ask(community, asker)
    first = services.post_reply(thread=thread, author=answerer, body="First answer.")
    second = services.post_reply(thread=thread, author=UserFactory(), body="Second answer.")
    accepted_at = services.accept_answer(answer=first, actor=asker).accepted_at
    thread = services.accept_answer(answer=second, actor=asker)
    assert thread.accepted_answer == second
    assert thread.accepted_at == accepted_at
    thread = services.unaccept_answer(thread=thread, actor=asker)
    assert thread.state == ThreadState.ANSWERED
    assert thread.accepted_answer is None
    assert thread.accepted_at is None


def test_unaccepting_a_self_answered_question_reopens_it(community, asker):
    thread = ask(community, asker)
    own = services.post_reply(thread=thread, author=asker, body="Solved it myself.")
    services.accept_answer(answer=own, actor=asker)
    thread = services.unaccept_answer(thread=thread, actor=asker)
    assert thread.state == ThreadState.OPEN


def test_only_the_asker_or_a_moderator_may_accept(community, asker, answerer, moderator):
    thread = ask(community, asker)
    answer = services.post_reply(thread=thread, author=answerer, body="An answer.")
    with pytest.raises(PermissionDenied):
        services.accept_answer(answer=answer, actor=answerer)
    with pytest.raises(PermissionDenied):
        services.accept_answer(answer=answer, actor=UserFactory())
    thread.refresh_from_db()
    assert thread.state == ThreadState.ANSWERED
    services.accept_answer(answer=answer, actor=moderator)
    assert AuditLogEntry.objects.filter(action="answer.accepted", actor=moderator).exists()
    with pytest.raises(PermissionDenied):
        services.unaccept_answer(thread=thread, actor=answerer)


def test_accepting_a_post_of_another_thread_is_refused(community, asker, answerer):
    thread = ask(community, asker)
    other = ask(community, asker, title="Another question about models")
    foreign = services.post_reply(thread=other, author=answerer, body="Elsewhere.")
    with pytest.raises(ValidationError):
        services.accept_answer(answer=foreign, actor=asker, thread=thread)
    with pytest.raises(ValidationError):
        services.accept_answer(answer=thread.posts.get(), actor=asker)
    thread.refresh_from_db()
    assert thread.accepted_answer is None


def test_discussions_have_no_accepted_answer(community, asker, answerer):
    thread = ask(community, asker, kind=ThreadKind.DISCUSSION, title="Paper picks")
    reply = services.post_reply(thread=thread, author=answerer, body="A reply.")
    with pytest.raises((ValidationError, PermissionDenied)):
        services.accept_answer(answer=reply, actor=asker)


# --- closing, duplicates, links ------------------------------------------------------------


def test_closing_and_reopening(community, asker, answerer):
    thread = ask(community, asker)
    services.post_reply(thread=thread, author=answerer, body="An answer.")
    with pytest.raises(PermissionDenied):
        services.close_thread(thread=thread, actor=answerer)
    thread = services.close_thread(thread=thread, actor=asker, reason="Solved offline")
    assert thread.state == ThreadState.CLOSED
    thread = services.reopen_thread(thread=thread, actor=asker)
    assert thread.state == ThreadState.ANSWERED
    assert AuditLogEntry.objects.filter(action="thread.closed").get().data == {
        "reason": "Solved offline"
    }


def test_marking_a_duplicate_closes_and_links(community, asker, moderator):
    original = ask(community, asker, title="How to calibrate probabilities?")
    duplicate = ask(community, UserFactory(), title="Probability calibration how?")
    with pytest.raises(ValidationError):
        services.mark_duplicate(thread=duplicate, original=duplicate, actor=moderator)
    duplicate = services.mark_duplicate(thread=duplicate, original=original, actor=moderator)
    assert duplicate.state == ThreadState.CLOSED
    assert duplicate.duplicate_of == original
    assert ThreadLink.objects.filter(from_thread=duplicate, to_thread=original).exists()
    with pytest.raises(ValidationError):
        services.mark_duplicate(thread=original, original=duplicate, actor=moderator)
    with pytest.raises(PermissionDenied):
        services.mark_duplicate(
            thread=original, original=ask(community, asker), actor=UserFactory()
        )


def test_linking_threads_once(community, asker, answerer):
    first = ask(community, asker)
    second = ask(community, asker, title="A related question on models")
    link = services.link_threads(from_thread=first, to_thread=second, actor=answerer)
    assert services.link_threads(from_thread=first, to_thread=second, actor=answerer) == link
    with pytest.raises(ValidationError):
        services.link_threads(from_thread=first, to_thread=first, actor=answerer)


def test_a_hidden_closed_community_thread_cannot_be_linked_by_outsiders(community, asker):
    closed = CommunityFactory(access=Access.CLOSED)
    secret = ask(closed, MembershipFactory(community=closed).person)
    with pytest.raises(ValidationError):
        services.link_threads(from_thread=ask(community, asker), to_thread=secret, actor=asker)


# --- concurrency (PostgreSQL: real concurrent writers) -------------------------------------

WRITERS = 20


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_votes_and_answers_add_up_exactly():
    community = CommunityFactory()
    asker = UserFactory()
    thread = ask(community, asker)
    opening = thread.posts.get()
    answer = services.post_reply(thread=thread, author=UserFactory(), body="The first answer.")
    people = [UserFactory() for _ in range(WRITERS)]

    def voting(person, post, value):
        return lambda: services.vote(post=post, voter=person, value=value)

    def answering(person):
        return lambda: services.post_reply(thread=thread, author=person, body="Me too.")

    targets = [voting(person, opening, 1) for person in people]
    targets += [voting(person, answer, -1 if n % 4 == 0 else 1) for n, person in enumerate(people)]
    targets += [answering(person) for person in people]
    assert run_concurrently(targets) == []

    thread.refresh_from_db()
    answer.refresh_from_db()
    assert thread.score == WRITERS
    assert answer.score == WRITERS - 2 * (WRITERS // 4)
    assert thread.answer_count == 1 + WRITERS
    assert Post.objects.filter(thread=thread, is_opening=False).count() == 1 + WRITERS
    assert Vote.objects.count() == 2 * WRITERS
    assert Activity.objects.filter(kind=ActivityKind.ANSWERED).count() == 1 + WRITERS
    assert thread.state == ThreadState.ANSWERED


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_repeated_votes_by_one_member_count_once():
    thread = ask(CommunityFactory(), UserFactory())
    voter = UserFactory()
    opening = thread.posts.get()
    errors = run_concurrently(
        [lambda: services.vote(post=opening, voter=voter, value=1) for _ in range(WRITERS)]
    )
    assert errors == []
    thread.refresh_from_db()
    assert thread.score == 1
    assert Vote.objects.count() == 1
