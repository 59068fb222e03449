"""Count invitations sent before response rates were rolled up, so an upgraded installation's
response rates are complete right after `glapp migrate` (same approach as 0002)."""

from django.db import migrations


def count_existing(apps, schema_editor):
    """Left to 0005_per_question_and_respondent_counts, which recounts everything on the schema the
    current rebuild code writes (this code, run here, would write columns that do not exist yet)."""


class Migration(migrations.Migration):
    dependencies = [
        ("analytics", "0002_count_existing_responses"),
        ("distribution", "0004_invitation_segment"),
    ]

    operations = [migrations.RunPython(count_existing, migrations.RunPython.noop)]
