from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "glapp.accounts"
    label = "accounts"
