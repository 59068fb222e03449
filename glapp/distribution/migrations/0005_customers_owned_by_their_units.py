from collections import defaultdict

from django.db import migrations

CHUNK = 900  # ids per UPDATE, below SQLite's bound-parameter limit


def owning_units(apps, schema_editor):
    """Each existing customer is owned by the unit of its events and invitations when they all
    name one and the same unit; otherwise (several units, or none) by the whole organization.
    Before owners existed, a unit-limited member saw a customer with an event or invitation in
    their subtree; this keeps the unambiguous cases visible and hides the rest from unit-limited
    members (an organization-wide member can still see them all)."""
    TouchpointEvent = apps.get_model("distribution", "TouchpointEvent")
    Invitation = apps.get_model("distribution", "Invitation")
    Customer = apps.get_model("contacts", "Customer")
    units = defaultdict(set)
    for model in (TouchpointEvent, Invitation):
        pairs = (model.objects.filter(customer__isnull=False, unit__isnull=False)
                 .values_list("customer_id", "unit_id").distinct().order_by())
        for customer_id, unit_id in pairs.iterator(chunk_size=10_000):
            units[customer_id].add(unit_id)
    by_unit = defaultdict(list)
    for customer_id, found in units.items():
        if len(found) == 1:
            by_unit[next(iter(found))].append(customer_id)
    for unit_id, customer_ids in by_unit.items():
        for start in range(0, len(customer_ids), CHUNK):
            Customer.objects.filter(pk__in=customer_ids[start:start + CHUNK], unit__isnull=True).update(unit_id=unit_id)


class Migration(migrations.Migration):

    dependencies = [
        ('contacts', '0005_customer_owning_unit'),
        ('distribution', '0004_invitation_segment'),
    ]

    operations = [
        migrations.RunPython(owning_units, migrations.RunPython.noop),
    ]
