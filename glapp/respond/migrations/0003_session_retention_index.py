from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('respond', '0002_display_nonce'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='respondentsession',
            index=models.Index(fields=['organization', 'created_at'], name='session_org_started'),
        ),
    ]
