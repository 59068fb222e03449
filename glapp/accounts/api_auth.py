"""Who is calling the API: an organization's API key (or, for reads, a signed-in web user).

A key is sent as `Authorization: Bearer glk_…` or as `X-API-Key: glk_…`. Authentication
resolves it to an `Access` (organization, unit subtree, scopes) stored on `request.access`;
every handler reads and writes through that Access, so tenancy is decided once, here.
A valid key without the operation's scope is a 403; a missing, unknown or revoked key a 401.
"""

from django.http import HttpRequest
from ninja.security import APIKeyCookie, APIKeyHeader, HttpBearer

from glapp.accounts.actions import touch_api_key
from glapp.accounts.queries import Access, api_key_access
from glapp.accounts.web_access import current_access  # the organization chosen in the web app
from glapp.core.errors import PermissionDenied

READ = "responses:read"
WRITE = "responses:write"


def _key_access(request: HttpRequest, raw: str | None, scope: str) -> Access | None:
    if not raw:
        return None
    found = api_key_access(raw.strip())
    if found is None:
        return None
    access, key = found
    if scope not in access.scopes and "admin" not in access.scopes:
        raise PermissionDenied(f"This API key lacks the '{scope}' scope.")
    touch_api_key(key)
    request.access = access
    request.api_key = key
    return access


class ApiKeyBearer(HttpBearer):
    """`Authorization: Bearer glk_<prefix>_<secret>`."""

    def __init__(self, scope: str):
        self.scope = scope
        super().__init__()

    def authenticate(self, request: HttpRequest, token: str) -> Access | None:
        return _key_access(request, token, self.scope)


class ApiKeyHeader(APIKeyHeader):
    """`X-API-Key: glk_<prefix>_<secret>`, for clients that cannot set Authorization."""

    param_name = "X-API-Key"

    def __init__(self, scope: str):
        self.scope = scope
        super().__init__()

    def authenticate(self, request: HttpRequest, key: str | None) -> Access | None:
        return _key_access(request, key, self.scope)


class WebSession(APIKeyCookie):
    """A signed-in web user may read through the API (for the browsable docs and scripts)."""

    param_name = "sessionid"

    def __init__(self):
        from django.conf import settings

        self.param_name = settings.SESSION_COOKIE_NAME
        super().__init__(csrf=True)

    def authenticate(self, request: HttpRequest, key: str | None) -> Access | None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        access = current_access(request)
        if access is None or not access.can("read"):
            return None
        request.access = access
        return access


def readers() -> list:
    return [ApiKeyBearer(READ), ApiKeyHeader(READ), WebSession()]


def writers() -> list:
    return [ApiKeyBearer(WRITE), ApiKeyHeader(WRITE)]


def keys_with(scope: str) -> list:
    """API keys holding `scope` (or `admin`), e.g. `customers:erase`."""
    return [ApiKeyBearer(scope), ApiKeyHeader(scope)]

