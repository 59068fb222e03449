import django.core.validators
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('accounts', '0006_audit_retention_actions'),
    ]

    operations = [
        migrations.CreateModel(
            name='RetentionPolicy',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('raw_comments_days', models.PositiveIntegerField(blank=True, help_text='Comments as written are replaced by their redacted text (names, phone numbers, personnummer and the like removed); uploaded import files, their rejected rows and stored API request bodies are deleted.', null=True, validators=[django.core.validators.MinValueValidator(1, 'At least %(limit_value)s day.'), django.core.validators.MaxValueValidator(3650, 'At most %(limit_value)s days (ten years); leave it empty to keep.')], verbose_name='Raw comments and originals')),
                ('contact_data_days', models.PositiveIntegerField(blank=True, help_text='Customers not heard from (no response, event or invitation) for this long lose their name, e-mail, phone, region and attributes; their id in your systems and their opt-out stay.', null=True, validators=[django.core.validators.MinValueValidator(1, 'At least %(limit_value)s day.'), django.core.validators.MaxValueValidator(3650, 'At most %(limit_value)s days (ten years); leave it empty to keep.')], verbose_name='Contact data')),
                ('contact_history_days', models.PositiveIntegerField(blank=True, help_text='Invitations, touchpoint events, contact history and respondent sessions are deleted; response rates already counted stay.', null=True, validators=[django.core.validators.MinValueValidator(1, 'At least %(limit_value)s day.'), django.core.validators.MaxValueValidator(3650, 'At most %(limit_value)s days (ten years); leave it empty to keep.')], verbose_name='Invitation and contact history')),
                ('identifiable_responses_days', models.PositiveIntegerField(blank=True, help_text='Responses are unlinked from their customer and their comments (text, key phrases) and personal metadata deleted; scores, topics and sentiment stay, so figures do not change.', null=True, validators=[django.core.validators.MinValueValidator(1, 'At least %(limit_value)s day.'), django.core.validators.MaxValueValidator(3650, 'At most %(limit_value)s days (ten years); leave it empty to keep.')], verbose_name='Identifiable responses')),
                ('applied_at', models.DateTimeField(blank=True, null=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('organization', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='accounts.organization')),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('organization',), name='retention_policy_one_per_org')],
            },
        ),
    ]
