from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0005_audit_entry'),
    ]

    operations = [
        migrations.AlterField(
            model_name='auditentry',
            name='action',
            field=models.CharField(choices=[('comments.unredacted_viewed', 'Viewed unredacted comments'), ('responses.exported', 'Exported responses'), ('customer.exported', "Exported a customer's data"), ('customer.erased', 'Erased a customer'), ('member.role_changed', 'Changed a role'), ('api_key.created', 'Created an API key'), ('api_key.revoked', 'Revoked an API key'), ('retention.applied', 'Applied the retention periods'), ('retention.changed', 'Changed the retention periods')], max_length=40),
        ),
        migrations.AlterField(
            model_name='auditentry',
            name='actor',
            field=models.CharField(choices=[('user', 'Person'), ('api_key', 'API key'), ('command', 'Command line'), ('scheduled', 'Scheduled task')], max_length=16),
        ),
    ]
