"""Count responses stored before rollups existed, so an upgraded installation's dashboards are
complete right after `glapp migrate`.

Uses the current rebuild code rather than historical models: on a database created after this
migration there are no responses yet and nothing runs, and on an upgraded one the schema is the
one this code was written for.
"""

from django.db import migrations


def count_existing(apps, schema_editor):
    Response = apps.get_model("responses", "Response")
    org_ids = list(Response.objects.values_list("organization_id", flat=True).distinct().order_by())
    if not org_ids:
        return
    from glapp.analytics.actions import rebuild_rollups

    for org_id in org_ids:
        rebuild_rollups(org_id, invitations=False)  # 0003 counts them, once their columns exist


class Migration(migrations.Migration):
    dependencies = [
        ("analytics", "0001_initial"),
        ("responses", "0001_initial"),
    ]

    operations = [migrations.RunPython(count_existing, migrations.RunPython.noop)]
