"""Who is looking at a page: the signed-in person's membership of the organization they chose.

Every page that shows tenant data goes through `member_view`, which resolves the person's
`Access` (organization + unit subtree) once; nothing below it reads without that access. It lives
in accounts, next to `Access`, because every app's pages and the API's session reads use it.
"""

from functools import wraps

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest
from django.shortcuts import render
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme

from glapp.accounts.actions import AuditActor, record_audit
from glapp.accounts.queries import Access, access_for, units_of

ORG_SESSION_KEY = "org_id"


def current_access(request: HttpRequest) -> Access | None:
    """The chosen organization if the person is still a member of it, else their first one."""
    org_id = request.session.get(ORG_SESSION_KEY)
    access = access_for(request.user, org_id) if org_id is not None else None
    if access is None:
        access = access_for(request.user)
        if access is not None:
            request.session[ORG_SESSION_KEY] = access.organization_id
    return access


def use_language(request: HttpRequest, language: str) -> None:
    if language in dict(settings.LANGUAGES):
        translation.activate(language)
        request.LANGUAGE_CODE = language


def member_view(view):
    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        access = current_access(request)
        if access is None:
            return render(request, "accounts/no_membership.html", status=403)
        request.access = access
        if not request.user.language and settings.LANGUAGE_COOKIE_NAME not in request.COOKIES:
            use_language(request, access.organization.default_language)
        request.scope_units = list(units_of(access))
        return view(request, access, *args, **kwargs)

    return wrapper


def safe_next(request: HttpRequest, fallback: str = "/") -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                       require_https=request.is_secure()):
        return target
    return fallback


def request_actor(request: HttpRequest):
    """Who made the request, for the audit log: its API key, or the signed-in person."""
    key = getattr(request, "api_key", None)
    return AuditActor.of_key(key) if key is not None else AuditActor.of_user(request.user)


def audit(request: HttpRequest, access: Access, action: str, *, target_type: str = "", target: str | int = "",
          details: dict | None = None) -> None:
    """Record what the request did with personal data in the organization's audit log."""
    record_audit(access.organization_id, action, request_actor(request), target_type=target_type, target=target,
                 details=details)
