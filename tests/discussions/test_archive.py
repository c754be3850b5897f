"""Importing the list archive into a community: threads and posts with their original dates
and authors, placeholders, the ledger, search, idempotent re-imports, threads continued,
and the plain-text rendering of mail."""

from datetime import UTC, datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from hypothesis import given, settings
from hypothesis import strategies as st

from practica.communities.models import Access
from practica.core.markdown import render_markdown
from practica.core.models import Activity, ActivityKind, SearchEntry
from practica.discussions import search
from practica.discussions.archive_text import archive_post_text, looks_like_question
from practica.discussions.models import Post, PostOrigin, Thread, ThreadKind, ThreadState
from practica.discussions.services.archive import import_archive
from practica.discussions.services.threads import create_thread
from practica.mail.archive import read_archive
from practica.mail.hooks import archive_importer
from practica.people.models import User
from tests.factories.communities import CommunityFactory, MembershipFactory
from tests.factories.people import OrgUnitFactory, UserFactory
from tests.mail.test_archive import mail, write

pytestmark = pytest.mark.django_db

MARCH_3 = datetime(2014, 3, 3, 9, 0, tzinfo=UTC)


@pytest.fixture
def community():
    return CommunityFactory(slug="ml")


@pytest.fixture
def ana(community):
    person = UserFactory(email="ana.lima@example.com", display_name="Ana Lima", career_level=6)
    MembershipFactory(community=community, person=person)
    return person


def question_thread(tmp_path):
    return write(
        tmp_path,
        mail(
            "<q@x>",
            sender="Ana Lima <Ana.Lima@Example.com>",
            subject="How long should the warmup be?",
            body="We train a 7B model and the loss spikes early.\n\nAny advice?",
        ),
        mail(
            "<a1@x>",
            sender="Ben Okafor <ben@outside.example.org>",
            subject="Re: How long should the warmup be?",
            date="Mon, 03 Mar 2014 09:30:00 +0000",
            references="<q@x>",
            body="Try 2000 steps.\n\nOn Mon, Ana wrote:\n> Any advice?",
        ),
        mail(
            "<a2@x>",
            sender="ana.lima@example.com",
            subject="Re: How long should the warmup be?",
            date="Tue, 04 Mar 2014 08:00:00 +0000",
            references="<q@x> <a1@x>",
            body="Thanks, that fixed it.",
        ),
        mail(
            "<d@x>",
            sender="Chen Wei <chen@outside.example.org>",
            subject="Reading group notes",
            date="Wed, 05 Mar 2014 09:00:00 +0000",
            body="Notes from today's session are on the wiki.",
        ),
        name="march.mbox",
    )


def run_import(community, *paths, **kwargs):
    reading = read_archive(list(paths), workers=1)
    return archive_importer().import_conversations(
        community=community, conversations=reading.conversations, **kwargs
    )


def test_conversations_become_threads_with_their_dates_and_authors(tmp_path, community, ana):
    counts = run_import(community, question_thread(tmp_path))
    assert (counts.threads_created, counts.posts_created, counts.placeholders_created) == (2, 4, 2)
    question = Thread.objects.get(title="How long should the warmup be?")
    assert question.kind == ThreadKind.QUESTION
    assert question.author == ana  # matched case-insensitively
    assert question.created_at == MARCH_3
    assert question.state == ThreadState.ANSWERED
    assert question.answer_count == 2
    assert question.first_response_at == datetime(2014, 3, 3, 9, 30, tzinfo=UTC)
    assert question.first_response_seconds == 1800
    assert question.last_activity_at == datetime(2014, 3, 4, 8, 0, tzinfo=UTC)
    opening, answer, thanks = question.posts.order_by("created_at")
    assert opening.is_opening
    assert opening.email_message_id == "<q@x>"
    assert {p.origin for p in (opening, answer, thanks)} == {PostOrigin.ARCHIVE}
    assert all(p.list_mail_sent_at is not None for p in (opening, answer, thanks))
    assert answer.body == "Try 2000 steps."  # the quote is gone
    assert opening.body_html == (
        "<p>We train a 7B model and the loss spikes early.</p>\n<p>Any advice?</p>\n"
    )
    assert thanks.reply_to == answer
    assert answer.reply_to is None  # answers to the opening post point at nothing
    assert answer.author_career_level is None
    discussion = Thread.objects.get(title="Reading group notes")
    assert discussion.kind == ThreadKind.DISCUSSION
    assert discussion.state == ThreadState.OPEN


def test_unknown_authors_become_placeholders(tmp_path, community, ana):
    run_import(community, question_thread(tmp_path))
    ben = User.objects.get(email="ben@outside.example.org")
    assert ben.is_placeholder
    assert ben.display_name == "Ben Okafor"
    assert not ben.has_usable_password()
    assert not ana.__class__.objects.get(pk=ana.pk).is_placeholder


def test_a_sender_without_a_name_is_named_after_the_address(tmp_path, community):
    run_import(community, write(tmp_path, mail("<a@x>", sender="dkim.tester@example.net")))
    assert User.objects.get(email="dkim.tester@example.net").display_name == "dkim.tester"


def test_the_ledger_covers_the_list_era(tmp_path, community, ana):
    run_import(community, question_thread(tmp_path))
    rows = Activity.objects.filter(community=community).order_by("occurred_at")
    kinds = [(row.kind, row.occurred_at) for row in rows]
    assert kinds == [
        (ActivityKind.ASKED, MARCH_3),
        (ActivityKind.ANSWERED, datetime(2014, 3, 3, 9, 30, tzinfo=UTC)),
        (ActivityKind.REPLIED, datetime(2014, 3, 4, 8, 0, tzinfo=UTC)),
        (ActivityKind.DISCUSSED, datetime(2014, 3, 5, 9, 0, tzinfo=UTC)),
    ]
    answered = rows.get(kind=ActivityKind.ANSWERED)
    assert answered.counterpart == ana
    assert answered.data["seconds_since_question"] == 1800
    assert answered.data["archive"] is True
    assert answered.subject_type == ContentType.objects.get_for_model(Post)
    asked = rows.get(kind=ActivityKind.ASKED)
    assert asked.subject_id == Thread.objects.get(kind=ThreadKind.QUESTION).pk


def test_cross_org_and_level_facts_are_recorded_for_answers(tmp_path, community):
    division = OrgUnitFactory(name="Research")
    other = OrgUnitFactory(name="Sales")
    UserFactory(email="asker@example.com", org_unit=division, career_level=7)
    UserFactory(email="junior@example.com", org_unit=other, career_level=3)
    path = write(
        tmp_path,
        mail("<q@x>", sender="asker@example.com", subject="Which optimizer for ViT?"),
        mail(
            "<a@x>",
            sender="junior@example.com",
            date="Mon, 03 Mar 2014 10:00:00 +0000",
            references="<q@x>",
        ),
    )
    run_import(community, path)
    answer = Post.objects.get(email_message_id="<a@x>")
    assert answer.is_cross_org is True
    assert answer.is_cross_level is True
    assert answer.author_org_unit == other


def test_search_finds_imported_text(tmp_path, community, ana):
    run_import(community, question_thread(tmp_path))
    results = search.search_threads(user=ana, text="warmup spikes")
    assert [hit.thread.title for hit in results.hits] == ["How long should the warmup be?"]
    entries = SearchEntry.objects.filter(source=search.SOURCE)
    assert entries.count() == 4
    # The same documents the services index, post by post.
    for post in Post.objects.select_related("thread", "author_org_unit"):
        stored = entries.get(object_id=post.pk)
        before = (stored.title, stored.body, stored.tags, stored.group_id, stored.created_at)
        search.index_post(post)
        stored.refresh_from_db()
        assert (stored.title, stored.body, stored.tags, stored.group_id, stored.created_at) == (
            before
        )


def test_importing_twice_creates_nothing(tmp_path, community, ana):
    path = question_thread(tmp_path)
    run_import(community, path)
    before = (
        Thread.objects.count(),
        Post.objects.count(),
        User.objects.count(),
        Activity.objects.count(),
        SearchEntry.objects.count(),
    )
    counts = run_import(community, path)
    assert (counts.threads_created, counts.posts_created, counts.placeholders_created) == (0, 0, 0)
    assert counts.already_imported == 4
    after = (
        Thread.objects.count(),
        Post.objects.count(),
        User.objects.count(),
        Activity.objects.count(),
        SearchEntry.objects.count(),
    )
    assert after == before


def test_a_later_file_continues_imported_threads(tmp_path, community, ana):
    run_import(community, question_thread(tmp_path))
    april = write(
        tmp_path,
        mail(
            "<late@x>",
            sender="Dana <dana@example.com>",
            subject="Re: How long should the warmup be?",
            date="Tue, 01 Apr 2014 09:00:00 +0000",
            references="<q@x> <a1@x> <a2@x>",
            body="Same here, 2000 steps worked.",
        ),
        mail(
            "<subject-only@x>",
            sender="Eve <eve@example.com>",
            subject="Re: Reading group notes",
            date="Thu, 06 Mar 2014 09:00:00 +0000",
            body="Thanks for the notes!",
        ),
        name="april.mbox",
    )
    counts = run_import(community, april)
    assert (counts.threads_created, counts.posts_merged, counts.threads_merged) == (0, 2, 2)
    question = Thread.objects.get(title="How long should the warmup be?")
    assert question.answer_count == 3
    assert question.last_activity_at == datetime(2014, 4, 1, 9, 0, tzinfo=UTC)
    late = Post.objects.get(email_message_id="<late@x>")
    assert late.thread == question
    assert late.reply_to == Post.objects.get(email_message_id="<a2@x>")
    notes = Thread.objects.get(title="Reading group notes")
    assert notes.posts.count() == 2
    assert notes.first_response_at == datetime(2014, 3, 6, 9, 0, tzinfo=UTC)
    assert search.search_threads(user=ana, text="steps worked").hits[0].thread == question


def test_replies_to_mail_that_came_in_by_email_join_that_thread(tmp_path, community, ana):
    live = create_thread(
        community=community,
        author=ana,
        kind=ThreadKind.QUESTION,
        title="Is the GPU cluster down today?",
        body="Jobs are stuck.",
        origin=PostOrigin.EMAIL,
        email_message_id="<live@mail.example.com>",
    )
    path = write(
        tmp_path,
        mail(
            "<answer@x>",
            sender="Ops <ops@example.com>",
            subject="Re: Is the GPU cluster down today?",
            date="Mon, 03 Mar 2014 10:00:00 +0000",
            in_reply_to="<live@mail.example.com>",
            body="Back up now.",
        ),
    )
    counts = run_import(community, path)
    assert counts.threads_created == 0
    live.refresh_from_db()
    assert live.posts.count() == 2
    assert live.state == ThreadState.ANSWERED


def test_a_closed_community_imports_the_same(tmp_path, ana):
    closed = CommunityFactory(access=Access.CLOSED)
    counts = run_import(closed, question_thread(tmp_path))
    assert counts.threads_created == 2
    assert Thread.objects.filter(community=closed).count() == 2


def test_a_dry_run_keeps_nothing(tmp_path, community, ana):
    counts = run_import(community, question_thread(tmp_path), dry_run=True)
    assert (counts.threads_created, counts.posts_created, counts.placeholders_created) == (2, 4, 2)
    assert Thread.objects.count() == 0
    assert not User.objects.filter(is_placeholder=True).exists()


def test_batches_split_a_large_import(tmp_path, community, monkeypatch):
    monkeypatch.setattr("practica.discussions.services.archive.BATCH_MESSAGES", 2)
    messages = [
        mail(f"<t{n}@x>", subject=f"Topic {n}", date=f"Mon, 03 Mar 2014 09:{n:02d}:00 +0000")
        for n in range(5)
    ]
    messages.append(
        mail("<r@x>", date="Tue, 04 Mar 2014 09:00:00 +0000", references="<t0@x>", body="Late")
    )
    reading = read_archive([write(tmp_path, *messages)], workers=1)
    progress = []
    counts = import_archive(
        community=community, conversations=reading.conversations, progress=progress.append
    )
    assert counts.threads_created == 5
    assert sum(progress) == 6
    assert Post.objects.get(email_message_id="<r@x>").thread.title == "Topic 0"


def test_mail_from_a_claimed_placeholder_goes_to_its_claimant(tmp_path, community, ana):
    from practica.people.services import claim_placeholder, placeholder_claim_token

    run_import(community, question_thread(tmp_path))
    ben = User.objects.get(email="ben@outside.example.org")
    member = UserFactory(email="ben.okafor@example.com")
    claim_placeholder(
        claimant=member, token=placeholder_claim_token(placeholder=ben, claimant=member)
    )
    later = write(
        tmp_path,
        mail(
            "<ben2@x>",
            sender="Ben Okafor <ben@outside.example.org>",
            subject="New topic from Ben",
            date="Tue, 01 Apr 2014 09:00:00 +0000",
        ),
        name="later.mbox",
    )
    counts = run_import(community, later)
    assert counts.placeholders_created == 0
    assert Thread.objects.get(title="New topic from Ben").author == member


def test_a_question_is_recognized_by_its_question_mark():
    assert looks_like_question("Which optimizer for ViT?", "")
    assert looks_like_question("Optimizer choice for ViT", "Which one do you use？\n\nThanks")
    assert not looks_like_question("Optimizer notes for ViT", "Slides attached.\n\nAny thoughts?")
    assert not looks_like_question("Why?", "")  # too short a title for a question


PIECES = [*"ab Z1.,;:!?'\"()-+=*#>|~`_[]<&\\/@\t\n", "\n\n", "中文", "\u00a0", "&amp;", "1. "]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=40).map("".join))
def test_plain_text_renders_exactly_as_markdown_would(text):
    post = archive_post_text(text)
    assert post.html == render_markdown(post.body)
    assert post.plain == search.post_plain_text(Post(body=post.body, body_html=post.html))


def test_mail_with_no_text_says_so():
    assert archive_post_text("").body == "(This message had no text.)"
