"""The survey builder, mounted at /surveys/."""

from django.urls import path

from glapp.surveys import views

app_name = "surveys"
urlpatterns = [
    path("", views.survey_list, name="list"),
    path("new/", views.survey_new, name="new"),
    path("<int:survey_id>/", views.survey_edit, name="edit"),
    path("<int:survey_id>/settings/", views.survey_settings, name="settings"),
    path("<int:survey_id>/questions/", views.question_add, name="question_add"),
    path("<int:survey_id>/questions/<int:question_id>/", views.question_save, name="question_save"),
    path("<int:survey_id>/questions/<int:question_id>/move/", views.question_move, name="question_move"),
    path("<int:survey_id>/questions/<int:question_id>/delete/", views.question_delete, name="question_delete"),
    path("<int:survey_id>/lint/", views.survey_lint, name="lint"),
    path("<int:survey_id>/publish/", views.survey_publish, name="publish"),
    path("<int:survey_id>/archive/", views.survey_archive, name="archive"),
]
