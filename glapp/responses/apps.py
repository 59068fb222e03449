from django.apps import AppConfig


class ResponsesConfig(AppConfig):
    name = "glapp.responses"
    label = "responses"

    def ready(self) -> None:
        from glapp.core.events import in_transaction_event
        from glapp.responses.actions import on_in_transaction_event

        # Import jobs keep a copy of their importer's unit path: a unit move rewrites it.
        in_transaction_event.connect(on_in_transaction_event, dispatch_uid="responses.unit_moved")
