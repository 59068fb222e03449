import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0003_unit_paths_from_parents'),
        ('contacts', '0005_customer_owning_unit'),
    ]

    operations = [
        migrations.CreateModel(
            name='Tombstone',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('kind', models.CharField(choices=[('external_id', 'Customer id'), ('email', 'E-mail'), ('phone', 'Phone')], max_length=16)),
                ('digest', models.CharField(help_text='HMAC-SHA256 of the normalised identifier.', max_length=64)),
                ('organization', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='accounts.organization')),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('organization', 'digest'), name='tombstone_digest_unique')],
            },
        ),
    ]
