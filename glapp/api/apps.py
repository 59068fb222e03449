from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "glapp.api"
    label = "api"
