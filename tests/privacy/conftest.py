"""A person glapp knows in every way it can know someone, next to a bystander it must not forget.

Greta arrives through a touchpoint event (an e-mail invitation sent to the local outbox, and
later an SMS one), answers on the respondent page, is sent through the API with an
Idempotency-Key and is imported from an uploaded file; her comments are analyzed, tagged and
corrected by an analyst. Everything an erasure must reach is made through glapp's own paths.
"""

import datetime as dt
import logging

import pytest
from django.db import transaction
from django.test import Client
from django.utils import timezone

from glapp.accounts.actions import AuditActor
from glapp.accounts.models import Role
from glapp.analytics.actions import ROLLUP_COUNTS
from glapp.analytics.models import Rollup
from glapp.cases import actions as case_actions
from glapp.core.events import CaseChanged
from glapp.distribution.actions import record_events
from glapp.distribution.dispatch import dispatch_due_invitations
from glapp.distribution.models import Invitation
from glapp.distribution.queries import event_catalog
from glapp.distribution.validation import clean_event
from glapp.responses.importing import jobs
from glapp.responses.importing.storage import store_upload
from glapp.responses.models import Answer
from glapp.textanalytics import actions as text_actions
from glapp.textanalytics.models import CommentAnalysis, Topic
from glapp.webhooks.actions import EVENT_NAMES, create_endpoint
from tests.api.helpers import Api, key_for
from tests.factories import make_user
from tests.importing.test_import_csv import HEADER, row
from tests.importing.test_web import csv_bytes

NOON = dt.datetime(2026, 6, 10, 10, 0, tzinfo=dt.UTC)
LATER = NOON + dt.timedelta(days=45)


class Person:
    def __init__(self, tag: str, external_id: str, email: str, phone: str, name: str):
        self.external_id, self.email, self.phone, self.name = external_id, email, phone, name
        self.word = tag  # in every comment: found in the redacted text and key phrases too
        self.comments = [f"{name} på sidan: personalen {tag} glömde min beställning två gånger",
                         f"Via API: leveransen {tag} kom aldrig fram och ingen ringde tillbaka",
                         f"Importerad: fakturan {tag} var fel och kundtjänsten lovade återkomma"]

    @property
    def identifiers(self) -> list[str]:
        return [self.external_id, self.email, self.phone]


GRETA = Person("zqgrg", "kund-7f3a9c", "Greta.Svensson@exempel.se", "+46705551234", "Greta")
BERTIL = Person("zqbrt", "kund-1b2e44", "bertil.berg@exempel.se", "+46706667788", "Bertil")


def _event(org, person: Person, at: dt.datetime, channel: str = "") -> None:
    """A touchpoint event judged at its own time (the clock of the run plays no part)."""
    raw = {"id": f"ev-{person.external_id}-{at.date()}", "touchpoint": "phone-support",
           "occurred_at": at.isoformat(), "metadata": {"agent": "Bo", "order": f"order-of-{person.external_id}"},
           "customer": {"external_id": person.external_id, "email": person.email, "phone": person.phone,
                        "first_name": person.name, "consent_email": True, "consent_sms": True, "language": "sv"}}
    if channel:
        raw["channel"] = channel
    clean = clean_event(raw, event_catalog(org.id), now=at)
    assert not isinstance(clean, list), clean
    [result] = record_events(org.id, [clean], now=at)
    assert result.outcome == "invited", result


def _answer(org, api: Api, person: Person, n: int) -> None:
    """On the respondent page (a score, then a comment), and through the API."""
    invitation = Invitation.objects.get(organization=org, customer__external_id=person.external_id, channel="email")
    # Answered while the link is open, whenever the suite runs.
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() + dt.timedelta(days=14))
    page = Client()
    for key, answer in (("nps", "3"), ("ces", "4"), ("reason", "service")):  # one question per page
        page.post(f"/r/{invitation.token}/", {"question": key, "answer": answer})
    page.post(f"/r/{invitation.token}/", {"question": "comment", "answer": person.comments[0]})
    resp = api.post("/responses", {
        "survey": "nps", "submitted_at": "2026-06-01T10:15:00+02:00", "channel": "email", "language": "sv",
        "external_id": f"api-{person.external_id}",  # the sender's ids may embed the customer's
        "customer": {"external_id": person.external_id, "email": person.email, "phone": person.phone,
                     "first_name": person.name, "segment": "private"},
        "metadata": {"campaign": "sommar", "agent": "Bo", "ticket": f"T-{person.external_id}"},
        "answers": {"nps": 2, "ces": 3, "comment": person.comments[1]}}, headers={"Idempotency-Key": f"k-{n}"})
    assert resp.status_code == 201, resp.content


@pytest.fixture
def places(settings, tmp_path):
    """Where glapp writes files: uploads, the e-mail file outbox, the SMS outbox."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path / "outbox")
    settings.GLAPP_SMS_PROVIDER = "local"
    settings.GLAPP_SMS_OUTBOX = str(tmp_path / "sms-outbox.jsonl")
    settings.GLAPP_BASE_URL = "https://glapp.test"
    return tmp_path


@pytest.fixture
def known(org, places, caplog, settings):
    """Greta and Bertil, each known in every way; returns the analyst who tagged their comments."""
    caplog.set_level(logging.DEBUG)
    # A webhook endpoint that gets everything, personal data included: the outbox copies them.
    settings.GLAPP_WEBHOOKS_ALLOW_PRIVATE = True
    create_endpoint(org.id, "http://127.0.0.1:9/hook", list(EVENT_NAMES), personal_data=True,
                    actor=AuditActor.command())
    api = Api(key_for(org, ("responses:read", "responses:write", "admin")))
    # Detractors open cases (API and respondent page alike), which handlers then work.
    case_actions.save_rule(org.id, None, name="Detractors", active=True,
                           conditions={"score": "nps", "op": "<=", "value": 6}, open_case=True, priority=2,
                           notify_users=[], notify_units=[], webhook=False)
    for person in (GRETA, BERTIL):
        _event(org, person, NOON - dt.timedelta(hours=3))
    assert dispatch_due_invitations(now=NOON)["sent"] == 2  # e-mail, to the file outbox
    for n, person in enumerate((GRETA, BERTIL)):
        _answer(org, api, person, n)
    for person in (GRETA, BERTIL):
        _event(org, person, LATER, channel="sms")
    assert dispatch_due_invitations(now=LATER + dt.timedelta(hours=1))["sent"] == 2  # to the SMS outbox
    # An uploaded file with both, imported.
    sha = store_upload(org.id, [csv_bytes([
        row(1, external_id=f"imp-{p.external_id}", customer_id=p.external_id, comment=p.comments[2],
            unit="acme-north-store")
        for p in (GRETA, BERTIL)])])
    job = jobs.start_import(org.id, filename="kunder.csv", file_sha256=sha, mapping={}, defaults={},
                            dry_run=False, header=HEADER, queue=False)
    jobs.run_import_job(job, {}, {})
    assert job.created_count == 2, job.errors
    text_actions.analyze_pending(org.id)
    analyst = make_user(org, "ana", Role.ANALYST)
    topic = Topic.objects.filter(organization=org).order_by("code").first()
    for analysis in CommentAnalysis.objects.filter(organization=org):
        text_actions.tag_comment(org.id, analysis.answer_id, topic.code, True, user=analyst)
        text_actions.correct_sentiment(org.id, analysis.answer_id, "negative", user=analyst)
    for person in (GRETA, BERTIL):  # a case message that names the customer only in its data
        with transaction.atomic():
            CaseChanged(org.id, case_id=1, kind="created", data={"id": 1, "customer": person.external_id,
                                                               "subject": person.comments[1]}).send()
    texts = set(Answer.objects.filter(question_type="text").values_list("text", flat=True))
    assert {*GRETA.comments, *BERTIL.comments} <= texts
    _work_cases(org)
    return analyst


def _work_cases(org) -> None:
    """Each person's case: a note and a call naming them, an e-mail to them, closed with a
    resolution naming them, which sends the follow-up question."""
    from glapp.cases.emails import send_queued
    from glapp.cases.models import Case, RootCause

    handler = make_user(org, "sara", Role.CASE_HANDLER)
    handler.email = "sara@acme.test"
    handler.save()
    cause = RootCause.objects.get(organization=org, code="staff")
    for person in (GRETA, BERTIL):
        cases = list(Case.objects.filter(organization=org, customer__external_id=person.external_id))
        assert cases, person.external_id
        for case in cases:
            case_actions.add_note(case, f"{person.name} ({person.phone}, {person.email}) vill bli uppringd",
                                  actor_id=handler.pk)
            case_actions.log_call(case, actor_id=handler.pk, summary=f"Pratade med {person.name}", reached=True)
            case_actions.send_email(case, subject=f"Hej {person.name}", body=f"Hej {person.name}, {person.word}",
                                    actor=handler)
            case_actions.close(case, actor_id=handler.pk, root_cause_id=cause.pk,
                               resolution=f"Ringde {person.name} på {person.phone}")
    assert send_queued()["sent"] >= 2


def rollup_cells(organization_id: int) -> dict[tuple, tuple]:
    key = ("source", "grain", "day", "survey", "touchpoint", "unit", "channel", "language", "segment",
           "d1", "d2", "d3", "d4", "question", "option")
    counts = ROLLUP_COUNTS
    out = {}
    for r in Rollup.objects.filter(organization_id=organization_id).values(*key, *counts):
        vec = tuple(r[c] for c in counts)
        if any(vec):  # a cell emptied by a subtraction is the same as no cell
            out[tuple(r[k] for k in key)] = vec
    return out
