"""Choose the UI language before LocaleMiddleware does.

Order: the signed-in user's stored choice, then the language cookie (the switcher on the
log-in page), then the organization's default (applied in `views.member_view`), then
LANGUAGE_CODE. The browser's Accept-Language is deliberately ignored: the people using one
organization's glapp should see the language that organization chose, not whatever their
laptop happened to be set up with; one click on the switcher changes it for good. The header
is kept aside as `request.browser_languages` for the respondent pages, where the browser's
language is the best guess there is about a stranger (respond/languages.py).

This runs before AuthenticationMiddleware, so it resolves the user through the same cached
helper (one lookup per request, shared with `request.user`). A stored choice beats a stale
cookie, so two people sharing a browser each get their own language.
"""

from django.conf import settings
from django.contrib.auth.middleware import get_user


class UserLanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.browser_languages = request.META.pop("HTTP_ACCEPT_LANGUAGE", "")
        if hasattr(request, "session") and request.session.session_key:
            user = get_user(request)
            language = getattr(user, "language", "") if user.is_authenticated else ""
            if language in dict(settings.LANGUAGES):
                request.COOKIES[settings.LANGUAGE_COOKIE_NAME] = language
        return self.get_response(request)
