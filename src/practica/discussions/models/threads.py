"""Threads (discussions and questions), their posts, revisions, votes, links and mentions."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

MAX_TITLE_LENGTH = 200
MAX_POST_LENGTH = 50_000


class QASettings(models.Model):
    """A community's Q&A rules: its response target, routing and rate limits."""

    community = models.OneToOneField(
        "communities.Community", on_delete=models.CASCADE, related_name="qa_settings"
    )
    response_target_minutes = models.PositiveIntegerField(
        _("response target (minutes)"),
        default=60,
        help_text=_("How soon an urgent question (a customer is waiting) should be answered."),
    )
    routing_enabled = models.BooleanField(_("route questions to experts"), default=True)
    routing_k = models.PositiveSmallIntegerField(_("experts asked per question"), default=3)
    reroute_after_minutes = models.PositiveIntegerField(
        _("ask more experts after (minutes) unanswered"), default=120
    )
    cross_org_depth = models.PositiveSmallIntegerField(
        _("org level for cross-org answers"),
        default=1,
        help_text=_("0 compares divisions, 1 groups, 2 teams."),
    )
    posts_per_hour = models.PositiveSmallIntegerField(_("posts per member per hour"), default=20)

    class Meta:
        verbose_name = _("Q&A settings")
        verbose_name_plural = _("Q&A settings")

    def __str__(self) -> str:
        return f"Q&A settings of {self.community_id}"


class ThreadKind(models.TextChoices):
    DISCUSSION = "discussion", _("Discussion")
    QUESTION = "question", _("Question")


class ThreadState(models.TextChoices):
    OPEN = "open", pgettext_lazy("thread state", "Open")
    ANSWERED = "answered", _("Answered")
    ACCEPTED = "accepted", _("Accepted")
    CLOSED = "closed", pgettext_lazy("thread state", "Closed")


class Thread(models.Model):
    """A discussion or a question in a community. Its first post (`is_opening`) is the body.

    Response-time facts are stored here when they happen, so metrics never recompute them:
    `first_response_at` is the first post by anyone other than the asker.
    """

    community = models.ForeignKey(
        "communities.Community",
        verbose_name=_("community"),
        on_delete=models.PROTECT,
        related_name="threads",
    )
    group = models.ForeignKey(
        "communities.Group",
        verbose_name=_("group"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="threads",
    )
    kind = models.CharField(
        _("kind"), max_length=12, choices=ThreadKind.choices, default=ThreadKind.QUESTION
    )
    title = models.CharField(_("title"), max_length=MAX_TITLE_LENGTH)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.PROTECT,
        related_name="threads",
    )
    state = models.CharField(
        _("state"), max_length=10, choices=ThreadState.choices, default=ThreadState.OPEN
    )
    topics = models.ManyToManyField(
        "core.Topic", verbose_name=_("topics"), blank=True, related_name="threads"
    )
    is_urgent = models.BooleanField(_("urgent: customer waiting"), default=False)
    respond_by = models.DateTimeField(_("respond by"), null=True, blank=True)
    is_locked = models.BooleanField(_("locked"), default=False)
    is_hidden = models.BooleanField(_("hidden"), default=False)
    duplicate_of = models.ForeignKey(
        "self",
        verbose_name=_("duplicate of"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="duplicates",
    )
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    accepted_answer = models.ForeignKey(
        "Post",
        verbose_name=_("accepted answer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(pgettext_lazy("thread", "asked"), default=timezone.now)
    last_activity_at = models.DateTimeField(_("last activity"), default=timezone.now)
    first_response_at = models.DateTimeField(_("first response"), null=True, blank=True)
    first_response_seconds = models.PositiveIntegerField(null=True, blank=True)
    accepted_at = models.DateTimeField(_("answer accepted"), null=True, blank=True)
    accepted_answer_seconds = models.PositiveIntegerField(null=True, blank=True)
    answer_count = models.PositiveIntegerField(_("answers"), default=0)
    score = models.IntegerField(_("score"), default=0)
    view_count = models.PositiveIntegerField(_("views"), default=0)

    class Meta:
        ordering = ["-last_activity_at"]
        verbose_name = _("thread")
        verbose_name_plural = _("threads")
        indexes = [
            models.Index(fields=["community", "state", "created_at"], name="thread_queue"),
            models.Index(fields=["community", "last_activity_at"], name="thread_recent"),
            models.Index(fields=["state", "is_urgent", "created_at"], name="thread_unanswered"),
            models.Index(fields=["author", "created_at"], name="thread_author"),
            models.Index(fields=["created_at"], name="thread_created"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_question(self) -> bool:
        return self.kind == ThreadKind.QUESTION

    @property
    def is_unanswered(self) -> bool:
        return self.is_question and self.state == ThreadState.OPEN


class PostOrigin(models.TextChoices):
    WEB = "web", _("On the site")
    EMAIL = "email", _("By email")
    ARCHIVE = "archive", _("From the list archive")


class Post(models.Model):
    """One post: the opening post of a thread, an answer to a question, or a reply.

    The author's org unit and career level are kept as they were when the post was written,
    so cross-org and cross-level counts stay right after people move.
    """

    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="posts")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.PROTECT,
        related_name="posts",
    )
    is_opening = models.BooleanField(default=False)
    reply_to = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="replies"
    )
    body = models.TextField(_("text"), max_length=MAX_POST_LENGTH)
    body_html = models.TextField(editable=False, blank=True)
    created_at = models.DateTimeField(_("posted"), default=timezone.now)
    edited_at = models.DateTimeField(_("edited"), null=True, blank=True)
    score = models.IntegerField(_("score"), default=0)
    is_hidden = models.BooleanField(_("hidden"), default=False)
    author_org_unit = models.ForeignKey(
        "people.OrgUnit", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    author_career_level = models.PositiveSmallIntegerField(null=True, blank=True)
    is_cross_org = models.BooleanField(_("cross-org answer"), null=True, blank=True)
    is_cross_level = models.BooleanField(
        _("answered by someone more junior"), null=True, blank=True
    )
    # Database defaults too, so bulk writers that name only the older columns keep working.
    origin = models.CharField(
        _("posted"),
        max_length=8,
        choices=PostOrigin.choices,
        default=PostOrigin.WEB,
        db_default=PostOrigin.WEB,
    )
    # The Message-ID of the mail this post came from (by email or from the archive): replies
    # that reference it find their thread, and importing the same mail twice finds it.
    email_message_id = models.CharField(max_length=255, blank=True, default="", db_default="")
    # Set once the post's list mail is enqueued; the sweeper mails posts still without it.
    list_mail_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        indexes = [
            models.Index(fields=["thread", "created_at"], name="post_thread"),
            models.Index(fields=["author", "created_at"], name="post_author"),
            models.Index(fields=["created_at"], name="post_created"),
            models.Index(
                fields=["email_message_id"],
                condition=~Q(email_message_id=""),
                name="post_email_message_id",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["thread"], condition=Q(is_opening=True), name="one_opening_post"
            ),
        ]

    def __str__(self) -> str:
        return f"post {self.pk} in {self.thread_id}"


class PostAttachment(models.Model):
    """A file that came with a post by email (within the list's size limit)."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to="attachments/%Y/%m/")
    filename = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("type"), max_length=127)
    size = models.PositiveIntegerField(_("size (bytes)"))

    class Meta:
        ordering = ["pk"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.filename


class PostRevision(models.Model):
    """A post's text before an edit; the edit history shown to readers."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="revisions")
    body = models.TextField(max_length=MAX_POST_LENGTH)
    title = models.CharField(max_length=MAX_TITLE_LENGTH, blank=True)
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    edited_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-edited_at", "-pk"]
        verbose_name = _("post revision")
        verbose_name_plural = _("post revisions")

    def __str__(self) -> str:
        return f"revision of post {self.post_id} at {self.edited_at:%Y-%m-%d %H:%M}"


class Vote(models.Model):
    """An up (+1) or down (-1) vote; a vote on the opening post is a vote on the question."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="votes")
    voter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="votes"
    )
    value = models.SmallIntegerField(choices=[(1, "+1"), (-1, "-1")])
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = pgettext_lazy("model name", "vote")
        verbose_name_plural = _("votes")
        constraints = [
            models.UniqueConstraint(fields=["post", "voter"], name="one_vote_per_post"),
            models.CheckConstraint(condition=Q(value__in=[1, -1]), name="vote_is_plus_or_minus"),
        ]

    def __str__(self) -> str:
        return f"{self.value:+d} on {self.post_id} by {self.voter_id}"


class ThreadLink(models.Model):
    """A member's link from one thread to a related one."""

    from_thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="links_out")
    to_thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="links_in")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("thread link")
        verbose_name_plural = _("thread links")
        constraints = [
            models.UniqueConstraint(fields=["from_thread", "to_thread"], name="one_link_per_pair"),
            models.CheckConstraint(
                condition=~Q(from_thread=models.F("to_thread")), name="no_self_link"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.from_thread_id} → {self.to_thread_id}"


class Mention(models.Model):
    """An @mention of a member in a post (they are notified once per post)."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="mentions")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mentions"
    )

    class Meta:
        verbose_name = _("mention")
        verbose_name_plural = _("mentions")
        constraints = [
            models.UniqueConstraint(fields=["post", "person"], name="one_mention_per_post"),
        ]

    def __str__(self) -> str:
        return f"@{self.person_id} in {self.post_id}"
