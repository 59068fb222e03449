import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0004_organization_widget_origins'),
    ]

    operations = [
        migrations.CreateModel(
            name='AuditEntry',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('actor', models.CharField(choices=[('user', 'Person'), ('api_key', 'API key'), ('command', 'Command line')], max_length=16)),
                ('user_id', models.IntegerField(blank=True, null=True)),
                ('username', models.CharField(blank=True, default='', max_length=150)),
                ('api_key_id', models.IntegerField(blank=True, null=True)),
                ('action', models.CharField(choices=[('comments.unredacted_viewed', 'Viewed unredacted comments'), ('responses.exported', 'Exported responses'), ('customer.exported', "Exported a customer's data"), ('customer.erased', 'Erased a customer'), ('member.role_changed', 'Changed a role'), ('api_key.created', 'Created an API key'), ('api_key.revoked', 'Revoked an API key')], max_length=40)),
                ('target_type', models.CharField(blank=True, default='', max_length=40)),
                ('target', models.CharField(blank=True, default='', help_text='An internal id or a keyed hash.', max_length=80)),
                ('details', models.JSONField(blank=True, default=dict)),
                ('organization', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='accounts.organization')),
            ],
            options={
                'indexes': [models.Index(fields=['organization', 'created_at'], name='audit_org_time')],
            },
        ),
    ]
