"""The contact rules, as pure functions (no Django, no queries).

Whether a customer may be invited, on which channel, and when. `actions.py` loads what these
need (the customer, the policy, the customer's recent invitations) inside the transaction that
holds the customer's row lock, and writes what they decide.

Reason codes (stored on skipped events and in the contact log) are the constants below; the
docs list them with their meaning (docs/distribution.md).
"""

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

# Why an invitation was not created (or not sent).
ERASED = "erased"  # the customer was erased: never stored or contacted again
NO_ACTIVE_SURVEY = "no_active_survey"  # no active transactional survey at the touchpoint
SURVEY_NOT_PUBLISHED = "survey_not_published"  # active, but without a published version
SURVEY_CLOSED = "survey_closed"  # at send time: the survey is no longer active
OPTED_OUT = "opted_out"  # the customer unsubscribed
NO_CONSENT = "no_consent"  # no consent for e-mail nor SMS
NO_ADDRESS = "no_address"  # consent, but no address for the consented channel(s)
BOUNCED = "bounced"  # the consented address(es) bounced
NO_CHANNEL = "no_channel"  # consent and addresses, but no channel usable (mixed reasons above)
FREQUENCY_CAP = "frequency_cap"  # another invitation within the policy's days
RELATIONSHIP_INTERVAL = "relationship_interval"  # a relationship survey within the policy's months
TOO_LATE = "too_late"  # the event is older than the survey's answer window
ALREADY_ANSWERED = "already_answered"  # at send time: the customer answered through the link already
QUIET_HOURS = "quiet_hours"  # not a skip: the invitation was deferred to the end of quiet hours

SKIP_REASONS = (NO_ACTIVE_SURVEY, SURVEY_NOT_PUBLISHED, SURVEY_CLOSED, OPTED_OUT, NO_CONSENT, NO_ADDRESS,
                BOUNCED, NO_CHANNEL, FREQUENCY_CAP, RELATIONSHIP_INTERVAL, TOO_LATE, ALREADY_ANSWERED)

EMAIL = "email"
SMS = "sms"
# The organization's own system hands the link out (an app notice, a receipt, a chat): glapp
# sends nothing, so no consent or address is needed, but opt-out and the caps still apply.
LINK = "link"
CHANNELS = (EMAIL, SMS, LINK)


@dataclass(frozen=True)
class Contact:
    """What the rules need to know about a customer."""

    email: str = ""
    phone: str = ""
    consent_email: bool = False
    consent_sms: bool = False
    email_bounced: bool = False
    phone_bounced: bool = False
    unsubscribed: bool = False
    preferred_channel: str = ""


@dataclass(frozen=True)
class Policy:
    min_days_between_invitations: int = 30
    relationship_min_months: int = 6
    quiet_start: dt.time = dt.time(21, 0)
    quiet_end: dt.time = dt.time(8, 0)
    time_zone: str = "Europe/Stockholm"


@dataclass(frozen=True)
class Decision:
    channel: str | None
    reason: str = ""  # a skip reason when channel is None


def _channel_state(consent: bool, address: str, bounced: bool) -> str:
    if not consent:
        return NO_CONSENT
    if not address:
        return NO_ADDRESS
    if bounced:
        return BOUNCED
    return ""


def choose_channel(contact: Contact, requested: str = "") -> Decision:
    """The channel the event asked for (`requested`: e-mail, SMS or link), if usable; else the
    customer's preferred channel if usable, else e-mail, else SMS; or why none is."""
    if contact.unsubscribed:
        return Decision(None, OPTED_OUT)
    if requested == LINK:
        return Decision(LINK)
    states = {
        EMAIL: _channel_state(contact.consent_email, contact.email, contact.email_bounced),
        SMS: _channel_state(contact.consent_sms, contact.phone, contact.phone_bounced),
    }
    if requested in states:
        return Decision(requested) if not states[requested] else Decision(None, states[requested])
    if contact.preferred_channel in states and not states[contact.preferred_channel]:
        return Decision(contact.preferred_channel)
    for channel in (EMAIL, SMS):
        if not states[channel]:
            return Decision(channel)
    consented = [state for state in states.values() if state != NO_CONSENT]
    if not consented:
        return Decision(None, NO_CONSENT)
    if len(set(consented)) == 1:
        return Decision(None, consented[0])  # no_address or bounced on every consented channel
    return Decision(None, NO_CHANNEL)


def add_months(when: dt.datetime, months: int) -> dt.datetime:
    """Calendar months (the day clamped to the month's end), negative to go back."""
    index = when.year * 12 + when.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    days_in_month = (dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)).day
    return when.replace(year=year, month=month, day=min(when.day, days_in_month))


def within_frequency_cap(at: dt.datetime, others: list[dt.datetime], min_days: int) -> bool:
    """True when another invitation is scheduled less than `min_days` before or after `at`.

    Both directions: events may arrive out of order, and the promise is that no two
    invitations of a customer are ever closer than the cap.
    """
    if min_days <= 0:
        return False
    window = dt.timedelta(days=min_days)
    return any(abs(at - other) < window for other in others)


def within_relationship_interval(at: dt.datetime, others: list[dt.datetime], policy: Policy) -> bool:
    """Calendar months on the customers' clock: an invitation at 00:30 on 1 September (22:30 UTC
    on 31 August) keeps the next one away until 1 March, where months of UTC ended 28 February."""
    months = policy.relationship_min_months
    if months <= 0:
        return False
    zone = ZoneInfo(policy.time_zone)
    at = at.astimezone(zone)
    return any(add_months(local, -months) < at < add_months(local, months)
               for local in (other.astimezone(zone) for other in others))


def judge(contact: Contact, policy: Policy, at: dt.datetime, invitations: list[dt.datetime],
          relationship: bool = False, relationship_invitations: list[dt.datetime] | None = None,
          requested: str = "") -> Decision:
    """May this customer be invited at `at`? `invitations` are the scheduled times of the
    customer's other invitations (not cancelled), across all surveys; for a relationship survey
    `relationship_invitations` those of relationship surveys; `requested` the event's channel."""
    decision = choose_channel(contact, requested)
    if decision.channel is None:
        return decision
    if relationship and within_relationship_interval(at, relationship_invitations or [], policy):
        return Decision(None, RELATIONSHIP_INTERVAL)
    if within_frequency_cap(at, invitations, policy.min_days_between_invitations):
        return Decision(None, FREQUENCY_CAP)
    return decision


def in_quiet_hours(at: dt.datetime, policy: Policy) -> bool:
    local = at.astimezone(ZoneInfo(policy.time_zone)).time()
    start, end = policy.quiet_start, policy.quiet_end
    if start == end:
        return False
    if start < end:  # e.g. 12:00–13:00
        return start <= local < end
    return local >= start or local < end  # across midnight, e.g. 21:00–08:00


def out_of_quiet_hours(at: dt.datetime, policy: Policy) -> dt.datetime:
    """`at`, or the end of the quiet hours it falls in (as an aware UTC time)."""
    if not in_quiet_hours(at, policy):
        return at
    zone = ZoneInfo(policy.time_zone)
    local = at.astimezone(zone)
    day = local.date()
    if policy.quiet_start > policy.quiet_end and local.time() >= policy.quiet_start:
        day += dt.timedelta(days=1)  # evening: the quiet hours end tomorrow morning
    end = dt.datetime.combine(day, policy.quiet_end, tzinfo=zone)
    if end.astimezone(dt.UTC) <= at.astimezone(dt.UTC):  # in UTC: a same-zone comparison ignores fold
        # The night the clocks go back, an end time such as 02:30 happens twice; the first one
        # may already be past, and a past end would defer the invitation again at every run.
        end = end.replace(fold=1)
    return end.astimezone(dt.UTC)


def days_later(at: dt.datetime, days: int, policy: Policy) -> dt.datetime:
    """`days` calendar days after `at` at the same local clock time (as an aware UTC time): a
    reminder sent at 20:30 comes at 20:30, not at 21:30 in quiet hours after the clocks change."""
    local = at.astimezone(ZoneInfo(policy.time_zone))
    return (local + dt.timedelta(days=days)).astimezone(dt.UTC)
