"""Request logging with a request id bound into every structured log line."""

import time
import uuid
from urllib.parse import quote

import structlog

log = structlog.get_logger("glapp.request")

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
        request_id = request.headers.get("X-Request-Id") or uuid.uuid4().hex
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=request_id)
        started = time.perf_counter()
        response = self.get_response(request)
        response["X-Request-Id"] = request_id
        if response.status_code >= 400 or not request.path.startswith("/static/"):
            log.info(
                "request",
                method=request.method,
                path=loggable_path(request),
                status=response.status_code,
                ms=round((time.perf_counter() - started) * 1000, 1),
            )
        return response
