"""Organizations made before the built-in topics were created with the organization: their copy
of glapp's taxonomy, so no read has to create it. Topics the organization already has (edited,
switched off, or its own with a built-in code) are left as they are, so running it again creates
nothing."""

from django.db import migrations

from glapp.textanalytics.analyzers import taxonomy  # pure data, no models


def create_missing(apps, schema_editor):
    Organization = apps.get_model("accounts", "Organization")
    Topic = apps.get_model("textanalytics", "Topic")
    for organization_id in Organization.objects.order_by("id").values_list("id", flat=True):
        have = set(Topic.objects.filter(organization_id=organization_id).values_list("code", flat=True))
        Topic.objects.bulk_create([
            Topic(organization_id=organization_id, code=t.code, name_sv=t.name_sv, name_en=t.name_en,
                  description=t.description, query=t.query, builtin=True, active=t.general)
            for t in taxonomy.TOPICS if t.code not in have])


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0002_comment_policy"),
        ("textanalytics", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_missing, migrations.RunPython.noop)]
