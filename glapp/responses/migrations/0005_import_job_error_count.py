from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("responses", "0004_import_job_unit_paths"),
    ]

    operations = [
        migrations.AddField(
            model_name="importjob",
            name="error_count",
            field=models.PositiveIntegerField(default=0, help_text="Every error found, also those past the cap."),
        ),
    ]
