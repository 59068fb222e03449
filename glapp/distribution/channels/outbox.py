"""The local outboxes (e-mail written as files when no SMTP server is configured, SMS written to a
JSONL file): erasure takes a person's messages out of them. Messages already handed to an SMTP
server or an SMS provider are beyond glapp's reach (docs/privacy.md)."""

import os
from pathlib import Path

from django.conf import settings

# Django's file-based e-mail backend ends every message with a line of 79 dashes.
EMAIL_SEPARATOR = b"\n" + b"-" * 79 + b"\n"


def _replace(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.erasing-{os.getpid()}")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def _forget_in_mail_file(path: Path, needles) -> int:
    data = path.read_bytes()
    parts = data.split(EMAIL_SEPARATOR)
    kept = [p for p in parts if not needles.found_in(p.decode("utf-8", "replace"))]
    if len(kept) == len(parts):
        return 0
    if not any(p.strip() for p in kept):
        path.unlink(missing_ok=True)
    else:
        _replace(path, EMAIL_SEPARATOR.join(kept))
    return len(parts) - len(kept)


def _forget_in_sms_outbox(path: Path, needles) -> int:
    lines = path.read_bytes().splitlines(keepends=True)
    kept = [line for line in lines if not needles.found_in(line.decode("utf-8", "replace"))]
    if len(kept) != len(lines):
        _replace(path, b"".join(kept))
    return len(lines) - len(kept)


def forget_in_outboxes(needles) -> int:
    """Remove every locally written message that names the person (their address, number or
    the token of one of their links); returns the messages removed."""
    removed = 0
    mail_dir = getattr(settings, "EMAIL_FILE_PATH", None)
    if mail_dir and Path(mail_dir).is_dir():
        for path in sorted(Path(mail_dir).iterdir()):
            if path.is_file() and not path.name.startswith("."):
                removed += _forget_in_mail_file(path, needles)
    sms = Path(settings.GLAPP_SMS_OUTBOX)
    if sms.is_file():
        removed += _forget_in_sms_outbox(sms, needles)
    return removed
