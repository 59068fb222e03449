import django.db.models.deletion
import glapp.surveys.models
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('accounts', '0002_comment_policy'),
        ('contacts', '0004_preferred_channel_db_default'),
        ('journeys', '0001_initial'),
        ('surveys', '0006_hide_session_tokens'),
    ]

    # The tables were made by surveys (when the respondent pages lived there) and keep their names:
    # this only moves the models in Django's state, no table is created or changed.
    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name='Display',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('event', models.CharField(blank=True, default='', max_length=80)),
                        ('page', models.CharField(blank=True, default='', max_length=500)),
                        ('visitor', models.CharField(blank=True, default='', help_text='Hashed, anonymous.', max_length=64)),
                        ('responded_at', models.DateTimeField(blank=True, null=True)),
                        ('organization', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='accounts.organization')),
                        ('survey', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='displays', to='surveys.survey')),
                        ('touchpoint', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='journeys.touchpoint')),
                    ],
                    options={
                        'db_table': 'surveys_display',
                    },
                ),
                migrations.CreateModel(
                    name='RespondentSession',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('token', models.CharField(default=glapp.surveys.models.new_token, max_length=43, unique=True)),
                        ('channel', models.CharField(default='link', max_length=16)),
                        ('language', models.CharField(default='sv', max_length=8)),
                        ('context', models.JSONField(blank=True, default=dict)),
                        ('answered', models.JSONField(blank=True, default=dict, help_text='Answers so far, by question key.')),
                        ('last_answer_at', models.DateTimeField(blank=True, null=True)),
                        ('completed_at', models.DateTimeField(blank=True, null=True)),
                        ('expires_at', models.DateTimeField(blank=True, null=True)),
                        ('customer', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='contacts.customer')),
                        ('display', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='respond.display')),
                        ('organization', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='accounts.organization')),
                        ('survey', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='sessions', to='surveys.survey')),
                        ('survey_version', models.ForeignKey(on_delete=django.db.models.deletion.RESTRICT, related_name='+', to='surveys.surveyversion')),
                        ('touchpoint', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='journeys.touchpoint')),
                        ('unit', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='accounts.unit')),
                    ],
                    options={
                        'db_table': 'surveys_respondentsession',
                    },
                ),
                migrations.AddIndex(
                    model_name='display',
                    index=models.Index(fields=['survey', 'created_at'], name='display_survey_time'),
                ),
            ],
        ),
    ]
