from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("responses", "0006_import_options_and_summary"),
    ]

    operations = [
        migrations.AddField(
            model_name="importjob",
            name="error_file_size",
            field=models.PositiveBigIntegerField(default=0),
        ),
    ]
