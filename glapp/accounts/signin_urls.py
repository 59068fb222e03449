from django.urls import path

from glapp.accounts import signin_views

app_name = "signin"
urlpatterns = [
    path("code/", signin_views.code, name="code"),
    path("enrol/", signin_views.enrol, name="enrol"),
    path("welcome/<uidb64>/<token>/", signin_views.WelcomeView.as_view(), name="welcome"),
]
