"""Single sign-on through an OpenID Connect provider (mozilla-django-oidc's code flow).

Who may come in this way: a person glapp already knows, found by an e-mail address the
provider says it has verified, who is a member of an organization. glapp creates no one
(`OIDC_CREATE_USER = False`): being known to the company's provider is not being invited.
The ID token must be signed by the provider's key (JWKS), unexpired, issued by the configured
issuer to this client, and carry the nonce of this sign-in; anything else is refused.
"""

import enum
import logging

import jwt
import requests
from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from glapp.accounts.models import Membership, User

log = logging.getLogger(__name__)

REFUSAL_ATTR = "glapp_oidc_refusal"  # why the sign-in was refused, for the message on the login page


class Refusal(enum.StrEnum):
    UNKNOWN = "unknown"  # no member with that e-mail
    UNVERIFIED = "unverified"  # the provider does not vouch for the e-mail
    AMBIGUOUS = "ambiguous"  # two people share it
    TOKEN = "token"  # noqa: S105 - the answer could not be trusted: signature, expiry, issuer, audience, nonce


class OIDCBackend(OIDCAuthenticationBackend):
    def authenticate(self, request, **kwargs):
        try:
            return super().authenticate(request, **kwargs)
        except (SuspiciousOperation, jwt.InvalidTokenError, requests.RequestException) as exc:
            log.warning("oidc sign-in refused: %s", exc)
            self._refuse(Refusal.TOKEN)
            return None

    def verify_token(self, token, **kwargs):
        payload = super().verify_token(token, **kwargs)  # signature, expiry (PyJWT) and nonce
        if "exp" not in payload:
            raise SuspiciousOperation("ID token without an expiry")
        audience = payload.get("aud")
        audiences = audience if isinstance(audience, list) else [audience]
        if settings.OIDC_RP_CLIENT_ID not in audiences:
            raise SuspiciousOperation("ID token issued to another client")
        if payload.get("iss") != settings.GLAPP_OIDC_ISSUER:
            raise SuspiciousOperation("ID token from another issuer")
        return payload

    def filter_users_by_claims(self, claims):
        email = (claims.get("email") or "").strip()
        if not email:
            self._refuse(Refusal.UNKNOWN)
            return User.objects.none()
        if claims.get("email_verified") is not True:
            self._refuse(Refusal.UNVERIFIED)
            return User.objects.none()
        members = User.objects.filter(
            email__iexact=email, is_active=True,
            pk__in=Membership.objects.values("user_id")).distinct()
        found = list(members[:2])
        if len(found) > 1:
            self._refuse(Refusal.AMBIGUOUS)
            return User.objects.none()
        if not found:
            self._refuse(Refusal.UNKNOWN)
        return members

    def _refuse(self, why: Refusal) -> None:
        if getattr(self, "request", None) is not None and not hasattr(self.request, REFUSAL_ATTR):
            setattr(self.request, REFUSAL_ATTR, why)
