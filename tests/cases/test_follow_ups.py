"""A resolved case's customer is asked once whether they got help; recovery is measured."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from glapp.cases import actions
from glapp.cases.models import Case, CaseActivity, FollowUp, RootCause
from glapp.contacts.models import Customer
from glapp.distribution.models import ContactLog, Invitation
from tests.cases.helpers import detractor_rule, post_response

pytestmark = pytest.mark.django_db


def resolved_case(org, consent=True, unsubscribed=False, nps=3):
    detractor_rule(org)
    customer = Customer.objects.create(organization=org, external_id="C-1", email="eva@example.se",
                                       consent_email=consent)
    post_response(org, external_id="R-1", customer="C-1", answers={"nps": nps},
                  submitted_at=(timezone.now() - dt.timedelta(minutes=3)).isoformat())
    case = Case.objects.get()
    if unsubscribed:  # opted out of surveys while the case was worked
        Customer.objects.filter(pk=customer.pk).update(unsubscribed_at=timezone.now())
    cause = RootCause.objects.get(organization=org, code="billing")
    return actions.close(case, actor_id=None, root_cause_id=cause.id, resolution="Credited the invoice",
                         status=Case.Status.RESOLVED)


def answer(token, helped, nps):
    client = Client()
    assert client.post(f"/r/{token}/", {"question": "helped", "answer": [helped]}).status_code == 302
    assert client.post(f"/r/{token}/", {"question": "nps", "answer": [str(nps)]}).status_code == 302
    client.post(f"/r/{token}/", {"question": "comment", "answer": [""], "skip": "1"})


def test_resolving_sends_one_follow_up_which_measures_recovery(org):
    case = resolved_case(org)
    follow_up = FollowUp.objects.get(case=case)
    invitation = Invitation.objects.get(pk=follow_up.invitation_id)
    assert invitation.survey.code == "case-follow-up" and follow_up.prior_nps == 3
    actions.close(case, actor_id=None, resolution="Closed")  # resolved → closed asks nothing more
    assert FollowUp.objects.count() == 1 and Invitation.objects.count() == 1
    answer(invitation.token, "yes", 8)
    follow_up.refresh_from_db()
    assert follow_up.helped == "yes" and follow_up.nps == 8 and follow_up.recovered is True
    assert CaseActivity.objects.filter(case=case, kind="follow_up_answered").count() == 1
    assert Case.objects.count() == 1  # the follow-up answer opens no case of its own


def test_the_follow_up_ignores_the_frequency_cap_but_not_an_opt_out(org):
    case = resolved_case(org, unsubscribed=True)
    follow_up = FollowUp.objects.get(case=case)
    assert follow_up.invitation_id is None and follow_up.skipped
    assert ContactLog.objects.filter(kind="skipped").exists()


def test_no_help_and_still_a_detractor_reopens_the_case(org):
    case = resolved_case(org)
    answer(Invitation.objects.get().token, "no", 2)
    case.refresh_from_db()
    assert case.status == Case.Status.IN_PROGRESS and case.resolved_at is None
    follow_up = FollowUp.objects.get(case=case)
    assert follow_up.recovered is False


def test_a_case_for_analysis_only_gets_no_follow_up(org):
    resolved_case(org, consent=False)
    assert not FollowUp.objects.exists() and not Invitation.objects.exists()
