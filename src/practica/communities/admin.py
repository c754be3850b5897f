"""Django admin for programs, communities, memberships and join requests.

Memberships are history (retention is measured from them): the admin never deletes one.
"""

from django.contrib import admin
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from practica.communities.models import Community, Membership, MembershipRequest, Program


class CommunityInline(admin.TabularInline):
    model = Community
    fields = ["name", "slug", "access"]
    readonly_fields = ["name", "slug", "access"]
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: Program | None = None) -> bool:
        return False


@admin.register(Program)
class ProgramAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "community_count", "created_at"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [CommunityInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Program]:
        return super().get_queryset(request).annotate(community_count=Count("communities"))

    @admin.display(description=_("communities"), ordering="community_count")
    def community_count(self, program: Program) -> int:
        return program.community_count  # type: ignore[attr-defined]


class MembershipInline(admin.TabularInline):
    """Current members at a glance; roles change here, history stays untouched."""

    model = Membership
    fields = ["person", "role", "source", "joined_at"]
    readonly_fields = ["person", "source", "joined_at"]
    extra = 0
    can_delete = False
    show_change_link = True
    verbose_name_plural = _("current members")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Membership]:
        return super().get_queryset(request).current().select_related("person")

    def has_add_permission(self, request: HttpRequest, obj: Community | None = None) -> bool:
        return False


@admin.register(Community)
class CommunityAdmin(admin.ModelAdmin):
    list_display = ["name", "program", "access", "member_count", "founded_on"]
    list_filter = ["access", "program"]
    search_fields = ["name", "slug", "mission"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["topics"]
    list_select_related = ["program"]
    inlines = [MembershipInline]
    fieldsets = [
        (None, {"fields": ["name", "slug", "program", "access", "founded_on"]}),
        (_("About"), {"fields": ["mission", "description", "topics"]}),
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Community]:
        return (
            super()
            .get_queryset(request)
            .annotate(
                member_count=Count("memberships", filter=Q(memberships__left_at__isnull=True))
            )
        )

    @admin.display(description=_("members"), ordering="member_count")
    def member_count(self, community: Community) -> int:
        return community.member_count  # type: ignore[attr-defined]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["person", "community", "role", "source", "joined_at", "left_at"]
    list_filter = [
        "role",
        "source",
        ("left_at", admin.EmptyFieldListFilter),
        "left_reason",
        "community",
    ]
    search_fields = ["person__display_name", "person__email", "community__name"]
    raw_id_fields = ["person"]
    list_select_related = ["person", "community"]
    date_hierarchy = "joined_at"
    readonly_fields = ["joined_at"]

    def has_delete_permission(self, request: HttpRequest, obj: Membership | None = None) -> bool:
        return False


@admin.register(MembershipRequest)
class MembershipRequestAdmin(admin.ModelAdmin):
    list_display = ["person", "community", "status", "created_at", "decided_at", "decided_by"]
    list_filter = ["status", "community"]
    search_fields = ["person__display_name", "person__email", "community__name"]
    raw_id_fields = ["person", "decided_by"]
    list_select_related = ["person", "community", "decided_by"]
    readonly_fields = ["created_at", "decided_at", "decided_by"]
