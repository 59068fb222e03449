from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "glapp.web"
    label = "web"
