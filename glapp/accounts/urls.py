from django.urls import path

from glapp.accounts import views

app_name = "accounts"
urlpatterns = [
    path("api-keys/", views.api_keys, name="api_keys"),
    path("api-keys/<str:prefix>/revoke/", views.revoke_key, name="revoke_api_key"),
    path("two-factor/", views.two_factor_settings, name="two_factor"),
    path("password/", views.PasswordChangeView.as_view(), name="password"),
    path("password/changed/", views.PasswordChangeDoneView.as_view(), name="password_changed"),
    path("audit/", views.audit_log, name="audit_log"),
]
