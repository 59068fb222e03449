from django.apps import AppConfig


class JourneysConfig(AppConfig):
    name = "glapp.journeys"
    label = "journeys"
