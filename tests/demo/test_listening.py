"""The demo's invitation history: what glapp's contact rules would have done, consistent with
the demo's responses, deterministic, and removed with the demo."""

import datetime as dt
import io
import re
from collections import defaultdict
from itertools import pairwise

import pytest
from django.core.management import call_command

from glapp.accounts.queries import Access
from glapp.contacts.models import ContactPolicy, Customer
from glapp.demo import listening, loader
from glapp.demo.generator import DemoGenerator
from glapp.distribution import queries, rules
from glapp.distribution.models import ContactLog, Invitation, TouchpointEvent
from glapp.responses.models import Response

pytestmark = pytest.mark.django_db
END = dt.date(2026, 6, 30)
SEED = 3
RESPONSES = 4000


def build(seed: int = SEED):
    org = loader.create_demo_org()
    loader.load_responses(org, DemoGenerator(seed, RESPONSES, END))
    return org, listening.generate_listening(org, seed, END)


@pytest.fixture
def demo():
    org, result = build()
    return org, result


def test_the_history_has_every_part_of_the_story(demo):
    org, result = demo
    assert not result.existing and result.invitations > 300 and result.responded > 60
    policy = ContactPolicy.objects.get(organization=org)
    assert (policy.min_days_between_invitations, policy.relationship_min_months) == (30, 6)
    assert (policy.quiet_hours_start, policy.quiet_hours_end, policy.time_zone) == (
        dt.time(21), dt.time(8), "Europe/Stockholm")
    statuses = set(Invitation.objects.filter(organization=org).values_list("status", flat=True))
    assert {Invitation.Status.SENT, Invitation.Status.EXPIRED, Invitation.Status.BOUNCED} <= statuses
    kinds = set(ContactLog.objects.filter(organization=org).values_list("kind", flat=True))
    assert {"scheduled", "deferred", "sent", "opened", "reminded", "responded", "completed", "expired",
            "bounced", "unsubscribed", "skipped"} <= kinds
    reasons = set(TouchpointEvent.objects.filter(organization=org, outcome="skipped").values_list("reason", flat=True))
    assert {rules.FREQUENCY_CAP, rules.OPTED_OUT, rules.NO_CONSENT, rules.BOUNCED} <= reasons
    skipped = TouchpointEvent.objects.filter(organization=org, outcome="skipped")
    assert skipped.filter(reason=rules.FREQUENCY_CAP).count() > skipped.count() / 3  # the cap, mostly
    # Contact data: fictional addresses only.
    customers = Customer.objects.filter(organization=org)
    assert customers.exclude(email="").count() > 0.95 * customers.count()
    assert customers.exclude(phone="").count() > 0.8 * customers.count()
    for email, phone in customers.exclude(email="").values_list("email", "phone")[:500]:
        assert re.fullmatch(r"[a-z]+\.\d+@example\.(se|com)", email), email
        assert phone == "" or re.fullmatch(r"\+467017406(0[5-9]|[1-9]\d)", phone), phone
    assert customers.filter(consent_email=True).count() > customers.count() / 2
    assert customers.filter(consent_sms=True, consent_email=False).exists()
    assert customers.filter(consent_sms=False, consent_email=False).exists()
    assert customers.filter(unsubscribed_at__isnull=False).exists()
    assert customers.filter(email_bounced_at__isnull=False).exists()


def test_the_history_obeys_the_contact_rules(demo):
    org, _ = demo
    policy = rules.Policy()
    customers = {c.id: c for c in Customer.objects.filter(organization=org)}
    mine = defaultdict(list)
    for inv in Invitation.objects.filter(organization=org).select_related("survey"):
        mine[inv.customer_id].append(inv)
        customer = customers[inv.customer_id]
        assert not rules.in_quiet_hours(inv.scheduled_for, policy)
        for sent in (inv.sent_at, inv.reminder_sent_at, inv.bounced_at):
            assert sent is None or not rules.in_quiet_hours(sent, policy), inv.pk
        assert customer.unsubscribed_at is None or inv.created_at < customer.unsubscribed_at
        if inv.channel == "email":
            assert customer.consent_email and customer.email
            assert customer.email_bounced_at is None or inv.created_at <= customer.email_bounced_at
        else:
            assert inv.channel == "sms" and customer.consent_sms and customer.phone
            assert customer.phone_bounced_at is None or inv.created_at <= customer.phone_bounced_at
        if inv.event_id:
            delay = dt.timedelta(minutes=inv.survey.invitation_delay_minutes)
            assert inv.scheduled_for == rules.out_of_quiet_hours(inv.event.occurred_at + delay, policy)
        if inv.sent_at:
            assert inv.scheduled_for <= inv.sent_at < inv.scheduled_for + dt.timedelta(seconds=30)
            assert inv.expires_at == inv.sent_at + dt.timedelta(days=inv.survey.expires_after_days)
        if inv.reminder_sent_at:
            assert inv.reminder_sent_at >= inv.sent_at + dt.timedelta(days=inv.survey.reminder_after_days)
            assert inv.responded_at is None or inv.reminder_sent_at < inv.responded_at
    for invitations in mine.values():
        times = sorted(i.scheduled_for for i in invitations)
        assert all(b - a >= dt.timedelta(days=30) for a, b in pairwise(times))
        relationship = sorted(i.scheduled_for for i in invitations if i.survey.kind == "relationship")
        assert not any(rules.within_relationship_interval(b, [a], policy) for a, b in pairwise(relationship))


def test_every_event_has_an_outcome_and_every_skip_a_reason(demo):
    org, _ = demo
    events = TouchpointEvent.objects.filter(organization=org).select_related("customer")
    assert events.count() > 0
    invited = set(Invitation.objects.filter(organization=org).values_list("event_id", flat=True))
    skip_logs = {log.event_id: log for log in ContactLog.objects.filter(organization=org, kind="skipped",
                                                                          event__isnull=False)}
    for event in events:
        if event.outcome == TouchpointEvent.Outcome.INVITED:
            assert event.id in invited and event.reason == ""
            continue
        assert event.outcome == TouchpointEvent.Outcome.SKIPPED and event.reason in rules.SKIP_REASONS
        assert event.id not in invited
        assert skip_logs[event.id].reason == event.reason
        customer = event.customer
        if event.reason == rules.FREQUENCY_CAP:  # another invitation of the customer within 30 days
            others = Invitation.objects.filter(customer=customer, created_at__lt=event.created_at)
            assert any(abs(i.scheduled_for - event.occurred_at) < dt.timedelta(days=31) for i in others)
        elif event.reason == rules.OPTED_OUT:
            assert customer.unsubscribed_at is not None and customer.unsubscribed_at <= event.created_at
        elif event.reason == rules.NO_CONSENT:
            assert not customer.consent_email and not customer.consent_sms
        elif event.reason == rules.BOUNCED:
            assert customer.email_bounced_at or customer.phone_bounced_at
    assert not ContactLog.objects.filter(organization=org, kind="skipped", reason="").exists()
    # A reminder that was not sent because the customer opted out from the invitation itself.
    assert ContactLog.objects.filter(organization=org, kind="skipped", reason=rules.OPTED_OUT,
                                     detail="reminder").exists()


def test_answered_invitations_are_the_customers_real_responses(demo):
    org, _ = demo
    assert Response.objects.filter(organization=org).count() == RESPONSES  # none created
    answered = Invitation.objects.filter(organization=org, responded_at__isnull=False).select_related(
        "event", "survey")
    assert answered.count() > 60
    responses = {r.external_id: r for r in Response.objects.filter(
        organization=org, external_id__in=[i.context["demo_response"] for i in answered])}
    for inv in answered:
        response = responses[inv.context["demo_response"]]
        assert response.customer_id == inv.customer_id and response.survey_id == inv.survey_id
        assert response.touchpoint_id == inv.touchpoint_id and response.channel == inv.channel
        assert inv.responded_at == inv.completed_at == response.submitted_at
        assert inv.sent_at < inv.opened_at <= inv.responded_at < inv.expires_at
        assert inv.status == Invitation.Status.SENT
        if inv.event_id:
            assert inv.event.occurred_at + dt.timedelta(minutes=inv.survey.invitation_delay_minutes) <= inv.sent_at
            assert inv.event.customer_id == inv.customer_id
        kinds = list(ContactLog.objects.filter(invitation=inv).order_by("created_at", "id")
                     .values_list("kind", flat=True))
        assert kinds[0] == "scheduled" and kinds[-2:] == ["responded", "completed"]
    # Unanswered invitations stay unanswered; the expired ones are past their window.
    for inv in Invitation.objects.filter(organization=org, status=Invitation.Status.EXPIRED)[:200]:
        assert inv.responded_at is None and inv.expires_at <= listening.demo_today(END)


def test_rates_by_channel_are_in_the_intended_band(demo):
    org, _ = demo
    rows = {r.label: r for r in queries.rates(Access(org, "owner"), "channel")}
    email, sms = rows["email"].responded.share, rows["sms"].responded.share
    assert 20 <= email <= 35 and 20 <= sms <= 35
    assert sms > email
    by_touchpoint = {r.label: r.responded.share for r in queries.rates(Access(org, "owner"), "touchpoint")}
    assert by_touchpoint["Uppsägning"] < min(v for k, v in by_touchpoint.items() if k != "Uppsägning")


def snapshot(org) -> dict:
    def clean(detail: str) -> str:
        return re.sub(r"inv-\d+", "inv-N", detail)

    return {
        "events": list(TouchpointEvent.objects.filter(organization=org).order_by("external_id").values_list(
            "external_id", "customer__external_id", "touchpoint__code", "unit__code", "occurred_at", "created_at",
            "metadata", "outcome", "reason")),
        "invitations": list(Invitation.objects.filter(organization=org).order_by("id").values_list(
            "customer__external_id", "survey__code", "event__external_id", "channel", "language", "context",
            "status", "scheduled_for", "sent_at", "opened_at", "responded_at", "completed_at", "reminder_sent_at",
            "bounced_at", "expires_at", "reminder_due_at", "created_at")),
        "log": [(*row[:-1], clean(row[-1])) for row in ContactLog.objects.filter(organization=org).order_by("id")
                .values_list("customer__external_id", "kind", "reason", "created_at", "channel", "detail")],
        "customers": list(Customer.objects.filter(organization=org).order_by("external_id").values_list(
            "external_id", "email", "phone", "consent_email", "consent_sms", "preferred_channel",
            "unsubscribed_at", "email_bounced_at", "phone_bounced_at")),
    }


def test_same_seed_same_history_and_deletion_removes_it(demo):
    org, _ = demo
    first = snapshot(org)
    assert listening.generate_listening(org, SEED, END).existing  # a second run adds nothing
    assert snapshot(org) == first
    loader.delete_demo_org(org)
    for model in (TouchpointEvent, Invitation, ContactLog, ContactPolicy, Customer):
        assert not model.objects.filter(organization_id=org.id).exists(), model
    again, _ = build()
    assert snapshot(again) == first


def test_the_demo_command_creates_the_history_unless_skipped():
    out = io.StringIO()
    call_command("demo", "--no-serve", "--skip-analysis", "--end", "2026-06-30", "--responses", "1500",
                 "--seed", "5", stdout=out)
    assert "Invitation history:" in out.getvalue()
    org = loader.find_demo_org()
    assert Invitation.objects.filter(organization=org).exists()
    out = io.StringIO()
    call_command("demo", "--no-serve", "--skip-analysis", "--end", "2026-06-30", "--responses", "1500",
                 "--seed", "5", "--reset", "--skip-listening", stdout=out)
    assert "Invitation history" not in out.getvalue()
    assert not Invitation.objects.filter(organization=loader.find_demo_org()).exists()
