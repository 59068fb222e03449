"""Retention: each period removes exactly what is past it and keeps what is not, figures do not
change, a second run does nothing, other organizations are untouched, and every run is logged.

Greta's rows are dated long ago and Bertil's recently (`_date`), and every run is given its own
`now` (NOW): no test depends on when the suite runs."""

import datetime as dt
import json
import os

import pytest
from django.core.management import call_command
from django.db.models import Q
from django.test import Client
from django.utils import timezone

from glapp.accounts.actions import AuditActor
from glapp.accounts.models import AuditEntry, Role
from glapp.analytics.actions import rebuild_rollups
from glapp.cases.models import Case, CaseActivity, CaseEmail
from glapp.contacts.models import Customer
from glapp.distribution.models import ContactLog, Invitation, TouchpointEvent
from glapp.privacy import retention
from glapp.privacy.models import RetentionPolicy
from glapp.respond.models import RespondentSession
from glapp.responses.importing.storage import import_dir
from glapp.responses.models import Answer, IdempotencyRecord, ImportJob, Response
from glapp.textanalytics.models import CommentAnalysis
from glapp.webhooks.models import Message as WebhookMessage
from tests.api.helpers import Api, key_for
from tests.factories import PASSWORD, make_user
from tests.privacy.conftest import BERTIL, GRETA, rollup_cells
from tests.privacy.test_erasure import TEXT_FIELDS, _as_text

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2027, 3, 1, 2, 0, tzinfo=dt.UTC)
LONG_AGO = NOW - dt.timedelta(days=400)
RECENTLY = NOW - dt.timedelta(days=10)
PERIOD = 90
KIND_FIELDS = {k: f"{k}_days" for k in RetentionPolicy.KINDS}


def _customer(org, person):
    return Customer.objects.get(organization=org, external_id=person.external_id)


def _responses(org, person):
    return Response.objects.filter(organization=org, customer__external_id=person.external_id)


def _date(org, person, when: dt.datetime) -> None:
    """Everything glapp holds about the person, as if recorded at `when`."""
    customer = _customer(org, person)
    Customer.objects.filter(pk=customer.pk).update(created_at=when)
    Response.objects.filter(customer=customer).update(submitted_at=when, created_at=when)
    invitations = Invitation.objects.filter(customer=customer)
    tokens = list(invitations.values_list("token", flat=True))
    invitations.update(created_at=when, scheduled_for=when, expires_at=when + dt.timedelta(days=14))
    # A case's follow-up invitation, scheduled then, has expired since.
    invitations.filter(status=Invitation.Status.SCHEDULED, expires_at__lt=NOW).update(status=Invitation.Status.EXPIRED)
    Case.objects.filter(customer=customer).update(created_at=when, resolved_at=when, closed_at=when)
    TouchpointEvent.objects.filter(customer=customer).update(created_at=when, occurred_at=when)
    ContactLog.objects.filter(customer=customer).update(created_at=when)
    RespondentSession.objects.filter(token__in=tokens).update(created_at=when,
                                                              expires_at=when + dt.timedelta(days=14))
    n = 0 if person is GRETA else 1  # the conftest's Idempotency-Key of the person's API response
    IdempotencyRecord.objects.filter(organization=org, key=f"k-{n}").update(created_at=when)
    WebhookMessage.objects.filter(Q(customer_id=customer.pk) | Q(personal_payload__contains=person.external_id)
                                  ).update(created_at=when)


@pytest.fixture
def dated(org, known):
    _date(org, GRETA, LONG_AGO)
    _date(org, BERTIL, RECENTLY)
    rebuild_rollups(org.id)  # counted on the days they now have
    return org


def _policy(org, **days) -> RetentionPolicy:
    policy, _ = RetentionPolicy.objects.update_or_create(organization=org, defaults={
        f"{kind}_days": days.get(kind) for kind in RetentionPolicy.KINDS})
    return policy


def _apply(org, **kwargs):
    return retention.apply_retention(org.id, actor=AuditActor.command(), now=NOW, **kwargs)


def _texts(org, person) -> list[str]:
    return sorted(Answer.objects.filter(response__organization=org, response__customer__external_id=person.external_id,
                                        question_type="text").values_list("text", flat=True))


def test_raw_comments_become_their_redacted_text_and_originals_go_only_when_past_the_period(dated, places):
    org = dated
    bertil_texts = _texts(org, BERTIL)
    _policy(org, raw_comments=PERIOD)
    job = ImportJob.objects.get(organization=org)
    ImportJob.objects.filter(pk=job.pk).update(created_at=LONG_AGO, errors=[{"line": 3, "message": "x"}])
    upload = import_dir(org.id) / job.file_sha256
    os.utime(upload, (LONG_AGO.timestamp(), LONG_AGO.timestamp()))
    # One of her comments gives her phone number and is not analyzed yet: it is redacted all the same.
    unanalyzed = Answer.objects.filter(response__customer__external_id=GRETA.external_id,
                                       question_type="text").order_by("id").first()
    Answer.objects.filter(pk=unanalyzed.pk).update(text="Ring mig på 070-555 12 34 om ordern, tack")
    CommentAnalysis.objects.filter(answer_id=unanalyzed.pk).delete()
    old_messages = WebhookMessage.objects.filter(created_at__lt=NOW - dt.timedelta(days=PERIOD)).count()
    assert old_messages  # hers, dated long ago; Bertil's are recent

    run = _apply(org)

    redacted = dict(CommentAnalysis.objects.filter(organization=org).values_list("answer_id", "redacted_text"))
    for answer in Answer.objects.filter(response__customer__external_id=GRETA.external_id, question_type="text"):
        assert answer.text == redacted.get(answer.pk, answer.text)
    assert "555 12 34" not in Answer.objects.get(pk=unanalyzed.pk).text
    assert Answer.objects.get(pk=unanalyzed.pk).text.startswith("Ring mig på ")
    assert _texts(org, BERTIL) == bertil_texts  # recent: as written
    assert not IdempotencyRecord.objects.filter(key="k-0").exists()
    assert IdempotencyRecord.objects.filter(key="k-1").exists()
    assert ImportJob.objects.get(pk=job.pk).errors == [] and not upload.exists()
    assert run.counts["raw_comments"]["comments_redacted"] >= 1
    assert run.counts["originals"] == {"idempotency_records": 1, "import_errors": 1, "uploads": 1,
                                       "webhook_messages": old_messages}
    assert not WebhookMessage.objects.filter(customer_id=_customer(org, GRETA).pk).exists()
    assert WebhookMessage.objects.filter(customer_id=_customer(org, BERTIL).pk).exists()
    # Nothing else moved: her contact data, links and responses are as they were.
    assert _customer(org, GRETA).email == GRETA.email.lower()
    assert _responses(org, GRETA).count() == 3


def test_contact_data_goes_for_customers_not_heard_from(dated):
    org = dated
    _policy(org, contact_data=PERIOD)

    run = _apply(org)

    greta, bertil = _customer(org, GRETA), _customer(org, BERTIL)
    assert (greta.first_name, greta.email, greta.phone, greta.attributes) == ("", "", "", {})
    assert greta.external_id == GRETA.external_id  # the organization's own key stays
    assert (bertil.first_name, bertil.email, bertil.phone) == (BERTIL.name, BERTIL.email.lower(), BERTIL.phone)
    assert run.counts == {"contact_data": {"customers": 1}}


def test_a_customer_heard_from_recently_keeps_contact_data_even_if_made_long_ago(dated):
    org = dated
    _policy(org, contact_data=PERIOD)
    Customer.objects.filter(pk=_customer(org, BERTIL).pk).update(created_at=LONG_AGO)  # old customer,
    _apply(org)
    assert _customer(org, BERTIL).email == BERTIL.email.lower()  # but responses and events ten days ago


def test_what_was_written_in_old_closed_cases_goes_with_the_contact_history(dated):
    org = dated
    _policy(org, contact_history=PERIOD)
    greta_cases = list(Case.objects.filter(customer__external_id=GRETA.external_id).values_list("id", flat=True))
    bertil_cases = list(Case.objects.filter(customer__external_id=BERTIL.external_id).values_list("id", flat=True))
    _apply(org)
    assert not CaseEmail.objects.filter(case_id__in=greta_cases).exists()
    assert not CaseActivity.objects.filter(case_id__in=greta_cases).exclude(text="").exists()
    assert set(Case.objects.filter(pk__in=greta_cases).values_list("resolution", flat=True)) == {""}
    assert Case.objects.filter(pk__in=greta_cases, root_cause__isnull=False).count() == len(greta_cases)  # figures stay
    assert CaseEmail.objects.filter(case_id__in=bertil_cases).exists()  # recent: kept
    assert CaseActivity.objects.filter(case_id__in=bertil_cases).exclude(text="").exists()


def test_contact_history_goes_when_past_the_period(dated):
    org = dated
    _policy(org, contact_history=PERIOD)
    counts = {m: {p.external_id: m.objects.filter(customer__external_id=p.external_id).count()
                  for p in (GRETA, BERTIL)} for m in (Invitation, TouchpointEvent, ContactLog)}
    assert all(c[GRETA.external_id] and c[BERTIL.external_id] for c in counts.values())

    run = _apply(org)

    for model, before in counts.items():
        assert not model.objects.filter(customer__external_id=GRETA.external_id).exists(), model
        assert model.objects.filter(customer__external_id=BERTIL.external_id).count() == before[BERTIL.external_id]
    assert run.counts["contact_history"]["invitations"] == counts[Invitation][GRETA.external_id]
    assert _responses(org, GRETA).count() == 3 and _customer(org, GRETA).email == GRETA.email.lower()


def test_identifiable_responses_are_anonymised_and_figures_stay(dated):
    org = dated
    _policy(org, identifiable_responses=PERIOD)
    reported = rollup_cells(org.id)
    greta_ids = list(_responses(org, GRETA).values_list("id", flat=True))
    scores = sorted(Answer.objects.filter(response_id__in=greta_ids, number__isnull=False)
                    .values_list("question_type", "number"))
    topics = sorted(CommentAnalysis.objects.filter(response_id__in=greta_ids).values_list(
        "sentiment_label", flat=True))

    run = _apply(org)

    kept = Response.objects.filter(pk__in=greta_ids)
    assert kept.count() == 3 and not kept.filter(customer__isnull=False).exists()
    assert not Answer.objects.filter(response_id__in=greta_ids, question_type="text").exclude(text="").exists()
    assert sorted(Answer.objects.filter(response_id__in=greta_ids, number__isnull=False)
                  .values_list("question_type", "number")) == scores
    assert sorted(CommentAnalysis.objects.filter(response_id__in=greta_ids).values_list(
        "sentiment_label", flat=True)) == topics
    assert _responses(org, BERTIL).count() == 3 and all(_texts(org, BERTIL))
    assert run.counts["identifiable_responses"]["responses"] == 3
    # Every figure as reported, and equal to a recount.
    assert rollup_cells(org.id) == reported
    rebuild_rollups(org.id)
    assert rollup_cells(org.id) == reported


def test_a_second_run_does_nothing_and_another_organization_is_untouched(dated, other_org):
    org = dated
    other = Api(key_for(other_org))
    assert other.post("/responses", {
        "survey": "nps", "submitted_at": LONG_AGO.isoformat(), "customer": {"external_id": "r-1", "email": "r@x.se"},
        "answers": {"nps": 9, "comment": "Rival: Bo Ek ringde 070-1234567"}}).status_code == 201
    _policy(other_org)  # every period empty: kept
    _policy(org, **{k: PERIOD for k in RetentionPolicy.KINDS})

    first = _apply(org)
    entries = AuditEntry.objects.filter(organization=org, action="retention.applied").count()
    second = _apply(org)

    assert first.counts and second.counts == {}
    assert AuditEntry.objects.filter(organization=org, action="retention.applied").count() == entries
    assert retention.apply_retention(other_org.id, actor=AuditActor.command(), now=NOW).counts == {}
    rival = Response.objects.get(organization=other_org)
    assert rival.customer is not None and Answer.objects.filter(response=rival, text__contains="Bo Ek").exists()


def test_the_log_says_what_was_done_per_kind_with_the_cutoff_and_no_identifiers(dated):
    org = dated
    _policy(org, **{k: PERIOD for k in RetentionPolicy.KINDS})
    run = _apply(org)
    entries = list(AuditEntry.objects.filter(organization=org, action="retention.applied"))
    assert {e.target for e in entries} == set(run.counts)
    cutoff = (NOW - dt.timedelta(days=PERIOD)).isoformat()
    assert all(e.details["cutoff"] == cutoff and e.details["run"] == run.run_id and e.actor == "command"
               for e in entries)
    summed: dict = {}
    for e in entries:
        for k, n in e.details.items():
            if k not in ("run", "kind", "cutoff"):
                summed.setdefault(e.target, {})[k] = summed.get(e.target, {}).get(k, 0) + n
    assert summed == run.counts
    text = json.dumps([e.details for e in entries]).lower()
    assert not any(n.lower() in text for n in GRETA.identifiers)


def test_after_every_period_no_table_holds_her_contact_data_or_comments(dated):
    """The erasure test's search through every table: what retention promises to remove is gone
    (her id in the organization's systems stays, by design), while Bertil's rows are untouched."""
    org = dated
    _policy(org, **{k: PERIOD for k in RetentionPolicy.KINDS})
    needles = [GRETA.email.lower(), GRETA.phone, *(c.lower() for c in GRETA.comments), GRETA.word]
    assert _hits(needles)

    _apply(org)

    assert _hits(needles) == []
    assert _hits([BERTIL.email.lower(), BERTIL.comments[1].lower()])


def _hits(needles: list[str]) -> list[str]:
    from django.apps import apps

    hits = []
    for model in apps.get_models():
        fields = [f for f in model._meta.concrete_fields if isinstance(f, TEXT_FIELDS)]
        if not fields or model is AuditEntry:
            continue
        for row in model._base_manager.values_list("pk", *(f.attname for f in fields)).iterator():
            for field, value in zip(fields, row[1:], strict=True):
                text = _as_text(value).lower()
                hits += [f"{model._meta.label}.{field.name} #{row[0]}: {n}" for n in needles if n in text]
    return hits


def test_the_housekeeping_task_runs_once_a_day_and_is_queued_by_the_worker(dated):
    from glapp.cli.management.commands.worker import HOUSEKEEPING_TASKS
    from glapp.privacy.tasks import apply_retention

    assert apply_retention in HOUSEKEEPING_TASKS
    _policy(dated, contact_data=PERIOD)
    assert retention.apply_due(now=NOW) == {dated.id: {"contact_data": {"customers": 1}}}
    assert retention.apply_due(now=NOW + dt.timedelta(hours=1)) == {}  # done today
    assert retention.apply_due(now=NOW + dt.timedelta(days=1)) == {dated.id: {}}  # tomorrow: nothing left
    assert AuditEntry.objects.get(organization=dated, action="retention.applied").actor == "scheduled"


def test_a_crash_midway_loses_nothing_and_the_rerun_continues(dated, monkeypatch):
    org = dated
    _policy(org, contact_history=PERIOD)
    before = ContactLog.objects.filter(customer__external_id=GRETA.external_id).count()
    assert before > 1
    real = retention.delete_history_rows
    calls = []

    def crash_on_second_page(*args):
        calls.append(args)
        if len(calls) == 2:
            raise RuntimeError("killed")
        return real(*args)

    monkeypatch.setattr(retention, "delete_history_rows", crash_on_second_page)
    with pytest.raises(RuntimeError):
        _apply(org, page=1)
    # The first page's rows went and were logged; nothing else changed.
    assert ContactLog.objects.filter(customer__external_id=GRETA.external_id).count() == before - 1
    assert AuditEntry.objects.filter(organization=org, action="retention.applied").count() == 1
    monkeypatch.setattr(retention, "delete_history_rows", real)
    _apply(org, page=1)
    assert not ContactLog.objects.filter(customer__external_id=GRETA.external_id).exists()


def test_the_command_line_dry_run_counts_and_changes_nothing(dated, capsys):
    _policy(dated, contact_data=PERIOD, identifiable_responses=PERIOD)
    call_command("retention", "apply", "--org", dated.slug, "--dry-run")
    out = capsys.readouterr().out
    assert "contact data" in out and "customers 1" in out and "responses 3" in out
    assert _customer(dated, GRETA).email == GRETA.email.lower()
    assert not AuditEntry.objects.filter(organization=dated, action="retention.applied").exists()


def _signed_in(org, role=Role.OWNER, language="en") -> Client:
    user = make_user(org, f"u-{role}", role, language=language)
    client = Client()
    client.login(username=user.username, password=PASSWORD)
    return client


def test_the_settings_form_validates_and_saves_and_the_preview_counts(dated):
    org = dated
    now = timezone.now()  # the page previews the run due now
    _date(org, GRETA, now - dt.timedelta(days=400))
    _date(org, BERTIL, now - dt.timedelta(days=10))
    client = _signed_in(org)
    bad = client.post("/settings/privacy/retention/", {"contact_data_days": "0",
                                                       "identifiable_responses_days": "99999",
                                                       "raw_comments_days": "abc"})
    assert bad.status_code == 400
    body = bad.content.decode()
    assert "At least 1 day." in body and "At most 3650 days" in body and "Enter a whole number." in body
    assert not RetentionPolicy.objects.filter(organization=org).exists()

    ok = client.post("/settings/privacy/retention/", {"contact_data_days": str(PERIOD),
                                                      "identifiable_responses_days": ""})
    assert ok.status_code == 302
    policy = RetentionPolicy.objects.get(organization=org)
    assert (policy.contact_data_days, policy.identifiable_responses_days) == (PERIOD, None)
    assert AuditEntry.objects.filter(organization=org, action="retention.changed").exists()
    page = client.get("/settings/privacy/")
    assert page.status_code == 200
    preview = retention.apply_retention(org.id, actor=AuditActor.command(), dry_run=True).counts
    assert preview == {"contact_data": {"customers": 1}}  # only Greta's is older than 90 days now
    assert 'data-preview="contact_data.customers">1<' in page.content.decode()


def test_the_page_is_in_swedish_and_only_owners_and_admins_change_it(dated):
    org = dated
    sv = _signed_in(org, language="sv").get("/settings/privacy/")
    assert "Lagringstid" in sv.content.decode()
    analyst = _signed_in(org, Role.ANALYST)
    assert analyst.post("/settings/privacy/retention/", {"contact_data_days": "30"}).status_code == 403
    admin = _signed_in(org, Role.ADMIN)
    assert admin.post("/settings/privacy/retention/", {"contact_data_days": "30"}).status_code == 302


def test_the_preview_counts_a_bounded_number_of_rows_and_says_so(dated):
    """The settings page previews the next run on every view: it looks at no more than
    PREVIEW_LIMIT rows a step (the same cost on any organization), says where it stopped, and
    changes nothing; the run itself does them all."""
    from glapp.privacy import views

    org = dated
    _policy(org, identifiable_responses=PERIOD, contact_data=PERIOD)
    full = retention.apply_retention(org.id, actor=AuditActor.command(), now=NOW, dry_run=True, page=1)
    bounded = retention.apply_retention(org.id, actor=AuditActor.command(), now=NOW, dry_run=True, page=1,
                                        preview_limit=1)
    assert full.counts["identifiable_responses"]["responses"] > 1 and not full.truncated
    assert bounded.counts["identifiable_responses"]["responses"] == 1
    assert "identifiable_responses" in bounded.truncated
    with pytest.raises(ValueError):
        retention.apply_retention(org.id, actor=AuditActor.command(), preview_limit=1)
    views.PREVIEW_LIMIT, limit = 1, views.PREVIEW_LIMIT
    try:
        page = _signed_in(org).get("/settings/privacy/").content.decode()
    finally:
        views.PREVIEW_LIMIT = limit
    assert 'data-preview-more="identifiable_responses"' in page
    assert Response.objects.filter(organization=org).exclude(customer=None).exists()  # nothing done
