"""Django admin for events. Seats and registrations are read-only here: their counters change
only under the registration service's lock, so the admin never edits them directly."""

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from practica.events.models import (
    AmaQuestion,
    CadenceTarget,
    Event,
    EventCost,
    EventHost,
    EventMaterial,
    EventSeats,
    EventSeries,
    Feedback,
    Registration,
)


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class SeatsInline(ReadOnlyInline):
    model = EventSeats
    fields = ["mode", "capacity", "taken", "waitlist_limit", "waitlisted"]
    verbose_name_plural = _("seats (change capacity on the event's page)")


class HostInline(admin.TabularInline):
    model = EventHost
    fields = ["person", "guest_name", "guest_affiliation", "role", "position"]
    raw_id_fields = ["person"]
    extra = 0


class MaterialInline(admin.TabularInline):
    model = EventMaterial
    fields = ["kind", "title", "url"]
    extra = 0


class CostInline(admin.TabularInline):
    model = EventCost
    fields = ["category", "description", "amount", "currency", "incurred_on"]
    extra = 0


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ["title", "community", "format", "mode", "starts_at", "status"]
    list_filter = ["status", "format", "mode", "community"]
    search_fields = ["title", "description"]
    date_hierarchy = "starts_at"
    raw_id_fields = ["created_by", "series"]
    filter_horizontal = ["topics", "co_hosts"]
    readonly_fields = ["uid", "sequence", "status", "check_in_code"]
    inlines = [SeatsInline, HostInline, MaterialInline, CostInline]


@admin.register(EventSeries)
class EventSeriesAdmin(admin.ModelAdmin):
    list_display = ["title", "community", "cadence"]
    search_fields = ["title"]


@admin.register(Registration)
class RegistrationAdmin(admin.ModelAdmin):
    list_display = ["event", "person", "mode", "status", "registered_at", "checked_in_at"]
    list_filter = ["status", "mode", "check_in_method"]
    search_fields = ["event__title", "person__email", "person__display_name"]
    raw_id_fields = ["event", "person"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Feedback)
class FeedbackAdmin(admin.ModelAdmin):
    list_display = ["event", "person", "satisfaction", "would_recommend", "submitted_at"]
    raw_id_fields = ["event", "person"]

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(AmaQuestion)
class AmaQuestionAdmin(admin.ModelAdmin):
    list_display = ["event", "text", "status", "vote_count", "asked_at"]
    list_filter = ["status"]
    raw_id_fields = ["event", "author"]


@admin.register(CadenceTarget)
class CadenceTargetAdmin(admin.ModelAdmin):
    list_display = ["community", "events_per_year_min", "events_per_year_max"]
