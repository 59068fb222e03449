"""E-mail invitations: multipart (text + HTML), RFC 8058 one-click unsubscribe, sent through
Django's mail API (the SMTP backend in production)."""

import smtplib

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.template.loader import render_to_string

from glapp.distribution.channels import DeliveryError, Rejected, TemporaryFailure
from glapp.distribution.channels.content import invitation_text, message_id
from glapp.distribution.models import Invitation


def build_email(invitation: Invitation, reminder: bool = False, connection=None) -> EmailMultiAlternatives:
    text = invitation_text(invitation, reminder)
    context = {"t": text, "language": invitation.language}
    mail = EmailMultiAlternatives(
        subject=text.subject,
        body=render_to_string("distribution/email/invitation.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[invitation.customer.email],
        connection=connection,
        headers={
            "Message-ID": message_id(invitation, reminder),
            "List-Unsubscribe": f"<{text.unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
        },
    )
    mail.attach_alternative(render_to_string("distribution/email/invitation.html", context), "text/html")
    return mail


def _smtp_code(exc: smtplib.SMTPRecipientsRefused) -> int:
    codes = [code for code, _message in exc.recipients.values()]
    return min(codes) if codes else 550


def send(invitation: Invitation, reminder: bool = False, connection=None) -> str:
    """Send the invitation (or its reminder); return the Message-ID. Raises a channel error."""
    mail = build_email(invitation, reminder, connection or get_connection(fail_silently=False))
    try:
        mail.send(fail_silently=False)
    except smtplib.SMTPRecipientsRefused as exc:
        # 5xx: the mailbox does not exist or refuses us (a hard bounce); 4xx: try again later.
        if _smtp_code(exc) >= 500:
            raise Rejected(str(exc)) from exc
        raise TemporaryFailure(str(exc)) from exc
    except (smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as exc:
        if exc.smtp_code >= 500:
            raise DeliveryError(f"{exc.smtp_code} {exc.smtp_error!r}") from exc
        raise TemporaryFailure(f"{exc.smtp_code} {exc.smtp_error!r}") from exc
    except (TimeoutError, smtplib.SMTPException, OSError) as exc:
        raise TemporaryFailure(f"{type(exc).__name__}: {exc}") from exc
    return mail.extra_headers["Message-ID"]
