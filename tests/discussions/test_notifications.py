"""Subscriptions, notifications, their mail (immediately, daily, off) and the inbox reads."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from practica.communities.models import Access
from practica.discussions import inbox
from practica.discussions.email import post_message_id, thread_message_id
from practica.discussions.list_mail import threading_headers
from practica.discussions.models import (
    DiscussionPreferences,
    EmailMode,
    Mention,
    Notification,
    NotificationKind,
    RoutedExpert,
    RoutingReason,
    RoutingRound,
    Subscription,
    SubscriptionLevel,
)
from practica.discussions.services import notifications as services
from practica.mail.models import OutboundMessage
from practica.people.models import User
from tests.concurrency import postgres_only, run_concurrently
from tests.factories.communities import CommunityFactory, MembershipFactory
from tests.factories.core import TopicFactory
from tests.factories.discussions import DiscussionFactory, PostFactory, QuestionFactory
from tests.factories.people import UserFactory

pytestmark = pytest.mark.unit


# --- Helpers ---------------------------------------------------------------------------------


def watch(person, level=SubscriptionLevel.WATCHING, **target):
    return Subscription.objects.create(person=person, level=level, **target)


def mail_mode(person, mode):
    DiscussionPreferences.objects.update_or_create(person=person, defaults={"email_mode": mode})


def received(person):
    """The (kind, post id) pairs notified to `person`, oldest first."""
    return list(
        Notification.objects.filter(recipient=person).order_by("pk").values_list("kind", "post_id")
    )


def mails_to(person):
    return list(OutboundMessage.objects.filter(to_email=person.email).order_by("pk"))


@pytest.fixture
def community(db):
    return CommunityFactory(name="Machine Learning")


@pytest.fixture
def asker(db):
    return UserFactory(display_name="Ada Asker")


@pytest.fixture
def question(community, asker):
    thread = QuestionFactory(
        community=community, author=asker, title="How do I calibrate a classifier?"
    )
    services.notify_new_thread(thread)
    return thread


# --- Who is told what about a post -----------------------------------------------------------


def test_the_asker_gets_an_answer_and_both_watch_the_thread(question, asker):
    answerer = UserFactory()

    answer = PostFactory(thread=question, author=answerer)
    services.notify_new_post(answer)

    assert received(asker) == [(NotificationKind.ANSWER, answer.pk)]
    assert received(answerer) == []
    watching = Subscription.objects.filter(thread=question, level=SubscriptionLevel.WATCHING)
    assert set(watching.values_list("person_id", flat=True)) == {asker.pk, answerer.pk}


def test_watchers_get_a_reply_and_the_author_is_never_told_of_their_own_post(question, asker):
    watcher, answerer = UserFactory(), UserFactory()
    watch(watcher, thread=question)
    first = PostFactory(thread=question, author=answerer)
    services.notify_new_post(first)

    own = PostFactory(thread=question, author=watcher)
    services.notify_new_post(own)

    assert received(watcher) == [(NotificationKind.REPLY, first.pk)]
    # The answerer watches since answering, so hears of the watcher's post, but not of their own.
    assert received(answerer) == [(NotificationKind.REPLY, own.pk)]
    assert received(asker) == [
        (NotificationKind.ANSWER, first.pk),
        (NotificationKind.ANSWER, own.pk),
    ]


def test_the_asker_answering_their_own_question_notifies_watchers_only(question, asker):
    watcher = UserFactory()
    watch(watcher, thread=question)

    post = PostFactory(thread=question, author=asker)
    services.notify_new_post(post)

    assert received(asker) == []
    assert received(watcher) == [(NotificationKind.REPLY, post.pk)]


def test_a_reply_in_a_discussion_is_a_reply_for_its_author(community, asker):
    thread = DiscussionFactory(community=community, author=asker)
    services.notify_new_thread(thread)

    post = PostFactory(thread=thread, author=UserFactory())
    services.notify_new_post(post)

    assert received(asker) == [(NotificationKind.REPLY, post.pk)]


def test_a_mentioned_watcher_is_told_once_as_a_mention(question):
    watcher = UserFactory()
    watch(watcher, thread=question)
    post = PostFactory(thread=question, author=UserFactory())
    Mention.objects.create(post=post, person=watcher)

    services.notify_new_post(post)

    assert received(watcher) == [(NotificationKind.MENTION, post.pk)]
    assert len(mails_to(watcher)) == 1


def test_a_mention_of_the_asker_wins_over_the_answer_notice(question, asker):
    post = PostFactory(thread=question, author=UserFactory())
    Mention.objects.create(post=post, person=asker)

    services.notify_new_post(post)

    assert received(asker) == [(NotificationKind.MENTION, post.pk)]


def test_muting_a_thread_silences_replies_and_answers_but_not_mentions(question, asker):
    muter = UserFactory()
    watch(muter, level=SubscriptionLevel.MUTED, thread=question)
    services.subscribe(person=asker, thread=question, level=SubscriptionLevel.MUTED)

    plain = PostFactory(thread=question, author=UserFactory())
    services.notify_new_post(plain)
    mentioning = PostFactory(thread=question, author=UserFactory())
    Mention.objects.create(post=mentioning, person=muter)
    services.notify_new_post(mentioning)

    assert received(muter) == [(NotificationKind.MENTION, mentioning.pk)]
    assert received(asker) == []


def test_answering_does_not_undo_a_mute(question):
    answerer = UserFactory()
    watch(answerer, level=SubscriptionLevel.MUTED, thread=question)

    services.notify_new_post(PostFactory(thread=question, author=answerer))

    assert Subscription.objects.get(person=answerer, thread=question).level == "muted"


def test_mentions_in_an_opening_post_are_notified_by_either_call(community, asker):
    mentioned = UserFactory()
    thread = QuestionFactory(community=community, author=asker)
    opening = thread.posts.get(is_opening=True)
    Mention.objects.create(post=opening, person=mentioned)

    services.notify_new_thread(thread)
    services.notify_new_post(opening)

    assert received(mentioned) == [(NotificationKind.MENTION, opening.pk)]


def test_calling_twice_notifies_and_mails_once(question, asker):
    answer = PostFactory(thread=question, author=UserFactory())

    assert services.notify_new_post(answer) == 1
    assert services.notify_new_post(answer) == 0

    assert received(asker) == [(NotificationKind.ANSWER, answer.pk)]
    assert len(mails_to(asker)) == 1


def test_a_hidden_post_notifies_nobody(question, asker):
    post = PostFactory(thread=question, author=UserFactory(), is_hidden=True)

    services.notify_new_post(post)

    assert received(asker) == []


# --- Visibility ------------------------------------------------------------------------------


def test_closed_community_only_current_members_and_staff_are_told(asker):
    closed = CommunityFactory(access=Access.CLOSED)
    MembershipFactory(community=closed, person=asker)
    member, former, outsider = UserFactory(), UserFactory(), UserFactory()
    staff = UserFactory(is_staff=True)
    MembershipFactory(community=closed, person=member)
    MembershipFactory(community=closed, person=former, left_at=timezone.now())
    thread = QuestionFactory(community=closed, author=asker)
    services.notify_new_thread(thread)
    for person in (member, former, outsider, staff):
        watch(person, thread=thread)
    post = PostFactory(thread=thread, author=member)
    Mention.objects.create(post=post, person=former)
    Mention.objects.create(post=post, person=outsider)

    services.notify_new_post(post)

    assert received(former) == []
    assert received(outsider) == []
    assert received(staff) == [(NotificationKind.REPLY, post.pk)]
    assert received(asker) == [(NotificationKind.ANSWER, post.pk)]
    assert mails_to(former) == []
    assert mails_to(outsider) == []


def test_deactivated_members_are_not_told(question, asker):
    asker.is_active = False
    asker.save(update_fields=["is_active"])

    services.notify_new_post(PostFactory(thread=question, author=UserFactory()))

    assert received(asker) == []


def test_leaving_a_closed_community_hides_its_notifications_from_the_inbox(asker):
    closed = CommunityFactory(access=Access.CLOSED)
    membership = MembershipFactory(community=closed, person=asker)
    thread = QuestionFactory(community=closed, author=asker)
    services.notify_new_thread(thread)
    services.notify_new_post(PostFactory(thread=thread, author=UserFactory(is_staff=True)))
    assert inbox.unread_count(asker) == 1

    membership.left_at = timezone.now()
    membership.save(update_fields=["left_at"])

    assert inbox.unread_count(asker) == 0
    assert list(inbox.notifications_for(asker)) == []


# --- New threads -----------------------------------------------------------------------------


def test_new_thread_reaches_watchers_of_community_topic_and_parent_topic(community, asker):
    parent = TopicFactory(name="Machine learning")
    child = TopicFactory(name="Calibration", parent=parent)
    other = TopicFactory(name="Compilers")
    by_community, by_topic, by_parent, by_other, muted = (UserFactory() for _ in range(5))
    watch(by_community, community=community)
    watch(by_topic, topic=child)
    watch(by_parent, topic=parent)
    watch(by_other, topic=other)
    watch(muted, level=SubscriptionLevel.MUTED, community=community)
    watch(asker, community=community)

    thread = QuestionFactory(community=community, author=asker, topics=[child])
    services.notify_new_thread(thread)

    opening = thread.posts.get(is_opening=True)
    for person in (by_community, by_topic, by_parent):
        assert received(person) == [(NotificationKind.NEW_THREAD, opening.pk)]
    for person in (by_other, muted, asker):
        assert received(person) == []


def test_a_member_watching_both_community_and_topic_is_told_once(community, asker):
    topic = TopicFactory()
    person = UserFactory()
    watch(person, community=community)
    watch(person, topic=topic)

    thread = QuestionFactory(community=community, author=asker, topics=[topic])
    services.notify_new_thread(thread)
    services.notify_new_thread(thread)

    assert len(received(person)) == 1
    assert len(mails_to(person)) == 1


# --- Accepted and routed ---------------------------------------------------------------------


def test_accepting_notifies_the_answerer_but_not_an_asker_who_accepts_their_own(question, asker):
    answerer = UserFactory()
    answer = PostFactory(thread=question, author=answerer)
    question.accepted_answer = answer
    question.save(update_fields=["accepted_answer"])

    services.notify_accepted(question, asker)

    assert received(answerer) == [(NotificationKind.ACCEPTED, answer.pk)]
    own = PostFactory(thread=question, author=asker)
    question.accepted_answer = own
    assert services.notify_accepted(question, asker) == 0


def test_a_routed_expert_learns_how_many_were_asked(question, asker):
    experts = [UserFactory() for _ in range(3)]
    routing = RoutingRound.objects.create(thread=question, reason=RoutingReason.POSTED)
    rows = [
        RoutedExpert.objects.create(
            round=routing, thread=question, person=person, rank=rank, score=1
        )
        for rank, person in enumerate(experts, start=1)
    ]

    for row in rows:
        services.notify_routed(row)

    notification = Notification.objects.get(recipient=experts[0])
    assert notification.kind == NotificationKind.ROUTED
    assert notification.actor == asker
    assert notification.data["asked"] == 3
    mail = mails_to(experts[0])[0]
    assert "You are one of 3 people asked" in mail.body_text
    assert mail.subject == f"[Machine Learning] {question.title}"


# --- Mail ------------------------------------------------------------------------------------


def test_immediate_mail_has_subject_key_links_and_thread_headers(question, asker, settings):
    answer = PostFactory(thread=question, author=UserFactory(display_name="Bo Answerer"))
    services.notify_new_post(answer)

    [mail] = mails_to(asker)
    assert mail.subject == "[Machine Learning] Re: How do I calibrate a classifier?"
    assert mail.idempotency_key == f"discussions.notification.answer.post-{answer.pk}.to-{asker.pk}"
    assert "Bo Answerer answered your question." in mail.body_text
    assert answer.body in mail.body_text
    assert settings.SITE_URL in mail.body_text
    assert f"#post-{answer.pk}" in mail.body_text
    assert "<html" in mail.body_html
    assert answer.body in mail.body_html
    assert mail.headers["In-Reply-To"] == thread_message_id(question)
    assert mail.headers["References"] == thread_message_id(question)
    assert mail.headers["List-Unsubscribe"].startswith(f"<{settings.SITE_URL}")
    assert mail.message_id.startswith("<discussions.notification.answer.")
    assert Notification.objects.get(recipient=asker).emailed_at is not None


def test_off_and_daily_members_get_no_immediate_mail(question, asker):
    daily, off = UserFactory(), UserFactory()
    mail_mode(daily, EmailMode.DAILY)
    mail_mode(off, EmailMode.OFF)
    mail_mode(asker, EmailMode.OFF)
    for person in (daily, off):
        watch(person, thread=question)

    services.notify_new_post(PostFactory(thread=question, author=UserFactory()))

    assert len(received(daily)) == len(received(off)) == len(received(asker)) == 1
    assert mails_to(daily) == mails_to(off) == mails_to(asker) == []
    assert not Notification.objects.filter(emailed_at__isnull=False).exists()


def test_mail_is_in_the_recipients_language_and_time_zone(community, asker):
    shanghai = UserFactory(preferred_language="zh-hans", time_zone="Asia/Shanghai")
    angeles = UserFactory(preferred_language="", time_zone="America/Los_Angeles")
    respond_by = datetime(2025, 1, 15, 2, 0, tzinfo=ZoneInfo("UTC"))
    thread = QuestionFactory(
        community=community, author=asker, is_urgent=True, respond_by=respond_by
    )
    services.notify_new_thread(thread)
    for person in (shanghai, angeles):
        watch(person, thread=thread)

    services.notify_new_post(PostFactory(thread=thread, author=UserFactory()))

    [chinese] = mails_to(shanghai)
    [english] = mails_to(angeles)
    assert 'lang="zh-hans"' in chinese.body_html
    assert 'lang="en"' in english.body_html
    assert "10:00" in chinese.body_text  # 02:00 UTC is 10:00 in Shanghai
    assert "6 p.m." in english.body_text  # and 18:00 the day before in Los Angeles


def test_post_message_ids_thread_under_the_root(question):
    opening = question.posts.get(is_opening=True)
    answer = PostFactory(thread=question)
    comment = PostFactory(thread=question, reply_to=answer)

    assert post_message_id(opening) == thread_message_id(question)
    root = thread_message_id(question)
    assert threading_headers(opening, root=root, parent="") == {"Message-ID": root}
    assert threading_headers(answer, root=root, parent="")["In-Reply-To"] == root
    assert threading_headers(comment, root=root, parent=post_message_id(answer)) == {
        "Message-ID": post_message_id(comment),
        "In-Reply-To": post_message_id(answer),
        "References": f"{root} {post_message_id(answer)}",
    }


# --- Fan-out is set-based --------------------------------------------------------------------

FANOUT = 2000
# Constant work plus bulk INSERT batches. SQLite allows 999 bound parameters a statement, so a
# batch holds ~140 notifications or ~58 outbox mails of 17 columns (PostgreSQL: 500 rows): 2,000
# recipients cost ~71 queries on SQLite and ~20 on PostgreSQL; one query each would be 2,000+.
FANOUT_QUERIES = 20 + FANOUT // 38


def bulk_members(count, prefix):
    User.objects.bulk_create(
        [
            User(email=f"{prefix}{n}@example.com", display_name=f"{prefix} {n}", password="!")
            for n in range(count)
        ]
    )
    return list(User.objects.filter(email__startswith=prefix).values_list("pk", flat=True))


def test_a_new_thread_in_a_watched_community_is_set_based(
    community, asker, django_assert_max_num_queries
):
    ids = bulk_members(FANOUT, "fan")
    Subscription.objects.bulk_create(Subscription(person_id=pk, community=community) for pk in ids)
    DiscussionPreferences.objects.bulk_create(
        DiscussionPreferences(person_id=pk, email_mode=EmailMode.DAILY) for pk in ids[::2]
    )
    thread = QuestionFactory(community=community, author=asker)

    with django_assert_max_num_queries(FANOUT_QUERIES):
        services.notify_new_thread(thread)

    assert (
        Notification.objects.filter(thread=thread, kind=NotificationKind.NEW_THREAD).count()
        == FANOUT
    )
    assert OutboundMessage.objects.filter(to_email__startswith="fan").count() == FANOUT // 2


def test_a_post_in_a_watched_thread_is_set_based(question, django_assert_max_num_queries):
    ids = bulk_members(FANOUT, "watcher")
    Subscription.objects.bulk_create(Subscription(person_id=pk, thread=question) for pk in ids)
    Mention.objects.bulk_create(
        Mention(post=post, person_id=pk)
        for post in [PostFactory(thread=question)]
        for pk in ids[:50]
    )
    post = Mention.objects.first().post

    with django_assert_max_num_queries(FANOUT_QUERIES):
        services.notify_new_post(post)

    kinds = Notification.objects.filter(post=post)
    assert kinds.filter(kind=NotificationKind.MENTION).count() == 50
    assert kinds.filter(kind=NotificationKind.REPLY).count() == FANOUT - 50
    assert kinds.filter(kind=NotificationKind.ANSWER).count() == 1
    assert OutboundMessage.objects.count() == FANOUT + 1


# --- The daily summary -----------------------------------------------------------------------


def local_moment(zone, day, hour, minute=0):
    return datetime.combine(day, time(hour, minute), tzinfo=ZoneInfo(zone)).astimezone(
        ZoneInfo("UTC")
    )


@pytest.fixture
def daily_pair(question):
    shanghai = UserFactory(time_zone="Asia/Shanghai", email="wei@example.com")
    angeles = UserFactory(time_zone="America/Los_Angeles", email="sam@example.com")
    for person in (shanghai, angeles):
        mail_mode(person, EmailMode.DAILY)
        watch(person, thread=question)
    services.notify_new_post(PostFactory(thread=question, author=UserFactory()))
    return shanghai, angeles


def test_daily_summary_goes_out_at_eight_local_time_once_per_day(daily_pair, question):
    shanghai, angeles = daily_pair
    day = (timezone.now() + timedelta(days=2)).date()
    shanghai_morning = local_moment("Asia/Shanghai", day, 8, 5)
    assert services.send_daily_summaries(now=shanghai_morning - timedelta(minutes=10)) == 0

    assert services.send_daily_summaries(now=shanghai_morning) == 1

    [summary] = mails_to(shanghai)
    assert summary.idempotency_key == f"discussions.daily-summary.{shanghai.pk}.{day.isoformat()}"
    assert question.title in summary.body_text
    assert question.title in summary.body_html
    assert mails_to(angeles) == []
    assert not Notification.objects.filter(recipient=shanghai, emailed_at__isnull=True).exists()

    # Later that morning, with something new: no second summary the same day.
    services.notify_new_post(PostFactory(thread=question, author=UserFactory()))
    assert services.send_daily_summaries(now=shanghai_morning + timedelta(hours=1)) == 0
    assert len(mails_to(shanghai)) == 1

    # Los Angeles' morning comes sixteen hours later; Shanghai's next one a day later.
    angeles_morning = local_moment("America/Los_Angeles", day, 8, 5)
    assert services.send_daily_summaries(now=angeles_morning) == 1
    assert len(mails_to(angeles)) == 1
    assert services.send_daily_summaries(now=shanghai_morning + timedelta(days=1)) == 1
    assert len(mails_to(shanghai)) == 2
    assert services.send_daily_summaries(now=shanghai_morning + timedelta(days=1)) == 0


def test_daily_summary_skips_read_notifications_and_evenings(daily_pair):
    shanghai, angeles = daily_pair
    services.mark_notifications_read(person=shanghai)
    day = (timezone.now() + timedelta(days=2)).date()

    assert services.send_daily_summaries(now=local_moment("Asia/Shanghai", day, 8, 30)) == 0
    assert services.send_daily_summaries(now=local_moment("America/Los_Angeles", day, 20)) == 0
    assert mails_to(shanghai) == mails_to(angeles) == []


# --- Subscriptions and preferences -----------------------------------------------------------


def test_subscribe_needs_exactly_one_target_and_a_known_level(question, member):
    with pytest.raises(ValidationError):
        services.subscribe(person=member)
    with pytest.raises(ValidationError):
        services.subscribe(person=member, thread=question, community=question.community)
    with pytest.raises(ValidationError):
        services.subscribe(person=member, thread=question, level="loud")
    assert not Subscription.objects.filter(person=member).exists()


def test_subscribe_changes_level_and_unsubscribe_removes(question, member):
    services.subscribe(person=member, thread=question)
    services.subscribe(person=member, thread=question, level=SubscriptionLevel.MUTED)

    assert inbox.subscription_level(member, thread=question) == "muted"
    assert services.unsubscribe(person=member, thread=question) is True
    assert services.unsubscribe(person=member, thread=question) is False
    assert inbox.subscription_level(member, thread=question) is None


def test_only_members_may_watch_a_closed_community_or_its_threads(member):
    closed = CommunityFactory(access=Access.CLOSED)
    thread = QuestionFactory(community=closed)

    with pytest.raises(PermissionDenied):
        services.subscribe(person=member, community=closed)
    with pytest.raises(PermissionDenied):
        services.subscribe(person=member, thread=thread)
    MembershipFactory(community=closed, person=member)
    member = User.objects.get(pk=member.pk)  # a fresh request: no cached roles
    assert services.subscribe(person=member, community=closed).level == "watching"


def test_preferences_validate_and_change_nothing_on_bad_input(member):
    prefs = services.set_discussion_preferences(
        person=member,
        email_mode=EmailMode.DAILY,
        quiet_hours_start="22:00",
        quiet_hours_end=time(7, 0),
        max_open_routed=5,
    )
    assert (prefs.email_mode, prefs.quiet_hours_start, prefs.max_open_routed) == (
        "daily",
        time(22, 0),
        5,
    )

    bad = [
        {"email_mode": "hourly"},
        {"quiet_hours_start": None},
        {"quiet_hours_start": "07:00"},
        {"quiet_hours_end": "25:99"},
        {"max_open_routed": 21},
        {"max_open_routed": -1},
        {"max_open_routed": "three"},
        {"routing_opt_out": "maybe"},
        {"favourite_colour": "blue"},
        {"email_mode": EmailMode.OFF, "max_open_routed": 99},
    ]
    for changes in bad:
        with pytest.raises(ValidationError):
            services.set_discussion_preferences(person=member, **changes)
    prefs.refresh_from_db()
    assert (prefs.email_mode, prefs.quiet_hours_start, prefs.quiet_hours_end) == (
        "daily",
        time(22, 0),
        time(7, 0),
    )
    assert prefs.max_open_routed == 5
    cleared = services.set_discussion_preferences(
        person=member, quiet_hours_start="", quiet_hours_end=None
    )
    assert cleared.quiet_hours_start is None
    assert cleared.quiet_hours_end is None


def test_a_new_member_has_no_preferences_row_until_they_change_something(member):
    with pytest.raises(ValidationError):
        services.set_discussion_preferences(person=member, email_mode="never")
    assert not DiscussionPreferences.objects.filter(person=member).exists()
    assert inbox.preferences_for(member).email_mode == EmailMode.IMMEDIATELY


# --- Inbox -----------------------------------------------------------------------------------


def test_unread_count_list_and_mark_read(question, asker):
    posts = [PostFactory(thread=question, author=UserFactory()) for _ in range(3)]
    for post in posts:
        services.notify_new_post(post)
    other = UserFactory()
    watch(other, thread=question)
    services.notify_new_post(PostFactory(thread=question, author=UserFactory()))
    mine = list(inbox.notifications_for(asker))
    theirs = Notification.objects.get(recipient=other)

    assert inbox.unread_count(asker) == 4
    assert [n.post_id for n in mine][1:] == [p.pk for p in reversed(posts)]
    assert services.mark_notifications_read(person=asker, ids=[mine[0].pk, theirs.pk]) == 1
    assert inbox.unread_count(asker) == 3
    assert inbox.unread_count(other) == 1
    assert len(inbox.notifications_for(asker, unread_only=True)) == 3
    with pytest.raises(ValidationError):
        services.mark_notifications_read(person=asker, ids=["x"])
    assert services.mark_thread_notifications_read(person=asker, thread=question) == 3
    assert inbox.unread_count(asker) == 0


# --- Concurrency (PostgreSQL: real concurrent transactions) ----------------------------------

THREADS = 8


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_posts_and_repeated_calls_make_no_duplicates():
    community = CommunityFactory()
    asker = UserFactory()
    thread = QuestionFactory(community=community, author=asker)
    watchers = [UserFactory() for _ in range(5)]
    for person in watchers:
        watch(person, thread=thread)
    answerer = UserFactory()
    posts = [PostFactory(thread=thread, author=answerer) for _ in range(THREADS // 2)]
    for post in posts:
        Mention.objects.create(post=post, person=watchers[0])

    # Each post notified twice at once (a retry racing the first call), all posts at once.
    errors = run_concurrently(
        [(lambda post=post: services.notify_new_post(post)) for post in posts for _ in range(2)]
    )

    assert errors == []
    for post in posts:
        notified = Notification.objects.filter(post=post)
        assert notified.count() == len(watchers) + 1
        assert notified.filter(recipient=watchers[0], kind=NotificationKind.MENTION).count() == 1
    assert Notification.objects.filter(recipient=asker).count() == len(posts)
    assert OutboundMessage.objects.count() == len(posts) * (len(watchers) + 1)
    assert Subscription.objects.filter(person=answerer, thread=thread).count() == 1


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_summary_runs_send_one_summary():
    person = UserFactory(time_zone="Asia/Shanghai")
    mail_mode(person, EmailMode.DAILY)
    thread = QuestionFactory(author=person)
    services.notify_new_thread(thread)
    for _ in range(3):
        services.notify_new_post(PostFactory(thread=thread, author=UserFactory()))
    day = (timezone.now() + timedelta(days=2)).date()
    now = local_moment("Asia/Shanghai", day, 8, 1)

    errors = run_concurrently([lambda: services.send_daily_summaries(now=now)] * 4)

    assert errors == []
    assert OutboundMessage.objects.filter(to_email=person.email).count() == 1
    assert not Notification.objects.filter(recipient=person, emailed_at__isnull=True).exists()


def test_an_edit_that_adds_a_mention_tells_only_the_newly_mentioned(question, asker):
    answer = PostFactory(thread=question, author=UserFactory())
    services.notify_new_post(answer)
    late_watcher, mentioned = UserFactory(), UserFactory()
    watch(late_watcher, thread=question)
    Mention.objects.create(post=answer, person=mentioned)
    answer.edited_at = timezone.now()
    answer.save(update_fields=["edited_at"])

    assert services.notify_new_post(answer) == 1

    assert received(mentioned) == [(NotificationKind.MENTION, answer.pk)]
    assert received(late_watcher) == []
    assert received(asker) == [(NotificationKind.ANSWER, answer.pk)]
