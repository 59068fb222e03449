from django.apps import AppConfig


class RespondConfig(AppConfig):
    name = "glapp.respond"
    label = "respond"

    def ready(self) -> None:
        from glapp.respond import receivers

        receivers.connect()
