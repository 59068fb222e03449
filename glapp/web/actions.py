"""Writes the web app makes on behalf of the signed-in person."""

from django.conf import settings

from glapp.accounts.models import User


def remember_language(user: User, language: str) -> None:
    """Store the UI language on the user so it follows them to every browser."""
    if language not in dict(settings.LANGUAGES):
        raise ValueError(f"unsupported language {language!r}")
    if user.language != language:
        user.language = language
        user.save(update_fields=["language"])
