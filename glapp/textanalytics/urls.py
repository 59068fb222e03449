from django.urls import path

from glapp.textanalytics import views

app_name = "textanalytics"
urlpatterns = [
    path("verbatims/", views.verbatims, name="verbatims"),
    path("verbatims/phrases/", views.verbatim_phrases, name="verbatim_phrases"),
    path("verbatims/<int:answer_id>/tag/", views.tag, name="tag"),
    path("verbatims/<int:answer_id>/sentiment/", views.correct, name="correct"),
    path("topics/", views.topics, name="topics"),
    path("topics/new/", views.topic_edit, name="topic_new"),
    path("topics/preview/", views.topic_preview, name="topic_preview"),
    path("topics/themes/", views.themes, name="themes"),
    path("topics/<slug:code>/", views.topic_edit, name="topic"),
    path("topics/<slug:code>/delete/", views.topic_delete, name="topic_delete"),
    path("topics/<slug:code>/teach/<int:answer_id>/", views.topic_teach, name="topic_teach"),
]
