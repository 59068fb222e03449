"""E-mails to customers from their case: composed from a reply template, sent through the same
SMTP path as invitations, recorded on the timeline.

Replies: the message's Reply-To is the handler's own address when they have one (else the
organization's sender), and its subject carries the case number, so a reply reaches a person
who can find the case. glapp does not read mailboxes: a reply is not captured onto the timeline
automatically (docs/cases.md says so); the handler notes what the customer answered."""

from __future__ import annotations

import contextlib
import datetime as dt

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.utils import timezone

from glapp.cases.models import CaseEmail
from glapp.surveys import piping

STALE_CLAIM = dt.timedelta(minutes=10)
MAX_ATTEMPTS = 5


def context_for(case, handler) -> dict:
    """What a reply template may use."""
    from glapp.accounts.models import Unit
    from glapp.contacts.models import Customer

    customer = Customer.objects.filter(pk=case.customer_id).first() if case.customer_id else None
    unit = Unit.objects.filter(pk=case.unit_id).values_list("name", flat=True).first() if case.unit_id else None
    name = (handler.get_full_name() or handler.get_username()) if handler is not None else ""
    return {"first_name": customer.first_name if customer else "", "case": f"#{case.pk}", "unit": unit or "",
            "handler": name}


# What a reply template may use, as `context_for` fills it (the settings page lists them).
PLACEHOLDERS = ("first_name", "case", "unit", "handler")


def placeholder_text() -> str:
    return ", ".join(f"{{{name}}}" for name in PLACEHOLDERS)


def unknown_placeholders(text: str) -> list[str]:
    """Placeholders in `text` that no case fills (a typo would print nothing to the customer)."""
    return sorted({name for name in piping.PLACEHOLDER.findall(text or "") if name not in PLACEHOLDERS})


def render(text: str, context: dict, language: str) -> str:
    return piping.render(text, context, language)


def send_queued(limit: int = 100) -> dict:
    """Send queued case e-mails: each is claimed (queued → sending) before it is sent and marked
    after; one left "sending" past a claim's lifetime was interrupted and becomes "uncertain"."""
    now = timezone.now()
    stale = CaseEmail.objects.filter(status=CaseEmail.Status.SENDING, claimed_at__lt=now - STALE_CLAIM)
    uncertain = stale.update(status=CaseEmail.Status.UNCERTAIN)
    sent = failed = 0
    ids = list(CaseEmail.objects.filter(status=CaseEmail.Status.QUEUED).order_by("id").values_list("id", flat=True)
               [:limit])
    connection = None
    try:
        for email_id in ids:
            if not CaseEmail.objects.filter(pk=email_id, status=CaseEmail.Status.QUEUED).update(
                    status=CaseEmail.Status.SENDING, claimed_at=timezone.now()):
                continue  # another worker took it
            email = CaseEmail.objects.select_related("activity").get(pk=email_id)
            try:
                if connection is None:
                    connection = get_connection(fail_silently=False)
                    connection.open()
                message = EmailMessage(subject=email.subject, body=email.body, from_email=settings.DEFAULT_FROM_EMAIL,
                                       to=[email.to], reply_to=email.activity.data.get("reply_to") or None,
                                       connection=connection,
                                       headers={"Auto-Submitted": "no", "X-Glapp-Case": str(email.case_id)})
                message.send()
            except Exception as exc:  # an SMTP error: retried, then failed with the reason shown
                connection = None
                attempts = email.attempts + 1
                status = CaseEmail.Status.FAILED if attempts >= MAX_ATTEMPTS else CaseEmail.Status.QUEUED
                CaseEmail.objects.filter(pk=email_id).update(status=status, attempts=attempts,
                                                             error=f"{type(exc).__name__}: {exc}"[:500])
                failed += 1
                continue
            with transaction.atomic():
                CaseEmail.objects.filter(pk=email_id).update(status=CaseEmail.Status.SENT, sent_at=timezone.now(),
                                                             attempts=email.attempts + 1, error="")
            sent += 1
    finally:
        if connection is not None:
            with contextlib.suppress(Exception):  # closing a broken connection is not worth a failure
                connection.close()
    return {"sent": sent, "failed": failed, "uncertain": uncertain}
