"""How an imported row without an external id is known again: by the id export writes for a
response stored without one, or by a natural key derived from its cleaned content."""

import datetime as dt
import hashlib

from glapp.responses.models import Response
from glapp.responses.validation import CleanResponse

NATURAL_KEY_PREFIX = "import:"
EXPORT_KEY_PREFIX = "glapp:"  # export's id for a response that has no external id: "glapp:<pk>"


def content_digest(clean: CleanResponse, with_time: bool) -> bytes:
    """A digest of what the row says, after cleaning (so "9", "9.0" and 9 agree, and a
    timestamp in any offset is the same instant)."""
    parts = [
        str(clean.survey_id),
        clean.customer["external_id"] if clean.customer else "",
        clean.submitted_at.astimezone(dt.UTC).isoformat() if with_time else "",
    ]
    for a in sorted(clean.answers, key=lambda a: a.question_id):
        choices = "|".join(a.choices) if a.choices is not None else ""
        parts.append(f"{a.question_id}\x1f{'' if a.number is None else a.number}\x1f{a.text}\x1f{choices}")
    for key in sorted(clean.metadata):
        parts.append(f"{key}\x1f{clean.metadata[key]}")
    return hashlib.sha256("\x1e".join(parts).encode()).digest()


class NaturalKeys:
    """Keys for rows without an external id. The n-th identical row of a file gets its own
    key (identical rows are real, e.g. many "9" scores on one day with no customer), and
    the n-th occurrence keys the same in every file, so re-imports stay no-ops."""

    def __init__(self):
        self.seen: dict[int, int] = {}  # 8 bytes of digest → occurrences (small ints: ~70 B a row)

    def key(self, clean: CleanResponse, with_time: bool) -> str:
        digest = content_digest(clean, with_time)
        short = int.from_bytes(digest[:8], "big")
        count = self.seen.get(short, 0) + 1
        self.seen[short] = count
        if count > 1:
            digest = hashlib.sha256(digest + b"#%d" % count).digest()
        return NATURAL_KEY_PREFIX + digest.hex()[:32]


def known_export_ids(organization_id: int, chunk: list[CleanResponse]) -> set[str]:
    """Export writes "glapp:<pk>" for responses stored without an external id; such a row
    is the stored response itself when the pk and the instant match."""
    wanted = {}
    for r in chunk:
        if r.external_id and r.external_id.startswith(EXPORT_KEY_PREFIX):
            pk = r.external_id[len(EXPORT_KEY_PREFIX):]
            if pk.isdigit():
                wanted[int(pk)] = r
    if not wanted:
        return set()
    rows = (Response.objects.for_org(organization_id)
            .filter(pk__in=list(wanted), external_id__isnull=True).values_list("pk", "submitted_at"))
    return {EXPORT_KEY_PREFIX + str(pk) for pk, at in rows if wanted[pk].submitted_at == at}
