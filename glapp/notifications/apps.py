from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "glapp.notifications"
    label = "notifications"

    def ready(self) -> None:
        from glapp.notifications import receivers

        receivers.connect()
