"""Widget displays count towards response rates: each keeps its survey's touchpoint and the time
its respondent first answered (filled for existing displays by 0004: on PostgreSQL, rows of a
table cannot be updated in the migration that adds a foreign key to it, whose index is created
at its end)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('journeys', '0001_initial'),
        ('surveys', '0002_listening'),
    ]

    operations = [
        migrations.AddField(
            model_name='display',
            name='responded_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='display',
            name='touchpoint',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL,
                                    related_name='+', to='journeys.touchpoint'),
        ),
    ]
