"""Django admin for the conference. Reviews, assignments and runs are read-only here: they
change only through the services, which check conflicts and the visibility rules."""

from django.contrib import admin
from django.http import HttpRequest

from practica.conference.models import (
    AssignmentRun,
    CommitteeMember,
    Edition,
    Proposal,
    ProposalSpeaker,
    ReviewAssignment,
    ReviewCriterion,
    ReviewerVolunteer,
    Room,
    SessionFormat,
    Track,
)


class TrackInline(admin.TabularInline):
    model = Track
    extra = 0


class FormatInline(admin.TabularInline):
    model = SessionFormat
    extra = 0


class RoomInline(admin.TabularInline):
    model = Room
    extra = 0


class CriterionInline(admin.TabularInline):
    model = ReviewCriterion
    extra = 0


class CommitteeInline(admin.TabularInline):
    model = CommitteeMember
    extra = 0
    raw_id_fields = ["person"]


@admin.register(Edition)
class EditionAdmin(admin.ModelAdmin):
    list_display = ["name", "community", "starts_on", "cfp_closes_at", "is_published"]
    list_filter = ["is_published", "community"]
    search_fields = ["name", "community__name"]
    raw_id_fields = ["event", "created_by"]
    filter_horizontal = ["topics"]
    inlines = [TrackInline, FormatInline, RoomInline, CriterionInline, CommitteeInline]


class SpeakerInline(admin.TabularInline):
    model = ProposalSpeaker
    extra = 0
    raw_id_fields = ["person"]
    exclude = ["token"]


@admin.register(Proposal)
class ProposalAdmin(admin.ModelAdmin):
    list_display = ["title", "edition", "format", "state", "submitted_at"]
    list_filter = ["state", "edition"]
    search_fields = ["title", "abstract"]
    raw_id_fields = ["created_by", "decided_by"]
    inlines = [SpeakerInline]


@admin.register(ReviewerVolunteer)
class ReviewerVolunteerAdmin(admin.ModelAdmin):
    list_display = ["person", "edition", "max_load", "is_active"]
    list_filter = ["is_active", "edition"]
    raw_id_fields = ["person"]


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(ReviewAssignment)
class ReviewAssignmentAdmin(ReadOnlyAdmin):
    list_display = ["proposal", "reviewer", "source", "affinity", "assigned_at"]
    list_filter = ["source"]


@admin.register(AssignmentRun)
class AssignmentRunAdmin(ReadOnlyAdmin):
    list_display = ["pk", "edition", "mode", "status", "progress", "created_at", "applied_at"]
    list_filter = ["status", "mode"]
    exclude = ["pairs"]
