from django.apps import AppConfig


class DistributionConfig(AppConfig):
    name = "glapp.distribution"
    label = "distribution"

    def ready(self) -> None:
        from glapp.distribution import receivers

        receivers.connect()
