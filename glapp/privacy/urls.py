from django.urls import path

from glapp.privacy import views

app_name = "privacy"
urlpatterns = [
    path("", views.privacy, name="privacy"),
    path("retention/", views.retention_settings, name="retention"),
]
