"""Sending: due invitations, the one reminder, expiry, and what a crash leaves behind.

At most once, never twice. An invitation is *claimed* with a conditional UPDATE
(`scheduled → sending`, committed before anything is sent), so two workers, or a task run
twice, cannot both send it. The outcome is recorded after the channel answers. A worker that
dies in between leaves `sending`; after `SENDING_TIMEOUT` the sweep turns that into
`uncertain`, which is never resent: a customer who might have got the mail must not get it
twice. Reminders are claimed the same way (`reminder_sent_at` is set before sending).

The contact rules are checked again at send time: a customer who unsubscribed, or whose
address bounced, after the invitation was scheduled is not contacted.
"""

import datetime as dt
import logging
import re
from collections import Counter

from django.core.mail import get_connection
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from glapp.contacts import actions as contacts
from glapp.contacts.models import Customer
from glapp.contacts.queries import contact_policy
from glapp.distribution import rules
from glapp.distribution.actions import contact_of, log, note_rate_change, policy_of
from glapp.distribution.channels import DeliveryError, Rejected, TemporaryFailure
from glapp.distribution.channels import email as email_channel
from glapp.distribution.channels import sms as sms_channel
from glapp.distribution.channels.content import message_id
from glapp.distribution.models import ContactLog, Invitation
from glapp.surveys.models import Survey

Kind = ContactLog.Kind
Status = Invitation.Status
SENDING_TIMEOUT = dt.timedelta(minutes=10)
MAX_ATTEMPTS = 5
RETRY_BASE = dt.timedelta(minutes=5)  # 5, 10, 20, 40 minutes between attempts
REMINDER_RETRY = dt.timedelta(hours=1)
BATCH = 500
logger = logging.getLogger("glapp.distribution")
REMINDER_SUFFIX = re.compile(r"^(inv-\d+)-r(?=[.@])")  # <inv-42-r.…@…> is the reminder of <inv-42.…@…>


class _Senders:
    """One SMTP connection per dispatch run (reopened after a failure), one SMS provider."""

    def __init__(self):
        self._mail = None
        self._sms = None
        self.policies: dict[int, rules.Policy] = {}

    def policy(self, organization_id: int) -> rules.Policy:
        if organization_id not in self.policies:
            self.policies[organization_id] = policy_of(contact_policy(organization_id))
        return self.policies[organization_id]

    def send(self, invitation: Invitation, reminder: bool) -> str:
        if invitation.channel == Invitation.Channel.SMS:
            if self._sms is None:
                self._sms = sms_channel.provider()
            sms_channel.send(invitation, reminder, self._sms)
            return message_id(invitation, reminder)
        try:
            if self._mail is None:
                self._mail = get_connection(fail_silently=False)
                self._mail.open()
            return email_channel.send(invitation, reminder, self._mail)
        except TemporaryFailure:
            self.close()  # the connection may be broken; the next message opens a new one
            raise
        except OSError as exc:  # the server cannot be reached (refused, timeout, TLS)
            self.close()
            raise TemporaryFailure(f"{type(exc).__name__}: {exc}") from exc

    def close(self) -> None:
        if self._mail is not None:
            try:
                self._mail.close()
            except Exception:
                logger.warning("closing the SMTP connection failed", exc_info=True)
            self._mail = None


def dispatch_due_invitations(now: dt.datetime | None = None, limit: int = BATCH) -> dict:
    """One dispatch run: sweep stale claims, expire, send what is due, send due reminders."""
    now = now or timezone.now()
    summary: Counter = Counter()
    summary["uncertain"] += sweep_stale_claims(now)
    summary["expired"] += expire_invitations(now)
    senders = _Senders()
    try:
        due = (Invitation.objects.filter(status=Status.SCHEDULED, scheduled_for__lte=now)
               .order_by("scheduled_for", "id").values_list("id", flat=True)[:limit])
        for invitation_id in list(due):
            summary[_isolated(_dispatch_one, invitation_id, now, senders)] += 1
        summary.update(send_reminders(now, senders, limit))
    finally:
        senders.close()
    return {key: value for key, value in summary.items() if value}


def _isolated(step, invitation_id: int, now: dt.datetime, senders: _Senders) -> str:
    """Run one invitation's step so that a bug or bad data in it cannot stop the run: the error
    is logged, the others are still tried. An invitation that failed before its claim is marked
    failed (it would fail again every run); one that failed after the claim was marked by the
    step, or is left `sending` when it may have gone out (the sweep makes it `uncertain`)."""
    try:
        return step(invitation_id, now, senders)
    except Exception as exc:
        logger.exception("invitation %s: %s failed", invitation_id, step.__name__)
        detail = f"{type(exc).__name__}: {exc}"
        invitation = Invitation.objects.filter(pk=invitation_id).first()
        if invitation is not None and step is _dispatch_one and Invitation.objects.filter(
                pk=invitation_id, status=Status.SCHEDULED).update(status=Status.FAILED, error=detail[:2000]):
            log(invitation.customer_id, invitation.organization_id, Kind.FAILED, invitation=invitation, detail=detail)
            return "failed"
        return "error"


def sweep_stale_claims(now: dt.datetime) -> int:
    stale = list(Invitation.objects.filter(status=Status.SENDING, claimed_at__lt=now - SENDING_TIMEOUT))
    for invitation in stale:
        if Invitation.objects.filter(pk=invitation.pk, status=Status.SENDING).update(status=Status.UNCERTAIN):
            log(invitation.customer_id, invitation.organization_id, Kind.FAILED, reason="uncertain",
                invitation=invitation,
                detail="The worker stopped between claiming and confirming; not resent to avoid a duplicate.")
    return len(stale)


def expire_invitations(now: dt.datetime) -> int:
    """Links past their window close; invitations never sent by then are not sent any more."""
    expiring = list(Invitation.objects.filter(status__in=[Status.SENT, Status.SCHEDULED], expires_at__lte=now,
                                              completed_at__isnull=True))
    count = 0
    for invitation in expiring:
        if Invitation.objects.filter(pk=invitation.pk, status=invitation.status).update(status=Status.EXPIRED):
            log(invitation.customer_id, invitation.organization_id, Kind.EXPIRED, invitation=invitation)
            count += 1
    return count


def _load(invitation_id: int) -> Invitation:
    return (Invitation.objects.select_related("customer", "survey__current_version", "organization")
            .get(pk=invitation_id))


def _cancel(invitation: Invitation, reason: str) -> str:
    Invitation.objects.filter(pk=invitation.pk).update(status=Status.CANCELLED)
    log(invitation.customer_id, invitation.organization_id, Kind.SKIPPED, reason=reason, invitation=invitation,
        detail="at send time")
    return "cancelled"


def _dispatch_one(invitation_id: int, now: dt.datetime, senders: _Senders) -> str:
    invitation = _load(invitation_id)
    policy = senders.policy(invitation.organization_id)
    if rules.in_quiet_hours(now, policy):
        later = rules.out_of_quiet_hours(now, policy)
        if Invitation.objects.filter(pk=invitation.pk, status=Status.SCHEDULED).update(scheduled_for=later):
            log(invitation.customer_id, invitation.organization_id, Kind.DEFERRED, reason=rules.QUIET_HOURS,
                invitation=invitation, detail=f"{now.isoformat()} → {later.isoformat()}")
        return "deferred"
    # The claim: only one worker's UPDATE finds the row still scheduled.
    claimed = Invitation.objects.filter(pk=invitation.pk, status=Status.SCHEDULED).update(
        status=Status.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    if not claimed:
        return "taken"
    invitation.refresh_from_db(fields=["status", "attempts", "channel", "responded_at", "completed_at"])
    try:
        outcome = _check_at_send_time(invitation)
        if outcome:
            return outcome
        sent_id = senders.send(invitation, reminder=False)
    except Rejected as exc:
        return _bounced(invitation, now, str(exc))
    except TemporaryFailure as exc:
        if invitation.attempts >= MAX_ATTEMPTS:
            return _failed(invitation, str(exc))
        retry_at = now + RETRY_BASE * (2 ** (invitation.attempts - 1))
        Invitation.objects.filter(pk=invitation.pk, status=Status.SENDING).update(
            status=Status.SCHEDULED, scheduled_for=retry_at, error=str(exc)[:2000])
        return "retry"
    except DeliveryError as exc:
        return _failed(invitation, str(exc))
    except Exception as exc:
        # A bug or data the channel cannot carry (e.g. a header the mail library refuses): nothing
        # went out. This invitation fails; the run goes on with the others.
        logger.exception("invitation %s could not be sent", invitation.pk)
        return _failed(invitation, f"{type(exc).__name__}: {exc}")
    survey = invitation.survey
    reminder_due = rules.days_later(now, survey.reminder_after_days, policy) if survey.reminder_after_days else None
    sent = {"status": Status.SENT, "message_id": sent_id, "error": "",
            "expires_at": rules.days_later(now, survey.expires_after_days, policy), "reminder_due_at": reminder_due}
    with transaction.atomic():  # the state and its response-rate count commit together
        if Invitation.objects.filter(pk=invitation.pk, sent_at__isnull=True).update(sent_at=now, **sent):
            note_rate_change(invitation.pk, "sent_at", now)
        else:  # a sent time already (not through the claim): counted then, never twice
            Invitation.objects.filter(pk=invitation.pk).update(**sent)
        log(invitation.customer_id, invitation.organization_id, Kind.SENT, invitation=invitation, detail=sent_id)
    return "sent"


def _check_at_send_time(invitation: Invitation) -> str:
    """Cancel a claimed invitation that must not go out any more (returns "cancelled"), or
    settle its channel (returns ""). A channel the event asked for is the only one used."""
    if invitation.responded_at is not None or invitation.completed_at is not None:
        # The customer answered through the link already (the API returns it; or the send was
        # deferred by quiet hours): asking again would be noise. Their session stays open.
        return _cancel(invitation, rules.ALREADY_ANSWERED)
    if invitation.survey.status != Survey.Status.ACTIVE:
        return _cancel(invitation, rules.SURVEY_CLOSED)
    requested = invitation.channel if invitation.channel_requested else ""
    decision = rules.choose_channel(contact_of(invitation.customer), requested)
    if decision.channel is None:
        return _cancel(invitation, decision.reason)
    if decision.channel != invitation.channel:
        invitation.channel = decision.channel  # e.g. the e-mail bounced since, but SMS is allowed
        Invitation.objects.filter(pk=invitation.pk).update(channel=decision.channel)
    return ""


def _mark_bounced(invitation_id: int, now: dt.datetime, **fields) -> None:
    """Set the bounce (once) and count it; the caller holds the transaction."""
    if Invitation.objects.filter(pk=invitation_id, bounced_at__isnull=True).update(
            status=Status.BOUNCED, bounced_at=now, **fields):
        note_rate_change(invitation_id, "bounced_at", now)
    elif fields:
        Invitation.objects.filter(pk=invitation_id).update(**fields)


def _bounced(invitation: Invitation, now: dt.datetime, detail: str) -> str:
    with transaction.atomic():
        _mark_bounced(invitation.pk, now, error=detail[:2000])
        contacts.mark_bounced(invitation.customer, invitation.channel, now)
        log(invitation.customer_id, invitation.organization_id, Kind.BOUNCED, reason="hard", invitation=invitation,
            detail=detail)
    return "bounced"


def _failed(invitation: Invitation, detail: str) -> str:
    Invitation.objects.filter(pk=invitation.pk).update(status=Status.FAILED, error=detail[:2000])
    log(invitation.customer_id, invitation.organization_id, Kind.FAILED, invitation=invitation, detail=detail)
    return "failed"


def send_reminders(now: dt.datetime, senders: _Senders, limit: int = BATCH) -> Counter:
    """The one reminder, to those who have not answered, while the link is still open."""
    summary: Counter = Counter()
    due = (Invitation.objects.filter(status=Status.SENT, reminder_due_at__lte=now, reminder_sent_at__isnull=True,
                                     responded_at__isnull=True, completed_at__isnull=True, expires_at__gt=now)
           .order_by("reminder_due_at", "id").values_list("id", flat=True)[:limit])
    for invitation_id in list(due):
        summary[_isolated(_remind_one, invitation_id, now, senders)] += 1
    return summary


def _remind_one(invitation_id: int, now: dt.datetime, senders: _Senders) -> str:
    invitation = _load(invitation_id)
    policy = senders.policy(invitation.organization_id)
    if rules.in_quiet_hours(now, policy):
        Invitation.objects.filter(pk=invitation.pk, reminder_sent_at__isnull=True).update(
            reminder_due_at=rules.out_of_quiet_hours(now, policy))
        return "reminder_deferred"
    if invitation.survey.status != Survey.Status.ACTIVE:
        return _skip_reminder(invitation, rules.SURVEY_CLOSED)
    # The reminder goes by the invitation's channel or not at all: opted out, consent withdrawn
    # or the address bounced since (never switched: the customer knows the first message).
    decision = rules.choose_channel(contact_of(invitation.customer), invitation.channel)
    if decision.channel != invitation.channel:
        return _skip_reminder(invitation, decision.reason or rules.NO_CHANNEL)
    claimed = Invitation.objects.filter(pk=invitation.pk, reminder_sent_at__isnull=True,
                                        responded_at__isnull=True).update(reminder_sent_at=now)
    if not claimed:
        return "taken"
    try:
        sent_id = senders.send(invitation, reminder=True)
    except Rejected as exc:
        _bounced(invitation, now, str(exc))
        return "reminder_bounced"
    except TemporaryFailure as exc:
        # Not sent: release the claim and try again later (until the link expires).
        Invitation.objects.filter(pk=invitation.pk).update(reminder_sent_at=None,
                                                           reminder_due_at=now + REMINDER_RETRY, error=str(exc)[:2000])
        return "reminder_retry"
    except Exception as exc:  # a refusal, a bug or bad data: no reminder, the run goes on
        if not isinstance(exc, DeliveryError):
            logger.exception("the reminder of invitation %s could not be sent", invitation.pk)
        detail = str(exc) if isinstance(exc, DeliveryError) else f"{type(exc).__name__}: {exc}"
        Invitation.objects.filter(pk=invitation.pk).update(reminder_due_at=None, error=detail[:2000])
        log(invitation.customer_id, invitation.organization_id, Kind.FAILED, invitation=invitation,
            detail=f"reminder: {detail}")
        return "reminder_failed"
    log(invitation.customer_id, invitation.organization_id, Kind.REMINDED, invitation=invitation, detail=sent_id)
    return "reminded"


def _skip_reminder(invitation: Invitation, reason: str) -> str:
    Invitation.objects.filter(pk=invitation.pk).update(reminder_due_at=None)
    log(invitation.customer_id, invitation.organization_id, Kind.SKIPPED, reason=reason, invitation=invitation,
        detail="reminder")
    return "reminder_skipped"


def record_bounce(organization_id: int, *, message_id: str | None = None, address: str | None = None,
                  hard: bool = True, detail: str = "", now: dt.datetime | None = None) -> dict:
    """A provider reports a bounce after the fact, by Message-ID or by address.

    A hard bounce marks the address so it is not used again; a soft bounce is only logged.
    """
    now = now or timezone.now()
    invitations = Invitation.objects.for_org(organization_id)
    matched = []
    if message_id:
        bare = message_id.strip().strip("<>")
        base = REMINDER_SUFFIX.sub(r"\1", bare)  # a reminder's id names the same invitation
        matched = list(invitations.filter(message_id__in=[f"<{bare}>", f"<{base}>", bare])
                       .select_related("customer"))
    marked = 0
    for invitation in matched:
        with transaction.atomic():
            if hard:
                _mark_bounced(invitation.pk, now)
                marked += contacts.mark_bounced(invitation.customer, invitation.channel, now)
            log(invitation.customer_id, organization_id, Kind.BOUNCED, reason="hard" if hard else "soft",
                invitation=invitation, detail=detail)
    if address and not matched:
        channel = "sms" if "@" not in address else "email"
        if hard:
            marked += contacts.mark_address_bounced(organization_id, channel, address.strip(), now)
        field = "email__iexact" if channel == "email" else "phone"
        for customer_id in Customer.objects.for_org(organization_id).filter(**{field: address.strip()}).values_list(
                "id", flat=True):
            log(customer_id, organization_id, Kind.BOUNCED, reason="hard" if hard else "soft", channel=channel,
                detail=detail)
            matched.append(customer_id)
    return {"matched": len(matched), "addresses_marked": marked}
