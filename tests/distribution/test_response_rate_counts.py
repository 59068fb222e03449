"""Response rates in the rollups: every way an invitation goes out, is answered or bounces is
counted in the transaction that records it, the counts equal a recount from the invitations,
and `metric_table`/`GET /api/v1/metrics` read the rate from them with its Wilson interval."""

import datetime as dt
import threading
import time

import pytest
from django.db import connections, transaction

from glapp.accounts.models import Role
from glapp.accounts.queries import access_for
from glapp.analytics import rate_counting as rc
from glapp.analytics.actions import add_rate_changes, rebuild_rollups
from glapp.analytics.models import Rollup
from glapp.analytics.queries import MetricQuery, metric_table
from glapp.contacts.models import Customer
from glapp.core import stats, writelock
from glapp.distribution.actions import note_respondent_event, record_events
from glapp.distribution.channels.content import message_id
from glapp.distribution.dispatch import dispatch_due_invitations, record_bounce
from glapp.distribution.models import Invitation
from glapp.distribution.queries import event_catalog
from glapp.distribution.validation import clean_event
from glapp.journeys.models import Touchpoint
from glapp.surveys.models import Survey
from tests.distribution.test_dispatch import NOON, invite
from tests.factories import make_org, make_user

pytestmark = pytest.mark.django_db
T0, T1, T2 = (dt.datetime(2026, 6, 1, 10, tzinfo=dt.UTC) + dt.timedelta(hours=h) for h in (0, 1, 2))


# --- The state machine (pure) ------------------------------------------------------------------


def test_state_follows_the_three_times():
    assert rc.rate_state(None, None, None) is None
    assert rc.rate_state(None, None, T1) is None  # answered a link that never went out: not counted
    assert rc.rate_state(T0, None, None) == rc.DELIVERED
    assert rc.rate_state(T0, T1, None) == rc.BOUNCED
    assert rc.rate_state(None, T0, None) == rc.BOUNCED  # refused while being sent
    assert rc.rate_state(T0, T1, T2) == rc.RESPONDED  # an answer proves it arrived


@pytest.mark.parametrize("order", [("sent_at", "responded_at", "bounced_at"), ("sent_at", "bounced_at", "responded_at"),
                                   ("responded_at", "sent_at", "bounced_at"), ("bounced_at", "responded_at")])
def test_changes_in_any_order_add_up_to_the_final_state(order):
    times: dict = {"sent_at": None, "bounced_at": None, "responded_at": None}
    counts = {state: 0 for state in rc.STATES}
    went_out = 0
    for name in order:
        change = rc.change_when_set(name, T1, times, survey_id=1, touchpoint_id=None, unit_id=None, channel="email",
                                    language="sv", segment="", metadata={})
        times[name] = T1
        if change is None:
            continue
        if change.before is None:
            went_out += 1
        else:
            counts[change.before] -= 1
        counts[change.after] += 1
    final = rc.rate_state(**times)
    assert went_out == (final is not None)
    assert counts == {state: int(state == final) for state in rc.STATES}


def test_setting_an_unknown_time_is_refused():
    with pytest.raises(ValueError):
        rc.change_when_set("opened_at", T1, {})


# --- Kept in step with every path that changes an invitation -------------------------------------


def handed_over_link(org, external_id):
    """An invitation whose link the organization shows itself: it counts as sent at once."""
    raw = {"id": f"chat-{external_id}", "touchpoint": "phone-support", "occurred_at": NOON.isoformat(),
           "channel": "link", "customer": {"external_id": external_id, "first_name": "Fia"}}
    [result] = record_events(org.id, [clean_event(raw, event_catalog(org.id), now=NOON)], now=NOON)
    return Invitation.objects.get(pk=result.invitations[0].invitation_id)


def invitation_rollups(org):
    return sorted(Rollup.objects.filter(organization=org, source="invitations").exclude(n=0).values_list(
        "grain", "day", "survey", "touchpoint", "unit", "channel", "language", "segment", "d1", "d2", "d3", "d4",
        "n", "c0", "c1", "c2"))


def test_counts_follow_sending_answers_and_bounces_and_equal_a_recount(org, smtp):
    for external_id, segment in (("A", "private"), ("B", "private"), ("C", "business"), ("D", "business")):
        Customer.objects.create(organization=org, external_id=external_id, segment=segment)
    answered = invite(org, "A", "a@example.se")
    quiet = invite(org, "B", "b@example.se")
    refused = invite(org, "C", "bounce@example.se")  # the SMTP server refuses it
    reported = invite(org, "D", "d@example.se")
    answered_then_reported = invite(org, "E", "e@example.se")
    never_sent = invite(org, "G", "g@example.se", at=NOON + dt.timedelta(days=2))
    assert dispatch_due_invitations(now=NOON) == {"sent": 4, "bounced": 1}
    link = handed_over_link(org, "F")

    # A customer who changes segment after being invited stays counted where the invitation was.
    Customer.objects.filter(external_id="A").update(segment="business")
    for inv in (answered, answered_then_reported, link, never_sent):
        assert note_respondent_event("survey.completed", inv.token, NOON + dt.timedelta(hours=5)) == 3
    assert note_respondent_event("survey.answered", answered.token) == 0  # once only
    record_bounce(org.id, message_id=message_id(reported))
    record_bounce(org.id, message_id=message_id(answered_then_reported))
    record_bounce(org.id, message_id=message_id(reported))  # reported twice, counted once

    live = invitation_rollups(org)
    rebuild_rollups(org.id)
    assert live == invitation_rollups(org) and live

    anna = access_for(make_user(org, "anna", role=Role.ANALYST))
    june = {"date_from": dt.date(2026, 6, 1), "date_to": dt.date(2026, 6, 30)}
    table = metric_table(anna, MetricQuery("response_rate", compare=False, **june))
    # Went out: A, B, C (refused), D (bounced later), E, F (the link) = 6; answered: A, E, F.
    # Delivered = 6 − 2 bounced = 4; the rate is 3/4 with its Wilson interval.
    assert table.total == stats.proportion_estimate(3, 4)
    assert table.total.method == stats.WILSON
    by_channel = metric_table(anna, MetricQuery("response_rate", ("channel",), compare=False, **june))
    assert {c.key: (c.estimate.value, c.estimate.n) for c in by_channel.cells} == {
        ("email",): (pytest.approx(200 / 3), 3), ("link",): (100.0, 1)}
    by_segment = metric_table(anna, MetricQuery("response_rate", ("segment",), compare=False, **june))
    assert {c.key: c.counts[1:4] for c in by_segment.cells} == {
        ("private",): (1, 1, 0), ("business",): (0, 0, 2), ("",): (2, 0, 0)}
    assert refused.pk and quiet.pk  # named for the reader: both are in the counts above


def test_the_metrics_api_serves_the_response_rate(org, smtp, api):
    for i in range(3):
        invite(org, f"K{i}", f"k{i}@example.se")
    dispatch_due_invitations(now=NOON)
    first = Invitation.objects.order_by("id").first()
    note_respondent_event("survey.answered", first.token, NOON + dt.timedelta(hours=1))
    body = api.get("/metrics", {"metric": "response_rate", "group_by": "touchpoint", "from": "2026-06-01",
                                "to": "2026-06-30"}).json()
    assert body["metric"]["code"] == "response_rate" and body["metric"]["unit"] == "percent"
    expected = stats.proportion_estimate(1, 3)
    assert body["total"]["value"] == pytest.approx(expected.value)
    assert body["total"]["low"] == pytest.approx(expected.low) and body["total"]["n"] == 3
    assert body["method"]["code"] == stats.WILSON


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("first", ["answer", "bounce"])
def test_an_answer_and_a_bounce_in_concurrent_transactions_add_up(smtp, first):
    """The second writer waits on the first one's row lock (PostgreSQL; SQLite serialises
    writers) and must then see its time: the counts end where a recount puts them. Run with
    DATABASE_URL set to PostgreSQL to exercise the lock itself."""
    org = make_org("acme")
    invitations = [invite(org, f"P{i}", f"p{i}@example.se") for i in range(3)]
    dispatch_due_invitations(now=NOON)
    answer_at = NOON + dt.timedelta(hours=1)

    def answer(inv):
        note_respondent_event("survey.answered", inv.token, answer_at)

    def bounce(inv):
        record_bounce(org.id, message_id=message_id(inv), now=answer_at)

    steps = (answer, bounce) if first == "answer" else (bounce, answer)
    errors = []
    for inv in invitations:
        inside = threading.Barrier(2)

        def holder(inv=inv, inside=inside):
            try:
                with writelock.serialized(), transaction.atomic():
                    steps[0](inv)
                    inside.wait()
                    time.sleep(0.2)  # the other writer is now waiting on this row
            except Exception as exc:
                errors.append(exc)
            finally:
                connections.close_all()

        def waiter(inv=inv, inside=inside):
            try:
                inside.wait()
                with writelock.serialized(), transaction.atomic():
                    steps[1](inv)
            except Exception as exc:
                errors.append(exc)
            finally:
                connections.close_all()

        threads = [threading.Thread(target=holder), threading.Thread(target=waiter)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert errors == []
    live = invitation_rollups(org)
    assert [row[-4:] for row in live if row[0] == 1] == [(3, 3, 0, 0)]  # all answered, none counted twice
    rebuild_rollups(org.id)
    assert invitation_rollups(org) == live


def test_an_invitation_stays_in_its_cells_when_its_survey_moves_to_another_touchpoint(org, smtp):
    # A wave invitation has no touchpoint of its own; its survey gets one after it went out.
    inv = invite(org, "W1", "w1@example.se")
    Invitation.objects.filter(pk=inv.pk).update(touchpoint=None)
    dispatch_due_invitations(now=NOON)
    Survey.objects.filter(pk=inv.survey_id).update(touchpoint=Touchpoint.objects.get(code="web-checkout"))
    note_respondent_event("survey.answered", inv.token, NOON + dt.timedelta(hours=1))
    live = invitation_rollups(org)
    assert all(row[3] == 0 for row in live) and {row[-4:] for row in live} == {(1, 1, 0, 0)}
    rebuild_rollups(org.id)
    assert invitation_rollups(org) == live


def test_a_period_whose_invitations_can_still_be_answered_is_never_flagged(org, monkeypatch):
    """Recent invitations read low until their answers arrive: a change that includes them is
    shown, marked provisional, and never called significant."""
    def went_out(day, after, count):
        return [rc.RateChange(at=dt.datetime(2026, 5 + (day > 31), (day - 1) % 31 + 1, 9, tzinfo=dt.UTC),
                              survey_id=1, touchpoint_id=None, unit_id=None, channel="email", language="sv",
                              segment="", metadata={}, before=None, after=after)] * count
    with transaction.atomic():
        add_rate_changes(org.id, went_out(10, rc.RESPONDED, 40) + went_out(10, rc.DELIVERED, 10)  # May: 80 %
                         + went_out(41, rc.RESPONDED, 10) + went_out(41, rc.DELIVERED, 40))  # June 10: 20 %
    anna = access_for(make_user(org, "anna", role=Role.ANALYST))
    q = MetricQuery("response_rate", ("channel",), date_from=dt.date(2026, 6, 1), date_to=dt.date(2026, 6, 15),
                    compare_from=dt.date(2026, 5, 1), compare_to=dt.date(2026, 5, 15))

    monkeypatch.setattr("glapp.analytics.queries.today", lambda: dt.date(2026, 7, 20))  # all settled
    settled = metric_table(anna, q)
    assert settled.settled_until == dt.date(2026, 7, 6) and not settled.total_provisional
    [cell] = settled.cells
    assert cell.change_significant and not cell.provisional and settled.total_change_significant

    monkeypatch.setattr("glapp.analytics.queries.today", lambda: dt.date(2026, 6, 20))  # June still open
    open_table = metric_table(anna, q)
    [cell] = open_table.cells
    assert cell.provisional and open_table.total_provisional
    assert cell.change.delta == pytest.approx(-60) and not cell.change_significant
    assert not open_table.total_change_significant

    weekly = metric_table(anna, MetricQuery("response_rate", bucket="week", date_from=dt.date(2026, 5, 4),
                                            date_to=dt.date(2026, 6, 14)))
    assert [c.provisional for c in weekly.cells] == [False, True]  # the week of 4 May settled, that of 8 June not
    nps = metric_table(anna, MetricQuery("nps", date_to=dt.date(2026, 6, 15)))
    assert nps.settled_until is None and not nps.total_provisional  # answers are final when given


def test_a_longer_answer_window_keeps_its_days_settling_longer(org, monkeypatch):
    survey = Survey.objects.get(organization=org, code="nps")
    Survey.objects.filter(pk=survey.pk).update(expires_after_days=30)
    monkeypatch.setattr("glapp.analytics.queries.today", lambda: dt.date(2026, 7, 20))
    anna = access_for(make_user(org, "anna", role=Role.ANALYST))
    table = metric_table(anna, MetricQuery("response_rate", date_to=dt.date(2026, 7, 1)))
    assert table.settled_until == dt.date(2026, 6, 20) and table.total_provisional
    relationship_only = metric_table(anna, MetricQuery("response_rate", date_to=dt.date(2026, 7, 1),
                                                       survey_kind="relationship"))
    assert relationship_only.settled_until == dt.date(2026, 7, 6)  # no such survey: the 14-day default


def test_deleting_a_touchpoint_recounts_so_later_moves_stay_consistent(org, smtp, settings,
                                                                         django_capture_on_commit_callbacks):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend", "QUEUES": []}}
    invitations = [invite(org, f"T{i}", f"t{i}@example.se") for i in range(2)]
    dispatch_due_invitations(now=NOON)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        Touchpoint.objects.filter(organization=org).delete()  # the admin's delete of both touchpoints
    recounts = [c for c in callbacks if getattr(c, "recounts_organization", None) == org.id]
    assert len(recounts) == 1  # one recount, however many rows the delete touched
    note_respondent_event("survey.answered", invitations[0].token, NOON + dt.timedelta(hours=1))
    anna = access_for(make_user(org, "anna", role=Role.ANALYST))
    table = metric_table(anna, MetricQuery("response_rate", ("touchpoint",), compare=False,
                                           date_from=dt.date(2026, 6, 1), date_to=dt.date(2026, 6, 30)))
    assert [c.counts[:4] for c in table.cells] == [(2, 1, 1, 0)]  # n, answered, not yet, bounced
    live = invitation_rollups(org)
    rebuild_rollups(org.id)
    assert invitation_rollups(org) == live
