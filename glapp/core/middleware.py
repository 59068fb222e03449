"""Request logging with a request id bound into every structured log line; the page-only
middleware (a Content-Security-Policy built per response, flash messages) passed over for API calls.

An API call (`/api/…`, but not the API's HTML docs page) is authenticated by its key, answers
JSON and never shows a flash message: building a page's policy and a message store for each one
was a measurable share of a call's CPU. API calls still get every security header, a fixed
policy that allows nothing (`API_POLICY`), their log line and their rate limit
(docs/security.md, "Security headers"; tests/core/test_api_middleware.py)."""

import logging
import time
import uuid
from urllib.parse import quote

import structlog
from csp.constants import HEADER as CSP_HEADER
from csp.middleware import CSPMiddleware
from django.contrib.messages.middleware import MessageMiddleware

log = structlog.get_logger("glapp.request")
_levels = logging.getLogger("glapp.request")  # asked first: below INFO the line is not even built

# URL parts that name a person (a customer's external id) or are a respondent's key (a link's
# token): logged as the parameter's name, so logs never keep them (erasure cannot reach logs).
PERSONAL_PATH_PARAMETERS = frozenset({"external_id", "token"})


def loggable_path(request) -> str:
    """The request's path with personal URL parameters replaced by `<name>`."""
    path = request.path
    match = getattr(request, "resolver_match", None)
    if match is None:
        return path
    for name, value in match.kwargs.items():
        if name in PERSONAL_PATH_PARAMETERS and value:
            path = path.replace(str(value), f"<{name}>").replace(quote(str(value)), f"<{name}>")
    return path


class RequestLogMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # META, not `request.headers`: that builds a dict of every header, for one.
        request_id = request.META.get("HTTP_X_REQUEST_ID") or uuid.uuid4().hex
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=request_id)
        started = time.perf_counter()
        response = self.get_response(request)
        response["X-Request-Id"] = request_id
        if (response.status_code >= 400 or not request.path.startswith("/static/")) \
                and _levels.isEnabledFor(logging.INFO):
            log.info(
                "request",
                method=request.method,
                path=loggable_path(request),
                status=response.status_code,
                ms=round((time.perf_counter() - started) * 1000, 1),
            )
        return response


API_PREFIX = "/api/"
API_PAGES = ("/api/v1/docs",)  # HTML the API serves: a page like any other
# A JSON document loads nothing and is framed by nobody: the strictest policy, the same for every call.
API_POLICY = "default-src 'none'; frame-ancestors 'none'"


def is_api_call(request) -> bool:
    path = request.path_info
    return path.startswith(API_PREFIX) and not path.startswith(API_PAGES)


class PolicyMiddleware(CSPMiddleware):
    """django-csp's policy (settings.CONTENT_SECURITY_POLICY) on pages; `API_POLICY` on API calls,
    which need no nonce and no policy built per response."""

    def process_request(self, request):
        if not is_api_call(request):
            super().process_request(request)

    def process_response(self, request, response):
        if not is_api_call(request):
            return super().process_response(request, response)
        if CSP_HEADER not in response:
            response[CSP_HEADER] = API_POLICY
        return response


class PageMessagesMiddleware(MessageMiddleware):
    """Flash messages ("saved", "imported") for pages; an API call has none to show or keep."""

    def process_request(self, request):
        if not is_api_call(request):
            super().process_request(request)
