from django.contrib import admin

from glapp.journeys.models import Journey, Stage, Touchpoint


class StageInline(admin.TabularInline):
    model = Stage
    extra = 0
    fields = ("name", "code", "position")


@admin.register(Journey)
class JourneyAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "organization")
    list_filter = ("organization",)
    inlines = [StageInline]


@admin.register(Touchpoint)
class TouchpointAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "stage", "organization", "position")
    list_filter = ("organization",)
