"""Promoters: thanked, and asked for a public review or a referral.

A rule with `ask_promoter` (say NPS 9–10 and a positive comment) asks the customer when they
agreed to marketing (`Customer.consent_marketing`; consent to surveys is not that), have an
e-mail address that has not bounced, have not opted out, were not asked within the SLA policy's
`promoter_ask_months`, and their unit (or the nearest unit above it) has a review page. The link
in the message goes through `/go/<token>/`, which counts the click and redirects to the review
page stored with the ask, never anywhere a request names, so click-through is measured per unit
and touchpoint and the redirect cannot be used to send people elsewhere.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import secrets

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext

from glapp.cases.models import PromoterAsk, UnitCaseSettings

STALE_CLAIM = dt.timedelta(minutes=10)


def months_before(moment: dt.datetime, months: int) -> dt.datetime:
    """The same day and time `months` calendar months earlier (the month's last day if shorter)."""
    import calendar

    year, month = divmod(moment.year * 12 + moment.month - 1 - months, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


def ask(organization_id: int, subject, rule, policy, now: dt.datetime) -> PromoterAsk | None:
    """Make the ask for a promoter a rule matched, or None when the contact rules say no."""
    from glapp.accounts.models import Unit
    from glapp.contacts.models import Customer
    from glapp.responses.models import Response

    if not subject.customer_id:
        return None
    customer = Customer.objects.filter(pk=subject.customer_id, organization_id=organization_id).first()
    if (customer is None or not customer.consent_marketing or not customer.email or customer.email_bounced_at
            or customer.unsubscribed_at):
        return None
    since = months_before(now, policy.promoter_ask_months)
    if PromoterAsk.objects.filter(organization_id=organization_id, customer=customer, created_at__gte=since).exists():
        return None
    path = Unit.objects.filter(pk=subject.unit_id).values_list("path", flat=True).first() if subject.unit_id else ""
    urls = dict(UnitCaseSettings.objects.for_org(organization_id).exclude(review_url="")
                .values_list("unit_id", "review_url"))
    review_url = next((urls[u] for u in reversed(Unit.ids_on_path(path)) if u in urls), "")
    if not review_url:
        return None
    touchpoint_id = Response.objects.filter(pk=subject.response_id).values_list("touchpoint_id", flat=True).first()
    made = PromoterAsk.objects.create(
        organization_id=organization_id, customer=customer, response_id=subject.response_id, rule=rule,
        unit_id=subject.unit_id, touchpoint_id=touchpoint_id, token=secrets.token_urlsafe(24), review_url=review_url,
        to=customer.email, language=customer.language or subject.facts.language or "sv")
    transaction.on_commit(_queue_sending)
    return made


def _queue_sending() -> None:
    from glapp.cases.tasks import send_promoter_asks

    send_promoter_asks.enqueue()


def message_text(ask: PromoterAsk, first_name: str) -> tuple[str, str]:
    """(subject, body) in the customer's language; plain text."""
    link = f"{settings.GLAPP_BASE_URL.rstrip('/')}/go/{ask.token}/"
    with translation.override(ask.language if ask.language in ("sv", "en") else "sv"):
        greeting = gettext("Hi %(name)s,") % {"name": first_name} if first_name else gettext("Hi,")
        subject = gettext("Thank you for your answer")
        body = "\n\n".join([
            greeting,
            gettext("Thank you for telling us about your experience. It makes us glad to hear it went well."),
            gettext("If you would like to tell others too, you can leave a review here:"),
            link,
            gettext("Kind regards"),
        ])
    return subject, body


def send_queued(limit: int = 200) -> dict:
    """Send queued asks: claimed before sending, marked after; one left claimed past its time was
    interrupted and is marked uncertain, never sent twice."""
    from glapp.contacts.models import Customer

    now = timezone.now()
    uncertain = PromoterAsk.objects.filter(status=PromoterAsk.Status.SENDING,
                                           claimed_at__lt=now - STALE_CLAIM).update(status=PromoterAsk.Status.UNCERTAIN)
    sent = failed = 0
    connection = None
    try:
        for ask_id in list(PromoterAsk.objects.filter(status=PromoterAsk.Status.QUEUED).order_by("id")
                           .values_list("id", flat=True)[:limit]):
            if not PromoterAsk.objects.filter(pk=ask_id, status=PromoterAsk.Status.QUEUED).update(
                    status=PromoterAsk.Status.SENDING, claimed_at=timezone.now()):
                continue
            made = PromoterAsk.objects.get(pk=ask_id)
            first_name = (Customer.objects.filter(pk=made.customer_id).values_list("first_name", flat=True).first()
                          or "")
            subject, body = message_text(made, first_name)
            try:
                if connection is None:
                    connection = get_connection(fail_silently=False)
                    connection.open()
                EmailMessage(subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=[made.to],
                             connection=connection, headers={"Auto-Submitted": "auto-generated"}).send()
            except Exception as exc:  # an SMTP error: shown on the ask, not retried (a thank-you can wait)
                connection = None
                PromoterAsk.objects.filter(pk=ask_id).update(status=PromoterAsk.Status.FAILED,
                                                             error=f"{type(exc).__name__}: {exc}"[:500])
                failed += 1
                continue
            PromoterAsk.objects.filter(pk=ask_id).update(status=PromoterAsk.Status.SENT, sent_at=timezone.now())
            sent += 1
    finally:
        if connection is not None:
            with contextlib.suppress(Exception):  # closing a broken connection is not worth a failure
                connection.close()
    return {"sent": sent, "failed": failed, "uncertain": uncertain}


def follow_link(token: str) -> str | None:
    """The review page of an ask, counting the click (the first one's time is kept); None for an
    unknown token."""
    found = PromoterAsk.objects.filter(token=token).values_list("id", "review_url").first()
    if found is None:
        return None
    ask_id, url = found
    PromoterAsk.objects.filter(pk=ask_id).update(clicks=F("clicks") + 1)
    PromoterAsk.objects.filter(pk=ask_id, clicked_at__isnull=True).update(clicked_at=timezone.now())
    return url
