import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    """Customers get an owning unit. Existing customers are given one by distribution's
    0005_customers_owned_by_their_units (it reads events and invitations, which contacts may not)."""

    dependencies = [
        ('accounts', '0003_unit_paths_from_parents'),
        ('contacts', '0004_preferred_channel_db_default'),
    ]

    operations = [
        migrations.AddField(
            model_name='customer',
            name='unit',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='accounts.unit'),
        ),
    ]
