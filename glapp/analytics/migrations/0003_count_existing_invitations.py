"""Count invitations sent before response rates were rolled up, so an upgraded installation's
response rates are complete right after `glapp migrate` (same approach as 0002)."""

from django.db import migrations


def count_existing(apps, schema_editor):
    Invitation = apps.get_model("distribution", "Invitation")
    org_ids = list(Invitation.objects.values_list("organization_id", flat=True).distinct().order_by())
    if not org_ids:
        return
    from glapp.analytics.actions import rebuild_invitation_rollups

    for org_id in org_ids:
        rebuild_invitation_rollups(org_id, displays=False)  # 0004 adds widget displays, once their columns exist


class Migration(migrations.Migration):
    dependencies = [
        ("analytics", "0002_count_existing_responses"),
        ("distribution", "0004_invitation_segment"),
    ]

    operations = [migrations.RunPython(count_existing, migrations.RunPython.noop)]
