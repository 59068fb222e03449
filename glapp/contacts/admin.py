from django.contrib import admin

from glapp.contacts.models import Customer
from glapp.core.admin import OrgScopedAdmin


@admin.register(Customer)
class CustomerAdmin(OrgScopedAdmin):
    list_display = ("external_id", "organization", "language", "segment", "region", "consent_email")
    list_filter = ("organization", "language", "segment")
    search_fields = ("external_id", "email")
