"""Activate the signed-in user's chosen UI language before LocaleMiddleware picks one.

This runs before AuthenticationMiddleware, so it resolves the user itself through the same
cached helper (one lookup per request, shared with `request.user`). A stored choice beats
a stale language cookie, so two people sharing a browser each get their own language.
"""

from django.conf import settings
from django.contrib.auth.middleware import get_user


class UserLanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if hasattr(request, "session") and request.session.session_key:
            user = get_user(request)
            language = getattr(user, "language", "") if user.is_authenticated else ""
            if language in dict(settings.LANGUAGES):
                request.COOKIES[settings.LANGUAGE_COOKIE_NAME] = language
        return self.get_response(request)
