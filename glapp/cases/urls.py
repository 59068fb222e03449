from django.urls import path

from glapp.cases import views

urlpatterns = [
    path("go/<str:token>/", views.promoter_link, name="promoter-link"),
]
