"""The API's request limits, applied once for every operation (a ninja throttle on the NinjaAPI).

Counted per API key (`GLAPP_API_RATE_LIMIT`), per signed-in user reading through the API, and
per client address for calls without credentials (`GLAPP_API_ANON_RATE_LIMIT`; failed
authentications count there too, see `core/problems.py`). A bulk request is one request. Over
the limit: 429 problem+json with `Retry-After` (seconds). Counters live in the cache, never the
database (`core/ratelimit.py`)."""

import threading

from django.conf import settings
from django.http import HttpRequest
from ninja.throttling import BaseThrottle

from glapp.core import ratelimit


def caller(request: HttpRequest) -> tuple[str, str, str]:
    """(scope, identity, limit setting) of an authenticated or anonymous API call."""
    key = getattr(request, "api_key", None)
    if key is not None:
        return "api-key", str(key.pk), settings.GLAPP_API_RATE_LIMIT
    user = getattr(request, "user", None)
    if getattr(request, "access", None) is not None and user is not None and user.is_authenticated:
        return "api-user", str(user.pk), settings.GLAPP_API_RATE_LIMIT
    return "api-anon", ratelimit.client_ip(request), settings.GLAPP_API_ANON_RATE_LIMIT


class ApiRateLimit(BaseThrottle):
    """Runs after authentication, so the key is known. ninja asks `wait()` right after
    `allow_request()` in the same thread; the instance is shared by every thread."""

    def __init__(self):
        self._local = threading.local()

    def allow_request(self, request: HttpRequest) -> bool:
        scope, ident, limit = caller(request)
        self._local.wait = ratelimit.hit(scope, ident, ratelimit.parse(limit))
        return self._local.wait is None

    def wait(self) -> float | None:
        return getattr(self._local, "wait", None)
