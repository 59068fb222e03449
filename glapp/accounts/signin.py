"""Signing in: who needs a second factor, and the one place a session becomes signed in.

A password (the login form) or the identity provider (single sign-on) only proves the first
factor. `begin_sign_in` then either signs the person in or, when they need a second factor,
parks them in the session as *pending*: nothing is signed in until `finish_sign_in` is called
with a verified code. So no session of an owner or admin is ever signed in on a password alone.
"""

import time

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.contrib.auth import login
from django.http import HttpRequest
from django.urls import reverse
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from glapp.accounts.models import Membership, Role, User

# Roles whose sign-in always needs a second factor: they manage people, keys and settings.
SECOND_FACTOR_ROLES = (Role.OWNER, Role.ADMIN)
PENDING_KEY = "signin_pending"
PENDING_SECONDS = 10 * 60  # a code must follow the password within this time
SSO_BACKEND = "glapp.accounts.oidc.OIDCBackend"


class ThrottledLogins(AxesStandaloneBackend):
    """Axes' check before every sign-in from the network. A call without a request (a script,
    the test client) is no attempt from the network and has no address to count against."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def must_use_second_factor(user: User) -> bool:
    """Owners and admins of any organization, and staff of the admin site."""
    if not settings.GLAPP_REQUIRE_2FA:
        return False
    return user.is_staff or user.is_superuser or Membership.objects.filter(
        user=user, role__in=SECOND_FACTOR_ROLES).exists()


def has_second_factor(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def trusted_sso(backend: str) -> bool:
    return backend == SSO_BACKEND and settings.GLAPP_OIDC_TRUST_MFA


def begin_sign_in(request: HttpRequest, user: User, backend: str, next_url: str) -> str:
    """After the first factor: sign in, or keep the person pending. Returns where to go next:
    `next_url` when signed in, the code page or the enrolment page when pending."""
    needs = has_second_factor(user) or must_use_second_factor(user)
    if not needs or trusted_sso(backend):
        login(request, user, backend=backend)
        return next_url
    request.session.cycle_key()  # the pending state must not ride on a session id set before
    request.session[PENDING_KEY] = {"user": user.pk, "backend": backend, "next": next_url, "at": time.time()}
    return reverse("signin:code") if has_second_factor(user) else reverse("signin:enrol")


def pending_user(request: HttpRequest) -> User | None:
    """The person who gave the first factor in this session in the last few minutes."""
    pending = request.session.get(PENDING_KEY)
    if not pending or time.time() - pending.get("at", 0) > PENDING_SECONDS:
        return None
    return User.objects.filter(pk=pending["user"], is_active=True).first()


def finish_sign_in(request: HttpRequest, user: User, device) -> str:
    """Sign the pending person in with the device their code matched; returns where to go."""
    pending = request.session.pop(PENDING_KEY)
    login(request, user, backend=pending["backend"])
    otp_login(request, device)
    return pending["next"]


def abandon_sign_in(request: HttpRequest) -> None:
    request.session.pop(PENDING_KEY, None)
