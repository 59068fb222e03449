"""The demo's listening story: who was invited, who answered, and who was left alone, and why.

After the responses are loaded, this module gives the demo customers contact data (consent,
fictional addresses) and writes about 90 days of invitation history before the demo's "today"
(the day after the generator's end date) that agrees with the responses:

- A sample of the e-mail and SMS responses in that window came from an invitation: the
  touchpoint event happened a plausible time before, the invitation went out on the response's
  channel, was opened shortly before the answer, and `responded_at` / `completed_at` are the
  response's `submitted_at` (the invitation's `context["demo_response"]` names the response).
  Relationship responses came from weekly waves (Tuesdays 10:00).
- Around them, invitations nobody answered (some opened, some reminded, expired after the
  survey's window, a few bounced or ended in an opt-out) and events that were not invited, each
  with the reason glapp gives (mostly the frequency cap; opt-outs, missing consent, bounced
  addresses).

Every decision comes from `glapp.distribution.rules`, in the order glapp would have taken it
(events judged as they arrived, against the invitations that existed then), so the history is
what glapp would have written had it been running. Responses are never created or changed: the
injected metric effects stay where the browser tests expect them.

Response rates are set per channel (SMS a little above e-mail) and per survey: people who have
just cancelled (Uppsägning) answer half as often; a fresh phone call (Kundtjänst) a little
more often.
"""

import datetime as dt
import random
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from types import SimpleNamespace

from django.db import connection, transaction

from glapp.accounts.models import Organization, Unit
from glapp.analytics.actions import rebuild_invitation_rollups
from glapp.contacts import actions as contacts
from glapp.contacts.models import Customer
from glapp.core import bulk
from glapp.demo import company as co
from glapp.demo.generator import EFFECT_REGION, HOUR_WEIGHTS, NEW_PARTNER, OLD_PARTNER, TZ, Effects
from glapp.distribution import rules
from glapp.distribution.actions import policy_of
from glapp.distribution.channels.content import message_id
from glapp.distribution.models import ContactLog, Invitation, TouchpointEvent
from glapp.responses.models import Response
from glapp.surveys.models import Survey, new_token

WINDOW_DAYS = 90
RESPONSE_SAMPLE = 0.4  # share of the window's e-mail/SMS responses that came from an invitation
MAX_ANSWERED = 5000  # … at most about this many, so a million-response demo's history stays quick
RESPONSE_RATE = {rules.EMAIL: 0.25, rules.SMS: 0.30}  # answered / delivered, by channel
SURVEY_FACTOR = {"uppsagning": 0.5, "kundtjanst": 1.15, "butik": 1.05, "ombud": 0.9, "fornyelse": 0.9,
                 "relation": 0.85}
# Events of people the rules will refuse, as a share of a survey's invitations.
SKIP_SHARE = {rules.NO_CONSENT: 0.06, rules.OPTED_OUT: 0.025, rules.BOUNCED: 0.015, rules.NO_ADDRESS: 0.005}
OPEN_SHARE = {rules.EMAIL: 0.38, rules.SMS: 0.25}  # of the invitations nobody answered
BOUNCE_SHARE = {rules.EMAIL: 0.025, rules.SMS: 0.01}
UNSUBSCRIBE_SHARE = 0.05  # of the opened, unanswered invitations
MAX_DRAWS = 8  # customers tried per unanswered invitation before giving up
WAVE_WEEKDAY, WAVE_TIME = 1, dt.time(10, 0)  # relationship waves: Tuesdays 10:00 local time
OPEN_HOURS = (7, 22)  # local hours in which the answered touchpoints happened (calls, visits, orders)
OPEN_WEIGHTS = [w if OPEN_HOURS[0] <= hour < OPEN_HOURS[1] else 0 for hour, w in enumerate(HOUR_WEIGHTS)]
DISPATCH_EVERY = 30  # seconds: the worker's dispatch interval, the jitter of every send
INTERACTION = {co.WEBBKASSA: "order", co.BUTIK: "visit", co.HEMLEVERANS: "delivery", co.OMBUD: "pickup",
               co.KOM_IGANG: "activation", co.KUNDTJANST: "call", co.CHATT: "chat", co.FORNYELSE: "renewal",
               co.UPPSAGNING: "cancellation"}
BOUNCE_ERRORS = {rules.EMAIL: "550 5.1.1 Recipient address rejected: User unknown",
                 rules.SMS: "Invalid phone number"}
Kind = ContactLog.Kind
Status = Invitation.Status


@dataclass
class ListeningResult:
    events: int = 0
    invitations: int = 0
    responded: int = 0
    skipped: int = 0
    log_entries: int = 0
    customers_updated: int = 0
    existing: bool = False


@dataclass
class SurveyInfo:
    id: int
    code: str
    relationship: bool
    touchpoint_id: int | None
    touchpoint: str
    delay: dt.timedelta
    reminder: dt.timedelta | None
    expires: dt.timedelta
    languages: list


@dataclass(eq=False, slots=True)
class Person:
    """A customer as the simulation sees it: contact data as it changes over the 90 days."""

    id: int
    external_id: str
    first_name: str
    language: str
    region: str
    email: str
    phone: str
    consent_email: bool
    consent_sms: bool
    preferred: str
    unsubscribed_at: dt.datetime | None
    email_bounced_at: dt.datetime | None
    phone_bounced_at: dt.datetime | None
    segment: str = ""
    assigned: bool = False  # contact data given by the demo (written back)
    changed: bool = False  # opted out or bounced during the history (written back)
    invitations: list = field(default_factory=list)  # scheduled_for of every invitation so far
    relationship: list = field(default_factory=list)  # … of relationship invitations
    answering: list = field(default_factory=list)  # scheduled_for of the invitations they will answer

    def contact(self, at: dt.datetime) -> rules.Contact:
        return rules.Contact(
            email=self.email, phone=self.phone, consent_email=self.consent_email, consent_sms=self.consent_sms,
            email_bounced=self.email_bounced_at is not None and self.email_bounced_at <= at,
            phone_bounced=self.phone_bounced_at is not None and self.phone_bounced_at <= at,
            unsubscribed=self.unsubscribed_at is not None and self.unsubscribed_at <= at,
            preferred_channel=self.preferred)


@dataclass(eq=False)
class Event:
    key: str
    person: Person
    survey: SurveyInfo
    unit_id: int | None
    occurred_at: dt.datetime
    created_at: dt.datetime
    metadata: dict
    outcome: str = TouchpointEvent.Outcome.PENDING
    reason: str = ""
    row: TouchpointEvent | None = None


@dataclass(eq=False)
class Inv:
    person: Person
    survey: SurveyInfo
    event: Event | None
    unit_id: int | None
    channel: str
    created_at: dt.datetime
    wanted: dt.datetime
    scheduled_for: dt.datetime
    context: dict
    status: str = Status.SCHEDULED
    sent_at: dt.datetime | None = None
    opened_at: dt.datetime | None = None
    responded_at: dt.datetime | None = None
    completed_at: dt.datetime | None = None
    reminder_sent_at: dt.datetime | None = None
    reminder_due_at: dt.datetime | None = None
    bounced_at: dt.datetime | None = None
    expires_at: dt.datetime | None = None
    error: str = ""
    logs: list = field(default_factory=list)  # (at, kind, reason, detail)
    row: Invitation | None = None


@dataclass
class Candidate:
    """A response that came from an invitation, with the times that lead up to it."""

    response: dict
    person: Person
    survey: SurveyInfo
    arrived: dt.datetime  # when glapp heard of the event (or ran the wave)
    occurred: dt.datetime
    wanted: dt.datetime
    scheduled: dt.datetime
    sent: dt.datetime


class History:
    """The simulation: events and waves in the order they arrived, judged by the rules."""

    def __init__(self, seed: int, end: dt.date, policy: rules.Policy, surveys: dict[str, SurveyInfo],
                 persons: list[Person], units: dict):
        self.rng = random.Random(f"glapp-demo-listening:{seed}:{end.isoformat()}")
        self.seed, self.policy, self.surveys, self.persons, self.units = seed, policy, surveys, persons, units
        self.effects = Effects.for_end(end)
        self.now = demo_today(end)
        self.start = self.now - dt.timedelta(days=WINDOW_DAYS)
        self.events: list[Event] = []
        self.invitations: list[Inv] = []
        self.skips: list[tuple] = []  # (at, person, survey, event, reason) for waves' and events' skips
        self.unsubscribes: list[tuple] = []  # (at, person, inv)
        self._event_n = 0

    # --- time -----------------------------------------------------------------------------------
    def _jitter(self, at: dt.datetime) -> dt.datetime:
        """When the worker (every DISPATCH_EVERY seconds) got to something due at `at`."""
        later = at + dt.timedelta(seconds=self.rng.randrange(1, DISPATCH_EVERY))
        return at if rules.in_quiet_hours(later, self.policy) else later

    def _daytime(self, day: dt.date) -> dt.datetime:
        hour = self.rng.choices(range(24), weights=OPEN_WEIGHTS)[0]
        local = dt.datetime.combine(day, dt.time(hour, self.rng.randrange(60), self.rng.randrange(60)), tzinfo=TZ)
        return local.astimezone(dt.UTC)

    # --- the responses that came from invitations -------------------------------------------------
    def _lag(self) -> dt.timedelta:
        """Between the invitation and the answer: most answer within the hour, some the next day,
        a few after the reminder."""
        u = self.rng.random()
        if u < 0.5:
            return dt.timedelta(minutes=2 + self.rng.expovariate(1 / 40))
        if u < 0.82:
            return dt.timedelta(hours=self.rng.uniform(2, 30))
        return dt.timedelta(days=self.rng.uniform(3, 6))

    def _days_later(self, at: dt.datetime, span: dt.timedelta) -> dt.datetime:
        """As the dispatcher counts reminder and expiry days: at the same local clock time."""
        return rules.days_later(at, span.days, self.policy)

    def transactional_candidate(self, response: dict, person: Person, survey: SurveyInfo) -> Candidate | None:
        submitted = response["submitted_at"]
        for attempt in range(8):
            sent_guess = submitted - self._lag() * (1 + attempt)
            occurred = sent_guess - survey.delay - dt.timedelta(seconds=self.rng.randrange(30, 900))
            wanted = occurred + survey.delay
            scheduled = rules.out_of_quiet_hours(wanted, self.policy)
            sent = self._jitter(scheduled)
            if (occurred >= self.start and OPEN_HOURS[0] <= occurred.astimezone(TZ).hour < OPEN_HOURS[1]
                    and sent + dt.timedelta(seconds=60) <= submitted
                    and submitted < self._days_later(sent, survey.expires)):
                arrived = occurred + dt.timedelta(seconds=self.rng.randrange(5, 300))
                return Candidate(response, person, survey, arrived, occurred, wanted, scheduled, sent)
        return None

    def waves(self) -> list[dt.datetime]:
        day = self.start.astimezone(TZ).date() + dt.timedelta(days=1)
        day += dt.timedelta(days=(WAVE_WEEKDAY - day.weekday()) % 7)
        out = []
        while (at := dt.datetime.combine(day, WAVE_TIME, tzinfo=TZ).astimezone(dt.UTC)) < self.now - dt.timedelta(
                days=1):
            out.append(at)
            day += dt.timedelta(days=7)
        return out

    def wave_candidate(self, response: dict, person: Person, survey: SurveyInfo, waves: list) -> Candidate | None:
        submitted = response["submitted_at"]
        for wave in reversed(waves):
            wanted = wave + survey.delay
            scheduled = rules.out_of_quiet_hours(wanted, self.policy)
            sent = scheduled + dt.timedelta(seconds=DISPATCH_EVERY)  # the latest the worker sends it
            if sent + dt.timedelta(seconds=60) <= submitted:
                if submitted < self._days_later(sent, survey.expires):
                    return Candidate(response, person, survey, wave, wave, wanted, scheduled, self._jitter(scheduled))
                return None
        return None

    def accept_answered(self, candidates: list[Candidate]) -> list[Candidate]:
        """The answered invitations, judged among themselves in arrival order; those the rules
        would have refused (or sent on another channel) did not come from an invitation."""
        accepted = []
        mine: dict[Person, list] = defaultdict(list)
        relationship: dict[Person, list] = defaultdict(list)
        for c in sorted(candidates, key=lambda c: (c.arrived, c.response["external_id"])):
            decision = rules.judge(c.person.contact(c.arrived), self.policy, c.scheduled, mine[c.person],
                                   relationship=c.survey.relationship, relationship_invitations=relationship[c.person])
            if decision.channel != c.response["channel"]:
                continue
            mine[c.person].append(c.scheduled)
            if c.survey.relationship:
                relationship[c.person].append(c.scheduled)
            c.person.answering.append(c.scheduled)
            accepted.append(c)
        return accepted

    # --- the timeline ----------------------------------------------------------------------------
    def _conflicts_with_answered(self, person: Person, scheduled: dt.datetime, relationship: bool) -> bool:
        """An invented invitation must not take the place of one the customer answered later."""
        cap = dt.timedelta(days=self.policy.min_days_between_invitations)
        if any(abs(scheduled - other) < cap for other in person.answering):
            return True
        return relationship and rules.within_relationship_interval(scheduled, person.answering, self.policy)

    def _event(self, person: Person, survey: SurveyInfo, occurred: dt.datetime, metadata: dict,
               unit_id: int | None) -> Event:
        self._event_n += 1
        arrived = occurred + dt.timedelta(seconds=self.rng.randrange(5, 300))
        event = Event(f"demo-{self.seed}-e{self._event_n}", person, survey, unit_id, occurred, arrived, metadata)
        self.events.append(event)
        return event

    def _judge(self, person: Person, survey: SurveyInfo, at: dt.datetime, scheduled: dt.datetime) -> rules.Decision:
        return rules.judge(person.contact(at), self.policy, scheduled, person.invitations,
                           relationship=survey.relationship, relationship_invitations=person.relationship)

    def _invite(self, person: Person, survey: SurveyInfo, event: Event | None, channel: str, arrived: dt.datetime,
                wanted: dt.datetime, scheduled: dt.datetime, unit_id: int | None) -> Inv:
        context = {"first_name": person.first_name}
        if event is not None:
            context.update(event.metadata)
            context["date"] = event.occurred_at.astimezone(TZ).date().isoformat()
            context["interaction"] = INTERACTION.get(survey.touchpoint, "")
            event.outcome = TouchpointEvent.Outcome.INVITED
        inv = Inv(person, survey, event, unit_id, channel, arrived, wanted, scheduled, context,
                  expires_at=self._days_later(scheduled, survey.expires))
        inv.logs.append((arrived, Kind.SCHEDULED, "", scheduled.isoformat()))
        if scheduled != wanted:
            inv.logs.append((arrived, Kind.DEFERRED, rules.QUIET_HOURS,
                             f"{wanted.isoformat()} → {scheduled.isoformat()}"))
        person.invitations.append(scheduled)
        if survey.relationship:
            person.relationship.append(scheduled)
        self.invitations.append(inv)
        return inv

    def _skip(self, at: dt.datetime, person: Person, survey: SurveyInfo, event: Event | None, reason: str) -> None:
        if event is not None:
            event.outcome, event.reason = TouchpointEvent.Outcome.SKIPPED, reason
        self.skips.append((at, person, survey, event, reason))

    def answered(self, c: Candidate) -> None:
        r = c.response
        event = None
        if not c.survey.relationship:
            event = self._event(c.person, c.survey, c.occurred, dict(r["metadata"]), r["unit_id"])
            event.created_at = c.arrived
        decision = self._judge(c.person, c.survey, c.arrived, c.scheduled)
        if decision.channel != r["channel"]:
            raise RuntimeError(f"the rules refuse the invitation behind {r['external_id']}: a bug in the demo")
        inv = self._invite(c.person, c.survey, event, decision.channel, c.arrived, c.wanted, c.scheduled,
                           r["unit_id"])
        inv.context["demo_response"] = r["external_id"]
        self._send(inv, c.sent)
        submitted = r["submitted_at"]
        gap = (submitted - inv.sent_at).total_seconds()
        reminder = self._reminder_run(inv, submitted) if inv.reminder_due_at else None
        if reminder is not None:
            self._remind(inv, reminder)
            gap = (submitted - reminder).total_seconds()
        inv.opened_at = submitted - dt.timedelta(seconds=min(gap * 0.5, self.rng.uniform(20, 600)))
        inv.responded_at = inv.completed_at = submitted
        inv.logs += [(inv.opened_at, Kind.OPENED, "", ""), (submitted, Kind.RESPONDED, "", ""),
                     (submitted, Kind.COMPLETED, "", "")]

    def _send(self, inv: Inv, at: dt.datetime) -> None:
        inv.status, inv.sent_at = Status.SENT, at
        inv.expires_at = self._days_later(at, inv.survey.expires)
        inv.reminder_due_at = self._days_later(at, inv.survey.reminder) if inv.survey.reminder else None
        inv.logs.append((at, Kind.SENT, "", "<message-id>"))

    def _reminder_run(self, inv: Inv, until: dt.datetime) -> dt.datetime | None:
        """When the dispatcher sends the due reminder if nothing happens before `until` (the
        answer, the link's expiry or the demo's today): it reaches it within its interval and, in
        quiet hours, moves it to the morning."""
        at = self._jitter(inv.reminder_due_at)
        if at >= until:
            return None
        if rules.in_quiet_hours(at, self.policy):
            inv.reminder_due_at = rules.out_of_quiet_hours(at, self.policy)
            at = self._jitter(inv.reminder_due_at)
            if at >= until:
                return None
        return at

    def _remind(self, inv: Inv, at: dt.datetime) -> None:
        inv.reminder_sent_at = at
        inv.logs.append((at, Kind.REMINDED, "", "<message-id-r>"))

    def unanswered(self, inv: Inv, bounce_ok: bool) -> None:
        """An invitation nobody answered: sent (or bounced), perhaps opened, reminded, expired."""
        rng, person = self.rng, inv.person
        at = self._jitter(inv.scheduled_for)
        if bounce_ok and rng.random() < BOUNCE_SHARE[inv.channel]:
            inv.status, inv.bounced_at, inv.error = Status.BOUNCED, at, BOUNCE_ERRORS[inv.channel]
            inv.logs.append((at, Kind.BOUNCED, "hard", inv.error))
            if inv.channel == rules.EMAIL:
                person.email_bounced_at = at
            else:
                person.phone_bounced_at = at
            person.changed = True
            return
        self._send(inv, at)
        reminder = self._reminder_run(inv, min(self.now, inv.expires_at)) if inv.reminder_due_at else None
        if rng.random() < OPEN_SHARE[inv.channel]:
            base = reminder if reminder and rng.random() < 0.4 else inv.sent_at
            opened = base + dt.timedelta(minutes=1 + rng.expovariate(1 / 240))
            if opened < min(self.now, inv.expires_at):
                inv.opened_at = opened
                inv.logs.append((opened, Kind.OPENED, "", ""))
                unsubscribed = opened + dt.timedelta(seconds=rng.randrange(20, 120))
                if (bounce_ok and person.unsubscribed_at is None and unsubscribed < self.now
                        and rng.random() < UNSUBSCRIBE_SHARE):
                    person.unsubscribed_at = unsubscribed
                    person.changed = True
                    inv.logs.append((unsubscribed, Kind.UNSUBSCRIBED, "", ""))
        if reminder is not None:
            decision = rules.choose_channel(person.contact(reminder))
            if decision.channel != inv.channel:  # opted out (from this very invitation) since
                inv.reminder_due_at = None
                inv.logs.append((reminder, Kind.SKIPPED, decision.reason or rules.NO_CHANNEL, "reminder"))
            else:
                self._remind(inv, reminder)
        expired = self._jitter(inv.expires_at)
        if expired <= self.now:
            inv.status = Status.EXPIRED
            inv.logs.append((expired, Kind.EXPIRED, "", ""))

    # --- invented events ---------------------------------------------------------------------------
    def metadata_for(self, person: Person, survey: SurveyInfo, occurred: dt.datetime) -> tuple[dict, int | None]:
        rng = self.rng
        region = self.units["regions"].get(person.region)
        tp = survey.touchpoint
        product = rng.choice(co.PRODUCTS)[0]
        metadata = {"product": product}
        unit_id = region[1] if region else None
        if tp == co.KUNDTJANST:
            metadata["agent"] = rng.choice(co.PHONE_AGENTS)
        if tp == co.BUTIK and region:
            store = region[0].stores[hash_index(person.external_id, len(region[0].stores))]
            metadata["store"] = store.code
            unit_id = self.units["stores"].get(store.code, unit_id)
        if tp in (co.HEMLEVERANS, co.OMBUD):
            norr_after = (region and region[0].code == EFFECT_REGION
                          and occurred.astimezone(TZ).date() >= self.effects.delivery_change)
            metadata["delivery_partner"] = NEW_PARTNER if tp == co.HEMLEVERANS and norr_after else OLD_PARTNER
        return metadata, unit_id

    def random_time(self) -> dt.datetime:
        """A moment of an ordinary day in the window, late enough that the invitation is sent
        before the demo's today."""
        while True:
            day = (self.start + dt.timedelta(days=self.rng.randrange(WINDOW_DAYS))).astimezone(TZ).date()
            at = self._daytime(day)
            if self.start <= at < self.now - dt.timedelta(hours=14):
                return at


def demo_today(end: dt.date) -> dt.datetime:
    """The history ends where the responses do: midnight after the generator's last day."""
    return dt.datetime.combine(end + dt.timedelta(days=1), dt.time(0), tzinfo=TZ).astimezone(dt.UTC)


def hash_index(text: str, n: int) -> int:
    value = 0
    for ch in text.encode():
        value = (value * 131 + ch) % 2_147_483_647
    return value % n


def ascii_name(name: str) -> str:
    return unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower() or "kund"


# ---------------------------------------------------------------------- contact data


def assign_contact(person: Person, rng: random.Random, main_channel: str | None, start: dt.datetime) -> None:
    """Fictional, deterministic contact data: e-mail at example.se/example.com, phone numbers
    from the range PTS reserves for fiction (070-1740605…699), consent as most customers give it.
    A customer who answered an invitation gave consent for that channel."""
    digits = "".join(ch for ch in person.external_id.rsplit("-", 1)[-1] if ch.isdigit())
    number = int(digits) if digits else hash_index(person.external_id, 1_000_000)
    domain = "example.com" if rng.random() < 0.1 else "example.se"
    person.email = f"{ascii_name(person.first_name)}.{number}@{domain}"
    person.phone = f"+467017406{5 + number % 95:02d}"
    person.assigned = True
    if main_channel == rules.EMAIL:
        person.consent_email, person.consent_sms = True, rng.random() < 0.3
        return
    if main_channel == rules.SMS:
        person.consent_sms, person.consent_email = True, rng.random() < 0.4
        person.preferred = rules.SMS
        return
    u = rng.random()
    person.consent_email = u < 0.72
    person.consent_sms = 0.58 <= u < 0.90
    if person.consent_email and person.consent_sms and rng.random() < 0.35:
        person.preferred = rules.SMS
    if not person.consent_sms and rng.random() < 0.1:
        person.phone = ""
    if person.consent_email and not person.consent_sms and rng.random() < 0.01:
        person.email = ""  # the register lacks the address: "no_address"
    # Before the history starts: a few opted out, a few addresses bounced (the register says so).
    u = rng.random()
    if u < 0.015:
        person.unsubscribed_at = start - dt.timedelta(days=rng.uniform(20, 400))
    elif u < 0.03 and person.consent_email and person.email:
        person.email_bounced_at = start - dt.timedelta(days=rng.uniform(20, 300))


# ---------------------------------------------------------------------- the simulation


def _surveys(org: Organization) -> dict[str, SurveyInfo]:
    out = {}
    for s in Survey.objects.for_org(org).select_related("touchpoint").filter(
            status=Survey.Status.ACTIVE, current_version__isnull=False).order_by("id"):
        out[s.code] = SurveyInfo(
            s.id, s.code, s.kind == Survey.Kind.RELATIONSHIP, s.touchpoint_id,
            s.touchpoint.code if s.touchpoint else "",
            dt.timedelta(minutes=s.invitation_delay_minutes),
            dt.timedelta(days=s.reminder_after_days) if s.reminder_after_days else None,
            dt.timedelta(days=s.expires_after_days), list(s.languages or []))
    return out


def _persons(org: Organization) -> list[Person]:
    rows = Customer.objects.for_org(org).order_by("external_id").values_list(
        "id", "external_id", "first_name", "language", "region", "email", "phone", "consent_email", "consent_sms",
        "preferred_channel", "unsubscribed_at", "email_bounced_at", "phone_bounced_at", "segment")
    return [Person(*row) for row in rows]


def simulate(org: Organization, seed: int, end: dt.date) -> History:
    policy = policy_of(contacts.ensure_contact_policy(org.id))
    surveys = _surveys(org)
    by_id = {s.id: s for s in surveys.values()}
    regions = {r.name: r for r in co.REGIONS}
    unit_ids = dict(Unit.objects.for_org(org).values_list("code", "id"))
    units = {"regions": {name: (r, unit_ids.get(r.code)) for name, r in regions.items()},
             "stores": {s.code: unit_ids[s.code] for s in co.STORES if s.code in unit_ids}}
    persons = _persons(org)
    h = History(seed, end, policy, surveys, persons, units)
    rng = h.rng
    person_by_id = {p.id: p for p in persons}

    # The e-mail and SMS responses in the window, a sample of which came from invitations.
    window = Response.objects.for_org(org).filter(
        submitted_at__gte=h.start, submitted_at__lt=h.now, customer__isnull=False,
        channel__in=[rules.EMAIL, rules.SMS], survey_id__in=list(by_id))
    sample = min(RESPONSE_SAMPLE, MAX_ANSWERED / max(1, window.count()))
    responses = [r for r in window.order_by("submitted_at", "external_id").values(
        "external_id", "customer_id", "survey_id", "unit_id", "submitted_at", "channel", "metadata")
        if rng.random() < sample]
    main_channel: dict[Person, str] = {}
    for r in responses:
        main_channel.setdefault(person_by_id[r["customer_id"]], r["channel"])
    contact_rng = random.Random(f"glapp-demo-contact:{seed}")  # one stream, customers in external id order
    for p in persons:
        if not (p.email or p.phone or p.consent_email or p.consent_sms):
            assign_contact(p, contact_rng, main_channel.get(p), h.start)

    waves = h.waves()
    candidates = []
    for r in responses:
        survey, person = by_id[r["survey_id"]], person_by_id[r["customer_id"]]
        c = (h.wave_candidate(r, person, survey, waves) if survey.relationship
             else h.transactional_candidate(r, person, survey))
        if c is not None:
            candidates.append(c)
    answered = h.accept_answered(candidates)
    answering = set(c.person for c in answered)

    # How many unanswered invitations each survey and channel needs for its response rate.
    counts = Counter((c.survey.code, c.response["channel"]) for c in answered)
    pools: dict[str, list[Person]] = defaultdict(list)
    for p in persons:
        decision = rules.choose_channel(p.contact(h.start))
        pools[decision.channel or decision.reason].append(p)
    slots = []  # (arrival time, order, kind, payload)
    for c in answered:
        slots.append((c.arrived, 0, "answered", c))
    wave_quota: Counter = Counter()
    for (code, channel), answered_n in sorted(counts.items()):
        survey = surveys[code]
        rate = min(0.9, RESPONSE_RATE[channel] * SURVEY_FACTOR.get(code, 1.0))
        needed = round(answered_n / rate) - answered_n
        if survey.relationship:
            wave_quota[channel] += needed
            continue
        for _ in range(needed):
            slots.append((h.random_time(), 1, "invite", (survey, channel)))
        for reason, share in SKIP_SHARE.items():
            for _ in range(round((answered_n + needed) * share)):
                slots.append((h.random_time(), 1, "refused", (survey, reason)))
    relation = next((s for s in surveys.values() if s.relationship), None)
    if relation is not None and waves:
        for i, wave in enumerate(waves):
            for channel in sorted(wave_quota):
                share = wave_quota[channel] // len(waves) + (1 if i < wave_quota[channel] % len(waves) else 0)
                slots.append((wave, 2, "wave", (relation, channel, share)))
    slots.sort(key=lambda s: (s[0], s[1]))

    for at, _, kind, payload in slots:
        if kind == "answered":
            h.answered(payload)
        elif kind == "invite":
            survey, channel = payload
            for _ in range(MAX_DRAWS):
                if _invented_event(h, rng.choice(pools[channel]) if pools[channel] else None, survey, at, answering):
                    break
        elif kind == "refused":
            survey, reason = payload
            if pools[reason]:
                _invented_event(h, rng.choice(pools[reason]), survey, at, answering)
        else:
            survey, channel, share = payload
            _wave(h, survey, at, [rng.choice(pools[channel]) for _ in range(round(share * 1.3))]
                  if pools[channel] else [], answering)
    return h


def _invented_event(h: History, person: Person | None, survey: SurveyInfo, occurred: dt.datetime,
                    answering: set) -> bool:
    """One event nobody answered an invitation for; True when it got an invitation."""
    if person is None:
        return True
    wanted = occurred + survey.delay
    scheduled = rules.out_of_quiet_hours(wanted, h.policy)
    if person in answering and h._conflicts_with_answered(person, scheduled, False):
        return False  # this customer's next touchpoint, answered, is what happened instead
    metadata, unit_id = h.metadata_for(person, survey, occurred)
    event = h._event(person, survey, occurred, metadata, unit_id)
    decision = h._judge(person, survey, event.created_at, scheduled)
    if decision.channel is None:
        h._skip(event.created_at, person, survey, event, decision.reason)
        return False
    inv = h._invite(person, survey, event, decision.channel, event.created_at, wanted, scheduled, unit_id)
    h.unanswered(inv, bounce_ok=person not in answering)
    return True


def _wave(h: History, survey: SurveyInfo, at: dt.datetime, people: list[Person], answering: set) -> None:
    """Invented members of a relationship wave (the answered ones are their own slots)."""
    wanted = at + survey.delay
    scheduled = rules.out_of_quiet_hours(wanted, h.policy)
    seen = set()
    for person in people:
        if person in seen or (person in answering and h._conflicts_with_answered(person, scheduled, True)):
            continue
        seen.add(person)
        decision = h._judge(person, survey, at, scheduled)
        if decision.channel is None:
            h._skip(at, person, survey, None, decision.reason)
            continue
        inv = h._invite(person, survey, None, decision.channel, at, wanted, scheduled, None)
        h.unanswered(inv, bounce_ok=person not in answering)


# ---------------------------------------------------------------------- writing


def _language(person: Person, survey: SurveyInfo, default: str) -> str:
    for candidate in (person.language, default):
        if candidate and candidate in survey.languages:
            return candidate
    return survey.languages[0] if survey.languages else (person.language or default)


def _update_customers(persons: list[Person]) -> int:
    names = ["email", "phone", "consent_email", "consent_sms", "preferred_channel", "unsubscribed_at",
             "email_bounced_at", "phone_bounced_at"]
    adapt = connection.ops.adapt_datetimefield_value
    rows = [(p.email, p.phone, p.consent_email, p.consent_sms, p.preferred, adapt(p.unsubscribed_at),
             adapt(p.email_bounced_at), adapt(p.phone_bounced_at), p.id)
            for p in persons if p.assigned or p.changed]
    bulk.update_by_id(Customer, names, rows)
    return len(rows)


def listening_exists(org: Organization) -> bool:
    return (TouchpointEvent.objects.for_org(org).exists() or Invitation.objects.for_org(org).exists()
            or ContactLog.objects.for_org(org).exists())


def _insert(model, names: list[str], rows: list[tuple], returning: bool = False) -> list[int]:
    """Multi-row INSERTs without building a model instance per row (tens of thousands of rows
    through the ORM's per-value preparation would double the demo's load time). Only datetimes
    and JSON go through their fields' own preparation. With `returning`, the new ids in row
    order, as bulk_create relies on too."""
    fields = [model._meta.get_field(n) for n in names]
    adapt_datetime = connection.ops.adapt_datetimefield_value
    prepare = [(lambda v, _: adapt_datetime(v)) if f.get_internal_type() == "DateTimeField"
               else f.get_db_prep_save if f.get_internal_type() == "JSONField" else None for f in fields]
    prepared = [tuple(p(v, connection) if p is not None and v is not None else v
                      for p, v in zip(prepare, row, strict=True)) for row in rows]
    return bulk.insert_values(model, names, prepared, returning="id" if returning else None)


EVENT_COLUMNS = ["organization", "created_at", "external_id", "customer", "touchpoint", "unit", "interaction",
                 "occurred_at", "metadata", "outcome", "reason"]
INVITATION_COLUMNS = ["organization", "created_at", "survey", "customer", "event", "touchpoint", "unit", "channel",
                      "language", "segment", "token", "context", "status", "scheduled_for", "sent_at", "opened_at",
                      "responded_at", "completed_at", "reminder_sent_at", "bounced_at", "expires_at", "message_id",
                      "error", "claimed_at", "attempts", "reminder_due_at"]
LOG_COLUMNS = ["organization", "created_at", "customer", "kind", "reason", "detail", "survey", "event",
               "invitation", "channel"]


def generate_listening(org: Organization, seed: int, end: dt.date) -> ListeningResult:
    """Write the demo's contact data and invitation history (once: a second run adds nothing)."""
    if listening_exists(org):
        return ListeningResult(existing=True)
    h = simulate(org, seed, end)
    result = ListeningResult()
    with transaction.atomic():
        result.customers_updated = _update_customers(h.persons)
        event_ids = _insert(TouchpointEvent, EVENT_COLUMNS, [
            (org.id, e.created_at, e.key, e.person.id, e.survey.touchpoint_id, e.unit_id,
             INTERACTION.get(e.survey.touchpoint, ""), e.occurred_at, e.metadata, e.outcome, e.reason)
            for e in h.events], returning=True)
        for e, pk in zip(h.events, event_ids, strict=True):
            e.row = pk
        invitation_ids = _insert(Invitation, INVITATION_COLUMNS, [
            (org.id, i.created_at, i.survey.id, i.person.id, i.event.row if i.event else None,
             i.survey.touchpoint_id, i.unit_id, i.channel, _language(i.person, i.survey, org.default_language),
             i.person.segment or "", new_token(), i.context, i.status, i.scheduled_for, i.sent_at, i.opened_at,
             i.responded_at, i.completed_at, i.reminder_sent_at, i.bounced_at, i.expires_at, "", i.error,
             i.sent_at or i.bounced_at, 1 if i.sent_at or i.bounced_at else 0, i.reminder_due_at)
            for i in h.invitations], returning=True)
        entries = [(at, (org.id, at, person.id, Kind.SKIPPED, reason, "", survey.id, event.row if event else None,
                         None, "")) for at, person, survey, event, reason in h.skips]
        sent = []
        for i, pk in zip(h.invitations, invitation_ids, strict=True):
            stub = SimpleNamespace(pk=pk)  # all message_id needs
            if i.sent_at:
                sent.append((message_id(stub), pk))
            for at, kind, reason, detail in i.logs:
                if detail == "<message-id>":
                    detail = message_id(stub)
                elif detail == "<message-id-r>":
                    detail = message_id(stub, reminder=True)
                entries.append((at, (org.id, at, i.person.id, kind, reason, detail, i.survey.id,
                                     i.event.row if i.event else None, pk, i.channel)))
        bulk.update_by_id(Invitation, ("message_id",), sent)
        entries.sort(key=lambda e: e[0])  # stable: a moment's entries keep their order (responded, completed)
        _insert(ContactLog, LOG_COLUMNS, [row for _, row in entries])
        rebuild_invitation_rollups(org.id)  # written in bulk, so counted in one go
    result.events = len(h.events)
    result.invitations = len(h.invitations)
    result.responded = sum(1 for i in h.invitations if i.responded_at)
    result.skipped = len(h.skips)
    result.log_entries = len(entries)
    return result


def delete_listening(org: Organization, delete_in_chunks) -> None:
    """Contact log, invitations and events first, in chunks (customers would cascade to them,
    but through a collector that loads every row)."""
    for model in (ContactLog, Invitation, TouchpointEvent):
        delete_in_chunks(model.objects.for_org(org))
