import csv
import io

import pytest
from django.core.management import call_command

from glapp.responses.catalog import Catalog
from glapp.responses.importing.jobs import run_import
from glapp.responses.importing.mapping import RowMapper, check_mapping, suggest_mapping
from glapp.responses.importing.reading import read_preview
from glapp.responses.models import Answer, ImportJob, ImportSource, Response
from glapp.responses.tabular import header, row_to_raw

pytestmark = pytest.mark.django_db

HEADER = header(["nps", "ces", "reason", "comment"], ["campaign"])


def write_csv(path, rows, columns=HEADER, delimiter=",", encoding="utf-8"):
    with open(path, "w", newline="", encoding=encoding) as f:
        writer = csv.writer(f, delimiter=delimiter)
        writer.writerow(columns)
        writer.writerows(rows)
    return path


def row(n, **overrides):
    values = {
        "external_id": "", "survey": "nps", "touchpoint": "", "unit": "acme-north-store",
        "submitted_at": f"2026-05-{1 + n % 28:02d}T10:{n % 60:02d}:00+02:00", "channel": "email",
        "language": "sv", "customer_id": f"C-{n}", "segment": "private", "nps": str(n % 11), "ces": "",
        "reason": "price" if n % 2 else "", "comment": "Bra service, snabbt svar" if n % 3 == 0 else "",
        "meta.campaign": "vår",
    }
    values.update(overrides)
    return [values[c] for c in HEADER]


def test_import_then_reimport_creates_no_duplicates(org, tmp_path):
    path = write_csv(tmp_path / "a.csv", [row(n) for n in range(12)])
    report = run_import(org.id, path, chunk_size=5)
    assert (report.total, report.valid, report.rejected, report.created, report.duplicates) == (12, 12, 0, 12, 0)
    assert Response.objects.filter(organization=org).count() == 12
    first_keys = set(Response.objects.values_list("external_id", flat=True))
    assert all(k.startswith("import:") and len(k) == 39 for k in first_keys)
    stored = Response.objects.get(customer__external_id="C-3")
    assert stored.metadata == {"campaign": "vår"}
    assert stored.unit.code == "acme-north-store"
    assert stored.has_comment
    assert stored.source == "import"

    again = run_import(org.id, path)
    assert (again.created, again.duplicates) == (0, 12)
    assert Response.objects.count() == 12
    assert Answer.objects.count() == sum(1 + (n % 2) + (n % 3 == 0) for n in range(12))


def test_external_id_is_the_key(org, tmp_path):
    run_import(org.id, write_csv(tmp_path / "a.csv", [row(1, external_id="R-1")]))
    # Same id, different content: still the same response (the sender's id wins).
    report = run_import(org.id, write_csv(tmp_path / "b.csv", [row(1, external_id="R-1", nps="2")]))
    assert (report.created, report.duplicates) == (0, 1)
    assert Response.objects.get().external_id == "R-1"


def test_identical_rows_without_customer_or_time_are_each_kept_once(org, tmp_path):
    columns = ["survey", "submitted_at", "nps"]
    rows = [["nps", "2026-05-03", "9"]] * 3 + [["nps", "2026-05-03", "7"]]
    path = write_csv(tmp_path / "paper.csv", rows, columns)
    assert run_import(org.id, path).created == 4
    assert run_import(org.id, path).created == 0
    # A second file with one of those rows: the same response, not a new one.
    other = write_csv(tmp_path / "one.csv", [["nps", "2026-05-03", "9"]], columns)
    assert run_import(org.id, other).duplicates == 1
    assert Response.objects.count() == 4


def test_same_content_in_other_notation_is_the_same_row(org, tmp_path):
    run_import(org.id, write_csv(tmp_path / "a.csv", [row(5)]))
    variant = row(5, nps="5.0", submitted_at="2026-05-06 08:05:00+00:00")  # same instant, other notation
    report = run_import(org.id, write_csv(tmp_path / "b.csv", [variant]))
    assert (report.created, report.duplicates) == (0, 1)


def test_dry_run_reports_exact_lines_and_reasons_and_writes_nothing(org, tmp_path):
    rows = [
        row(1),
        row(2, nps="11"),
        row(3, survey="nope"),
        row(4),
        row(5, submitted_at="igår", channel="pigeon"),
    ]
    path = tmp_path / "bad.csv"
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(HEADER)
        writer.writerows(rows[:3])
        f.write("\n")  # a blank line still counts as a line of the file
        writer.writerows(rows[3:])
    report = run_import(org.id, path, dry_run=True, chunk_size=1)
    assert (report.total, report.valid, report.rejected, report.created) == (5, 2, 3, 2)
    assert report.errors == [
        {"line": 3, "field": "nps", "message": "must be between 0 and 10"},
        {"line": 4, "field": "survey", "message": "no active survey with code 'nope'"},
        {"line": 7, "field": "channel", "message": "must be one of: app, email, link, other, phone, sms, store, "
                                                   "web, widget"},
        {"line": 7, "field": "submitted_at", "message": "is not a date or an ISO 8601 timestamp"},
    ]
    assert Response.objects.count() == 0
    assert ImportJob.objects.count() == 0


def test_rejected_rows_are_skipped_and_the_rest_imported(org, tmp_path):
    path = write_csv(tmp_path / "a.csv", [row(1), row(2, nps="eleven"), row(3)])
    report = run_import(org.id, path)
    assert (report.created, report.rejected) == (2, 1)
    assert report.errors == [{"line": 3, "field": "nps", "message": "must be a whole number"}]


def test_multiline_comment_keeps_line_numbers_right(org, tmp_path):
    path = write_csv(tmp_path / "a.csv", [row(1, comment="rad ett\nrad två\nrad tre"), row(2, nps="x")])
    report = run_import(org.id, path)
    assert report.created == 1
    assert report.errors[0]["line"] == 5  # header 1, the first record spans lines 2-4
    assert Answer.objects.get(question__key="comment").text == "rad ett\nrad två\nrad tre"


@pytest.mark.parametrize(("delimiter", "encoding"), [(";", "cp1252"), ("\t", "utf-8-sig"), (";", "utf-8")])
def test_swedish_excel_exports_are_decoded(org, tmp_path, delimiter, encoding):
    rows = [row(3, comment="Åsa på Öland tyckte det var märkligt – men bra", **{"meta.campaign": "höst"})]
    path = write_csv(tmp_path / "x.csv", rows, delimiter=delimiter, encoding=encoding)
    report = run_import(org.id, path)
    assert report.created == 1, report.errors
    assert report.delimiter == delimiter
    assert report.encoding == encoding
    stored = Response.objects.get()
    assert stored.metadata == {"campaign": "höst"}
    assert Answer.objects.get(question__key="comment").text == "Åsa på Öland tyckte det var märkligt – men bra"


def test_swedish_headers_are_suggested(org, tmp_path):
    columns = ["Datum", "Kundnummer", "Betyg", "Kommentar", "Butik", "Kampanj"]
    path = write_csv(tmp_path / "s.csv", [["2026-05-03", "K-77", "3", "Dålig kö", "acme-south-store", "x"]],
                     columns, delimiter=";", encoding="cp1252")
    header_, _, _ = read_preview(path)
    mapping = suggest_mapping(header_, Catalog.load(org.id), "nps")
    assert mapping == {"Datum": "submitted_at", "Kundnummer": "customer_id", "Betyg": "nps",
                       "Kommentar": "comment", "Butik": "unit", "Kampanj": "meta.kampanj"}
    report = run_import(org.id, path, mapping=mapping, defaults={"survey": "nps", "channel": "sms"})
    assert report.created == 1, report.errors
    stored = Response.objects.get()
    assert (stored.channel, stored.customer.external_id, stored.unit.code) == ("sms", "K-77", "acme-south-store")
    assert stored.metadata == {"kampanj": "x"}


def test_row_mapper_agrees_with_tabular_row_to_raw():
    columns = ["Kund", "Betyg", "x", "survey", "meta.a", "Ignore"]
    mapping = {"Kund": "customer_id", "Betyg": "nps", "Ignore": "", "x": "meta.x"}
    defaults = {"survey": "nps", "channel": "web", "meta.b": "2", "customer_id": "C-0"}
    mapper = RowMapper(columns, mapping, defaults)
    for cells in (["K1", " 9 ", "", "", "v", "zz"], ["", "", "y", "other", "", ""], ["K2", "3"]):
        padded = [*cells, *[""] * (len(columns) - len(cells))]
        assert mapper(cells) == row_to_raw(dict(zip(columns, padded, strict=True)), mapping, defaults)


def test_mapping_problems_are_named(org):
    catalog = Catalog.load(org.id)
    problems = check_mapping(["a", "b", "c"], {"a": "nps", "b": "nps", "c": "meta.bad key"}, catalog,
                                       {"colour": "red"})
    assert problems == [
        "b: 'nps' is already mapped from 'a'",
        "c: 'meta.bad key' is not a valid metadata key (letters, digits, _ and -)",
        "'colour' cannot have a default (one of: survey, touchpoint, unit, channel, language, segment, meta.<key>)",
    ]


def test_cli_saves_and_reuses_mapping(org, tmp_path):
    columns = ["Datum", "Poäng", "Fritext"]
    path = write_csv(tmp_path / "k.csv", [["2026-05-03 09:00", "8", "Trevligt"]], columns)
    out = io.StringIO()
    call_command("import_responses", str(path), "--org", "acme", "--source", "Kundtjänst", "--map", "Poäng=nps",
                 "--set", "survey=nps", "--set", "channel=phone", "--save-mapping", stdout=out)
    source = ImportSource.objects.get(organization=org, name="Kundtjänst")
    assert source.mapping == {"Datum": "submitted_at", "Poäng": "nps", "Fritext": "comment"}
    assert source.defaults == {"survey": "nps", "channel": "phone"}
    assert Response.objects.get().channel == "phone"
    job = ImportJob.objects.get()
    assert (job.status, job.created_count, job.source_id, job.dry_run) == ("done", 1, source.id, False)

    second = write_csv(tmp_path / "k2.csv", [["2026-05-04 09:00", "2", "Sämre"]], columns)
    out = io.StringIO()
    call_command("import_responses", str(second), "--org", "acme", "--source", "Kundtjänst", stdout=out)
    assert Response.objects.count() == 2
    assert Response.objects.order_by("submitted_at").last().channel == "phone"
    assert "created 1" in out.getvalue()


def test_cli_reports_rejected_rows_and_writes_them_out(org, tmp_path):
    path = write_csv(tmp_path / "a.csv", [row(1), row(2, nps="99")])
    rejected = tmp_path / "rejected.csv"
    out = io.StringIO()
    call_command("import_responses", str(path), "--org", "acme", "--dry-run", "--errors-out", str(rejected),
                 stdout=out)
    text = out.getvalue()
    assert "1 rejected" in text and "must be between 0 and 10" in text
    with open(rejected, encoding="utf-8") as f:
        lines = list(csv.reader(f))
    # The file's own columns, then the reason (docs/importing.md, "The error file").
    assert lines[0] == [*HEADER, "import_error"]
    assert lines[1][:-1] == row(2, nps="99") and lines[1][-1] == "line 3: nps: must be between 0 and 10"
    assert Response.objects.count() == 0


def test_cli_fails_on_unreadable_file(org, tmp_path):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="cannot read"):
        call_command("import_responses", str(tmp_path / "missing.csv"), "--org", "acme")
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(CommandError, match="no header"):
        call_command("import_responses", str(empty), "--org", "acme")
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(CommandError, match="cannot read"):
        call_command("import_responses", str(broken), "--org", "acme")
