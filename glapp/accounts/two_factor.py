"""Setting up a TOTP app: the key offered while the person scans it, and what the page shows.

The key lives in the session until the person proves it with a code (`actions.confirm_totp`),
so an abandoned set-up leaves nothing behind in the database.
"""

from base64 import b32encode
from binascii import unhexlify
from urllib.parse import quote, urlencode

import segno
from django.conf import settings
from django.utils.safestring import mark_safe
from django_otp.util import random_hex

from glapp.accounts.models import User

SESSION_KEY = "totp_enrolment_key"


def enrolment_key(session) -> str:
    """The key (hex) offered in this session, made on first use."""
    key = session.get(SESSION_KEY)
    if not key:
        key = session[SESSION_KEY] = random_hex(20)
    return key


def forget_enrolment_key(session) -> None:
    session.pop(SESSION_KEY, None)


def setup_for(user: User, key_hex: str) -> dict:
    """What the set-up page shows: the QR code (inline SVG, drawn here, no network), the same
    otpauth:// address, and the secret in base32 for typing in by hand."""
    secret = b32encode(unhexlify(key_hex)).decode()
    issuer = settings.OTP_TOTP_ISSUER
    label = quote(f"{issuer}:{user.get_username()}")
    uri = f"otpauth://totp/{label}?" + urlencode({"secret": secret, "issuer": issuer, "digits": 6, "period": 30})
    qr = segno.make(uri, error="m")
    return {
        # Safe to show as markup: segno draws only paths; the address is in the modules, not text.
        "qr_svg": mark_safe(qr.svg_inline(scale=5, light="#fff")),  # noqa: S308
        "secret": " ".join(secret[i:i + 4] for i in range(0, len(secret), 4)),
        "uri": uri,
    }
