"""Keyed hashes of erased customers' identifiers.

An identifier is normalised (an external id as given, an e-mail in lower case, a phone number
without spaces, dashes or parentheses and with 00 written +) and hashed with HMAC-SHA256 on the
installation's secret key, per organization and kind. Without the key the digests cannot be
checked against a list of e-mail addresses or phone numbers; with it, glapp can tell that an
incoming identifier was erased. A rotated key keeps working while the old one is listed in
SECRET_KEY_FALLBACKS (every key is tried on lookup; new tombstones use the current one).
"""

import hashlib
import hmac
import re
from collections.abc import Iterable

from django.conf import settings

EXTERNAL_ID, EMAIL, PHONE = "external_id", "email", "phone"
SALT = b"glapp.contacts.tombstone"


def normalise(kind: str, value: str | None) -> str:
    """The identifier as compared ("" when there is none)."""
    value = (value or "").strip()
    if not value:
        return ""
    if kind == EMAIL:
        return value.lower()
    if kind == PHONE:
        value = re.sub(r"[\s().-]", "", value)
        return "+" + value[2:] if value.startswith("00") else value
    return value


def _keys() -> list[bytes]:
    keys = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return [hashlib.sha256(SALT + str(key).encode()).digest() for key in keys]


def _digest(key: bytes, organization_id: int, kind: str, normalised: str) -> str:
    message = f"{organization_id}\x1f{kind}\x1f{normalised}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def digest(organization_id: int, kind: str, value: str | None) -> str:
    """The digest a new tombstone stores ("" for an empty identifier)."""
    normalised = normalise(kind, value)
    return _digest(_keys()[0], organization_id, kind, normalised) if normalised else ""


def candidate_digests(organization_id: int, identifiers: Iterable[tuple[str, str | None]]) -> dict[str, int]:
    """Digest → index into `identifiers` ((kind, value) pairs), under the current key and every
    fallback key, for a lookup."""
    keys = _keys()
    out: dict[str, int] = {}
    for index, (kind, value) in enumerate(identifiers):
        normalised = normalise(kind, value)
        if normalised:
            for key in keys:
                out[_digest(key, organization_id, kind, normalised)] = index
    return out
