"""Count widget displays shown before they were part of response rates (same approach as 0003)."""

from django.db import migrations


def count_existing(apps, schema_editor):
    Display = apps.get_model("surveys", "Display")
    org_ids = list(Display.objects.values_list("organization_id", flat=True).distinct().order_by())
    if not org_ids:
        return
    from glapp.analytics.actions import rebuild_invitation_rollups

    for org_id in org_ids:
        rebuild_invitation_rollups(org_id)


class Migration(migrations.Migration):
    dependencies = [
        ("analytics", "0003_count_existing_invitations"),
        ("surveys", "0004_fill_display_response_rate"),
    ]

    operations = [migrations.RunPython(count_existing, migrations.RunPython.noop)]
