"""Every unit's path recomputed from its parents. Before Unit.save() kept paths, a unit added in
the admin was stored with an empty path (which a prefix match reads as "every unit") and a
parent changed there left the old path behind. A unit whose parents loop gets no path: it
matches nothing until its parent is corrected."""

from django.db import migrations


def unit_paths(parents: dict[int, int | None]) -> dict[int, str]:
    paths: dict[int, str] = {}
    for start in parents:
        chain, pk = [], start
        while pk is not None and pk not in paths and pk not in chain:
            chain.append(pk)
            pk = parents.get(pk)
        prefix = "/" if pk is None else (paths.get(pk) or None)  # None: the chain loops, or ends in a loop
        for unit in reversed(chain):
            prefix = None if prefix is None else f"{prefix}{unit}/"
            paths[unit] = prefix or ""
    return paths


def fill(apps, schema_editor):
    Unit = apps.get_model("accounts", "Unit")
    stored = {pk: (parent_id, path) for pk, parent_id, path in Unit.objects.values_list("id", "parent_id", "path")}
    paths = unit_paths({pk: parent_id for pk, (parent_id, _) in stored.items()})
    changed = [Unit(pk=pk, path=path) for pk, path in paths.items() if path != stored[pk][1]]
    Unit.objects.bulk_update(changed, ["path"], batch_size=500)


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0002_comment_policy"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
