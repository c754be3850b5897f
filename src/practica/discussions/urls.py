"""Q&A screens under the namespace "discussions", mounted at the site root: community pages
live under /communities/<slug>/ (a group's under /communities/<slug>/groups/<group>/threads/),
threads under /questions/, plus /search/ and /notifications/."""

from django.urls import path

from practica.discussions.views import (
    actions,
    attachments,
    groups,
    inbox,
    lists,
    moderation,
    threads,
)

app_name = "discussions"

urlpatterns = [
    # Lists and finding
    path("questions/", lists.all_questions, name="list"),
    path("questions/unanswered/", lists.unanswered, name="unanswered"),
    path("communities/<slug:slug>/questions/", lists.community_questions, name="community"),
    path("search/", lists.search, name="search"),
    # A grassroots group's threads
    path(
        "communities/<slug:community>/groups/<slug:group>/threads/",
        groups.group_threads,
        name="group_threads",
    ),
    path(
        "communities/<slug:community>/groups/<slug:group>/threads/new/",
        groups.group_ask,
        name="group_ask",
    ),
    # Asking
    path("communities/<slug:slug>/ask/", threads.ask, name="ask"),
    path("communities/<slug:slug>/ask/similar/", threads.similar, name="similar"),
    path("questions/preview/", threads.preview, name="preview"),
    # A thread and its posts
    path("questions/<int:pk>/", threads.thread_detail, name="thread"),
    path("questions/<int:pk>/answer/", threads.answer, name="answer"),
    path("questions/posts/<int:pk>/edit/", threads.edit_post, name="edit_post"),
    path("questions/posts/<int:pk>/history/", threads.post_history, name="history"),
    path("questions/attachments/<int:pk>/", attachments.attachment, name="attachment"),
    # Members' actions
    path("questions/posts/<int:pk>/vote/", actions.vote, name="vote"),
    path("questions/posts/<int:pk>/accept/", actions.accept, name="accept"),
    path("questions/<int:pk>/unaccept/", actions.unaccept, name="unaccept"),
    path("questions/<int:pk>/watch/", actions.watch, name="watch"),
    path("questions/posts/<int:pk>/flag/", actions.flag, name="flag"),
    path("questions/<int:pk>/link/", actions.link, name="link"),
    # Moderators' (and the asker's) actions
    path("questions/<int:pk>/close/", actions.close, name="close"),
    path("questions/<int:pk>/reopen/", actions.reopen, name="reopen"),
    path("questions/<int:pk>/lock/", actions.lock, name="lock"),
    path("questions/<int:pk>/unlock/", actions.unlock, name="unlock"),
    path("questions/<int:pk>/move/", actions.move, name="move"),
    path("questions/<int:pk>/merge/", actions.merge, name="merge"),
    path("questions/<int:pk>/duplicate/", actions.duplicate, name="duplicate"),
    path("questions/posts/<int:pk>/hide/", actions.hide, name="hide"),
    path("questions/posts/<int:pk>/unhide/", actions.unhide, name="unhide"),
    # The flag queue
    path("communities/<slug:slug>/questions/flags/", moderation.flag_queue, name="flags"),
    path("questions/posts/<int:pk>/flags/dismiss/", moderation.dismiss_flags, name="dismiss_flags"),
    path("questions/posts/<int:pk>/flags/hide/", moderation.hide_flagged_post, name="hide_flagged"),
    # Notifications
    path("notifications/", inbox.notifications, name="notifications"),
    path("notifications/read/", inbox.mark_read, name="mark_read"),
    path("notifications/<int:pk>/", inbox.open_notification, name="open_notification"),
    path("notifications/settings/", inbox.preferences, name="preferences"),
]
