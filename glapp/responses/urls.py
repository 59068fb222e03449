from django.urls import path

from glapp.responses import views

app_name = "responses"
urlpatterns = [
    path("import/", views.import_upload, name="import"),
    path("import/<str:sha>/map/", views.import_map, name="import_map"),
    path("import/jobs/<int:job_id>/", views.import_job, name="import_job"),
    path("import/jobs/<int:job_id>/import/", views.import_job_run, name="import_job_run"),
    path("import/jobs/<int:job_id>/rejected-rows.csv", views.import_job_errors, name="import_job_errors"),
    path("export/", views.export_csv, name="export"),
]
