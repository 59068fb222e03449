from django.apps import AppConfig


class ResponsesConfig(AppConfig):
    name = "glapp.responses"
    label = "responses"
