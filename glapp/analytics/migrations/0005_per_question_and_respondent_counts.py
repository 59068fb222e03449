"""Rollups gain a question key (each question's own figure), per-option counts of choice
questions and per-respondent sums (honest intervals for pooled answers); every organization's
rollups are recounted so an upgraded installation shows them right after `glapp migrate`.

Uses the current rebuild code, as 0002–0004 did; those now leave the counting to this one, whose
schema is the one the code writes.
"""

from django.db import migrations, models


def recount(apps, schema_editor):
    org_ids = set()
    for app, model in (("responses", "Response"), ("distribution", "Invitation"), ("respond", "Display")):
        org_ids.update(apps.get_model(app, model).objects.values_list("organization_id", flat=True).distinct()
                       .order_by())
    if not org_ids:
        return
    from glapp.analytics.actions import rebuild_rollups

    for org_id in sorted(org_ids):
        rebuild_rollups(org_id)


def drop_question_rows(apps, schema_editor):
    """Going back: the older schema keys a cell without question and option, so only the rows
    that were already keyed so (responses, invitations) stay; `glapp rollups rebuild` with the
    older code recounts the answers' values."""
    apps.get_model("analytics", "Rollup").objects.exclude(source__in=["responses", "invitations"]).delete()


class Migration(migrations.Migration):

    # The recount runs today's code, which reads every app's models as they are now: it runs
    # after each app's latest schema.
    dependencies = [
        ('accounts', '0008_audit_actions_of_setup_and_retention'),
        ('analytics', '0004_count_widget_displays'),
        ('contacts', '0007_contact_policy_office_hours'),
        ('core', '0001_task_leases'),
        ('distribution', '0006_retention_indexes'),
        ('journeys', '0001_initial'),
        ('privacy', '0001_retention_policy'),
        ('respond', '0003_session_retention_index'),
        ('responses', '0006_import_options_and_summary'),
        ('surveys', '0007_respondent_models_move_to_respond'),
        ('textanalytics', '0003_pending_analysis_and_drains'),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='rollup',
            name='rollup_cell_unique',
        ),
        migrations.AddField(
            model_name='rollup',
            name='m_sq',
            field=models.BigIntegerField(default=0, db_default=0),
        ),
        migrations.AddField(
            model_name='rollup',
            name='option',
            field=models.CharField(db_default='', default='', help_text="a choice option's code", max_length=120),
        ),
        migrations.AddField(
            model_name='rollup',
            name='question',
            field=models.IntegerField(default=0, db_default=0),
        ),
        migrations.AddField(
            model_name='rollup',
            name='respondents',
            field=models.IntegerField(default=0, db_default=0),
        ),
        migrations.AddField(
            model_name='rollup',
            name='y1_m',
            field=models.BigIntegerField(default=0, db_default=0),
        ),
        migrations.AddField(
            model_name='rollup',
            name='y1_sq',
            field=models.BigIntegerField(default=0, db_default=0),
        ),
        migrations.AddField(
            model_name='rollup',
            name='y2_m',
            field=models.BigIntegerField(default=0, db_default=0),
        ),
        migrations.AddField(
            model_name='rollup',
            name='y2_sq',
            field=models.BigIntegerField(default=0, db_default=0),
        ),
        migrations.AddConstraint(
            model_name='rollup',
            constraint=models.UniqueConstraint(fields=('organization', 'source', 'grain', 'day', 'survey', 'touchpoint', 'unit', 'channel', 'language', 'segment', 'd1', 'd2', 'd3', 'd4', 'question', 'option'), name='rollup_cell_unique'),
        ),
        migrations.RunPython(recount, drop_question_rows),
    ]
