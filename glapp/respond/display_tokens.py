"""Single-use display tokens: the widget's right to count one display.

An anonymous POST could otherwise add displays without end, and each lowers the widget's
response rate (the displays are its denominator). So the widget first asks for a token, right
before it shows the survey; a token is signed (nobody can make one up), names its survey,
expires after `MAX_AGE`, and carries a random nonce that is stored with the display under a
unique constraint: a token counts once, however often it is posted. How many tokens one client
address may ask for is limited in the cache (`GLAPP_WIDGET_DISPLAY_LIMIT`), so no database row
is written for a refused one."""

import secrets

from django.core import signing

SIGNER = signing.TimestampSigner(salt="glapp.respond.display-token")
MAX_AGE = 10 * 60  # seconds between asking for the token and posting the display: one page view


def issue(public_token: str) -> str:
    return SIGNER.sign(f"{public_token}:{secrets.token_urlsafe(16)}")


def nonce_of(public_token: str, token) -> str | None:
    """The nonce of a valid token for this survey; None when forged, expired or another survey's."""
    try:
        value = SIGNER.unsign(str(token or ""), max_age=MAX_AGE)
    except signing.BadSignature:  # SignatureExpired included
        return None
    survey_token, _, nonce = value.rpartition(":")
    return nonce if survey_token == public_token and nonce else None
