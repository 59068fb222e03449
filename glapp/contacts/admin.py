from django.contrib import admin

from glapp.contacts.models import Customer


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ("external_id", "organization", "language", "segment", "region", "consent_email")
    list_filter = ("organization", "language", "segment")
    search_fields = ("external_id", "email")
