from django.contrib import admin

from glapp.core.admin import OrgScopedAdmin, OrgScopedInline
from glapp.responses.models import Answer, ImportJob, ImportSource, Response


class AnswerInline(OrgScopedInline):
    model = Answer
    readonly_fields = ("question", "question_type", "number", "text", "choices")
    can_delete = False


@admin.register(Response)
class ResponseAdmin(OrgScopedAdmin):
    # Large tables: no counts by full scan, ids instead of dropdowns.
    list_display = ("id", "organization", "survey", "touchpoint", "submitted_at", "channel", "source")
    list_filter = ("organization", "source", "channel")
    raw_id_fields = ("customer", "unit", "touchpoint", "survey", "survey_version")
    show_full_result_count = False
    inlines = [AnswerInline]


@admin.register(ImportSource)
class ImportSourceAdmin(OrgScopedAdmin):
    list_display = ("name", "organization", "updated_at")


@admin.register(ImportJob)
class ImportJobAdmin(OrgScopedAdmin):
    list_display = ("filename", "organization", "status", "created_count", "duplicate_count", "rejected_count")
    list_filter = ("organization", "status")
