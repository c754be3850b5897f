"""Admin for members (email login), the org chart and API tokens."""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from practica.core.tree import child_path, path_depth
from practica.people.models import OrgUnit, PersonalAccessToken, User
from practica.people.services import normalize_email_address, revoke_access_token


class MemberCreationForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email", "display_name")

    def clean_email(self) -> str:
        email = normalize_email_address(self.cleaned_data["email"])
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(_("A member with this email address already exists."))
        return email


class MemberChangeForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"
        field_classes: dict = {}

    def clean_email(self) -> str:
        email = normalize_email_address(self.cleaned_data["email"])
        taken = User.objects.filter(email__iexact=email).exclude(pk=self.instance.pk).exists()
        if taken:
            raise forms.ValidationError(_("A member with this email address already exists."))
        return email


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = MemberChangeForm
    add_form = MemberCreationForm
    list_display = (
        "email",
        "display_name",
        "org_unit",
        "role",
        "career_level",
        "is_staff",
        "is_active",
    )
    list_filter = ("role", "is_staff", "is_active", "is_system", "org_unit__kind")
    list_select_related = ("org_unit",)
    search_fields = ("email", "display_name", "job_title")
    ordering = ("display_name",)
    autocomplete_fields = ("org_unit", "manager", "expertise")
    readonly_fields = ("last_login", "date_joined")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (
            _("Profile"),
            {
                "fields": (
                    "display_name",
                    "job_title",
                    "role",
                    "career_level",
                    "org_unit",
                    "manager",
                    "location",
                    "country",
                    "time_zone",
                    "languages",
                    "bio",
                    "expertise",
                    "preferred_language",
                )
            },
        ),
        (_("Employment"), {"fields": ("hired_on", "left_on")}),
        (
            _("Permissions"),
            {
                "fields": (
                    "is_active",
                    "is_staff",
                    "is_superuser",
                    "is_system",
                    "groups",
                    "user_permissions",
                )
            },
        ),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "display_name", "usable_password", "password1", "password2"),
            },
        ),
    )


@admin.register(OrgUnit)
class OrgUnitAdmin(admin.ModelAdmin):
    list_display = ("indented_name", "kind", "slug", "parent")
    list_filter = ("kind",)
    search_fields = ("name", "slug")
    ordering = ("path",)
    autocomplete_fields = ("parent",)
    readonly_fields = ("path", "depth")

    @admin.display(description=_("name"), ordering="path")
    def indented_name(self, unit: OrgUnit) -> str:
        return f"{'— ' * unit.depth}{unit.name}"

    def get_readonly_fields(self, request: HttpRequest, obj: OrgUnit | None = None) -> tuple:
        # Moving or renaming a node would leave its subtree's stored paths wrong.
        if obj is not None:
            return (*self.readonly_fields, "slug", "parent")
        return self.readonly_fields

    def get_prepopulated_fields(self, request: HttpRequest, obj: OrgUnit | None = None) -> dict:
        return {} if obj is not None else {"slug": ("name",)}

    def save_model(
        self, request: HttpRequest, obj: OrgUnit, form: forms.Form, change: bool
    ) -> None:
        if not change:
            obj.path = child_path(obj.parent.path if obj.parent else None, obj.slug)
            obj.depth = path_depth(obj.path)
        super().save_model(request, obj, form, change)


@admin.register(PersonalAccessToken)
class PersonalAccessTokenAdmin(admin.ModelAdmin):
    """Tokens are created by their owner (the secret is shown once); staff may only revoke."""

    list_display = (
        "name",
        "user",
        "lookup_prefix",
        "created_at",
        "last_used_at",
        "expires_at",
        "revoked_at",
    )
    list_filter = ("revoked_at",)
    list_select_related = ("user",)
    search_fields = ("name", "user__email", "lookup_prefix")
    readonly_fields = (
        "user",
        "name",
        "lookup_prefix",
        "token_hash",
        "created_at",
        "last_used_at",
        "expires_at",
        "revoked_at",
    )
    actions = ("revoke_selected",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(
        self, request: HttpRequest, obj: PersonalAccessToken | None = None
    ) -> bool:
        return False

    @admin.action(description=_("Revoke the selected tokens"), permissions=["view"])
    def revoke_selected(
        self, request: HttpRequest, queryset: QuerySet[PersonalAccessToken]
    ) -> None:
        count = 0
        for token in queryset.filter(revoked_at__isnull=True):
            revoke_access_token(token=token, actor=request.user)
            count += 1
        self.message_user(
            request,
            ngettext("%(n)d token revoked.", "%(n)d tokens revoked.", count) % {"n": count},
            messages.SUCCESS,
        )
