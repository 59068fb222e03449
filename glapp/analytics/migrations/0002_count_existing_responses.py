"""Count responses stored before rollups existed, so an upgraded installation's dashboards are
complete right after `glapp migrate`.

Uses the current rebuild code rather than historical models: on a database created after this
migration there are no responses yet and nothing runs, and on an upgraded one the schema is the
one this code was written for.
"""

from django.db import migrations


def count_existing(apps, schema_editor):
    """Left to 0005_per_question_and_respondent_counts, which recounts everything on the schema the
    current rebuild code writes (this code, run here, would write columns that do not exist yet)."""


class Migration(migrations.Migration):
    dependencies = [
        ("analytics", "0001_initial"),
        ("responses", "0001_initial"),
    ]

    operations = [migrations.RunPython(count_existing, migrations.RunPython.noop)]
