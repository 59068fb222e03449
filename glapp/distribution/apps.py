from django.apps import AppConfig


class DistributionConfig(AppConfig):
    name = "glapp.distribution"
    label = "distribution"

    def ready(self) -> None:
        from glapp.core.events import domain_event, in_transaction_event
        from glapp.distribution import receivers

        # The respondent page reports opened / answered / completed by invitation token: noted
        # in the transaction that stores the answer, or after the commit when sent only then.
        in_transaction_event.connect(receivers.on_in_transaction_event,
                                     dispatch_uid="distribution.respondent_events_in_transaction")
        domain_event.connect(receivers.on_committed_event, dispatch_uid="distribution.respondent_events")
