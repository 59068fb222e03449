from django.db import migrations, models


class Migration(migrations.Migration):
    """The event's requested channel is remembered, so the dispatcher never switches it."""

    dependencies = [
        ("distribution", "0002_sending_bookkeeping"),
    ]

    operations = [
        migrations.AddField(
            model_name="invitation",
            name="channel_requested",
            field=models.BooleanField(db_default=False, default=False),
        ),
    ]
