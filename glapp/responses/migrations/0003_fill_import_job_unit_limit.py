"""Import jobs made before 0002: their importer's unit limit, from the importer's membership
today (the best that is known), so a job a unit-limited member queued before the upgrade runs
confined to their units and stays visible to them. A job with no known importer keeps ""
(organization-wide), as a job started from the command line is."""

from django.db import migrations
from django.db.models import Exists, OuterRef, Subquery


def fill(apps, schema_editor):
    ImportJob = apps.get_model("responses", "ImportJob")
    Membership = apps.get_model("accounts", "Membership")
    limited = Membership.objects.filter(organization_id=OuterRef("organization_id"),
                                        user_id=OuterRef("created_by_id"), unit__isnull=False)
    (ImportJob.objects.filter(unit_path="", created_by__isnull=False).filter(Exists(limited))
     .update(unit_path=Subquery(limited.values("unit__path")[:1])))


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0002_comment_policy"),
        ("responses", "0002_import_job_unit_limit"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
