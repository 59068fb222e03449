"""The sign-in steps after the first factor: the code, the forced enrolment, the lockout page and
single sign-on's two ends. The login form itself is web's (`web.views.LoginView`)."""

import functools

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_cool_off
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.signals import user_login_failed
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render, resolve_url
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from glapp.accounts import actions, signin, two_factor
from glapp.accounts.oidc import REFUSAL_ATTR, Refusal


class CodeForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=16, strip=True,
                           widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric",
                                                         "autocapitalize": "none", "spellcheck": "false"}))


def locked_out(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:
    """Axes' lockout response: say when to try again. Every attempt while locked out starts the
    wait again (AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT), so now + the cool-off is exact."""
    cool_off = get_cool_off(request)
    retry_at = timezone.localtime(timezone.now() + cool_off)
    context = {"minutes": max(1, round(cool_off.total_seconds() / 60)), "retry_at": retry_at}
    return render(request, "accounts/locked_out.html", context, status=settings.AXES_HTTP_RESPONSE_CODE)


def _throttled(request: HttpRequest, username: str) -> bool:
    """A wrong code counts like a wrong password for this username and address (axes), so a
    stolen password does not buy unlimited guesses at the code."""
    return not AxesProxyHandler.is_allowed(request, {"username": username})


def _second_step(view):
    """The steps after the password: only for someone who gave it in this session, and counted
    by the lockout like the password (a locked-out username sees the lockout page)."""
    @never_cache
    @sensitive_post_parameters("code")
    @require_http_methods(["GET", "POST"])
    @functools.wraps(view)
    def step(request: HttpRequest) -> HttpResponse:
        user = signin.pending_user(request)
        if user is None:
            return redirect(settings.LOGIN_URL)
        if _throttled(request, user.get_username()):
            return locked_out(request)
        return view(request, user)
    return step


@_second_step
def code(request: HttpRequest, user) -> HttpResponse:
    """Second step of signing in for someone with a TOTP app: a code, or one of the backup codes."""
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = actions.verify_second_factor(user, form.cleaned_data["code"])
        if device is not None:
            return redirect(signin.finish_sign_in(request, user, device))
        user_login_failed.send(sender=__name__, credentials={"username": user.get_username()}, request=request)
        if getattr(request, "axes_locked_out", False):
            signin.abandon_sign_in(request)
            return locked_out(request)
        form.add_error("code", _("That code is not right. Codes change every 30 seconds; try the current one."))
    return render(request, "accounts/signin_code.html", {"form": form})


@_second_step
def enrol(request: HttpRequest, user) -> HttpResponse:
    """An owner or admin without a TOTP app sets one up before their first sign-in completes."""
    key = two_factor.enrolment_key(request.session)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = actions.confirm_totp(user, key, form.cleaned_data["code"])
        if device is not None:
            codes = actions.new_backup_codes(user)
            two_factor.forget_enrolment_key(request.session)
            next_url = signin.finish_sign_in(request, user, device)
            return render(request, "accounts/backup_codes.html", {"codes": codes, "next": next_url})
        form.add_error("code", _("That code is not right. Check the time on your phone and try the current code."))
    return render(request, "accounts/signin_enrol.html",
                  {"form": form, "setup": two_factor.setup_for(user, key), "forced": True})


def admin_login(request: HttpRequest) -> HttpResponse:
    """The admin site's login page: anyone signs in through glapp's login (throttled, with the
    second factor). Someone signed in without staff rights is refused, not offered the admin's
    own password form, which would sign in another account on a password alone."""
    if request.user.is_authenticated:
        raise PermissionDenied
    return redirect_to_login(request.GET.get("next") or "/admin/", settings.LOGIN_URL)


class OIDCStart(OIDCAuthenticationRequestView):
    """Off (404) unless single sign-on is configured; the settings are read per request."""

    def __init__(self, *args, **kwargs):
        super(OIDCAuthenticationRequestView, self).__init__(*args, **kwargs)

    def get(self, request):
        if not settings.GLAPP_OIDC_ENABLED:
            raise Http404
        self.OIDC_OP_AUTH_ENDPOINT = settings.OIDC_OP_AUTHORIZATION_ENDPOINT
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID
        return super().get(request)


REFUSAL_MESSAGES = {
    Refusal.UNKNOWN: _("Your sign-in at %(provider)s worked, but no one in glapp has that e-mail address. "
                       "Ask an administrator of your organization to add you."),
    Refusal.UNVERIFIED: _("%(provider)s has not verified your e-mail address, so glapp cannot tell who you are."),
    Refusal.AMBIGUOUS: _("More than one person in glapp has that e-mail address. Sign in with your password, "
                         "or ask an administrator to fix the addresses."),
    Refusal.TOKEN: _("The answer from %(provider)s could not be trusted (invalid or expired). Please try again."),
}


class OIDCCallback(OIDCAuthenticationCallbackView):
    """The provider's answer: hand the person to `begin_sign_in` (so owners and admins still give
    a code unless the provider's MFA is trusted), and say clearly why a sign-in was refused."""

    def get(self, request):
        if not settings.GLAPP_OIDC_ENABLED:
            raise Http404
        return super().get(request)

    def login_success(self):
        next_url = self.request.session.pop("oidc_login_next", None) or settings.LOGIN_REDIRECT_URL
        target = signin.begin_sign_in(self.request, self.user, signin.SSO_BACKEND, resolve_url(next_url))
        return HttpResponseRedirect(target)

    def login_failure(self):
        refusal = getattr(self.request, REFUSAL_ATTR, Refusal.TOKEN)
        provider = settings.GLAPP_OIDC_PROVIDER_NAME or _("your identity provider")
        messages.error(self.request, REFUSAL_MESSAGES[refusal] % {"provider": provider})
        return redirect(settings.LOGIN_URL)


class WelcomeView(auth_views.PasswordResetConfirmView):
    """An invited person's link (`invitations.py`): they choose their password (checked by
    AUTH_PASSWORD_VALIDATORS) and then sign in as everyone does, with the second factor if their
    role needs one. The link works once."""

    template_name = "accounts/welcome.html"
    post_reset_login = False

    def get_success_url(self):
        messages.success(self.request, _("Your password is set. Sign in with your username and it."))
        return resolve_url(settings.LOGIN_URL)
