from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "glapp.core"
    label = "core"

    def ready(self):
        from glapp.core import checks  # noqa: F401 - registers the deployment checks
