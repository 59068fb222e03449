from django.apps import AppConfig


class DistributionConfig(AppConfig):
    name = "glapp.distribution"
    label = "distribution"
