from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "glapp.analytics"
    label = "analytics"

    def ready(self) -> None:
        from glapp.analytics.actions import on_in_transaction_event
        from glapp.core.events import in_transaction_event

        # Rollups commit with the responses they count (see glapp.analytics.actions).
        in_transaction_event.connect(on_in_transaction_event, dispatch_uid="analytics.rollups")

        from django.db.models.signals import post_delete

        from glapp.accounts.models import Unit
        from glapp.analytics.receivers import on_dimension_deleted
        from glapp.journeys.models import Touchpoint

        for model in (Touchpoint, Unit):
            post_delete.connect(on_dimension_deleted, sender=model, dispatch_uid=f"analytics.recount.{model.__name__}")
