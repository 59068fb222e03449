from django.urls import path

from glapp.web import views

app_name = "web"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("responses/", views.responses, name="responses"),
    path("journey/", views.journey, name="journey"),
    path("trends/", views.trends, name="trends"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("language/", views.change_language, name="language"),
    path("organization/", views.switch_organization, name="switch_organization"),
]
