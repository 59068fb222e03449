"""Absolute links to glapp: invitations, reminders, the survey's public link, the widget.

They are built on the public base URL an operator configures (`GLAPP_BASE_URL`), the address
customers reach glapp at, never on the address a request came in by (behind a proxy that is
an internal one) nor on a guess. Unset, links fall back to the local demo's address, and
`glapp manage check --deploy` and `glapp serve` say so (core/checks.py).
"""

from urllib.parse import urlsplit

from django.conf import settings

LOCAL_BASE_URL = "http://localhost:8000"


def configured() -> bool:
    return bool(settings.GLAPP_BASE_URL)


def base_url() -> str:
    return settings.GLAPP_BASE_URL or LOCAL_BASE_URL


def absolute(path: str, request=None) -> str:
    """`path` (starting with "/") on the public base URL; unset, on the request's own address
    when there is a request (what the person looking at the page reached), else the local one."""
    if not configured() and request is not None:
        return request.build_absolute_uri(path)
    return base_url() + path


def base_url_problem(value: str) -> str:
    """Why `value` cannot be the public base URL, or "" when it can."""
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "it must be an absolute http(s) address such as https://feedback.example.com"
    if parts.query or parts.fragment:
        return "it may not have a query or fragment"
    return ""


def unset_warning() -> str:
    """The operator's warning while the base URL is unset outside demo mode, else ""."""
    if configured() or settings.DEMO:
        return ""
    return (f"GLAPP_BASE_URL is not set: links in invitations and reminders point at {LOCAL_BASE_URL}, "
            "which customers cannot reach. Set it to the address customers reach glapp at, "
            "e.g. GLAPP_BASE_URL=https://feedback.example.com.")
