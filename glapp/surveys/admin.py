from django.contrib import admin

from glapp.core.admin import OrgScopedAdmin, OrgScopedInline
from glapp.surveys.models import Question, Survey, SurveyVersion


class QuestionInline(OrgScopedInline):
    model = Question
    fields = ("key", "type", "position", "texts", "options", "required")


@admin.register(Survey)
class SurveyAdmin(OrgScopedAdmin):
    list_display = ("name", "code", "kind", "touchpoint", "status", "organization")
    list_filter = ("organization", "kind", "status")
    inlines = [QuestionInline]


@admin.register(SurveyVersion)
class SurveyVersionAdmin(OrgScopedAdmin):
    list_display = ("survey", "number", "published_at")
    readonly_fields = ("definition",)
