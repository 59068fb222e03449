from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "glapp.demo"
    label = "demo"
