from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "glapp.core"
    label = "core"
