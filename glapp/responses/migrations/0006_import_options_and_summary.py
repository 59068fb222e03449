from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("responses", "0005_import_job_error_count"),
    ]

    operations = [
        migrations.AddField(
            model_name="importsource",
            name="options",
            field=models.JSONField(blank=True, default=dict, help_text="Date format, time zone, value mappings."),
        ),
        migrations.AddField(
            model_name="importjob",
            name="summary",
            field=models.JSONField(blank=True, default=dict),
        ),
    ]
