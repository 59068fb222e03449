"""Export of responses in glapp's tabular CSV format (the format import reads without a mapping).

Rows come from `queries.iter_responses`, so the export applies exactly the filters (and the
unit scoping) of the API and the web list. Output is produced row by row: a million-row
export streams with flat memory, to a file or to an HTTP response.
"""

import csv
from collections.abc import Iterator

from django.utils import timezone

from glapp.accounts.queries import Access
from glapp.responses.importing.keys import EXPORT_KEY_PREFIX
from glapp.responses.queries import ResponseFilter, answer_map, filtered_responses, iter_responses
from glapp.responses.tabular import guard_formula, header, raw_to_row
from glapp.surveys.models import Question


class _Line:
    """A file-like sink that hands back what csv.writer wrote, for streaming."""

    def write(self, text: str) -> str:
        return text


def export_columns(access: Access, f: ResponseFilter) -> list[str]:
    """The header: the questions of the filtered survey (or all of the organization's, in survey
    and position order) and every metadata key used by the exported responses."""
    questions = Question.objects.for_org(access.organization).order_by("survey__code", "position")
    if f.survey:
        questions = questions.filter(survey__code=f.survey)
    keys = list(dict.fromkeys(questions.values_list("key", flat=True)))
    metadata_keys: set[str] = set()
    for metadata in filtered_responses(access, f).values_list("metadata", flat=True).iterator(chunk_size=5000):
        if metadata:
            metadata_keys.update(metadata)
    return header(keys, sorted(metadata_keys))


def response_to_raw(response, redact: bool = False) -> dict:
    tz = timezone.get_current_timezone()
    return {
        # A response stored without an id (e.g. from a survey page) is named by its pk, which
        # import recognises, so the exported file re-imports as a no-op.
        "external_id": response.external_id or f"{EXPORT_KEY_PREFIX}{response.pk}",
        "survey": response.survey.code,
        "touchpoint": response.touchpoint.code if response.touchpoint else "",
        "unit": response.unit.code if response.unit else "",
        "submitted_at": response.submitted_at.astimezone(tz).isoformat(),
        "channel": response.channel,
        "language": response.language,
        "customer": response.customer.external_id if response.customer else None,
        "segment": response.segment,
        "answers": answer_map(response, redact),
        "metadata": response.metadata,
    }


def iter_csv_lines(access: Access, f: ResponseFilter) -> Iterator[str]:
    """The CSV, one line at a time (header first)."""
    columns = export_columns(access, f)
    writer = csv.writer(_Line())
    yield writer.writerow(columns)
    redact = not access.can("pii")  # comments leave glapp with personal data only for those with PII rights
    for response in iter_responses(access, f):
        yield writer.writerow([guard_formula(c) for c in raw_to_row(response_to_raw(response, redact), columns)])


def write_csv(access: Access, f: ResponseFilter, out) -> int:
    """Write the CSV to an open text file; returns the number of responses written."""
    count = -1
    for count, line in enumerate(iter_csv_lines(access, f)):  # noqa: B007 - the last index is the count
        out.write(line)
    return max(count, 0)
