from django.db import migrations


def seed(apps, schema_editor):
    # The same list new organizations get (glapp/cases/root_causes.py), in English names here:
    # a migration cannot switch the UI language per organization; owners rename as they like.
    Organization = apps.get_model("accounts", "Organization")
    RootCause = apps.get_model("cases", "RootCause")
    ReplyTemplate = apps.get_model("cases", "ReplyTemplate")
    from glapp.cases.seeds import SEED, TEMPLATES

    for org_id in Organization.objects.values_list("id", flat=True):
        if not ReplyTemplate.objects.filter(organization_id=org_id).exists():
            ReplyTemplate.objects.bulk_create([
                ReplyTemplate(organization_id=org_id, language=language, name=name, subject=subject, body=body,
                              position=i) for i, (language, name, subject, body) in enumerate(TEMPLATES)])
        have = set(RootCause.objects.filter(organization_id=org_id).values_list("code", flat=True))
        RootCause.objects.bulk_create([RootCause(organization_id=org_id, code=code, name=name, position=i)
                                       for i, (code, name) in enumerate(SEED) if code not in have])


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_cases"), ("accounts", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
