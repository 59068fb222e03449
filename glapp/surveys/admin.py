from django.contrib import admin

from glapp.surveys.models import Question, Survey, SurveyVersion


class QuestionInline(admin.TabularInline):
    model = Question
    extra = 0
    fields = ("key", "type", "position", "texts", "options", "required")


@admin.register(Survey)
class SurveyAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "kind", "touchpoint", "status", "organization")
    list_filter = ("organization", "kind", "status")
    inlines = [QuestionInline]


@admin.register(SurveyVersion)
class SurveyVersionAdmin(admin.ModelAdmin):
    list_display = ("survey", "number", "published_at")
    readonly_fields = ("definition",)
