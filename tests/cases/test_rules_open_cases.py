"""Alert rules decide once per response, on every ingest path, and open one case per response."""

import datetime as dt
import threading

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from glapp.accounts.models import Unit
from glapp.cases import actions
from glapp.cases.models import AlertMatch, Case, CaseActivity, CaseResponse, Evaluation, SlaPolicy
from glapp.contacts.models import Customer
from glapp.responses.models import Response
from tests.cases.helpers import detractor_rule, handler, post_response
from tests.factories import make_api_key, make_org

pytestmark = pytest.mark.django_db


def consenting(org, external_id="C-1", unit=None):
    return Customer.objects.create(organization=org, external_id=external_id, email=f"{external_id}@example.se",
                                   consent_email=True, unit=unit)


def recent():
    return (timezone.now() - dt.timedelta(minutes=5)).isoformat()


def test_a_detractor_opens_a_case_and_a_promoter_does_not(org):
    detractor_rule(org)
    consenting(org)
    key = make_api_key(org)
    assert post_response(org, key, external_id="R-1", customer="C-1", submitted_at=recent(),
                         answers={"nps": 3, "comment": "Dåligt"}).status_code == 201
    assert post_response(org, key, external_id="R-2", customer="C-2", submitted_at=recent(),
                         answers={"nps": 10}).status_code == 201
    case = Case.objects.get()
    assert case.status == Case.Status.NEW and not case.analysis_only
    assert list(CaseResponse.objects.values_list("response__external_id", flat=True)) == ["R-1"]
    assert case.first_contact_due_at and case.resolve_due_at and case.due_at == case.first_contact_due_at
    assert CaseActivity.objects.filter(case=case, kind="created").count() == 1
    assert AlertMatch.objects.get().outcome == AlertMatch.Outcome.CASE
    assert Evaluation.objects.count() == 2  # both evaluated, once


def test_an_organization_without_rules_writes_nothing(org):
    post_response(org, answers={"nps": 0}, submitted_at=recent())
    assert not Evaluation.objects.exists() and not Case.objects.exists()


def test_a_retry_of_the_same_response_opens_no_second_case(org):
    detractor_rule(org)
    key = make_api_key(org)
    for _ in range(3):
        post_response(org, key, external_id="R-1", answers={"nps": 2}, submitted_at=recent())
    assert Case.objects.count() == 1 and AlertMatch.objects.count() == 1


def test_a_customer_without_consent_gets_a_case_for_analysis_only(org):
    detractor_rule(org)
    post_response(org, customer="C-9", answers={"nps": 1}, submitted_at=recent())
    case = Case.objects.get()
    assert case.analysis_only and case.first_contact_due_at is None and case.due_at is None


def test_a_customers_second_response_joins_their_open_case(org):
    detractor_rule(org)
    consenting(org)
    key = make_api_key(org)
    post_response(org, key, external_id="R-1", customer="C-1", answers={"nps": 5}, submitted_at=recent())
    post_response(org, key, external_id="R-2", customer="C-1", answers={"nps": 2}, submitted_at=recent())
    case = Case.objects.get()
    assert sorted(CaseResponse.objects.filter(case=case).values_list("response__external_id", flat=True)) == [
        "R-1", "R-2"]
    assert CaseActivity.objects.filter(case=case, kind="response_added").count() == 1


def test_a_higher_priority_response_merged_in_moves_the_due_time_earlier(org):
    detractor_rule(org)
    actions.save_rule(org.id, None, name="Zero", active=True, conditions={"score": "nps", "op": "==", "value": 0},
                      open_case=True, priority=4, notify_users=[], notify_units=[], webhook=False)
    consenting(org)
    key = make_api_key(org)
    post_response(org, key, external_id="R-1", customer="C-1", answers={"nps": 5}, submitted_at=recent())
    before = Case.objects.get()
    post_response(org, key, external_id="R-2", customer="C-1", answers={"nps": 0}, submitted_at=recent())
    after = Case.objects.get()
    assert after.priority == 4 and after.first_contact_due_at <= before.first_contact_due_at


def test_cases_go_to_the_nearest_queue_with_a_handler_and_round_robin(org):
    north = Unit.objects.get(organization=org, code="acme-north")
    store = Unit.objects.get(organization=org, code="acme-north-store")
    a, b = handler(org, "anna", "acme-north"), handler(org, "bo", "acme-north")
    SlaPolicy.objects.create(organization=org, assignment=SlaPolicy.Assignment.ROUND_ROBIN)
    detractor_rule(org)
    key = make_api_key(org)
    for i in range(4):
        consenting(org, f"C-{i}")
        post_response(org, key, external_id=f"R-{i}", customer=f"C-{i}", unit="acme-north-store",
                      answers={"nps": 1}, submitted_at=recent())
    cases = list(Case.objects.order_by("id"))
    assert {c.queue_id for c in cases} == {north.id} and {c.unit_id for c in cases} == {store.id}
    assert [c.owner_id for c in cases] == [a.id, b.id, a.id, b.id]


def test_least_loaded_assignment(org):
    a, b = handler(org, "anna"), handler(org, "bo")
    SlaPolicy.objects.create(organization=org, assignment=SlaPolicy.Assignment.LEAST_LOADED)
    detractor_rule(org)
    key = make_api_key(org)
    for i in range(3):
        consenting(org, f"C-{i}")
        post_response(org, key, external_id=f"R-{i}", customer=f"C-{i}", answers={"nps": 1}, submitted_at=recent())
    owners = list(Case.objects.order_by("id").values_list("owner_id", flat=True))
    assert owners == [a.id, b.id, a.id]
    assert all(c.queue_id is None for c in Case.objects.all())  # org-wide handlers: the organization's queue


def test_imports_open_cases_only_for_recent_rows(org, tmp_path):
    from glapp.responses.importing.jobs import run_import

    detractor_rule(org)
    old = (timezone.now() - dt.timedelta(days=60)).strftime("%Y-%m-%d %H:%M")
    new = (timezone.now() - dt.timedelta(hours=2)).strftime("%Y-%m-%d %H:%M")
    path = tmp_path / "rows.csv"
    path.write_text(f"external_id,survey,submitted_at,nps\nI-1,nps,{old},1\nI-2,nps,{new},2\n", encoding="utf-8")
    report = run_import(org.id, path, options={"date_format": "ymd"})
    assert report.created == 2, report
    assert list(CaseResponse.objects.values_list("response__external_id", flat=True)) == ["I-2"]
    outcomes = dict(AlertMatch.objects.values_list("response__external_id", "outcome"))
    assert outcomes == {"I-1": "historic", "I-2": "case"}


def test_rules_on_the_comment_wait_for_its_analysis(org):
    from glapp.textanalytics.actions import analyze_pending

    actions.save_rule(org.id, None, name="Churn", active=True,
                      conditions={"all": [{"score": "nps", "op": "<=", "value": 8},
                                          {"phrase": ["säga upp", "byta operatör"]}, {"sentiment": ["negative"]}]},
                      open_case=True, priority=3, notify_users=[], notify_units=[], webhook=False)
    post_response(org, external_id="R-1", submitted_at=recent(),
                  answers={"nps": 4, "comment": "Jag ska säga upp mitt abonnemang, usel service"})
    post_response(org, external_id="R-2", answers={"nps": 4, "comment": "Bra men lite dyrt"}, submitted_at=recent())
    assert not Case.objects.exists()
    assert Evaluation.objects.filter(awaiting_analysis=True).count() == 2
    analyze_pending(org.id)
    assert list(CaseResponse.objects.values_list("response__external_id", flat=True)) == ["R-1"]
    assert not Evaluation.objects.filter(awaiting_analysis=True).exists()
    from django.db import transaction

    from glapp.responses.models import Answer

    with transaction.atomic():  # a second analysis of the same comments decides nothing again
        texts = Answer.objects.filter(question_type="text").values_list("id", flat=True)
        actions.evaluate_analysed(org.id, list(texts))
    assert Case.objects.count() == 1 and AlertMatch.objects.count() == 1


def test_tenants_rules_do_not_cross(org):
    other = make_org("rival")
    detractor_rule(other)
    post_response(org, answers={"nps": 0}, submitted_at=recent())
    assert not Case.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_retries_of_one_response_open_one_case():
    org = make_org("acme")
    detractor_rule(org)
    consenting(org)
    key = make_api_key(org)
    barrier = threading.Barrier(20)
    codes, errors = [], []

    def run():
        try:
            barrier.wait()
            codes.append(post_response(org, key, client=Client(), external_id="R-race", customer="C-1",
                                       answers={"nps": 2}, submitted_at=recent()).status_code)
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    if connection.vendor == "postgresql":
        threads = [threading.Thread(target=run) for _ in range(20)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    else:
        # SQLite has one writer: its IMMEDIATE transactions make simultaneous retries one after the
        # other, which is what runs here (the test database is an in-memory shared cache, where
        # threads would fail on its table locks instead of queueing as a file database does).
        barrier = threading.Barrier(1)
        for _ in range(20):
            run()
    assert not errors, errors
    assert set(codes) <= {200, 201} and codes.count(201) == 1
    assert Response.objects.count() == 1 and Case.objects.count() == 1 and CaseResponse.objects.count() == 1
    assert AlertMatch.objects.count() == 1 and Evaluation.objects.count() == 1


def test_a_partial_response_is_decided_when_its_session_expires(org):
    from glapp.respond.models import RespondentSession
    from tests.surveys.test_respondent_pages import make_invitation, make_swedish_survey

    detractor_rule(org)
    survey = make_swedish_survey(org)
    invitation = make_invitation(org, survey)
    Customer.objects.filter(external_id="C-1").update(consent_email=True)
    assert Client().post(f"/r/{invitation.token}/", {"question": "nps", "answer": ["2"]}).status_code == 302
    assert not Case.objects.exists()  # unfinished: the respondent may still answer
    now = timezone.now()
    assert actions.evaluate_expired_sessions(now) == {}  # not expired yet
    RespondentSession.objects.update(expires_at=now - dt.timedelta(minutes=1))
    assert actions.evaluate_expired_sessions(now) == {org.id: 1}
    assert Case.objects.count() == 1 and AlertMatch.objects.count() == 1
    actions.evaluate_expired_sessions(now)  # the next sweep finds it decided
    assert Case.objects.count() == 1 and AlertMatch.objects.count() == 1
