"""An import job's remembered unit path follows its unit to the path accounts.0003 recomputed
(a unit moved in the admin kept its old path, and so did the jobs made there). The unit is the
one the path ends in; a job whose unit is gone or has no path keeps what it has."""

from django.db import migrations


def follow(apps, schema_editor):
    ImportJob = apps.get_model("responses", "ImportJob")
    Unit = apps.get_model("accounts", "Unit")
    paths = dict(Unit.objects.values_list("id", "path"))
    changed = []
    for job in ImportJob.objects.exclude(unit_path="").only("id", "unit_path"):
        path = paths.get(int(job.unit_path.strip("/").rsplit("/", 1)[-1]))
        if path and path != job.unit_path:
            job.unit_path = path
            changed.append(job)
    ImportJob.objects.bulk_update(changed, ["unit_path"], batch_size=500)


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0003_unit_paths_from_parents"),
        ("responses", "0003_fill_import_job_unit_limit"),
    ]

    operations = [migrations.RunPython(follow, migrations.RunPython.noop)]
