from django.apps import AppConfig


class DistributionConfig(AppConfig):
    name = "glapp.distribution"
    label = "distribution"

    def ready(self) -> None:
        from glapp.core.events import domain_event
        from glapp.distribution.actions import on_domain_event

        # The respondent page reports opened / answered / completed by invitation token.
        domain_event.connect(on_domain_event, dispatch_uid="distribution.respondent_events")
