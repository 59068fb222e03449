from django.apps import AppConfig


class TextAnalyticsConfig(AppConfig):
    name = "glapp.textanalytics"
    label = "textanalytics"
    verbose_name = "Text analytics"

    def ready(self) -> None:
        from glapp.textanalytics import receivers

        receivers.connect()
