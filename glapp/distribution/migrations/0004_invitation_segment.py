from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def copy_segments(apps, schema_editor):
    """Existing invitations take their customer's current segment (the best that is known)."""
    Invitation = apps.get_model("distribution", "Invitation")
    Customer = apps.get_model("contacts", "Customer")
    Invitation.objects.update(segment=Subquery(Customer.objects.filter(pk=OuterRef("customer_id")).values("segment")[:1]))


class Migration(migrations.Migration):
    """The segment an invitation was sent in, so response rates can be counted by segment."""

    dependencies = [
        ("distribution", "0003_invitation_channel_requested"),
        ("contacts", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="invitation",
            name="segment",
            field=models.CharField(blank=True, db_default="", default="", max_length=80),
        ),
        migrations.RunPython(copy_segments, migrations.RunPython.noop),
    ]
