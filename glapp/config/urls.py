from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView

from glapp.accounts import setup_views, signin_views
from glapp.api.api import api

urlpatterns = [
    # Browsers ask for /favicon.ico on pages without a <link rel="icon"> (the API docs, files).
    path("favicon.ico", RedirectView.as_view(url=static("web/favicon.svg"), permanent=True)),
    path("api/v1/", api.urls),
    # The admin site signs in through glapp's own login (throttled, with the second factor).
    path("admin/login/", signin_views.admin_login),
    path("admin/", admin.site.urls),
    path("setup/", setup_views.first_run, name="setup"),
    path("login/", include("glapp.accounts.signin_urls")),
    path("oidc/", include("mozilla_django_oidc.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("settings/privacy/", include("glapp.privacy.urls")),
    path("", include("glapp.cases.urls")),
    path("settings/journeys/", include("glapp.journeys.urls")),
    path("settings/webhooks/", include("glapp.webhooks.urls")),
    path("settings/", include("glapp.accounts.urls")),
    path("data/", include("glapp.responses.urls")),
    path("surveys/", include("glapp.surveys.urls")),
    path("notifications/", include("glapp.notifications.urls")),
    path("", include("glapp.respond.urls")),
    path("", include("glapp.distribution.urls")),
    path("", include("glapp.textanalytics.urls")),
    path("", include("glapp.web.urls")),
]
