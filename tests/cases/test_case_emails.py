"""Writing to the customer from a case: through real SMTP, on the timeline, only with consent."""

import datetime as dt
import email
import email.policy

import pytest
from django.utils import timezone

from glapp.cases import actions, emails
from glapp.cases.models import Case, CaseActivity, CaseEmail, ReplyTemplate
from glapp.contacts.models import Customer
from tests.cases.helpers import detractor_rule, handler, post_response

pytestmark = pytest.mark.django_db


def a_case(org, consent=True, first_name="Eva"):
    detractor_rule(org)
    Customer.objects.create(organization=org, external_id="C-1", email="eva@example.se", consent_email=consent,
                            first_name=first_name)
    post_response(org, external_id="R-1", customer="C-1", answers={"nps": 2},
                  submitted_at=(timezone.now() - dt.timedelta(minutes=3)).isoformat())
    return Case.objects.get()


def test_a_templated_email_reaches_the_customer_and_the_timeline(org, smtp):
    case = a_case(org)
    sara = handler(org, "sara")
    sara.email, sara.first_name, sara.last_name = "sara@acme.test", "Sara", "Lind"
    sara.save()
    template = ReplyTemplate.objects.get(organization=org, language="sv")
    actions.send_email(case, subject="", body="", actor=sara, template_id=template.id)
    case.refresh_from_db()
    assert case.status == Case.Status.CONTACTED and case.first_contacted_at
    assert emails.send_queued() == {"sent": 1, "failed": 0, "uncertain": 0}
    [(to, raw)] = smtp.messages
    message = email.message_from_bytes(raw, policy=email.policy.default)
    body = message.get_content()
    assert to == ["eva@example.se"] and str(message["Subject"]) == f"Vi har läst det du skrev till oss [#{case.id}]"
    assert body.startswith("Hej Eva,") and "Sara Lind" in body and message["Reply-To"] == "sara@acme.test"
    activity = CaseActivity.objects.get(case=case, kind="email")
    assert activity.actor_id == sara.id and CaseEmail.objects.get().status == CaseEmail.Status.SENT
    assert emails.send_queued()["sent"] == 0  # sent once


def test_hostile_names_stay_plain_text(org, smtp):
    case = a_case(org, first_name="<script>alert(1)</script>")
    actions.send_email(case, subject="Hej", body="Hej {first_name}", actor=None)
    emails.send_queued()
    [(_, raw)] = smtp.messages
    message = email.message_from_bytes(raw)
    assert message.get_content_type() == "text/plain" and not message.is_multipart()


def test_no_email_without_consent(org, smtp):
    case = a_case(org, consent=False)
    assert case.analysis_only
    with pytest.raises(Exception) as refused:
        actions.send_email(case, subject="Hej", body="Hej", actor=None)
    assert refused.value.errors[0].field == "case"
    assert not smtp.messages and not CaseEmail.objects.exists()


def test_an_interrupted_send_is_never_repeated(org, smtp):
    case = a_case(org)
    actions.send_email(case, subject="Hej", body="Hej", actor=None)
    CaseEmail.objects.update(status=CaseEmail.Status.SENDING, claimed_at=timezone.now() - dt.timedelta(hours=1))
    assert emails.send_queued() == {"sent": 0, "failed": 0, "uncertain": 1}
    assert not smtp.messages
