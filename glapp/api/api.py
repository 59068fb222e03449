"""The /api/v1 NinjaAPI: mounts each app's router and owns auth, errors and docs."""

import datetime as dt
import json

import ninja.parser
from django.core.exceptions import RequestDataTooBig
from django.db import connection
from django.http import HttpResponseNotAllowed
from django.urls import re_path
from ninja import NinjaAPI, Schema
from ninja.openapi.docs import Swagger
from ninja.renderers import JSONRenderer
from ninja.responses import NinjaJSONEncoder

from glapp.api.throttle import ApiRateLimit
from glapp.core import hostile, problems
from glapp.core.errors import FieldError

DESCRIPTION = """
Send survey responses from your systems and read them back.

**Authentication.** Create an API key under *Settings → API keys* (or `glapp apikey create`) and
send it as `Authorization: Bearer glk_…` or `X-API-Key: glk_…`. Keys belong to one organization,
carry scopes (`responses:read`, `responses:write`) and may be limited to a unit and everything
below it. A missing, unknown or revoked key gets 401; a key without the needed scope 403.

**Errors** are RFC 9457 problem documents (`application/problem+json`) with `type`, `title`,
`status`, `detail` and `instance`. `type` is a relative URI `/problems/<code>` (for example
`/problems/validation-failed`, `/problems/unauthorized`, `/problems/idempotency-key-reused`).
Validation problems list each bad field: `errors: [{"field": "answers.nps", "message": "…",
"code": "…"}]`; in a batch the field names the item, as in `responses.3.answers.nps`.

**Safe retries.** Send `Idempotency-Key` with writes, and an `external_id` per response: a retry
returns the first outcome and never stores a response twice.

**Rate limits.** Each API key may send a number of requests per minute, with a cap on any one
second (a bulk request counts once); calls without valid credentials are limited per client
address. Over the limit the answer is `429` (`/problems/too-many-requests`) with a `Retry-After`
header: the seconds to wait before the next try.

**Pages.** Lists are newest first with cursor pagination: follow `next_cursor` or the
`Link: <…>; rel="next"` header.
"""


class Encoder(NinjaJSONEncoder):
    """Timestamps at full precision, as pydantic writes them (Django's encoder cuts to ms), so
    a response reads the same from POST, from an idempotent replay and from GET."""

    def default(self, o):
        if isinstance(o, dt.datetime):
            text = o.isoformat()
            return text[:-6] + "Z" if text.endswith("+00:00") else text
        return super().default(o)


class Renderer(JSONRenderer):
    encoder_class = Encoder
    json_dumps_params = {"ensure_ascii": False}


TOO_MANY_REQUESTS = {
    "description": "Too many requests: wait the seconds in `Retry-After`, then retry.",
    "headers": {"Retry-After": {"description": "Seconds to wait before the next request.",
                                "schema": {"type": "integer", "minimum": 1}}},
    "content": {problems.PROBLEM_CONTENT_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
}


class Parser(ninja.parser.Parser):
    """The JSON body `_storable_parameters` already read and judged, read once."""

    def parse_body(self, request):
        parsed = getattr(request, "_glapp_json", None)
        return parsed[0] if parsed is not None else super().parse_body(request)


class GlappAPI(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        """Declare error responses with the media type they are really served as."""
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        for operations in schema["paths"].values():
            for operation in operations.values():
                for status, response in operation.get("responses", {}).items():
                    content = response.get("content", {})
                    if int(status) >= 400 and "application/json" in content:
                        response["content"] = {problems.PROBLEM_CONTENT_TYPE: content.pop("application/json")}
                # Every operation is rate limited (throttle.py), so every one may answer 429.
                operation.setdefault("responses", {})["429"] = TOO_MANY_REQUESTS
        return schema

    def _get_urls(self):
        """Ninja's URLs, with a problem+json 405 for a wrong method and a 404 for unknown paths."""
        urls = []
        for pattern in super()._get_urls():
            pattern.callback = _problem_on_405(_storable_parameters(pattern.callback))
            urls.append(pattern)
        urls.append(re_path(r"^.*$", _unknown_path, name="unknown"))
        return urls


def _storable_parameters(view):
    """Path and query parameters and JSON bodies that hold text or numbers that cannot be stored
    or looked up as sent (a NUL, a lone surrogate, NaN: core/hostile.py) are a 422 naming each
    field, whatever the endpoint, before any handler or database sees them."""

    def wrapped(request, *args, **kwargs):
        errors = [FieldError(hostile.printable(str(name)), reason, "unstorable")
                  for name, values in [*((k, [v]) for k, v in kwargs.items()), *request.GET.lists()]
                  for reason in {hostile.text_problem(str(name)), *map(hostile.text_problem, map(str, values))}
                  if reason]
        try:
            body = request.body
        except RequestDataTooBig:
            return problems.problem(request, 413, "payload_too_large",
                                    "The request body is larger than this server accepts.")
        if not errors and body and "json" in request.content_type:
            try:
                data = json.loads(body)
            except ValueError:
                data = None  # ninja answers a body it cannot parse
            else:
                request._glapp_json = (data,)
                errors = [FieldError(path, reason, "unstorable") for path, reason in hostile.problems(data)]
        if errors:
            return problems.problem(request, 422, "validation_failed", "The request has invalid fields.", errors)
        return view(request, *args, **kwargs)

    wrapped.csrf_exempt = getattr(view, "csrf_exempt", False)
    return wrapped


def _problem_on_405(view):
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if isinstance(response, HttpResponseNotAllowed):
            problem = problems.problem(request, 405, "method_not_allowed",
                                     f"{request.method} is not allowed here; use {response['Allow']}.")
            problem["Allow"] = response["Allow"]
            return problem
        return response

    wrapped.csrf_exempt = getattr(view, "csrf_exempt", False)
    return wrapped


def _unknown_path(request, *args, **kwargs):
    return problems.problem(request, 404, "not_found", "There is no API endpoint at this path.")


_unknown_path.csrf_exempt = True

api = GlappAPI(
    title="glapp API",
    version="1",
    description=DESCRIPTION.strip(),
    urls_namespace="api",
    renderer=Renderer(),
    throttle=[ApiRateLimit()],  # once for every operation, after authentication (throttle.py)
    parser=Parser(),
    # Served from ninja's bundled static files (ninja is in INSTALLED_APPS), never a CDN.
    docs=Swagger(settings={"persistAuthorization": True, "displayRequestDuration": True}),
)
problems.install(api)


class Health(Schema):
    status: str
    database: str


@api.get("/health", response={200: Health, 503: Health}, auth=None, tags=["health"], summary="Health check",
         operation_id="health")
def health(request):
    """Is the service up and can it reach its database? No authentication needed."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        problems.log.exception("health check: database unreachable")
        return 503, {"status": "unavailable", "database": "unreachable"}
    return {"status": "ok", "database": "ok"}


def _mount_routers() -> None:
    from glapp.analytics.api import router as metrics_router
    from glapp.cases.api import router as cases_router
    from glapp.distribution.api import router as distribution_router
    from glapp.privacy.api import router as privacy_router
    from glapp.responses.api import router as responses_router
    from glapp.surveys.api import router as surveys_router
    from glapp.textanalytics.api import router as text_router

    api.add_router("/", responses_router)
    api.add_router("/", metrics_router)
    api.add_router("/", text_router)
    api.add_router("/", surveys_router)
    api.add_router("/", distribution_router)
    api.add_router("/", privacy_router)
    api.add_router("/", cases_router)


_mount_routers()
