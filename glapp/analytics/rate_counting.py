"""How an invitation counts towards response rates, as pure functions (no Django).

An invitation counts once it went out: sent, or refused by the receiving server while being
sent (a bounce). From then on it is in exactly one state: delivered (not answered yet),
responded (at least one answer: a partial answer counts, as on the invitations page) or
bounced. Answering wins over bouncing, since an answer proves the message arrived. The state
depends only on three times that are set once and never cleared, so every change is one of
those times being set, and the rollups add the change (−1 from the old state, +1 to the new)
in the same transaction. A recount from the stored times gives the same counts
(`analytics.actions.rebuild_rollups`).

The cohort is the day the invitation went out: "of the invitations sent last week, how many
were answered", whenever the answer came.

A widget display is the widget's invitation to answer: it goes out when shown and moves to
responded when its respondent first answers (it cannot bounce).
"""

import datetime as dt
from dataclasses import dataclass

DELIVERED = "delivered"
RESPONDED = "responded"
BOUNCED = "bounced"
STATES = (RESPONDED, DELIVERED, BOUNCED)  # the rollup's count slots c0, c1, c2, in this order

# The times whose setting can change the state, as the model names them.
TIMES = ("sent_at", "bounced_at", "responded_at")


def rate_state(sent_at: dt.datetime | None, bounced_at: dt.datetime | None,
               responded_at: dt.datetime | None) -> str | None:
    """None while the invitation has not gone out."""
    if sent_at is None and bounced_at is None:
        return None
    if responded_at is not None:
        return RESPONDED
    if bounced_at is not None:
        return BOUNCED
    return DELIVERED


def cohort_time(sent_at: dt.datetime | None, bounced_at: dt.datetime | None) -> dt.datetime | None:
    """When the invitation went out (a message refused at sending never got a sent time)."""
    return sent_at or bounced_at


@dataclass(frozen=True)
class RateChange:
    """One invitation moving between states, with the dimensions its rollup cells are keyed by
    (the same ones a response to it is counted under)."""

    at: dt.datetime  # cohort time
    survey_id: int
    touchpoint_id: int | None
    unit_id: int | None
    channel: str
    language: str
    segment: str
    metadata: dict
    before: str | None
    after: str


def change_when_set(time_name: str, at: dt.datetime, times: dict[str, dt.datetime | None],
                    **dimensions) -> RateChange | None:
    """The change made by setting `time_name` (its conditional UPDATE found it unset), given the
    invitation's three times read back after that UPDATE. None when the counts do not move
    (e.g. an answer arriving for an invitation that never went out)."""
    if time_name not in TIMES:
        raise ValueError(f"unknown time {time_name}")
    now = {name: times.get(name) for name in TIMES}
    now[time_name] = now[time_name] or at
    before_times = {**now, time_name: None}
    before = rate_state(**before_times)
    after = rate_state(**now)
    if after is None or before == after:
        return None
    cohort = cohort_time(now["sent_at"], now["bounced_at"])
    return RateChange(at=cohort, before=before, after=after, **dimensions)
