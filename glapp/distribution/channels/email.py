"""E-mail invitations: multipart (text + HTML), RFC 8058 one-click unsubscribe, sent through
Django's mail API (the SMTP backend in production)."""

import re
import secrets
import smtplib
import sys
from email.policy import compat32

from django.core.mail import EmailMultiAlternatives, get_connection
from django.template.loader import render_to_string

from glapp.distribution.channels import DeliveryError, Rejected, TemporaryFailure
from glapp.distribution.channels.content import from_header, invitation_text, message_id
from glapp.distribution.models import Invitation

# A header line the stdlib would write unchanged: printable ASCII words separated by single spaces.
PLAIN_HEADER = re.compile(r"[!-~]+(?: [!-~]+)*")


class _PlainHeaders(type(compat32)):
    """Django's policy (compat32) with a shortcut: a header that is plain ASCII and fits on one
    line is written as is. The stdlib would wrap it in a `Header` and encode it to the same
    text, which costs more than the rest of the message (tests/distribution/test_email_render.py
    checks the bytes are identical)."""

    def _fold(self, name, value, sanitize):
        if (isinstance(value, str) and len(name) + 2 + len(value) <= (self.max_line_length or sys.maxsize)
                and PLAIN_HEADER.fullmatch(value)):
            return f"{name}: {value}{self.linesep}"
        return super()._fold(name, value, sanitize)


PLAIN_HEADERS = _PlainHeaders()


def _boundary(parts: list[str]) -> str:
    """A MIME boundary in the stdlib's format that none of the parts contains. Chosen here, the
    generator skips compiling a regular expression per message to search for a free one."""
    while True:
        boundary = "=" * 15 + f"{secrets.randbelow(sys.maxsize):019d}" + "=="
        if not any(boundary in part for part in parts):
            return boundary


class InvitationEmail(EmailMultiAlternatives):
    """An invitation e-mail; its MIME message is flattened with `PLAIN_HEADERS` and a boundary
    chosen up front (same bytes as Django's, apart from the random boundary)."""

    def message(self):
        msg = super().message()
        msg.policy = PLAIN_HEADERS
        if msg.is_multipart() and msg.get_boundary() is None:
            msg.set_boundary(_boundary([self.body, *(content for content, _mimetype in self.alternatives)]))
        return msg


def build_email(invitation: Invitation, reminder: bool = False, connection=None) -> EmailMultiAlternatives:
    text = invitation_text(invitation, reminder)
    context = {"t": text, "language": invitation.language}
    mail = InvitationEmail(
        subject=text.subject,
        body=render_to_string("distribution/email/invitation.txt", context),
        from_email=from_header(invitation.organization.name),
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
