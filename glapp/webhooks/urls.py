from django.urls import path

from glapp.webhooks import views

app_name = "webhooks"
urlpatterns = [
    path("", views.endpoints, name="endpoints"),
    path("<int:endpoint_id>/", views.endpoint, name="endpoint"),
    path("<int:endpoint_id>/<str:what>/", views.endpoint_action, name="endpoint_action"),
]
