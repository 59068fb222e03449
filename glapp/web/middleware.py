"""Activate the signed-in user's chosen UI language before LocaleMiddleware falls back."""

from django.conf import settings


class UserLanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        language = getattr(user, "language", "") if user is not None and user.is_authenticated else ""
        if language and language in dict(settings.LANGUAGES) and "django_language" not in request.COOKIES:
            request.META["HTTP_ACCEPT_LANGUAGE"] = language
        return self.get_response(request)
