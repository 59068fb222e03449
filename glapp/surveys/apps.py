from django.apps import AppConfig


class SurveysConfig(AppConfig):
    name = "glapp.surveys"
    label = "surveys"

    def ready(self) -> None:
        from glapp.surveys import receivers

        receivers.connect()
