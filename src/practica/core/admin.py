"""Admin for the shared kernel: the topic taxonomy, and the read-only ledgers."""

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from practica.core.models import Activity, AuditLogEntry, Topic
from practica.core.tree import child_path, path_depth


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ("indented_name", "slug", "parent", "depth")
    search_fields = ("name", "slug")
    ordering = ("path",)
    autocomplete_fields = ("parent",)
    readonly_fields = ("path", "depth")

    @admin.display(description=_("name"), ordering="path")
    def indented_name(self, topic: Topic) -> str:
        return f"{'— ' * topic.depth}{topic.name}"

    def get_readonly_fields(self, request: HttpRequest, obj: Topic | None = None) -> tuple:
        # Moving or renaming a node would leave its subtree's stored paths wrong.
        if obj is not None:
            return (*self.readonly_fields, "slug", "parent")
        return self.readonly_fields

    def get_prepopulated_fields(self, request: HttpRequest, obj: Topic | None = None) -> dict:
        return {} if obj is not None else {"slug": ("name",)}

    def save_model(self, request: HttpRequest, obj: Topic, form: forms.Form, change: bool) -> None:
        if not change:
            obj.path = child_path(obj.parent.path if obj.parent else None, obj.slug)
            obj.depth = path_depth(obj.path)
        super().save_model(request, obj, form, change)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Ledgers are append-only: the admin may look, never write."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Activity)
class ActivityAdmin(ReadOnlyAdmin):
    list_display = ("occurred_at", "kind", "person", "community", "counterpart")
    list_filter = ("kind",)
    list_select_related = ("person", "community", "counterpart")
    search_fields = ("person__email", "person__display_name")
    date_hierarchy = "occurred_at"
    show_full_result_count = False


@admin.register(AuditLogEntry)
class AuditLogEntryAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "action", "actor", "community", "target_type", "target_id")
    list_filter = ("action",)
    list_select_related = ("actor", "community", "target_type")
    search_fields = ("action", "actor__email")
    date_hierarchy = "created_at"
    show_full_result_count = False
