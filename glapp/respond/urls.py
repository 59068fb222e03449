"""The respondent's pages and the widget's endpoints, mounted at the site root: short links
(/r/<token>/ in an e-mail or SMS, /s/<token>/ behind a QR code) and /w/widget.js for embedding."""

from django.urls import path

from glapp.respond import views

app_name = "respond"
urlpatterns = [
    path("r/<str:token>/", views.respond, name="session"),
    path("s/<str:public_token>/", views.public_survey, name="public"),
    path("w/widget.js", views.widget_js, name="widget_js"),
    path("w/<str:public_token>/config.json", views.widget_config, name="widget_config"),
    path("w/<str:public_token>/display-token", views.widget_display_token, name="widget_display_token"),
    path("w/<str:public_token>/displays", views.widget_displays, name="widget_displays"),
]
