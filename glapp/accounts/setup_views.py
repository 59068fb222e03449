"""The first-run page of an empty installation: the first organization and its owner.

It needs the one-time setup token that `glapp serve` prints (and `glapp setup-token` prints
again), so whoever reaches an empty server first cannot take it over; the token is spent with the
organization it creates, and the page is gone (404) once any organization exists.
"""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from glapp.accounts import actions
from glapp.accounts.forms import SetupForm
from glapp.accounts.queries import installation_is_empty
from glapp.accounts.signin import begin_sign_in
from glapp.accounts.web_access import ORG_SESSION_KEY, use_language
from glapp.core.errors import ValidationFailed

SIGNED_IN_BY = "django.contrib.auth.backends.ModelBackend"  # the owner just chose the password here


@never_cache
@sensitive_post_parameters("token", "password", "password_again")
@require_http_methods(["GET", "POST"])
def first_run(request: HttpRequest) -> HttpResponse:
    if not installation_is_empty():
        raise Http404
    form = SetupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            org, user = actions.create_organization_with_owner(
                {"name": data["name"], "slug": data["slug"], "default_language": data["default_language"],
                 "languages": data["languages"] or [data["default_language"]], "time_zone": data["time_zone"]},
                actions.OwnerSpec(data["username"], data["email"], data["password"], data["first_name"],
                                  data["last_name"]),
                setup_token=data["token"])
        except ValidationFailed as refused:
            form.add_action_errors(refused)
        else:
            use_language(request, org.default_language)
            next_url = begin_sign_in(request, user, SIGNED_IN_BY, reverse("web:settings"))
            request.session[ORG_SESSION_KEY] = org.id
            return redirect(next_url)
    return render(request, "accounts/first_run.html", {"form": form})
