"""Count widget displays shown before they were part of response rates (same approach as 0003)."""

from django.db import migrations


def count_existing(apps, schema_editor):
    """Left to 0005_per_question_and_respondent_counts, which recounts everything on the schema the
    current rebuild code writes (this code, run here, would write columns that do not exist yet)."""


class Migration(migrations.Migration):
    dependencies = [
        ("analytics", "0003_count_existing_invitations"),
        ("surveys", "0004_fill_display_response_rate"),
    ]

    operations = [migrations.RunPython(count_existing, migrations.RunPython.noop)]
