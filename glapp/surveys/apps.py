from django.apps import AppConfig


class SurveysConfig(AppConfig):
    name = "glapp.surveys"
    label = "surveys"
