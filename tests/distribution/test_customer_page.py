"""The customer page's contact history says what the customer answered (scores, choices, the
comment, redacted for readers without PII rights) and describes each entry in words, not ids."""

import pytest
from django.test import Client

from glapp.accounts.models import AuditEntry, Role
from glapp.distribution.models import ContactLog
from tests.factories import make_user
from tests.surveys.test_respondent_pages import answer, make_invitation, make_swedish_survey

pytestmark = pytest.mark.django_db
COMMENT = "Ring mig på anna.svensson@example.com om fakturan"


def _answered_invitation(org, django_capture_on_commit_callbacks):
    survey = make_swedish_survey(org)
    inv = make_invitation(org, survey, language="sv")
    ContactLog.objects.create(organization=org, customer=inv.customer, kind=ContactLog.Kind.SENT, survey=survey,
                              invitation=inv, channel="email", detail="<171234.5678.abc@glapp.example>")
    client = Client()
    url = f"/r/{inv.token}/"
    with django_capture_on_commit_callbacks(execute=True):
        client.get(url)
        answer(client, url, "nps", "9")
        answer(client, url, "reason", "price")
        answer(client, url, "comment", COMMENT)
    assert ContactLog.objects.filter(invitation=inv, kind__in=["responded", "completed"]).exists()
    return inv


def _page(org, role, username):
    client = Client()
    client.force_login(make_user(org, username, role=role, language="en"))
    return client.get("/customers/C-1/").content.decode()


def test_the_history_shows_what_the_customer_answered(org, django_capture_on_commit_callbacks):
    _answered_invitation(org, django_capture_on_commit_callbacks)
    owner = _page(org, Role.OWNER, "olle")
    assert owner.count('data-testid="answered">NPS <strong>9</strong> · reason: price</span>') == 1
    assert COMMENT in owner
    assert AuditEntry.objects.filter(action=AuditEntry.Action.UNREDACTED_VIEWED,
                                     details__page="customer").count() == 1
    # A reader without PII rights sees the score and the comment with the address taken out.
    analyst = _page(org, Role.ANALYST, "ada")
    assert "NPS <strong>9</strong>" in analyst
    assert "Ring mig på" in analyst and "anna.svensson@example.com" not in analyst


def test_a_sent_entry_is_described_in_words_not_by_its_message_id(org, django_capture_on_commit_callbacks):
    _answered_invitation(org, django_capture_on_commit_callbacks)
    html = _page(org, Role.OWNER, "olle")
    row = html.split("Handed to the mail server")[0].rsplit("<tr>", 1)[1]
    assert "171234.5678.abc@glapp.example" not in row.split("<td>")[-1].split('title="')[0]
    assert ">Handed to the mail server" in html
