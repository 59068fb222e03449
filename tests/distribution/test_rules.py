"""The contact rules as pure functions."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from glapp.distribution import rules
from glapp.distribution.rules import Contact, Policy

STHLM = ZoneInfo("Europe/Stockholm")
POLICY = Policy(min_days_between_invitations=30, relationship_min_months=6)


def local(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=STHLM)


@pytest.mark.parametrize(("contact", "expected"), [
    (Contact(email="a@x.se", consent_email=True), ("email", "")),
    (Contact(email="a@x.se", phone="+46701", consent_email=True, consent_sms=True, preferred_channel="sms"),
     ("sms", "")),
    (Contact(email="a@x.se", consent_email=True, preferred_channel="sms"), ("email", "")),  # SMS not allowed
    (Contact(phone="+46701", consent_sms=True), ("sms", "")),
    (Contact(email="a@x.se", phone="+46701"), (None, rules.NO_CONSENT)),
    (Contact(consent_email=True), (None, rules.NO_ADDRESS)),
    (Contact(email="a@x.se", consent_email=True, email_bounced=True), (None, rules.BOUNCED)),
    (Contact(email="a@x.se", consent_email=True, email_bounced=True, phone="+4670", consent_sms=True),
     ("sms", "")),  # the e-mail bounced, SMS still works
    (Contact(email="a@x.se", consent_email=True, email_bounced=True, consent_sms=True), (None, rules.NO_CHANNEL)),
    (Contact(email="a@x.se", consent_email=True, unsubscribed=True), (None, rules.OPTED_OUT)),
])
def test_channel_choice(contact, expected):
    decision = rules.choose_channel(contact)
    assert (decision.channel, decision.reason) == expected


def test_frequency_cap_looks_both_ways_and_lets_the_boundary_pass():
    at = local(2026, 5, 10, 12)
    assert rules.within_frequency_cap(at, [at - dt.timedelta(days=29)], 30)
    assert rules.within_frequency_cap(at, [at + dt.timedelta(days=29)], 30)  # an event reported late
    assert not rules.within_frequency_cap(at, [at - dt.timedelta(days=30)], 30)
    assert not rules.within_frequency_cap(at, [], 30)
    assert not rules.within_frequency_cap(at, [at], 0)  # 0 days: no cap


def test_relationship_interval_in_calendar_months():
    at = local(2026, 8, 31, 12)
    assert rules.add_months(at, -6) == local(2026, 2, 28, 12)
    assert rules.add_months(local(2026, 1, 31), 1) == local(2026, 2, 28)
    assert rules.add_months(local(2026, 11, 15), 3) == local(2027, 2, 15)
    assert rules.within_relationship_interval(at, [local(2026, 3, 1, 12)], POLICY)
    assert not rules.within_relationship_interval(at, [local(2026, 2, 28, 12)], POLICY)


def test_relationship_months_are_counted_on_the_customers_clock():
    # 00:30 on 1 September in Stockholm is 22:30 UTC on 31 August: six months on, the customer's
    # next relationship survey may come on 1 March, not at 23:45 on 28 February (22:45 UTC),
    # whatever clock the times arrive in.
    sent = local(2026, 9, 1, 0, 30).astimezone(dt.UTC)
    assert rules.within_relationship_interval(local(2027, 2, 28, 23, 45).astimezone(dt.UTC), [sent], POLICY)
    assert not rules.within_relationship_interval(local(2027, 3, 1, 0, 45).astimezone(dt.UTC), [sent], POLICY)
    later = local(2027, 3, 1, 0, 15)  # and six months back from 00:15 on 1 March is 00:15 on 1 September
    assert not rules.within_relationship_interval(later, [local(2026, 9, 1, 0, 14).astimezone(dt.UTC)], POLICY)
    assert rules.within_relationship_interval(later, [local(2026, 9, 1, 0, 16).astimezone(dt.UTC)], POLICY)


def test_judge_order_and_reasons():
    contact = Contact(email="a@x.se", consent_email=True)
    at = local(2026, 5, 10, 12)
    recent = [at - dt.timedelta(days=3)]
    assert rules.judge(contact, POLICY, at, recent).reason == rules.FREQUENCY_CAP
    assert rules.judge(contact, POLICY, at, [], relationship=True,
                       relationship_invitations=[at - dt.timedelta(days=60)]).reason == rules.RELATIONSHIP_INTERVAL
    # Opt-out wins over everything else.
    assert rules.judge(Contact(unsubscribed=True), POLICY, at, recent).reason == rules.OPTED_OUT
    assert rules.judge(contact, POLICY, at, []).channel == "email"


@pytest.mark.parametrize(("when", "moved_to"), [
    (local(2026, 5, 10, 22, 30), local(2026, 5, 11, 8, 0)),  # evening: next morning
    (local(2026, 5, 11, 3, 0), local(2026, 5, 11, 8, 0)),  # night: this morning
    (local(2026, 5, 11, 8, 0), local(2026, 5, 11, 8, 0)),  # the end itself is not quiet
    (local(2026, 5, 11, 20, 59), local(2026, 5, 11, 20, 59)),
    (local(2026, 3, 28, 23, 0), local(2026, 3, 29, 8, 0)),  # the night clocks go forward
])
def test_quiet_hours_defer_to_their_end(when, moved_to):
    assert rules.out_of_quiet_hours(when.astimezone(dt.UTC), POLICY) == moved_to
    assert rules.in_quiet_hours(when, POLICY) == (when != moved_to)


def test_quiet_hours_ending_in_the_hour_that_happens_twice_end_after_now():
    """25 October 2026: 02:00–03:00 Stockholm happens twice. At the second 02:00 (01:00 UTC) the
    first 02:30 (00:30 UTC) is past; the quiet hours end at the second one (01:30 UTC)."""
    night = Policy(quiet_start=dt.time(22), quiet_end=dt.time(2, 30))
    now = dt.datetime(2026, 10, 25, 1, 0, tzinfo=dt.UTC)
    assert rules.in_quiet_hours(now, night)
    assert rules.out_of_quiet_hours(now, night) == dt.datetime(2026, 10, 25, 1, 30, tzinfo=dt.UTC)
    first_two_oclock = dt.datetime(2026, 10, 25, 0, 0, tzinfo=dt.UTC)
    assert rules.out_of_quiet_hours(first_two_oclock, night) == dt.datetime(2026, 10, 25, 0, 30, tzinfo=dt.UTC)


@pytest.mark.parametrize(("sent", "days", "due"), [
    (local(2026, 3, 27, 20, 30), 3, local(2026, 3, 30, 20, 30)),  # across the spring change: not 21:30
    (local(2026, 10, 23, 7, 30), 3, local(2026, 10, 26, 7, 30)),  # across the autumn change: not 06:30
    (local(2026, 5, 10, 12, 0), 7, local(2026, 5, 17, 12, 0)),
])
def test_days_later_keeps_the_local_clock_time(sent, days, due):
    assert rules.days_later(sent.astimezone(dt.UTC), days, POLICY) == due


def test_quiet_hours_within_one_day_and_none():
    lunch = Policy(quiet_start=dt.time(12), quiet_end=dt.time(13))
    assert rules.out_of_quiet_hours(local(2026, 5, 10, 12, 30), lunch) == local(2026, 5, 10, 13)
    assert not rules.in_quiet_hours(local(2026, 5, 10, 23), lunch)
    never = Policy(quiet_start=dt.time(0), quiet_end=dt.time(0))
    assert not rules.in_quiet_hours(local(2026, 5, 10, 3), never)
