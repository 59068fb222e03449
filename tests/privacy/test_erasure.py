"""Erasure: afterwards no table, uploaded file, outbox or log line holds the person's identifiers
or comments, the bystander keeps everything, figures stay equal to a recount, and a tombstone
keeps a re-import, a re-sent response or a new event from bringing the person back."""

import json
import os
from pathlib import Path

import pytest
from django.apps import apps
from django.db import models

from glapp.accounts.models import AuditEntry
from glapp.analytics.actions import rebuild_rollups
from glapp.contacts.models import Customer, Tombstone
from glapp.responses.models import Response
from glapp.textanalytics.models import CommentAnalysis
from tests.api.helpers import Api, assert_problem, key_for
from tests.privacy.conftest import BERTIL, GRETA, rollup_cells

pytestmark = pytest.mark.django_db

TEXT_FIELDS = (models.CharField, models.TextField, models.JSONField, models.BinaryField)


def _as_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bytes | memoryview):
        return bytes(value).decode("latin-1")
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False) + json.dumps(value)
    return str(value)


def _needles(person) -> list[str]:
    return [n.lower() for n in (*person.identifiers, *person.comments, person.word)]


def found_in_tables(person) -> list[str]:
    """Every model glapp (and Django, and the task queue) has, every text, JSON or binary column:
    a table added later is searched without anyone remembering to."""
    needles = _needles(person)
    hits = []
    for model in apps.get_models():
        fields = [f for f in model._meta.concrete_fields if isinstance(f, TEXT_FIELDS)]
        if not fields:
            continue
        for row in model._base_manager.values_list("pk", *(f.attname for f in fields)).iterator():
            for field, value in zip(fields, row[1:], strict=True):
                text = _as_text(value).lower()
                hits += [f"{model._meta.label}.{field.name} #{row[0]}: {n}" for n in needles if n in text]
    return hits


def found_in_files(root: Path, person) -> list[str]:
    needles = _needles(person)
    hits = []
    for folder, _dirs, files in os.walk(root):
        for name in files:
            text = (Path(folder) / name).read_bytes().decode("utf-8", "replace").lower()
            hits += [f"{folder}/{name}: {n}" for n in needles if n in text]
    return hits


def found_in_logs(caplog, person) -> list[str]:
    """What a log handler writes: the message with its arguments (structlog's event dict included)
    and the formatted exception, if any."""
    needles = _needles(person)
    lines = [f"{r.getMessage()} {r.exc_text or ''}".lower() for r in caplog.records]
    return [f"{line[:200]}: {n}" for line in lines for n in needles if n in line]


def erase(org, mode: str, external_id: str = GRETA.external_id):
    api = Api(key_for(org, ("customers:erase",)))
    return api.raw("DELETE", f"/customers/{external_id}?mode={mode}")


@pytest.mark.parametrize("mode", ["anonymise", "delete"])
def test_after_erasure_no_table_file_or_log_holds_the_person(org, known, places, caplog, mode):
    for found in (found_in_tables(GRETA), found_in_files(places, GRETA)):
        assert found  # the search finds her before: it is not looking in the wrong places
    before = {p.external_id: found_in_tables(p) for p in (BERTIL,)}
    reader = Api(key_for(org, ("responses:read", "customers:export")))
    assert reader.get(f"/customers/{GRETA.external_id}/contact-history").status_code == 200

    resp = erase(org, mode)

    assert resp.status_code == 200, resp.content
    assert resp.json()["status"] == "erased"
    assert reader.get(f"/customers/{GRETA.external_id}/export").status_code == 404  # Django logs a 404's path
    logged = " ".join(str(r.msg) + str(r.args) for r in caplog.records)
    assert "/api/v1/customers/<external_id>/contact-history" in logged and "Not Found" in logged
    assert found_in_tables(GRETA) == []
    assert found_in_files(places, GRETA) == []
    assert found_in_logs(caplog, GRETA) == []
    # The bystander keeps everything, in every place.
    assert found_in_tables(BERTIL) == before[BERTIL.external_id]
    assert found_in_files(places, BERTIL)


@pytest.mark.parametrize("mode", ["anonymise", "delete"])
def test_figures_stay_equal_to_a_recount(org, known, mode):
    reported = rollup_cells(org.id)
    responses_before = Response.objects.filter(organization=org).count()

    erase(org, mode)

    kept = rollup_cells(org.id)
    rebuild_rollups(org.id)
    assert kept == rollup_cells(org.id)
    if mode == "anonymise":
        # Every response and score stays: only the response rate lost her invitations.
        assert Response.objects.filter(organization=org).count() == responses_before
        assert {k: v for k, v in kept.items() if k[0] != "invitations"} == \
               {k: v for k, v in reported.items() if k[0] != "invitations"}
    else:
        assert Response.objects.filter(organization=org).count() == responses_before - 3
        assert kept != reported


def test_anonymise_keeps_scores_topics_and_sentiment_without_text(org, known):
    ids = list(Response.objects.filter(customer__external_id=GRETA.external_id).values_list("id", flat=True))
    analyses = {a.response_id: (a.sentiment_label, sorted(a.mentions.values_list("topic", flat=True)))
                for a in CommentAnalysis.objects.filter(response_id__in=ids)}

    erase(org, "anonymise")

    kept = Response.objects.filter(pk__in=ids)
    assert kept.count() == 3 and not kept.filter(customer__isnull=False).exists()
    for response in kept:
        numbers = [a.number for a in response.answers.all() if a.number is not None]
        assert numbers and all(a.text == "" for a in response.answers.filter(question_type="text"))
        assert response.metadata == {}  # no metadata key is rolled up here, so none stays
    after = {a.response_id: (a.sentiment_label, sorted(a.mentions.values_list("topic", flat=True)))
             for a in CommentAnalysis.objects.filter(response_id__in=ids)}
    assert after == analyses and all(not a.redacted_text and not a.key_phrases
                                     for a in CommentAnalysis.objects.filter(response_id__in=ids))


def test_a_second_erasure_answers_already_erased_and_an_unknown_id_is_404(org, known):
    assert erase(org, "delete").json()["status"] == "erased"
    again = erase(org, "anonymise")
    assert again.status_code == 200 and again.json()["status"] == "already_erased"
    assert_problem(erase(org, "delete", external_id="never-seen"), 404)
    assert_problem(erase(org, "shred"), 422)


def test_the_tombstone_refuses_every_way_back(org, known, places):
    erase(org, "anonymise")
    assert Tombstone.objects.filter(organization=org).count() == 3
    api = Api(key_for(org))
    # A response naming her by e-mail only (another external id): refused, naming the field.
    resp = api.post("/responses", {"survey": "nps", "submitted_at": "2026-06-02T10:00:00+02:00",
                                   "customer": {"external_id": "new-id", "email": GRETA.email.upper()},
                                   "answers": {"nps": 5}})
    assert_problem(resp, 422, "customer")
    bulk = api.post("/responses/bulk", {"responses": [
        {"survey": "nps", "submitted_at": "2026-06-02T10:00:00+02:00", "customer": {"external_id": "x-1"},
         "answers": {"nps": 5}},
        {"survey": "nps", "submitted_at": "2026-06-02T10:00:00+02:00",
         "customer": {"external_id": GRETA.external_id}, "answers": {"nps": 5}}]})
    assert_problem(bulk, 422, "responses.1.customer")
    # A new event by phone number: skipped, and no customer is made again.
    event = api.post("/events", {"id": "ev-back", "touchpoint": "phone-support",
                                 "occurred_at": "2026-09-01T10:00:00+02:00",
                                 "customer": {"external_id": "other-id", "phone": "0046 70-555 12 34",
                                              "consent_sms": True}})
    assert event.status_code == 200, event.content  # nothing stored: not 202
    assert (event.json()["outcome"], event.json()["reason"], event.json()["id"]) == ("skipped", "erased", 0)
    assert not Customer.objects.filter(organization=org, external_id="other-id").exists()
    # A re-import of a file naming her: a row error, nothing stored.
    from glapp.responses.importing.jobs import run_import
    from tests.importing.test_import_csv import row, write_csv

    path = write_csv(places / "again.csv", [row(5, external_id="imp-again", customer_id=GRETA.external_id)])
    report = run_import(org.id, path)
    assert (report.created, report.rejected) == (0, 1)
    assert report.errors[0]["message"].startswith("belongs to a customer who was erased")
    assert not Customer.objects.filter(organization=org, external_id=GRETA.external_id).exists()


def test_erasure_is_audited_without_the_persons_identifiers(org, known):
    erase(org, "delete")
    entry = AuditEntry.objects.get(organization=org, action="customer.erased")
    assert entry.actor == "api_key" and entry.api_key_id and len(entry.target) == 64
    text = json.dumps(entry.details) + entry.target + entry.username
    assert not any(n.lower() in text.lower() for n in GRETA.identifiers)
    with pytest.raises(TypeError):
        AuditEntry.objects.filter(pk=entry.pk).delete()
    with pytest.raises(TypeError):
        entry.save()


def test_a_unit_limited_key_or_a_key_without_the_scope_may_not_erase(org, known):
    limited = Api(key_for(org, ("customers:erase",), unit_code="acme-north"))
    assert_problem(limited.raw("DELETE", f"/customers/{GRETA.external_id}"), 403)
    reader = Api(key_for(org, ("responses:read",)))
    assert_problem(reader.raw("DELETE", f"/customers/{GRETA.external_id}"), 403)
    assert Customer.objects.filter(external_id=GRETA.external_id).exists()


def test_another_organizations_customer_is_404(org, other_org, known):
    api = Api(key_for(other_org, ("customers:erase", "customers:export")))
    assert_problem(api.raw("DELETE", f"/customers/{GRETA.external_id}"), 404)
    assert_problem(api.get(f"/customers/{GRETA.external_id}/export"), 404)
    assert Customer.objects.filter(external_id=GRETA.external_id).exists()
