"""What an invitation says, in its language: shared by the e-mail and SMS channels."""

import functools
import hashlib
import re
import unicodedata
from dataclasses import dataclass
from email.utils import formataddr, parseaddr

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext

from glapp.core import links
from glapp.distribution.models import Invitation
from glapp.surveys import piping


@dataclass(frozen=True)
class InvitationText:
    subject: str
    greeting: str
    intro: str
    question: str
    action: str
    link: str
    unsubscribe_url: str
    pixel_url: str
    organization: str
    footer: str


def header_safe(text: str) -> str:
    """`text` on one line: control characters (CR, LF, tabs …) and line separators become
    spaces, so an organization name can never start a new mail header or break an SMS."""
    cleaned = "".join(" " if unicodedata.category(char) in ("Cc", "Zl", "Zp") else char for char in text)
    return " ".join(cleaned.split())


def sender_address() -> str:
    """The address part of DEFAULT_FROM_EMAIL."""
    return parseaddr(settings.DEFAULT_FROM_EMAIL)[1] or settings.DEFAULT_FROM_EMAIL


def from_header(organization: str) -> str:
    """The organization as display name, DEFAULT_FROM_EMAIL's address: the customer sees who
    asks. Non-ASCII names are RFC 2047 encoded, quotes and commas quoted."""
    name = header_safe(organization) or parseaddr(settings.DEFAULT_FROM_EMAIL)[0]
    return formataddr((name, sender_address()))


DOMAIN = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?")


def _message_domain() -> str:
    domain = sender_address().rpartition("@")[2]
    return domain if DOMAIN.fullmatch(domain) else "glapp"


def absolute(path: str) -> str:
    return links.absolute(path)


def first_question(invitation: Invitation) -> str:
    """The wording of the survey's first question in the invitation's language, as published."""
    version = invitation.survey.current_version
    questions = (version.definition.get("questions") if version else None) or []
    if not questions:
        return ""
    texts = questions[0].get("texts") or {}
    return texts.get(invitation.language) or next(iter(texts.values()), "")


@functools.lru_cache(maxsize=512)
def _fixed_texts(language: str, organization: str, reminder: bool) -> tuple[str, str, str, str, str]:
    """subject, intro, greeting (with its placeholder), action and footer in one language.

    Cached: they depend only on the arguments (the catalogs are loaded once per process), and
    switching the active language per message costs more than the rest of the wording."""
    with translation.override(language):
        if reminder:
            subject = gettext("Reminder: %(organization)s would like to hear from you") % {
                "organization": organization}
            intro = gettext("A few days ago we asked about your experience. It takes a minute, "
                            "and it helps us improve.")
        else:
            subject = gettext("%(organization)s: how did we do?") % {"organization": organization}
            intro = gettext("Thank you for choosing %(organization)s. We would like to hear how it went.") % {
                "organization": organization}
        greeting = gettext("Hello {first_name},")
        action = gettext("Answer the survey")
        footer = gettext("You receive this because you were a customer of %(organization)s. "
                         "Don't want any more surveys? Unsubscribe:") % {"organization": organization}
    return subject, intro, greeting, action, footer


def invitation_text(invitation: Invitation, reminder: bool = False) -> InvitationText:
    organization = header_safe(invitation.organization.name)
    context = dict(invitation.context or {})
    subject, intro, greeting, action, footer = _fixed_texts(invitation.language, organization, reminder)
    greeting = piping.render(greeting, context, invitation.language)
    question = piping.render(first_question(invitation), context, invitation.language)
    return InvitationText(
        subject=subject, greeting=greeting, intro=intro, question=question, action=action,
        link=absolute(f"/r/{invitation.token}/"), unsubscribe_url=absolute(f"/u/{invitation.token}/"),
        pixel_url=absolute(f"/r/{invitation.token}/o.gif"), organization=organization, footer=footer,
    )


def message_id(invitation: Invitation, reminder: bool = False) -> str:
    """`<inv-<id>[-r].<hash of the token>@<sender's domain>>`: deterministic per invitation (a
    resend, which the dispatcher never does, would be recognisable; bounces name it), and unique
    beyond this installation (ids restart in another database, tokens do not repeat). The demo
    passes only the id: then the hash is left out."""
    token = getattr(invitation, "token", "")
    digest = "." + hashlib.sha256(token.encode()).hexdigest()[:12] if token else ""
    return f"<inv-{invitation.pk}{'-r' if reminder else ''}{digest}@{_message_domain()}>"
