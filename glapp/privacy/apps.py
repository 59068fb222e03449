from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "glapp.privacy"
    label = "privacy"
