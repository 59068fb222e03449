from django.apps import AppConfig


class ContactsConfig(AppConfig):
    name = "glapp.contacts"
    label = "contacts"
