from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "glapp.analytics"
    label = "analytics"
