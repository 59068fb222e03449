from django.db import migrations


class Migration(migrations.Migration):
    """RespondentSession and Display belong to the respond app now (respond.0001_initial takes them
    over in Django's state); their tables stay as they are."""

    dependencies = [
        ("surveys", "0006_hide_session_tokens"),
        ("respond", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.RemoveField(model_name="respondentsession", name="display"),
                migrations.DeleteModel(name="Display"),
                migrations.DeleteModel(name="RespondentSession"),
            ],
        ),
    ]
