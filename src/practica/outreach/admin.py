"""Admin screens for provisioning, continuity and outreach: for reading and for repairs."""

from django.contrib import admin

from practica.outreach.models import (
    Campaign,
    CampaignRecipient,
    ContinuityAlert,
    ContinuityItem,
    HrImport,
    Invitation,
    OutreachOptOut,
    PersonChange,
    ProvisionedAccount,
    ScimGroup,
    Segment,
)


@admin.register(ProvisionedAccount)
class ProvisionedAccountAdmin(admin.ModelAdmin):
    list_display = ["user_name", "external_id", "person", "updated_at"]
    search_fields = ["user_name", "external_id", "person__email"]
    raw_id_fields = ["person"]


@admin.register(ScimGroup)
class ScimGroupAdmin(admin.ModelAdmin):
    list_display = ["display_name", "external_id", "updated_at"]
    search_fields = ["display_name", "external_id"]
    raw_id_fields = ["members"]


@admin.register(HrImport)
class HrImportAdmin(admin.ModelAdmin):
    list_display = ["file_name", "status", "effective_on", "rows_total", "created_at"]
    list_filter = ["status"]
    exclude = ["content"]


@admin.register(PersonChange)
class PersonChangeAdmin(admin.ModelAdmin):
    list_display = ["person", "kind", "source", "effective_on", "recorded_at"]
    list_filter = ["kind", "source"]
    raw_id_fields = ["person", "hr_import"]


class ContinuityItemInline(admin.TabularInline):
    model = ContinuityItem
    extra = 0
    raw_id_fields = ["handed_to", "handed_by"]


@admin.register(ContinuityAlert)
class ContinuityAlertAdmin(admin.ModelAdmin):
    list_display = ["leaver", "community", "created_at", "resolved_at"]
    list_filter = ["community"]
    raw_id_fields = ["leaver"]
    inlines = [ContinuityItemInline]


@admin.register(Segment)
class SegmentAdmin(admin.ModelAdmin):
    list_display = ["name", "community", "updated_at"]
    list_filter = ["community"]


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ["name", "community", "schedule", "is_active"]
    list_filter = ["community", "schedule", "is_active"]


@admin.register(CampaignRecipient)
class CampaignRecipientAdmin(admin.ModelAdmin):
    list_display = ["campaign", "person", "period", "mailed_at", "clicked_at", "joined_at"]
    list_filter = ["campaign"]
    raw_id_fields = ["person"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "community", "inviter", "created_at", "joined_at"]
    raw_id_fields = ["inviter", "invitee"]


@admin.register(OutreachOptOut)
class OutreachOptOutAdmin(admin.ModelAdmin):
    list_display = ["email", "created_at"]
    search_fields = ["email"]
    raw_id_fields = ["person"]
