"""Cursor pagination over "newest first" lists: a cursor is the last row's (time, id), opaque to
clients, so pages never skip or repeat a row while new ones arrive (an offset would)."""

import base64
import datetime as dt

from glapp.core.errors import FieldError, ValidationFailed


def encode_cursor(stamp: dt.datetime, pk: int) -> str:
    return base64.urlsafe_b64encode(f"{stamp.isoformat()}|{pk}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[dt.datetime, int]:
    """(time, id) of the row a page ended on; a cursor no page returned is a field error."""
    try:
        stamp, pk = base64.urlsafe_b64decode((cursor + "=" * (-len(cursor) % 4)).encode()).decode().split("|")
        return dt.datetime.fromisoformat(stamp), int(pk)
    except (ValueError, UnicodeDecodeError):
        raise ValidationFailed([FieldError("cursor", "is not a cursor a page returned")]) from None
