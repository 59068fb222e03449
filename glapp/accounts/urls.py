from django.urls import path

from glapp.accounts import people_views, unit_views, views

app_name = "accounts"
urlpatterns = [
    path("api-keys/", views.api_keys, name="api_keys"),
    path("api-keys/<str:prefix>/revoke/", views.revoke_key, name="revoke_api_key"),
    path("two-factor/", views.two_factor_settings, name="two_factor"),
    path("password/", views.PasswordChangeView.as_view(), name="password"),
    path("password/changed/", views.PasswordChangeDoneView.as_view(), name="password_changed"),
    path("audit/", views.audit_log, name="audit_log"),
    path("units/", unit_views.units, name="units"),
    path("units/<int:unit_id>/rename/", unit_views.rename_unit, name="rename_unit"),
    path("units/move/", unit_views.move_unit, name="move_unit"),
    path("people/", people_views.people, name="people"),
    path("people/<int:membership_id>/", people_views.change_member, name="change_member"),
    path("people/<int:membership_id>/remove/", people_views.remove_member, name="remove_member"),
    path("people/<int:membership_id>/invite/", people_views.resend_invitation, name="resend_invitation"),
]
