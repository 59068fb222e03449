"""Existing widget displays: their touchpoint and whether their respondent answered (see 0003)."""

from django.db import migrations
from django.db.models import Exists, Min, OuterRef, Subquery, Value
from django.db.models.functions import Concat


def fill(apps, schema_editor):
    """Existing displays: the survey's current touchpoint (the best that is known) and, when a
    session started from the display stored a response (as the live count decides), that
    session's last answer time (only whether it is set matters to the counts)."""
    Display = apps.get_model("surveys", "Display")
    Survey = apps.get_model("surveys", "Survey")
    RespondentSession = apps.get_model("surveys", "RespondentSession")
    Response = apps.get_model("responses", "Response")
    Display.objects.update(touchpoint_id=Subquery(Survey.objects.filter(pk=OuterRef("survey_id"))
                                                  .values("touchpoint_id")[:1]))
    stored = Response.objects.filter(organization_id=OuterRef("organization_id"),
                                     external_id=Concat(Value("session:"), OuterRef("token")))
    answered = (RespondentSession.objects.filter(display_id=OuterRef("pk"), last_answer_at__isnull=False)
                .filter(Exists(stored)).values("display_id").annotate(first=Min("last_answer_at"))
                .values("first")[:1])
    Display.objects.update(responded_at=Subquery(answered))


class Migration(migrations.Migration):

    dependencies = [
        ('responses', '0001_initial'),
        ('surveys', '0003_display_response_rate'),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
