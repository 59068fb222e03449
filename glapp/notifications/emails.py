"""Notification e-mails: one at once per "immediate" notification, on the time-critical queue
after the commit; hourly and daily digests, one e-mail per person with the items grouped by kind.

Every e-mail is plain text in the recipient's UI language and says only codes, numbers and the
link (`GLAPP_BASE_URL` + the case): never comment text or customer data, which the recipient
reads on the case page under their own rights. Each row is claimed (a random token, pending →
sending) before the send and marked sent after; one left "sending" past the claim's lifetime
was interrupted and becomes "uncertain", never sent twice.

Digest times are in the installation's zone (`GLAPP_TIME_ZONE`): the hourly digest holds what
came before the current hour began, the daily one, sent from DAILY_DIGEST_HOUR, what came
before that hour today.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import secrets
from collections import defaultdict

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from glapp.core import links
from glapp.distribution.channels.content import header_safe
from glapp.notifications import texts
from glapp.notifications.models import Delivery, EmailState, Kind, Notification

STALE_CLAIM = dt.timedelta(minutes=10)
MAX_ATTEMPTS = 5
DAILY_DIGEST_HOUR = 7
BATCH = 200


def digest_cutoff(delivery: str, now: dt.datetime) -> dt.datetime:
    """What a digest sent at `now` holds: notifications created before this moment."""
    local = timezone.localtime(now)
    if delivery == Delivery.HOURLY:
        return local.replace(minute=0, second=0, microsecond=0)
    morning = timezone.make_aware(dt.datetime.combine(local.date(), dt.time(DAILY_DIGEST_HOUR)))
    return morning if local >= morning else timezone.make_aware(
        dt.datetime.combine(local.date() - dt.timedelta(days=1), dt.time(DAILY_DIGEST_HOUR)))


def _expire_claims(now: dt.datetime) -> int:
    return Notification.objects.filter(email_state=EmailState.SENDING, email_claimed_at__lt=now - STALE_CLAIM) \
        .update(email_state=EmailState.UNCERTAIN)


def _claim(ids, now: dt.datetime) -> list[Notification]:
    """Take these pending, unread rows for this run (a conditional UPDATE: of two workers only
    one takes a row); the rows taken."""
    token = secrets.token_hex(16)
    Notification.objects.filter(pk__in=list(ids), email_state=EmailState.PENDING, read_at__isnull=True).update(
        email_state=EmailState.SENDING, email_claim=token, email_claimed_at=now)
    return list(Notification.objects.filter(email_claim=token, email_state=EmailState.SENDING)
                .select_related("user", "organization").order_by("kind", "id"))


def _sent(rows: list[Notification]) -> None:
    Notification.objects.filter(pk__in=[n.pk for n in rows], email_state=EmailState.SENDING).update(
        email_state=EmailState.SENT, emailed_at=timezone.now(), email_claim="", email_error="")


def _failed(rows: list[Notification], exc: Exception) -> None:
    """An SMTP error: tried again by the next run, given up after MAX_ATTEMPTS."""
    for n in rows:
        attempts = n.email_attempts + 1
        Notification.objects.filter(pk=n.pk).update(
            email_state=EmailState.FAILED if attempts >= MAX_ATTEMPTS else EmailState.PENDING,
            email_attempts=attempts, email_claim="", email_error=f"{type(exc).__name__}: {exc}"[:500])


def _no_address(rows: list[Notification]) -> None:
    Notification.objects.filter(pk__in=[n.pk for n in rows]).update(email_state=EmailState.NONE, email_claim="")


def _language(n: Notification) -> str:
    return n.user.language or n.organization.default_language or settings.LANGUAGE_CODE


def _item(n: Notification) -> str:
    return f"- {texts.headline(n)}\n  {links.absolute(texts.path_of(n))}"


def compose_one(n: Notification) -> tuple[str, str]:
    """(subject, body) of one notification's e-mail, in the recipient's language."""
    with translation.override(_language(n)):
        organization = header_safe(n.organization.name)
        subject = header_safe(f"{texts.headline(n)} · {organization}")[:200]
        body = "\n".join([
            texts.headline(n), links.absolute(texts.path_of(n)), "",
            _("You get this e-mail at once because of your notification settings in %(organization)s:")
            % {"organization": organization},
            links.absolute(reverse("notifications:preferences")), ""])
    return subject, body


def compose_digest(rows: list[Notification], delivery: str) -> tuple[str, str]:
    """(subject, body) of a digest: the items grouped by kind, newest last."""
    first = rows[0]
    with translation.override(_language(first)):
        organization = header_safe(first.organization.name)
        subject = (_("%(count)s notifications in %(organization)s (hourly digest)") if delivery == Delivery.HOURLY
                   else _("%(count)s notifications in %(organization)s (daily digest)")) % {
            "count": len(rows), "organization": organization}
        groups: dict[str, list[Notification]] = defaultdict(list)
        for n in rows:
            groups[n.kind].append(n)
        lines = []
        for kind in Kind.values:
            if groups.get(kind):
                label = str(Kind(kind).label)
                lines += [f"{label} ({len(groups[kind])})", *[_item(n) for n in groups[kind]], ""]
        lines += [_("All your notifications: %(url)s") % {"url": links.absolute(reverse("notifications:list"))},
                  _("Change how often you hear from glapp: %(url)s")
                  % {"url": links.absolute(reverse("notifications:preferences"))}, ""]
    return header_safe(subject)[:200], "\n".join(lines)


def _send(connection, to: str, subject: str, body: str) -> None:
    EmailMessage(subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=[to], connection=connection,
                 headers={"Auto-Submitted": "auto-generated"}).send()


class _Connection:
    """One SMTP connection per run, opened on first use and reopened after an error."""

    def __init__(self):
        self.connection = None

    def get(self):
        if self.connection is None:
            self.connection = get_connection(fail_silently=False)
            self.connection.open()
        return self.connection

    def broken(self) -> None:
        self.close()

    def close(self) -> None:
        if self.connection is not None:
            with contextlib.suppress(Exception):  # closing a broken connection is not worth a failure
                self.connection.close()
        self.connection = None


def _deliver(rows: list[Notification], compose, conn: _Connection) -> bool:
    """Send one e-mail for `rows` (all one person's); mark them. True if sent."""
    address = rows[0].user.email
    if not address:
        _no_address(rows)
        return False
    subject, body = compose(rows)
    try:
        _send(conn.get(), address, subject, body)
    except Exception as exc:  # an SMTP error: retried by the next run, then failed with the reason
        conn.broken()
        _failed(rows, exc)
        return False
    _sent(rows)
    return True


def send_immediate(now: dt.datetime | None = None, limit: int = BATCH) -> dict:
    """E-mail every pending "immediate" notification, one e-mail each."""
    now = now or timezone.now()
    uncertain = _expire_claims(now)
    ids = list(Notification.objects.filter(email_state=EmailState.PENDING, delivery=Delivery.IMMEDIATE)
               .order_by("id").values_list("id", flat=True)[:limit])
    sent = 0
    conn = _Connection()
    try:
        for n in _claim(ids, now):
            sent += _deliver([n], lambda rows: compose_one(rows[0]), conn)
    finally:
        conn.close()
    return {"sent": sent, "uncertain": uncertain}


def send_digests(now: dt.datetime | None = None) -> dict:
    """Every hourly and daily digest that is due: one e-mail per person and organization."""
    now = now or timezone.now()
    uncertain = _expire_claims(now)
    sent = 0
    conn = _Connection()
    try:
        for delivery in (Delivery.HOURLY, Delivery.DAILY):
            due = Q(email_state=EmailState.PENDING, delivery=delivery, created_at__lt=digest_cutoff(delivery, now))
            people = (Notification.objects.filter(due).values_list("organization_id", "user_id").distinct()
                      .order_by("organization_id", "user_id"))
            for organization_id, user_id in list(people):
                ids = Notification.objects.filter(due, organization_id=organization_id, user_id=user_id) \
                    .values_list("id", flat=True)
                rows = _claim(ids, now)
                if rows:
                    sent += _deliver(rows, lambda rows, d=delivery: compose_digest(rows, d), conn)
    finally:
        conn.close()
    return {"digests": sent, "uncertain": uncertain}
