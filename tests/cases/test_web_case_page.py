"""The case page: who may see and work it (404 outside the reader's units, viewers read-only),
redaction for readers without PII rights, each control's happy path and refusal shown as a form
error, hostile text inert, and the response page's case panel."""

import pytest

from glapp.accounts.models import AuditEntry, Role
from glapp.cases import actions
from glapp.cases.models import Case, CaseActivity, CaseResponse, ReplyTemplate, RootCause
from tests.cases.helpers import handler
from tests.cases.web_helpers import HOSTILE, calendar_clock, client_for, open_case
from tests.factories import make_user
from tests.web.helpers import add_responses

pytestmark = pytest.mark.django_db

PERSONAL = "Ring mig på 070-123 45 67, mvh Karin Lind"


def test_a_unit_limited_handler_cannot_open_or_act_on_another_units_case(org):
    south = open_case(org, "acme-south-store", "S")
    sara = client_for(handler(org, "sara", "acme-north"))
    assert sara.get(f"/cases/{south.pk}/").status_code == 404
    for action, data in (("note", {"note-text": "x"}), ("take", {}), ("priority", {"priority-priority": 4})):
        assert sara.post(f"/cases/{south.pk}/{action}/", data).status_code == 404
    assert not CaseActivity.objects.filter(case=south, kind="note").exists()


def test_viewers_read_but_do_not_work_cases(org):
    case = open_case(org)
    vera = client_for(make_user(org, "vera", Role.VIEWER))
    page = vera.get(f"/cases/{case.pk}/")
    assert page.status_code == 200 and 'data-testid="controls"' not in page.content.decode()
    assert vera.post(f"/cases/{case.pk}/note/", {"note-text": "hej"}).status_code == 403
    assert CaseActivity.objects.filter(case=case, kind="viewed").exists()  # who viewed it


def test_readers_without_pii_rights_see_comments_and_notes_redacted(org):
    case = open_case(org, comment=PERSONAL)
    actions.add_note(case, "Karin Lind ringde från 070-123 45 67", actor_id=None)
    analyst = client_for(make_user(org, "anna", Role.ANALYST)).get(f"/cases/{case.pk}/").content.decode()
    assert "070-123 45 67" not in analyst and "k1@example.se" not in analyst
    handler_page = client_for(handler(org, "sara")).get(f"/cases/{case.pk}/").content.decode()
    assert "070-123 45 67" in handler_page and "k1@example.se" in handler_page
    assert AuditEntry.objects.filter(action=AuditEntry.Action.UNREDACTED_VIEWED, target_type="case").exists()


def test_hostile_comment_and_note_text_is_inert_on_the_case_page(org):
    case = open_case(org, comment=HOSTILE)
    actions.add_note(case, HOSTILE, actor_id=None)
    page = client_for(handler(org, "sara")).get(f"/cases/{case.pk}/").content.decode()
    assert "<script>document.title" not in page and "<img src=x" not in page
    assert page.count("&lt;script&gt;") >= 2


def test_assign_take_over_needs_a_reason(org):
    case = open_case(org)
    sara, bo = handler(org, "sara", "acme-north"), handler(org, "bo", "acme-north")
    actions.assign(case, sara.pk, actor_id=sara.pk)
    ola = client_for(make_user(org, "ola", Role.ADMIN))
    refused = ola.post(f"/cases/{case.pk}/assign/", {"assign-owner": bo.pk})
    assert refused.status_code == 422 and "Say why the case changes hands" in refused.content.decode()
    done = ola.post(f"/cases/{case.pk}/assign/", {"assign-owner": bo.pk, "assign-reason": "Sara är sjuk"})
    assert done.status_code == 302
    case.refresh_from_db()
    assert case.owner_id == bo.pk
    assert CaseActivity.objects.filter(case=case, kind="assigned", text="Sara är sjuk").exists()


def test_assign_refuses_a_handler_of_another_unit(org):
    case = open_case(org)
    bo = handler(org, "bo", "acme-south")
    ola = client_for(make_user(org, "ola", Role.ADMIN))
    refused = ola.post(f"/cases/{case.pk}/assign/", {"assign-owner": bo.pk})
    assert refused.status_code == 422  # bo is not even offered: the choice is refused by the form


def test_take_status_priority_note_and_call(org):
    calendar_clock(org)
    case = open_case(org)
    sara = handler(org, "sara", "acme-north")
    c = client_for(sara)
    assert c.post(f"/cases/{case.pk}/take/").status_code == 302
    assert c.post(f"/cases/{case.pk}/priority/", {"priority-priority": 4}).status_code == 302
    assert c.post(f"/cases/{case.pk}/note/", {"note-text": "Kunden vill ha återkoppling"}).status_code == 302
    assert c.post(f"/cases/{case.pk}/call/", {"call-summary": "Inget svar"}).status_code == 302
    case.refresh_from_db()
    assert case.owner_id == sara.pk and case.priority == 4 and case.status == "new"
    assert c.post(f"/cases/{case.pk}/call/", {"call-summary": "Pratade", "call-reached": "on"}).status_code == 302
    assert c.post(f"/cases/{case.pk}/status/", {"status-status": "in_progress"}).status_code == 302
    case.refresh_from_db()
    assert case.status == "in_progress" and case.first_contacted_at is not None
    invalid = c.post(f"/cases/{case.pk}/status/", {"status-status": "new"})
    assert invalid.status_code == 422  # not a transition from in progress
    page = c.get(f"/cases/{case.pk}/").content.decode()
    for kind in ("assigned", "priority", "note", "call", "status"):
        assert f'data-kind="{kind}"' in page


def test_close_needs_a_root_cause_and_a_note_then_reopen(org):
    case = open_case(org)
    c = client_for(handler(org, "sara"))
    refused = c.post(f"/cases/{case.pk}/close/", {"close-as": "closed"})
    assert refused.status_code == 422 and "Choose a root cause" in refused.content.decode()
    cause = RootCause.objects.get(organization=org, code="staff")
    no_note = c.post(f"/cases/{case.pk}/close/", {"close-as": "closed", "close-root_cause": cause.pk})
    assert no_note.status_code == 422 and "Say what was done" in no_note.content.decode()
    assert c.post(f"/cases/{case.pk}/close/", {"close-as": "closed", "close-root_cause": cause.pk,
                                               "close-resolution": "Bad om ursäkt"}).status_code == 302
    case.refresh_from_db()
    assert case.status == "closed" and case.root_cause_id == cause.pk
    assert c.post(f"/cases/{case.pk}/reopen/", {"note": "Kunden hörde av sig igen"}).status_code == 302
    case.refresh_from_db()
    assert case.status == "in_progress"


def test_email_from_a_template_is_sent_and_on_the_timeline(org):
    case = open_case(org)
    template = ReplyTemplate.objects.create(organization=org, name="Ursäkt", language="sv",
                                            subject="Om ditt ärende {case}", body="Hej {first_name}! /{handler}")
    sara = handler(org, "sara")
    c = client_for(sara)
    filled = c.get(f"/cases/{case.pk}/email/fill/", {"email-template": template.pk}).content.decode()
    assert f"Om ditt ärende #{case.pk}" in filled and "Hej Karin!" in filled
    sent = c.post(f"/cases/{case.pk}/email/", {"email-template": template.pk, "email-subject": "Ditt ärende",
                                               "email-body": "Hej Karin, vi ringer dig i morgon."})
    assert sent.status_code == 302
    entry = CaseActivity.objects.get(case=case, kind="email")
    assert entry.data["subject"].startswith("Ditt ärende") and "vi ringer dig" in entry.text
    page = c.get(f"/cases/{case.pk}/").content.decode()
    assert "Ditt ärende" in page and "vi ringer dig i morgon" in page


def test_email_is_refused_without_consent(org):
    case = open_case(org, consent=False, customer="K-9")
    c = client_for(handler(org, "sara"))
    page = c.get(f"/cases/{case.pk}/").content.decode()
    assert case.analysis_only and 'data-testid="analysis-only"' in page and 'data-testid="no-contact"' in page
    refused = c.post(f"/cases/{case.pk}/email/", {"email-subject": "Hej", "email-body": "Hej"})
    assert refused.status_code == 422 and "analysis only" in refused.content.decode()
    assert not CaseActivity.objects.filter(case=case, kind="email").exists()


def test_merge_and_split(org):
    from glapp.cases.models import SlaPolicy

    SlaPolicy.objects.update_or_create(organization=org, defaults={"merge_window_days": 0})
    first = open_case(org, customer="K-1")
    second = open_case(org, customer="K-1", comment="Igen")
    assert first.pk != second.pk
    c = client_for(handler(org, "sara"))
    assert c.post(f"/cases/{first.pk}/merge/", {"merge-cases": [second.pk]}).status_code == 302
    second.refresh_from_db()
    assert second.merged_into_id == first.pk
    responses = list(CaseResponse.objects.filter(case=first).values_list("response_id", flat=True))
    assert len(responses) == 2
    assert c.post(f"/cases/{first.pk}/split/", {"response": responses[1]}).status_code == 302
    assert CaseResponse.objects.filter(case=first).count() == 1
    only = c.post(f"/cases/{first.pk}/split/", {"response": responses[0]}, follow=True)
    assert "only response" in only.content.decode()


def test_the_response_page_shows_its_case(org):
    case = open_case(org)
    rid = CaseResponse.objects.get(case=case).response_id
    page = client_for(handler(org, "sara")).get(f"/responses/{rid}/").content.decode()
    assert f'href="/cases/{case.pk}/"' in page and 'data-testid="case-panel"' in page


def test_open_a_case_by_hand_from_the_response_page(org):
    (rid,) = add_responses(org, {"nps": 9, "comment": "Bra", "unit": "acme-north-store"})
    sara = handler(org, "sara", "acme-north")
    c = client_for(sara)
    page = c.get(f"/responses/{rid}/").content.decode()
    assert 'data-testid="open-case"' in page
    answer = c.post(f"/cases/for-response/{rid}/")
    assert answer.status_code == 302
    case = CaseResponse.objects.get(response_id=rid).case
    assert case.rule_id is None and case.priority == 2 and answer["Location"] == f"/cases/{case.pk}/"
    created = CaseActivity.objects.get(case=case, kind="created")
    assert created.actor_id == sara.pk and created.data["rule"] is None
    assert c.post(f"/cases/for-response/{rid}/").status_code == 302  # again: the same case
    assert Case.objects.filter(organization=org).count() == 1


def test_open_a_case_is_refused_outside_the_readers_units_and_for_viewers(org):
    (rid,) = add_responses(org, {"nps": 9, "unit": "acme-south-store"})
    assert client_for(handler(org, "sara", "acme-north")).post(f"/cases/for-response/{rid}/").status_code == 404
    viewer = client_for(make_user(org, "vera", Role.VIEWER))
    assert 'data-testid="open-case"' not in viewer.get(f"/responses/{rid}/").content.decode()
    assert viewer.post(f"/cases/for-response/{rid}/").status_code == 403
    assert not Case.objects.exists()
