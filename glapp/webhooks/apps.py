from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "glapp.webhooks"
    label = "webhooks"

    def ready(self) -> None:
        from glapp.webhooks import receivers

        receivers.connect()
