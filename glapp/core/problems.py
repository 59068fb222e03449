"""Every API error is an RFC 9457 problem document (`application/problem+json`).

`type` is a relative URI, `/problems/<code>` (for example `/problems/validation-failed`): it is
stable, names the kind of problem, and resolves against whichever host serves the API, so
self-hosted installations never point clients at somebody else's domain. Validation problems
add `errors: [{field, message, code}]` where `field` is a dotted path into the request
(`answers.nps`, `responses.3.answers.nps`, `limit`).

Domain errors (`GlappError`) are mapped here, in one place, and so are django-ninja's own
errors (schema validation, authentication) and Django's (oversized body). Anything unexpected
becomes a bare 500 problem: the stack trace goes to the log, never to the client.
"""

import json
import logging
import math

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, AuthorizationError, HttpError, Throttled
from ninja.errors import ValidationError as NinjaValidationError

from glapp.core import ratelimit
from glapp.core.errors import FieldError, GlappError

log = logging.getLogger("glapp.api")

PROBLEM_CONTENT_TYPE = "application/problem+json"

TITLES: dict[int, str] = {
    400: "Bad request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    413: "Payload too large",
    422: "Unprocessable content",
    429: "Too many requests",
    500: "Internal server error",
    503: "Service unavailable",
}
CODE_TITLES: dict[str, str] = {
    "validation_failed": "Validation failed",
    "idempotency_key_reused": "Idempotency key reused with a different request",
    "idempotency_in_flight": "A request with this idempotency key is still in progress",
}


def problem_type(code: str) -> str:
    return "/problems/" + code.replace("_", "-")


def problem(request: HttpRequest | None, status: int, code: str, detail: str = "",
            errors: list[FieldError] | None = None, title: str | None = None) -> HttpResponse:
    body: dict = {
        "type": problem_type(code),
        "title": title or CODE_TITLES.get(code) or TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
    }
    if request is not None:
        body["instance"] = request.get_full_path()
    if errors is not None:
        body["errors"] = [{"field": e.field, "message": e.message, "code": e.code} for e in errors]
    # "replace": a field name echoing a lone surrogate someone sent must not break the answer.
    text = json.dumps(body, ensure_ascii=False).encode("utf-8", "replace")
    return HttpResponse(text, status=status, content_type=PROBLEM_CONTENT_TYPE)


def too_many_requests(request: HttpRequest, wait: float | None) -> HttpResponse:
    seconds = max(1, math.ceil(wait or 1))
    response = problem(request, 429, "too_many_requests",
                       f"This client has sent more requests than its rate limit allows; retry in {seconds} s.")
    response["Retry-After"] = str(seconds)
    return response


# pydantic error types → our codes and wording, so schema errors read like clean_response's.
PYDANTIC_CODES = {
    "missing": ("required", "is required"),
    "extra_forbidden": ("unknown_field", "is not a known field"),
}


def field_path(loc: tuple | list, body_param: bool) -> str:
    """("body", "payload", "responses", 3, "answers") → "responses.3.answers"."""
    parts = list(loc)
    source = parts.pop(0) if parts else ""
    if source == "body" and parts and body_param:
        parts.pop(0)  # the view's parameter name is not part of the request document
    return ".".join(str(p) for p in parts)


def schema_errors(exc: NinjaValidationError) -> list[FieldError]:
    errors = []
    for err in exc.errors:
        code, message = PYDANTIC_CODES.get(err.get("type", ""), ("invalid", None))
        if message is None:
            text = str(err.get("msg") or "is invalid")
            message = text[:1].lower() + text[1:]
        field = field_path(err.get("loc", ()), body_param=True)
        if not field and code == "required":
            message = "a JSON body is required"
        errors.append(FieldError(field, message, code))
    return errors


def install(api: NinjaAPI) -> None:
    """Register the problem+json renderers for every error the API can raise."""

    @api.exception_handler(GlappError)
    def glapp_error(request, exc: GlappError):
        errors = exc.errors if exc.errors or exc.status == 422 else None
        return problem(request, exc.status, exc.code, exc.message, errors)

    @api.exception_handler(NinjaValidationError)
    def schema_error(request, exc: NinjaValidationError):
        return problem(request, 422, "validation_failed", "The request has invalid fields.", schema_errors(exc))

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request, exc):
        # Guessing keys costs a request each: failures count against the caller's address.
        wait = ratelimit.hit("api-anon", ratelimit.client_ip(request),
                             ratelimit.parse(settings.GLAPP_API_ANON_RATE_LIMIT))
        if wait is not None:
            return too_many_requests(request, wait)
        response = problem(request, 401, "unauthorized",
                           "Send a valid, unrevoked API key as 'Authorization: Bearer glk_…' or 'X-API-Key'.")
        response["WWW-Authenticate"] = 'Bearer realm="glapp"'
        return response

    @api.exception_handler(AuthorizationError)
    def forbidden(request, exc):
        return problem(request, 403, "permission_denied", str(exc.message))

    @api.exception_handler(Throttled)
    def throttled(request, exc):
        return too_many_requests(request, exc.wait)

    @api.exception_handler(HttpError)
    def http_error(request, exc: HttpError):
        code = {400: "bad_request", 404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "error")
        return problem(request, exc.status_code, code, str(exc.message))

    @api.exception_handler(Http404)
    def not_found(request, exc):
        return problem(request, 404, "not_found", "Not found.")

    @api.exception_handler(RequestDataTooBig)
    def too_big(request, exc):
        return problem(request, 413, "payload_too_large", "The request body is larger than this server accepts.")

    @api.exception_handler(Exception)
    def unexpected(request, exc):
        log.exception("unhandled API error", extra={"path": request.path})
        return problem(request, 500, "internal_error", "Something went wrong on our side; it has been logged.")
