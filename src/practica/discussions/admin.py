"""Django admin for Q&A: settings per community, threads, posts, flags, routing records.

Counters, response times and cross-org facts are written by the services, so the admin shows
them read-only; moderation itself (hide, lock, move, merge) belongs in the moderation screens,
which keep the audit log.
"""

from django.contrib import admin
from django.http import HttpRequest

from practica.discussions.models import (
    DiscussionPreferences,
    Flag,
    Notification,
    Post,
    PostRevision,
    QASettings,
    RoutedExpert,
    RoutingRound,
    Subscription,
    Thread,
    ThreadLink,
)


@admin.register(QASettings)
class QASettingsAdmin(admin.ModelAdmin):
    list_display = [
        "community",
        "response_target_minutes",
        "routing_enabled",
        "routing_k",
        "reroute_after_minutes",
        "cross_org_depth",
        "posts_per_hour",
    ]
    list_select_related = ["community"]
    autocomplete_fields = ["community"]


class ReadOnlyMixin:
    """Rows the services write; the admin only looks."""

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class PostInline(ReadOnlyMixin, admin.TabularInline):
    model = Post
    fields = ["author", "created_at", "score", "is_hidden", "is_cross_org", "is_cross_level"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True


@admin.register(Thread)
class ThreadAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = [
        "title",
        "community",
        "kind",
        "state",
        "is_urgent",
        "answer_count",
        "score",
        "first_response_seconds",
        "created_at",
    ]
    list_filter = ["kind", "state", "is_urgent", "is_locked", "is_hidden", "community"]
    list_select_related = ["community"]
    search_fields = ["title"]
    date_hierarchy = "created_at"
    raw_id_fields = ["author", "accepted_answer", "duplicate_of", "merged_into"]
    inlines = [PostInline]


class RevisionInline(ReadOnlyMixin, admin.TabularInline):
    model = PostRevision
    fields = ["edited_by", "edited_at", "title", "body"]
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(Post)
class PostAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["pk", "thread", "author", "is_opening", "score", "is_hidden", "created_at"]
    list_filter = ["is_opening", "is_hidden", "is_cross_org", "is_cross_level"]
    list_select_related = ["thread", "author"]
    search_fields = ["body", "thread__title"]
    raw_id_fields = ["thread", "author", "reply_to", "author_org_unit"]
    inlines = [RevisionInline]


@admin.register(Flag)
class FlagAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["post", "reason", "flagged_by", "created_at", "resolved_at", "resolution"]
    list_filter = ["reason", "resolution"]
    list_select_related = ["post", "flagged_by"]
    raw_id_fields = ["post", "flagged_by", "resolved_by"]


@admin.register(ThreadLink)
class ThreadLinkAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["from_thread", "to_thread", "created_by", "created_at"]
    raw_id_fields = ["from_thread", "to_thread", "created_by"]


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    list_display = ["person", "thread", "topic", "community", "level", "created_at"]
    list_filter = ["level"]
    raw_id_fields = ["person", "thread", "topic", "community"]


@admin.register(Notification)
class NotificationAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["recipient", "kind", "thread", "created_at", "read_at", "emailed_at"]
    list_filter = ["kind"]
    raw_id_fields = ["recipient", "thread", "post", "actor"]


@admin.register(DiscussionPreferences)
class DiscussionPreferencesAdmin(admin.ModelAdmin):
    list_display = ["person", "email_mode", "routing_opt_out", "max_open_routed"]
    list_filter = ["email_mode", "routing_opt_out"]
    raw_id_fields = ["person"]


class RoutedExpertInline(ReadOnlyMixin, admin.TabularInline):
    model = RoutedExpert
    fields = ["person", "rank", "score", "notified_at", "answered_at", "closed_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(RoutingRound)
class RoutingRoundAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["thread", "number", "reason", "created_at", "candidates_considered"]
    list_filter = ["reason"]
    raw_id_fields = ["thread"]
    inlines = [RoutedExpertInline]
