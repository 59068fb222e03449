from django.urls import path

from glapp.web import settings_views, views

app_name = "web"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("responses/", views.responses, name="responses"),
    path("responses/<int:response_id>/", views.response, name="response"),
    path("comments/<int:answer_id>/", views.comment, name="comment"),
    path("journey/", views.journey, name="journey"),
    path("trends/", views.trends, name="trends"),
    path("questions/", views.questions, name="questions"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("language/", views.change_language, name="language"),
    path("organization/", views.switch_organization, name="switch_organization"),
    path("settings/", settings_views.settings_home, name="settings"),
    path("settings/organization/", settings_views.organization_settings, name="organization_settings"),
]
