"""Inviting a person: the e-mail with the link where they set their password, sent through
Django's mail API (the SMTP backend in a deployment), in the organization's language.

The link carries Django's password-reset token, which is tied to the account's password and last
sign-in: it works once (setting the password changes what it was made from) and expires after
PASSWORD_RESET_TIMEOUT. glapp stores nothing else for it.
"""

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from glapp.accounts.models import Organization, User
from glapp.core import links

LINK_DAYS = max(1, settings.PASSWORD_RESET_TIMEOUT // 86400)


def set_password_url(user: User) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    path = reverse("signin:welcome", args=[uid, default_token_generator.make_token(user)])
    return links.absolute(path)


def send_invitation(user: User, org: Organization, inviter: User | None) -> None:
    """Send the invitation (raises the mail backend's error when it cannot be sent: the caller
    says so and offers to send it again). A person who already has a password gets a sign-in
    link instead of a set-password link."""
    language = user.language or org.default_language
    with translation.override(language):
        context = {
            "org": org, "user": user, "inviter": inviter, "days": LINK_DAYS,
            "url": set_password_url(user) if not user.has_usable_password() else links.absolute(reverse("web:login")),
            "needs_password": not user.has_usable_password(),
        }
        subject = _("You are invited to %(organization)s on glapp") % {"organization": org.name}
        text = render_to_string("accounts/email/invitation.txt", context)
        html = render_to_string("accounts/email/invitation.html", context)
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [user.email])
    message.attach_alternative(html, "text/html")
    message.send()
