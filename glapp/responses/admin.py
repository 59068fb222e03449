from django.contrib import admin

from glapp.responses.models import Answer, ImportJob, ImportSource, Response


class AnswerInline(admin.TabularInline):
    model = Answer
    extra = 0
    readonly_fields = ("question", "question_type", "number", "text", "choices")
    can_delete = False


@admin.register(Response)
class ResponseAdmin(admin.ModelAdmin):
    # Large tables: no counts by full scan, ids instead of dropdowns.
    list_display = ("id", "organization", "survey", "touchpoint", "submitted_at", "channel", "source")
    list_filter = ("organization", "source", "channel")
    raw_id_fields = ("customer", "unit", "touchpoint", "survey", "survey_version")
    show_full_result_count = False
    inlines = [AnswerInline]


@admin.register(ImportSource)
class ImportSourceAdmin(admin.ModelAdmin):
    list_display = ("name", "organization", "updated_at")


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    list_display = ("filename", "organization", "status", "created_count", "duplicate_count", "rejected_count")
    list_filter = ("organization", "status")
