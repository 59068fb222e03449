from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "glapp.cases"
    label = "cases"

    def ready(self) -> None:
        from glapp.cases import receivers

        receivers.connect()
