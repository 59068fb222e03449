from django.apps import AppConfig


class ResponsesConfig(AppConfig):
    name = "glapp.responses"
    label = "responses"

    def ready(self) -> None:
        from glapp.responses import receivers

        receivers.connect()
