from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "glapp.analytics"
    label = "analytics"

    def ready(self) -> None:
        from glapp.analytics import receivers

        receivers.connect()
