"""The old list's archive brought in: each conversation becomes a thread, each mail a post.

`practica import-mbox` reads and threads the mbox (`practica.mail.archive`) and hands the
conversations to `DiscussionArchiveImporter` (registered in `DiscussionsConfig.ready()` with
`practica.mail.hooks`). What the services would write for each post is written here in bulk
(`core.bulk`: ids handed out first, tuples in), dated when the mail was sent:

- a Thread per new conversation: a question when its first mail asks one ("?" in the subject
  or first paragraph), else a discussion; its first mail's author as the asker; the
  response-time facts (`first_response_at/seconds`) and the answered state from the replies;
- Posts with `origin=archive`, `email_message_id`, the reply text (quotes, signature and list
  footer already stripped) as Markdown that renders as the sender wrote it
  (`discussions.archive_text`), replies pointing at the post they answer, the author's org
  unit and level and the cross-org / cross-level facts as `post_reply` records them, and
  `list_mail_sent_at` set: history is never mailed to the list;
- the ledger rows the services write (ASKED/DISCUSSED, ANSWERED/REPLIED), with the mail's
  date and `"archive": true`, so metrics cover the list era;
- the search documents `index_post` writes.

Authors are matched to accounts by address, case-insensitively; unknown ones get placeholder
profiles (`people.services.find_or_create_placeholders`) a person can claim later.
Idempotent: a mail whose Message-ID is on a post of the community already is skipped, and a
conversation that continues an imported thread (or one that came in by mail since) is added
to that thread. Nothing is mailed, notified or routed: this is history.

Batches of about BATCH_MESSAGES messages, one transaction each, keep the site working during
a long import (SQLite has one writer); if one fails, the earlier ones stay and running the
import again carries on from there.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from practica.communities.models import Community
from practica.core import search as core_search
from practica.core.bulk import adapters, allocate_ids, insert_rows
from practica.core.models import Activity, ActivityKind, SearchEntry
from practica.core.search_text import searchable_text, tag_tokens
from practica.discussions import search
from practica.discussions.archive_text import archive_post_text, looks_like_question
from practica.discussions.models import (
    MAX_TITLE_LENGTH,
    Post,
    PostOrigin,
    Thread,
    ThreadKind,
    ThreadState,
)
from practica.discussions.services.posting_rules import qa_settings_for
from practica.mail.archive import ArchivedMessage, Conversation
from practica.mail.hooks import ArchiveImportCounts
from practica.people.models import OrgUnit
from practica.people.services import find_or_create_placeholders

BATCH_MESSAGES = 2000
SUBJECT_WINDOW = timedelta(days=30)
THREAD_COLUMNS = (
    "id", "community_id", "kind", "title", "author_id", "state", "created_at",
    "last_activity_at", "first_response_at", "first_response_seconds", "answer_count",
)  # fmt: skip
POST_COLUMNS = (
    "id", "thread_id", "author_id", "is_opening", "reply_to_id", "body", "body_html",
    "created_at", "author_org_unit_id", "author_career_level", "is_cross_org", "is_cross_level",
    "origin", "email_message_id", "list_mail_sent_at",
)  # fmt: skip
ACTIVITY_COLUMNS = (
    "kind", "person_id", "community_id", "occurred_at", "subject_type_id", "subject_id",
    "counterpart_id", "data",
)  # fmt: skip
SEARCH_COLUMNS = ("source", "object_id", "group_id", "created_at", "title", "body", "tags")


@dataclass(frozen=True, slots=True)
class _Author:
    pk: int
    org_unit_id: int | None
    career_level: int | None


@dataclass(frozen=True, slots=True)
class _Known:
    """A post of the community, by the Message-ID it came with."""

    post_id: int
    thread_id: int
    is_opening: bool


@dataclass(slots=True)
class _NewPost:
    id: int
    key: str
    thread_id: int
    author: _Author
    is_opening: bool
    created_at: datetime
    body: str
    body_html: str
    plain: str
    reply_to_id: int | None = None
    is_cross_org: bool | None = None
    is_cross_level: bool | None = None


@dataclass
class _ThreadWork:
    """What a batch adds to one thread, new or existing."""

    thread: Thread
    opening_org_unit_id: int | None
    opening_career_level: int | None
    messages: list[ArchivedMessage] = field(default_factory=list)
    is_new: bool = False
    posts: list[_NewPost] = field(default_factory=list)


class _ArchiveImport:
    """One import into one community: what is known up front, then batch after batch."""

    def __init__(self, community: Community) -> None:
        self.community = community
        self.counts = ArchiveImportCounts()
        self.now = timezone.now()
        self.dt, self.js = adapters()
        self.known: dict[str, _Known] = {}
        rows = (
            Post.objects.filter(thread__community=community)
            .exclude(email_message_id="")
            .values_list("email_message_id", "pk", "thread_id", "is_opening")
        )
        for message_id, post_id, thread_id, is_opening in rows.iterator(chunk_size=5000):
            self.known[message_id] = _Known(post_id, thread_id, is_opening)
        self.authors: dict[str, _Author] = {}
        self.org_paths: dict[int, str] = dict(OrgUnit.objects.values_list("pk", "path"))
        self.depth = qa_settings_for(community.pk, create_missing=True).cross_org_depth
        self.thread_type = ContentType.objects.get_for_model(Thread).pk
        self.post_type = ContentType.objects.get_for_model(Post).pk

    # --- authors and plan -------------------------------------------------------------------

    def _resolve_authors(self, conversations: list[Conversation]) -> None:
        wanted: dict[str, str] = {}
        for conversation in conversations:
            for message in conversation.messages:
                if message.key not in self.known and message.from_address not in self.authors:
                    wanted.setdefault(message.from_address, message.from_name)
        if not wanted:
            return
        for email, (person, created) in find_or_create_placeholders(authors=wanted).items():
            self.authors[email] = _Author(person.pk, person.org_unit_id, person.career_level)
            self.counts.placeholders_created += int(created)

    def _with_valid_senders(self, conversations: list[Conversation]) -> list[Conversation]:
        """Mail from an address no account can have (invalid) is left out; a conversation
        whose first mail goes starts at its next one."""
        kept = []
        for conversation in conversations:
            messages = [
                m
                for m in conversation.messages
                if m.key in self.known or m.from_address in self.authors
            ]
            self.counts.invalid_senders += len(conversation.messages) - len(messages)
            if len(messages) == len(conversation.messages):
                kept.append(conversation)
            elif messages:
                kept.append(
                    Conversation(
                        root=messages[0],
                        replies=messages[1:],
                        outside_references=conversation.outside_references,
                    )
                )
        return kept

    def _existing_thread_id(self, conversation: Conversation) -> int | None:
        for message in conversation.messages:
            if message.key in self.known:
                return self.known[message.key].thread_id
        for ref in conversation.outside_references:
            if ref in self.known:
                return self.known[ref].thread_id
        return None

    def _threads_by_subject(self, conversations: list[Conversation]) -> dict[int, int]:
        """For conversations that only say "Re: X": an earlier thread of the community titled
        X, active within SUBJECT_WINDOW before the reply (position in the list → thread id)."""
        wanted = {
            index: conversation.root.title[:MAX_TITLE_LENGTH]
            for index, conversation in enumerate(conversations)
            if conversation.answers_by_subject_only and conversation.root.title
        }
        if not wanted:
            return {}
        candidates = defaultdict(list)
        rows = Thread.objects.filter(
            community=self.community, title__in=set(wanted.values())
        ).values_list("pk", "title", "created_at", "last_activity_at")
        for pk, title, created_at, last_activity_at in rows:
            candidates[title].append((last_activity_at, created_at, pk))
        found = {}
        for index, title in wanted.items():
            date = conversations[index].root.date
            fitting = [
                (last, pk)
                for last, created, pk in candidates.get(title, [])
                if created <= date and date - last <= SUBJECT_WINDOW
            ]
            if fitting:
                found[index] = max(fitting)[1]
        return found

    def _new_thread(self, conversation: Conversation) -> _ThreadWork:
        root = conversation.root
        author = self.authors[root.from_address]
        title = root.title or _("(no subject)")
        if len(title) > MAX_TITLE_LENGTH:
            title = Truncator(title).chars(MAX_TITLE_LENGTH)
        question = looks_like_question(title, root.body)
        thread = Thread(
            community_id=self.community.pk,
            kind=ThreadKind.QUESTION if question else ThreadKind.DISCUSSION,
            title=title,
            author_id=author.pk,
            state=ThreadState.OPEN,
            created_at=root.date,
            last_activity_at=root.date,
        )
        return _ThreadWork(
            thread=thread,
            opening_org_unit_id=author.org_unit_id,
            opening_career_level=author.career_level,
            messages=conversation.messages,
            is_new=True,
        )

    def _plan(self, conversations: list[Conversation]) -> list[_ThreadWork]:
        by_subject = self._threads_by_subject(conversations)
        appended: dict[int, list[ArchivedMessage]] = defaultdict(list)
        work: list[_ThreadWork] = []
        for index, conversation in enumerate(conversations):
            new = [m for m in conversation.messages if m.key not in self.known]
            self.counts.already_imported += len(conversation.messages) - len(new)
            if not new:
                continue
            thread_id = self._existing_thread_id(conversation) or by_subject.get(index)
            if thread_id is not None:
                appended[thread_id].extend(new)
            else:
                work.append(self._new_thread(conversation))
        if appended:
            work.extend(self._existing_threads(appended))
        return work

    def _existing_threads(self, appended: dict[int, list[ArchivedMessage]]) -> list[_ThreadWork]:
        # Locked (Thread select_for_update) like a reply on the site locks its thread, so the
        # counters and the first response move exactly once per post.
        locked = Thread.objects.select_for_update().order_by("pk")
        threads = locked.in_bulk(list(appended))
        # A merged thread goes on in the thread it was merged into.
        targets = {t.merged_into_id for t in threads.values() if t.merged_into_id}
        threads |= locked.in_bulk(list(targets - set(threads)))
        openings = {
            thread_id: (org_unit_id, level)
            for thread_id, org_unit_id, level in Post.objects.filter(
                thread_id__in=list(threads), is_opening=True
            ).values_list("thread_id", "author_org_unit_id", "author_career_level")
        }
        work: dict[int, _ThreadWork] = {}
        for thread_id, messages in appended.items():
            thread = threads.get(thread_id)
            if thread is None:  # deleted since the import started
                continue
            if thread.merged_into_id and thread.merged_into_id in threads:
                thread = threads[thread.merged_into_id]
            if thread.pk not in work:
                org_unit_id, level = openings.get(thread.pk, (None, None))
                work[thread.pk] = _ThreadWork(
                    thread=thread, opening_org_unit_id=org_unit_id, opening_career_level=level
                )
            work[thread.pk].messages.extend(messages)
        for item in work.values():
            item.messages.sort(key=lambda message: (message.date, message.position))
        return list(work.values())

    # --- posts ------------------------------------------------------------------------------

    def _ancestor(self, org_unit_id: int | None) -> str | None:
        """The org unit at the community's cross-org depth above `org_unit_id` (the unit
        itself when shallower), as `org_unit_at_depth` finds it, named by its path."""
        path = self.org_paths.get(org_unit_id) if org_unit_id is not None else None
        if not path:
            return None
        parts = [part for part in path.split("/") if part]
        return "/".join(parts[: min(self.depth, len(parts) - 1) + 1])

    def _cross_facts(self, item: _ThreadWork, author: _Author) -> tuple[bool | None, bool | None]:
        if author.pk == item.thread.author_id:
            return None, None
        mine, theirs = self._ancestor(author.org_unit_id), self._ancestor(item.opening_org_unit_id)
        cross_org = None if mine is None or theirs is None else mine != theirs
        cross_level = None
        if author.career_level is not None and item.opening_career_level is not None:
            cross_level = author.career_level < item.opening_career_level
        return cross_org, cross_level

    def _make_posts(self, work: list[_ThreadWork]) -> list[_NewPost]:
        """The batch's posts, with ids, each reply pointing at the post it answers."""
        count = sum(len(item.messages) for item in work)
        ids = iter(allocate_ids(Post, count))
        posts: list[_NewPost] = []
        for item in work:
            thread = item.thread
            for index, message in enumerate(item.messages):
                author = self.authors[message.from_address]
                opening = item.is_new and index == 0
                text = archive_post_text(message.body)
                post = _NewPost(
                    id=next(ids),
                    key=message.key,
                    thread_id=thread.pk,
                    author=author,
                    is_opening=opening,
                    # A reply never shows above its question, whatever the sender's clock said.
                    created_at=max(message.date, thread.created_at),
                    body=text.body,
                    body_html=text.html,
                    plain=text.plain,
                )
                if not opening:
                    post.is_cross_org, post.is_cross_level = self._cross_facts(item, author)
                item.posts.append(post)
                posts.append(post)
                self.known[message.key] = _Known(post.id, thread.pk, opening)
        for item in work:
            for message, post in zip(item.messages, item.posts, strict=True):
                if not post.is_opening:
                    post.reply_to_id = self._reply_to(message, post)
        return posts

    def _reply_to(self, message: ArchivedMessage, post: _NewPost) -> int | None:
        """The post `message` answers, in its own thread; none for an answer to the opening
        post (as replies by mail and on the site record it)."""
        for key in (message.parent_key, message.nearest_parent_key):
            parent = self.known.get(key) if key else None
            if (
                parent is not None
                and parent.thread_id == post.thread_id
                and parent.post_id != post.id
            ):
                return None if parent.is_opening else parent.post_id
        return None

    # --- the batch --------------------------------------------------------------------------

    def import_batch(self, conversations: list[Conversation]) -> None:
        self._resolve_authors(conversations)
        work = self._plan(self._with_valid_senders(conversations))
        new_threads = [item for item in work if item.is_new]
        for item, pk in zip(new_threads, allocate_ids(Thread, len(new_threads)), strict=True):
            item.thread.pk = pk
            self._settle_new_thread(item)
        posts = self._make_posts(work)
        insert_rows(Thread, THREAD_COLUMNS, (self._thread_row(item) for item in new_threads))
        insert_rows(Post, POST_COLUMNS, (self._post_row(post) for post in posts))
        insert_rows(Activity, ACTIVITY_COLUMNS, self._ledger(work))
        insert_rows(SearchEntry, SEARCH_COLUMNS, self._search_rows(new_threads))
        for item in work:
            if not item.is_new:
                self._update_existing_thread(item)
                search.index_thread(Thread.objects.get(pk=item.thread.pk))
        self.counts.threads_created += len(new_threads)
        self.counts.posts_created += len(posts)
        self.counts.threads_merged += len(work) - len(new_threads)
        self.counts.posts_merged += sum(len(item.posts) for item in work if not item.is_new)

    def _thread_row(self, item: _ThreadWork) -> tuple[Any, ...]:
        t, dt = item.thread, self.dt
        return (
            t.pk, t.community_id, t.kind, t.title, t.author_id, t.state, dt(t.created_at),
            dt(t.last_activity_at), dt(t.first_response_at), t.first_response_seconds,
            t.answer_count,
        )  # fmt: skip

    def _post_row(self, p: _NewPost) -> tuple[Any, ...]:
        dt = self.dt
        return (
            p.id, p.thread_id, p.author.pk, p.is_opening, p.reply_to_id, p.body, p.body_html,
            dt(p.created_at), p.author.org_unit_id, p.author.career_level, p.is_cross_org,
            p.is_cross_level, PostOrigin.ARCHIVE, p.key[:255], dt(self.now),
        )  # fmt: skip

    def _settle_new_thread(self, item: _ThreadWork) -> None:
        thread = item.thread
        replies = item.messages[1:]
        thread.answer_count = len(replies)
        thread.last_activity_at = max([thread.created_at, *(m.date for m in replies)])
        responses = [m.date for m in replies if self.authors[m.from_address].pk != thread.author_id]
        if responses:
            first = max(min(responses), thread.created_at)
            thread.first_response_at = first
            thread.first_response_seconds = int((first - thread.created_at).total_seconds())
            if thread.kind == ThreadKind.QUESTION:
                thread.state = ThreadState.ANSWERED

    def _update_existing_thread(self, item: _ThreadWork) -> None:
        """Counters, last activity, the first response (the archive may know an earlier one)
        and the answered state of a thread the batch added posts to."""
        thread = item.thread
        changes: dict[str, Any] = {
            "answer_count": thread.answer_count + len(item.posts),
            "last_activity_at": max([thread.last_activity_at, *(p.created_at for p in item.posts)]),
        }
        responses = [p.created_at for p in item.posts if p.author.pk != thread.author_id]
        if responses:
            first = min(responses)
            if thread.first_response_at is None or first < thread.first_response_at:
                changes["first_response_at"] = first
                changes["first_response_seconds"] = max(
                    0, int((first - thread.created_at).total_seconds())
                )
            if thread.kind == ThreadKind.QUESTION and thread.state == ThreadState.OPEN:
                changes["state"] = ThreadState.ANSWERED
        Thread.objects.filter(pk=thread.pk).update(**changes)

    def _ledger(self, work: list[_ThreadWork]) -> Iterator[tuple[Any, ...]]:
        """The rows `create_thread` and `post_reply` record, dated when the mail was sent."""
        dt, js, community_id = self.dt, self.js, self.community.pk
        for item in work:
            thread = item.thread
            question = thread.kind == ThreadKind.QUESTION
            for post in item.posts:
                if post.is_opening:
                    kind = ActivityKind.ASKED if question else ActivityKind.DISCUSSED
                    opened = {"urgent": False, "topics": [], "archive": True}
                    yield (
                        kind, post.author.pk, community_id, dt(post.created_at),
                        self.thread_type, thread.pk, None, js(opened),
                    )  # fmt: skip
                    continue
                is_response = post.author.pk != thread.author_id
                answered = question and is_response
                data: dict[str, Any] = {"thread": thread.pk, "archive": True}
                if answered:
                    data |= {
                        "cross_org": post.is_cross_org,
                        "cross_level": post.is_cross_level,
                        "seconds_since_question": max(
                            0, int((post.created_at - thread.created_at).total_seconds())
                        ),
                    }
                yield (
                    ActivityKind.ANSWERED if answered else ActivityKind.REPLIED,
                    post.author.pk, community_id, dt(post.created_at), self.post_type, post.id,
                    thread.author_id if is_response else None, js(data),
                )  # fmt: skip

    def _search_rows(self, new_threads: list[_ThreadWork]) -> Iterator[tuple[Any, ...]]:
        """The documents `index_post` writes for the posts of new threads (no topics, neither
        hidden nor merged), stored as `IndexedDocument.as_entry` stores them."""
        tokens: dict[tuple[str, ...], str] = {}
        for item in new_threads:
            thread = item.thread
            tags = search.thread_tags(thread, [])
            title = searchable_text(thread.title)
            for post in item.posts:
                document = search.post_document_from_values(
                    post_id=post.id,
                    thread_id=thread.pk,
                    thread_kind=thread.kind,
                    thread_title=thread.title,
                    thread_tags=tags,
                    created_at=post.created_at,
                    text=post.plain,
                    is_opening=post.is_opening,
                    org_unit_path=self.org_paths.get(post.author.org_unit_id or 0, ""),
                )
                yield (
                    document.source, document.object_id, document.group_id,
                    self.dt(document.created_at), title, searchable_text(document.body),
                    tokens.get(document.tags) or tokens.setdefault(
                        document.tags, tag_tokens(document.tags)
                    ),
                )  # fmt: skip


def _batches(conversations: Iterable[Conversation]) -> Iterator[list[Conversation]]:
    batch: list[Conversation] = []
    size = 0
    for conversation in conversations:
        batch.append(conversation)
        size += len(conversation.replies) + 1
        if size >= BATCH_MESSAGES:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


def import_archive(
    *,
    community: Community,
    conversations: Iterable[Conversation],
    dry_run: bool = False,
    progress: Callable[[int], None] | None = None,
) -> ArchiveImportCounts:
    """Import archive conversations (oldest first) into `community`; see the module docstring.

    One transaction per batch of about BATCH_MESSAGES messages (with `dry_run`, one around
    everything, rolled back). Ids are handed out inside each batch's transaction (IMMEDIATE
    on SQLite, so no other writer; the sequences on PostgreSQL). Locks: the rows of existing
    threads a batch adds posts to (Thread select_for_update, in id order); all else is new.
    """
    with transaction.atomic() if dry_run else nullcontext():
        run = _ArchiveImport(community)
        for batch in _batches(conversations):
            with transaction.atomic():
                run.import_batch(batch)
            if progress is not None:
                progress(sum(len(c.replies) + 1 for c in batch))
        if dry_run:
            transaction.set_rollback(True)
    if not dry_run and run.counts.posts_created:
        core_search.optimize_index()
    return run.counts


class DiscussionArchiveImporter:
    """The discussions side of `practica.mail.hooks.ArchiveImporter`."""

    def import_conversations(
        self,
        *,
        community: Any,
        conversations: Iterable[Conversation],
        dry_run: bool = False,
        progress: Callable[[int], None] | None = None,
    ) -> ArchiveImportCounts:
        return import_archive(
            community=community, conversations=conversations, dry_run=dry_run, progress=progress
        )
