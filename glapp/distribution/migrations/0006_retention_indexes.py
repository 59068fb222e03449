from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('distribution', '0005_customers_owned_by_their_units'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='contactlog',
            index=models.Index(fields=['organization', 'created_at'], name='contactlog_org_recorded'),
        ),
        migrations.AddIndex(
            model_name='invitation',
            index=models.Index(fields=['organization', 'created_at'], name='invitation_org_recorded'),
        ),
        migrations.AddIndex(
            model_name='touchpointevent',
            index=models.Index(fields=['organization', 'created_at'], name='event_org_recorded'),
        ),
    ]
