from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0003_unit_paths_from_parents'),
    ]

    operations = [
        migrations.AddField(
            model_name='organization',
            name='widget_origins',
            field=models.TextField(blank=True, default='', help_text="The sites that may show this organization's survey widget, one origin per line (https://shop.example). The widget's survey pages may be framed only by these, and the widget stays off until one is listed."),
        ),
    ]
