from django.urls import path

from glapp.textanalytics import views

app_name = "textanalytics"
urlpatterns = [
    path("verbatims/", views.verbatims, name="verbatims"),
    path("verbatims/<int:answer_id>/tag/", views.tag, name="tag"),
    path("verbatims/<int:answer_id>/sentiment/", views.correct, name="correct"),
    path("topics/", views.topics, name="topics"),
    path("topics/new/", views.topic_edit, name="topic_new"),
    path("topics/preview/", views.topic_preview, name="topic_preview"),
    path("topics/<slug:code>/", views.topic_edit, name="topic"),
    path("topics/<slug:code>/delete/", views.topic_delete, name="topic_delete"),
]
