from django.urls import path

from glapp.cases import promoter_views, rule_views, settings_views, views

app_name = "cases"
urlpatterns = [
    path("cases/", views.inbox, name="inbox"),
    path("cases/rows/", views.inbox_rows, name="inbox_rows"),
    path("cases/assign/", views.bulk_assign, name="bulk_assign"),
    path("cases/<int:case_id>/", views.case_detail, name="case"),
    path("cases/<int:case_id>/email/fill/", views.email_fill, name="email_fill"),
    path("cases/<int:case_id>/<slug:action>/", views.case_action, name="act"),
    path("cases/for-response/<int:response_id>/", views.open_for_response, name="open_for_response"),
    path("settings/alert-rules/", rule_views.rules, name="rules"),
    path("settings/alert-rules/new/", rule_views.edit_rule, name="new_rule"),
    path("settings/alert-rules/preview/", rule_views.preview, name="rule_preview"),
    path("settings/alert-rules/<int:rule_id>/", rule_views.edit_rule, name="edit_rule"),
    path("settings/alert-rules/<int:rule_id>/switch/", rule_views.switch_rule, name="switch_rule"),
    path("settings/alert-rules/<int:rule_id>/delete/", rule_views.delete_rule, name="delete_rule"),
    path("settings/cases/", settings_views.case_settings, name="settings"),
    path("settings/cases/root-causes/", settings_views.root_causes, name="root_causes"),
    path("settings/cases/units/<int:unit_id>/", settings_views.unit_settings, name="unit_settings"),
    path("settings/cases/templates/", settings_views.templates, name="templates"),
    path("settings/cases/templates/<int:template_id>/", settings_views.templates, name="template"),
    path("go/<str:token>/", promoter_views.promoter_link, name="promoter_link"),
]
