from django.urls import path

from glapp.journeys import views

app_name = "journeys"
urlpatterns = [
    path("", views.journey_list, name="list"),
    path("<int:journey_id>/", views.journey_editor, name="editor"),
]
