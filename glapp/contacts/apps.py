from django.apps import AppConfig


class ContactsConfig(AppConfig):
    name = "glapp.contacts"
    label = "contacts"

    def ready(self) -> None:
        from glapp.contacts import receivers

        receivers.connect()
