from django.apps import AppConfig


class CliConfig(AppConfig):
    name = "glapp.cli"
    label = "cli"
