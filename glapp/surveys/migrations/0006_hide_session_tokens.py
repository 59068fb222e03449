"""Responses of survey sessions: replace the external id "session:<token>" with one derived from
the token (`models.session_response_id`), so API readers and exports never see a respondent's
link token. Only responses of sessions that exist are touched: an API client's own external id
that happens to start with "session:" is left as it is."""

import hashlib

from django.db import migrations

BATCH = 900  # keeps every query within 999 bound parameters (older SQLite builds)


def _derived(token: str) -> str:
    # Frozen copy of models.session_response_id: a migration must not follow later code changes.
    return "session:" + hashlib.sha256(token.encode()).hexdigest()[:32]


def _rewrite(apps, old_to_new) -> None:
    RespondentSession = apps.get_model("surveys", "RespondentSession")
    Response = apps.get_model("responses", "Response")
    sessions = RespondentSession.objects.order_by("pk").values_list("pk", "organization_id", "token")
    last = 0
    while True:
        batch = list(sessions.filter(pk__gt=last)[:BATCH])
        if not batch:
            return
        last = batch[-1][0]
        by_org: dict[int, dict[str, str]] = {}
        for _pk, org_id, token in batch:
            old, new = old_to_new(token)
            by_org.setdefault(org_id, {})[old] = new
        for org_id, mapping in by_org.items():
            rows = list(Response.objects.filter(organization_id=org_id, external_id__in=list(mapping))
                        .only("pk", "external_id"))
            for row in rows:
                row.external_id = mapping[row.external_id]
            Response.objects.bulk_update(rows, ["external_id"], batch_size=500)


def forward(apps, schema_editor):
    _rewrite(apps, lambda token: (f"session:{token}", _derived(token)))


def backward(apps, schema_editor):
    _rewrite(apps, lambda token: (_derived(token), f"session:{token}"))


class Migration(migrations.Migration):

    dependencies = [
        ("responses", "0001_initial"),
        ("surveys", "0005_question_answered"),
    ]

    operations = [migrations.RunPython(forward, backward)]
