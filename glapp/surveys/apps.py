from django.apps import AppConfig


class SurveysConfig(AppConfig):
    name = "glapp.surveys"
    label = "surveys"

    def ready(self) -> None:
        from glapp.core.events import in_transaction_event
        from glapp.surveys.actions import on_in_transaction_event

        # A question's first answer marks it answered in the answer's own transaction.
        in_transaction_event.connect(on_in_transaction_event, dispatch_uid="surveys.answered")
