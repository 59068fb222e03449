from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from glapp.accounts import actions
from glapp.accounts.models import ApiKey, AuditEntry, Membership, Organization, Unit, User
from glapp.core.admin import OrgScopedAdmin
from glapp.core.errors import ValidationFailed


class OrganizationForm(forms.ModelForm):
    """The same rules as the first-run page and `glapp org create`, shown on the form."""

    def clean(self):
        cleaned = super().clean()
        try:
            fields = actions.organization_fields(name=cleaned.get("name") or "", slug=cleaned.get("slug") or "",
                                                 default_language=cleaned.get("default_language") or "",
                                                 languages=cleaned.get("languages") or None)
        except ValidationFailed as refused:
            for error in refused.errors:
                if error.field in self.fields and error.field not in self.errors:
                    self.add_error(error.field, error.message)
        else:
            cleaned["languages"] = fields["languages"]  # none given: the default language
        return cleaned


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    form = OrganizationForm
    list_display = ("name", "slug", "default_language", "created_at")
    search_fields = ("name", "slug")

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        # A new organization is made the one way (its root unit, and what other apps add to it).
        created = actions.create_organization(obj.name, obj.slug, obj.default_language,
                                              keep_comment_originals=obj.keep_comment_originals,
                                              languages=obj.languages)
        obj.pk, obj.created_at = created.pk, created.created_at
        obj._state.adding, obj._state.db = False, created._state.db


@admin.register(Unit)
class UnitAdmin(OrgScopedAdmin):
    list_display = ("name", "code", "kind", "organization", "path")
    list_filter = ("organization", "kind")
    search_fields = ("name", "code")
    raw_id_fields = ("parent",)


@admin.register(User)
class GlappUserAdmin(UserAdmin):
    fieldsets = (*UserAdmin.fieldsets, ("glapp", {"fields": ("language",)}))


def _placement(membership: Membership | None) -> dict | None:
    return None if membership is None else {"role": membership.role, "unit_id": membership.unit_id}


@admin.register(Membership)
class MembershipAdmin(OrgScopedAdmin):
    list_display = ("user", "organization", "role", "unit")
    list_filter = ("organization", "role")
    raw_id_fields = ("user", "unit")

    # Role changes made here are audited like those made by commands.
    def save_model(self, request, obj, form, change):
        before = _placement(Membership.objects.filter(pk=obj.pk).first()) if change else None
        super().save_model(request, obj, form, change)
        if before != _placement(obj):
            actions.record_role_change(obj.organization_id, obj.user_id, before, _placement(obj),
                                       actions.AuditActor.of_user(request.user))

    def delete_model(self, request, obj):
        before = _placement(obj)
        super().delete_model(request, obj)
        actions.record_role_change(obj.organization_id, obj.user_id, before, None,
                                   actions.AuditActor.of_user(request.user))

    def delete_queryset(self, request, queryset):
        for membership in queryset:
            self.delete_model(request, membership)


@admin.register(AuditEntry)
class AuditEntryAdmin(OrgScopedAdmin):
    """Read-only: the audit log is append-only (owners read it under Settings → Audit log)."""

    list_display = ("created_at", "organization", "action", "actor", "username", "target_type", "target")
    list_filter = ("organization", "action")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ApiKey)
class ApiKeyAdmin(OrgScopedAdmin):
    # The hash is never shown or editable: keys are created with `glapp apikey create`.
    list_display = ("name", "prefix", "organization", "scopes", "last_used_at", "revoked_at")
    list_filter = ("organization",)
    exclude = ("key_hash",)
    readonly_fields = ("prefix", "last_used_at")
