"""The must-show test: 1,000 touchpoint events for 300 customers through the API, sent through a
real SMTP server on loopback, checked against an expectation computed here from the rules as
documented (docs/distribution.md), not from glapp's code."""

import datetime as dt
import email
import itertools
import json
import random
import re
from collections import Counter, defaultdict
from email import policy as email_policy
from pathlib import Path
from zoneinfo import ZoneInfo

from django.utils import timezone

from glapp.contacts.models import ContactPolicy, Customer
from glapp.distribution.channels.content import message_id
from glapp.distribution.dispatch import dispatch_due_invitations
from glapp.distribution.models import ContactLog, Invitation, TouchpointEvent
from glapp.journeys.actions import create_journey
from glapp.journeys.models import Touchpoint
from glapp.surveys.actions import QuestionSpec, create_survey
from glapp.surveys.models import Survey
from tests.factories import make_survey

STOCKHOLM = ZoneInfo("Europe/Stockholm")
CAP_DAYS = 3
DELAY = {"phone-support": 60, "web-checkout": 0}  # minutes; "delivery" has only a draft survey
EXPIRES_DAYS = 14


def _setup(org):
    ContactPolicy.objects.create(organization=org, min_days_between_invitations=CAP_DAYS,
                                 quiet_hours_start=dt.time(21), quiet_hours_end=dt.time(8),
                                 time_zone="Europe/Stockholm")
    make_survey(org, "checkout", touchpoint=Touchpoint.objects.get(organization=org, code="web-checkout"))
    Survey.objects.filter(organization=org, code="checkout").update(invitation_delay_minutes=0)
    create_journey(org, "After", [("Deliver", ["Delivery"])], code="after")
    delivery = Touchpoint.objects.get(organization=org, name="Delivery")
    create_survey(org, name="Draft", code="draft", touchpoint=delivery, publish=False,
                  questions=[QuestionSpec("nps", "nps", {"sv": "?"})])
    # Marked active but never published: its events are skipped as survey_not_published.
    Survey.objects.filter(organization=org, code="draft").update(status=Survey.Status.ACTIVE)
    return delivery.code


def _customers(rng: random.Random) -> list[dict]:
    people = []
    for i in range(300):
        kind = rng.random()
        person = {"external_id": f"C{i:03d}", "first_name": f"Kund{i}", "language": rng.choice(["sv", "en"])}
        if kind < 0.10:  # no consent for anything
            person.update(email=f"c{i}@example.se", consent_email=False, consent_sms=False)
        elif kind < 0.20:  # SMS only
            person.update(phone=f"+4670{i:07d}", consent_sms=True, consent_email=False)
        elif kind < 0.25:  # consent to e-mail, but no address
            person.update(consent_email=True)
        elif kind < 0.28:  # an address the mail server refuses
            person.update(email=f"bounce{i}@example.se", consent_email=True)
        else:
            person.update(email=f"c{i}@example.se", consent_email=True)
        person["unsubscribed"] = 0.28 <= kind < 0.40 and rng.random() < 0.4  # ~5 % opted out beforehand
        people.append(person)
    return people


def _expected(events: list[dict], people: dict[str, dict], delivery_code: str, now: dt.datetime):
    """Outcome per event by the documented rules: duplicates trigger nothing; touchpoint
    without active published survey; opt-out; channel (consent → address); cap of CAP_DAYS
    days between scheduled times; quiet hours 21–08 Stockholm move the time to 08:00."""
    seen, accepted = set(), defaultdict(list)
    outcomes = []
    for ev in events:
        if ev["id"] in seen:
            outcomes.append(("duplicate", None, None))
            continue
        seen.add(ev["id"])
        person = people[ev["customer"]["external_id"]]
        if ev["touchpoint"] == delivery_code:
            outcomes.append(("skipped", "survey_not_published", None))
            continue
        at = dt.datetime.fromisoformat(ev["occurred_at"]) + dt.timedelta(minutes=DELAY[ev["touchpoint"]])
        local = at.astimezone(STOCKHOLM)
        if local.hour >= 21:
            at = dt.datetime.combine(local.date() + dt.timedelta(days=1), dt.time(8), STOCKHOLM)
        elif local.hour < 8:
            at = dt.datetime.combine(local.date(), dt.time(8), STOCKHOLM)
        assert at + dt.timedelta(days=EXPIRES_DAYS) > now
        if person["unsubscribed"]:
            outcomes.append(("skipped", "opted_out", None))
            continue
        if person.get("consent_email") and person.get("email"):
            channel = "email"
        elif person.get("consent_sms") and person.get("phone"):
            channel = "sms"
        elif not person.get("consent_email") and not person.get("consent_sms"):
            outcomes.append(("skipped", "no_consent", None))
            continue
        else:
            outcomes.append(("skipped", "no_address", None))
            continue
        if any(abs(at - other) < dt.timedelta(days=CAP_DAYS) for other in accepted[person["external_id"]]):
            outcomes.append(("skipped", "frequency_cap", None))
            continue
        accepted[person["external_id"]].append(at)
        outcomes.append(("invited", channel, at))
    return outcomes


def test_thousand_events_through_the_api_and_a_real_smtp_server(api, smtp, org, settings):
    rng = random.Random(20261124)
    delivery_code = _setup(org)
    people_list = _customers(rng)
    people = {p["external_id"]: p for p in people_list}
    for p in people_list:
        if p["unsubscribed"]:
            Customer.objects.create(organization=org, external_id=p["external_id"],
                                    unsubscribed_at=timezone.now() - dt.timedelta(days=40))
    now = timezone.now()
    start = now - dt.timedelta(days=12)
    events = []
    for n in range(1000):
        if events and rng.random() < 0.05:
            events.append(json.loads(json.dumps(rng.choice(events))))  # a resend of an earlier event
            continue
        person = rng.choice(people_list)
        customer = {k: v for k, v in person.items() if k != "unsubscribed"}
        occurred = start + dt.timedelta(minutes=rng.randrange(0, 12 * 24 * 60 - 120))
        events.append({
            "id": f"ev-{n}", "customer": customer,
            "touchpoint": rng.choices(["phone-support", "web-checkout", delivery_code], [45, 45, 10])[0],
            "occurred_at": occurred.isoformat(), "interaction": "call",
            "metadata": {"agent": rng.choice(["Anna", "Bo"]), "campaign": "autumn"},
        })

    # 50 one by one, the rest in batches (with one batch retried under the same Idempotency-Key).
    items = []
    for ev in events[:50]:
        r = api.post("/events", ev)
        assert r.status_code in (200, 202), r.content
        items.append(r.json())
    for i in range(50, 1000, 190):
        chunk = events[i:i + 190]
        r = api.post("/events/bulk", {"events": chunk}, headers={"Idempotency-Key": f"batch-{i}"})
        assert r.status_code == 202, r.content
        items.extend(r.json()["items"])
        if i == 240:
            again = api.post("/events/bulk", {"events": chunk}, headers={"Idempotency-Key": f"batch-{i}"})
            assert again.json() == r.json() and again["Idempotent-Replayed"] == "true"
    assert len(items) == 1000

    expected = _expected(events, people, delivery_code, now)
    # Each event's answer matches the expectation.
    for ev, item, (outcome, detail, at) in zip(events, items, expected, strict=True):
        if outcome == "duplicate":
            assert item["created"] is False, ev["id"]
            continue
        assert item["created"] is True
        assert item["outcome"] == outcome, (ev["id"], item, detail)
        if outcome == "skipped":
            assert item["reason"] == detail, (ev["id"], item)
        else:
            [inv] = item["invitations"]
            assert inv["channel"] == detail
            assert dt.datetime.fromisoformat(inv["scheduled_for"].replace("Z", "+00:00")) == at
            assert inv["deferred"] == (at != dt.datetime.fromisoformat(ev["occurred_at"])
                                       + dt.timedelta(minutes=DELAY[ev["touchpoint"]]))
    assert TouchpointEvent.objects.for_org(org).count() == sum(1 for o in expected if o[0] != "duplicate")

    # Every skip is in the contact log with its reason, counted by reason.
    skips = Counter(detail for outcome, detail, _ in expected if outcome == "skipped")
    assert {"opted_out", "no_consent", "no_address", "frequency_cap", "survey_not_published"} <= set(skips)
    logged = Counter(ContactLog.objects.for_org(org).filter(kind=ContactLog.Kind.SKIPPED)
                     .values_list("reason", flat=True))
    assert logged == skips
    deferred = sum(1 for ev, (o, _, at) in zip(events, expected, strict=True) if o == "invited" and at !=
                   dt.datetime.fromisoformat(ev["occurred_at"]) + dt.timedelta(minutes=DELAY[ev["touchpoint"]]))
    assert deferred > 0
    assert ContactLog.objects.for_org(org).filter(kind=ContactLog.Kind.DEFERRED, reason="quiet_hours").count() \
        == deferred

    # No customer has two invitations closer than the cap.
    by_customer = defaultdict(list)
    for customer_id, at in Invitation.objects.for_org(org).values_list("customer__external_id", "scheduled_for"):
        by_customer[customer_id].append(at)
    for times in by_customer.values():
        times.sort()
        assert all(b - a >= dt.timedelta(days=CAP_DAYS) for a, b in itertools.pairwise(times))

    # Dispatch at noon (Stockholm) after the last scheduled time: outside quiet hours.
    last = max(at for o, _, at in expected if o == "invited")
    send_at = dt.datetime.combine(last.astimezone(STOCKHOLM).date() + dt.timedelta(days=1), dt.time(12),
                                  STOCKHOLM).astimezone(dt.UTC)
    summary = dispatch_due_invitations(now=send_at, limit=5000)
    invited = [(ev, d) for ev, (o, d, _) in zip(events, expected, strict=True) if o == "invited"]
    to_mail = [ev for ev, channel in invited if channel == "email" and "bounce" not in ev["customer"]["email"]]
    to_bounce = [ev for ev, channel in invited if channel == "email" and "bounce" in ev["customer"]["email"]]
    to_sms = [ev for ev, channel in invited if channel == "sms"]
    # A refused address bounces once; that customer's later invitations are cancelled at send
    # time (reason "bounced"), never attempted.
    bouncers = {ev["customer"]["external_id"] for ev in to_bounce}
    assert summary == {"sent": len(to_mail) + len(to_sms), "bounced": len(bouncers),
                       "cancelled": len(to_bounce) - len(bouncers)}
    assert to_mail and to_sms and len(to_bounce) > len(bouncers)
    assert ContactLog.objects.for_org(org).filter(kind="skipped", reason="bounced").count() == \
        len(to_bounce) - len(bouncers)

    # The SMTP server got exactly one mail per e-mail invitation, to the right people.
    assert len(smtp.messages) == len(to_mail)
    assert sorted(r for rcpts, _ in smtp.messages for r in rcpts) == sorted(ev["customer"]["email"] for ev in to_mail)
    parsed = [email.message_from_bytes(raw, policy=email_policy.default) for _, raw in smtp.messages]
    ids = [m["Message-ID"] for m in parsed]
    assert len(set(ids)) == len(ids)
    sent = Invitation.objects.for_org(org).filter(status="sent", channel="email")
    assert set(ids) == {message_id(i) for i in sent} == set(sent.values_list("message_id", flat=True))
    assert all(re.fullmatch(r"<inv-\d+\.[0-9a-f]{12}@acme\.test>", i) for i in ids)
    for m in parsed:
        assert m["List-Unsubscribe"].startswith("<https://glapp.test/u/") and m["List-Unsubscribe"].endswith("/>")
        assert m["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert m.get_content_type() == "multipart/alternative"
        html = m.get_body(("html",)).get_content()
        assert "/o.gif" in html and "https://glapp.test/r/" in html
    outbox = Path(settings.GLAPP_SMS_OUTBOX)
    sms = [json.loads(line) for line in outbox.read_text(encoding="utf-8").splitlines()]
    assert sorted(s["to"] for s in sms) == sorted(ev["customer"]["phone"] for ev in to_sms)
    assert set(Customer.objects.for_org(org).filter(email_bounced_at__isnull=False)
               .values_list("external_id", flat=True)) == bouncers
    assert ContactLog.objects.for_org(org).filter(kind="bounced").count() == len(bouncers)

    # Running the dispatch again sends nothing more.
    assert dispatch_due_invitations(now=send_at + dt.timedelta(minutes=1), limit=5000) == {}
    assert len(smtp.messages) == len(to_mail)
    assert len(outbox.read_text(encoding="utf-8").splitlines()) == len(to_sms)
