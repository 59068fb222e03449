import csv
import io

import openpyxl
import pytest
from django.core.management import call_command

from glapp.accounts.models import Role
from glapp.accounts.queries import Access
from glapp.responses import exporting
from glapp.responses.actions import ingest_responses
from glapp.responses.catalog import Catalog
from glapp.responses.importing import jobs
from glapp.responses.importing.jobs import run_import, run_import_job
from glapp.responses.importing.mapping import suggest_mapping
from glapp.responses.importing.reading import read_preview
from glapp.responses.models import Answer, ImportJob, Response
from glapp.responses.queries import ResponseFilter
from glapp.responses.validation import clean_response
from tests.factories import response_payload
from tests.importing.test_import_csv import HEADER, row, write_csv

pytestmark = pytest.mark.django_db


def snapshot():
    """What is stored, independent of ids and creation times."""
    return sorted(
        (r.external_id or "", r.survey.code, r.unit.code if r.unit else "", r.submitted_at.isoformat(), r.channel,
         r.customer.external_id if r.customer else "", r.segment, tuple(sorted(r.metadata.items())),
         tuple(sorted((a.question.key, a.number, a.text, tuple(a.choices or ())) for a in r.answers.all())))
        for r in Response.objects.select_related("survey", "unit", "customer").prefetch_related("answers__question")
    )


def export_text(org, **filters) -> str:
    out = io.StringIO()
    exporting.write_csv(Access(org, Role.ADMIN), ResponseFilter(**filters), out)
    return out.getvalue()


def test_export_reimports_as_a_no_op(org, tmp_path):
    run_import(org.id, write_csv(tmp_path / "a.csv", [row(n) for n in range(30)]))
    # Responses from other paths too: one with the sender's id, one with none at all.
    catalog = Catalog.load(org.id)
    ingest_responses(org.id, [clean_response(response_payload(external_id="api-1"), catalog),
                              clean_response(response_payload(customer=None, metadata={"store": "Kista"},
                                                              answers={"nps": 3, "reason": "price"}), catalog)],
                     "api")
    before = snapshot()
    path = tmp_path / "export.csv"
    path.write_text(export_text(org), encoding="utf-8")
    with open(path, encoding="utf-8") as f:
        lines = list(csv.reader(f))
    assert lines[0] == [*HEADER[:-1], "meta.agent", "meta.campaign", "meta.store"]
    assert len(lines) == 33

    report = run_import(org.id, path)
    assert (report.total, report.rejected, report.created, report.duplicates) == (32, 0, 0, 32)
    assert snapshot() == before


def test_export_applies_the_api_filters(org, tmp_path):
    run_import(org.id, write_csv(tmp_path / "a.csv", [row(n) for n in range(22)]))
    text = export_text(org, score_min=9, has_comment=True)
    rows = list(csv.DictReader(io.StringIO(text)))
    expected = [n for n in range(22) if n % 11 >= 9 and n % 3 == 0]
    assert sorted(r["customer_id"] for r in rows) == sorted(f"C-{n}" for n in expected)
    assert export_text(org, survey="nps", unit="acme-south").count("\n") == 1  # header only


def test_export_command_writes_a_file(org, tmp_path):
    run_import(org.id, write_csv(tmp_path / "a.csv", [row(n) for n in range(5)]))
    out = tmp_path / "out.csv"
    call_command("export_responses", "--org", "acme", "--from", "2026-05-02", "--to", "2026-05-03",
                 "--out", str(out), stdout=io.StringIO())
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert sorted(r["customer_id"] for r in rows) == ["C-1", "C-2"]


def write_xlsx(path, columns, rows):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(columns)
    for r in rows:
        sheet.append(r)
    workbook.save(path)
    return path


def test_xlsx_imports_like_the_same_csv(org, tmp_path):
    import datetime as dt

    columns = ["Datum", "Kundnummer", "Betyg", "Kommentar", "survey"]
    xlsx_rows = [
        [dt.datetime(2026, 5, 3, 10, 15), 1001, 9, "Toppen", "nps"],
        [dt.datetime(2026, 5, 4, 8, 0), "K-2", 4.0, None, "nps"],
        [None, None, None, None, None],  # an empty row in the sheet is skipped
        [dt.datetime(2026, 5, 5, 8, 0), "K-3", 14, "<b>fel</b>", "nps"],
    ]
    path = write_xlsx(tmp_path / "a.xlsx", columns, xlsx_rows)
    catalog = Catalog.load(org.id)
    header, _, _ = read_preview(path)
    mapping = suggest_mapping(header, catalog, "nps")
    report = run_import(org.id, path, mapping=mapping)
    assert (report.format, report.created, report.rejected) == ("xlsx", 2, 1)
    assert report.errors == [{"line": 5, "field": "Betyg", "message": "must be between 0 and 10"}]
    stored = Response.objects.get(customer__external_id="1001")
    assert stored.submitted_at.isoformat() == "2026-05-03T08:15:00+00:00"  # Stockholm summer time
    assert Answer.objects.get(response=stored, question__key="nps").number == 9

    # The same rows as CSV are the same responses.
    csv_path = write_csv(tmp_path / "a.csv", [["2026-05-03T10:15:00", "1001", "9", "Toppen", "nps"],
                                              ["2026-05-04 08:00:00", "K-2", "4", "", "nps"]], columns)
    again = run_import(org.id, csv_path, mapping=mapping)
    assert (again.created, again.duplicates) == (0, 2)


def test_a_date_cell_imports_like_the_same_date_in_a_csv(org, tmp_path):
    """Excel stores a date as midnight; formatted as a date alone it is the date a CSV of the
    sheet holds (read as 12:00), so the two files key alike. Midnight formatted with its time
    stays midnight."""
    import datetime as dt

    columns = ["Datum", "Kundnummer", "Betyg", "survey"]
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(columns)
    for day, customer, number_format in ((3, "D-1", "yyyy-mm-dd"), (4, "D-2", "[$-sv-SE]d mmm yyyy"),
                                         (5, "D-3", "yyyy-mm-dd hh:mm"), (6, "D-4", "[$-sv-SE]yyyy-mm-dd h:mm")):
        sheet.append([dt.datetime(2026, 5, day), customer, 9, "nps"])
        sheet.cell(row=sheet.max_row, column=1).number_format = number_format
    workbook.save(tmp_path / "d.xlsx")
    header, _, _ = read_preview(tmp_path / "d.xlsx")
    mapping = suggest_mapping(header, Catalog.load(org.id), "nps")
    assert run_import(org.id, tmp_path / "d.xlsx", mapping=mapping).created == 4
    local = {r.customer.external_id: r.submitted_at.astimezone(dt.timezone(dt.timedelta(hours=2))).time()
             for r in Response.objects.select_related("customer")}
    assert local == {"D-1": dt.time(12), "D-2": dt.time(12), "D-3": dt.time(0), "D-4": dt.time(0)}
    csv_path = write_csv(tmp_path / "d.csv", [["2026-05-03", "D-1", "9", "nps"], ["2026-05-04", "D-2", "9", "nps"]],
                         columns)
    again = run_import(org.id, csv_path, mapping=mapping)
    assert (again.created, again.duplicates) == (0, 2)


def test_interrupted_import_rerun_adds_exactly_the_missing_rows(org, tmp_path):
    rows = [row(n, external_id="R-7" if n == 7 else "") for n in range(50)]
    path = write_csv(tmp_path / "big.csv", rows)
    job = ImportJob.objects.create(organization=org, filename="big.csv", file_sha256="0" * 64)

    class Killed(Exception):
        pass

    def kill_after_two_chunks(report):
        if report.valid >= 20:
            raise Killed("worker died")

    with pytest.raises(Killed):
        run_import_job(job, None, None, path=path, chunk_size=10, after_chunk=kill_after_two_chunks)
    job.refresh_from_db()
    assert (job.status, job.created_count) == ("failed", 20)  # recorded after each committed chunk
    assert "worker died" in job.message
    assert Response.objects.count() == 20  # two committed chunks survive the crash

    rerun = ImportJob.objects.create(organization=org, filename="big.csv", file_sha256="0" * 64)
    report = run_import_job(rerun, None, None, path=path, chunk_size=10)
    assert (report.created, report.duplicates) == (30, 20)
    assert Response.objects.count() == 50
    assert Response.objects.values("external_id").distinct().count() == 50
    rerun.refresh_from_db()
    assert (rerun.status, rerun.created_count, rerun.duplicate_count, rerun.total_rows) == ("done", 30, 20, 50)
    assert rerun.finished_at is not None


def test_first_half_then_whole_file(org, tmp_path):
    rows = [row(n) for n in range(40)]
    run_import(org.id, write_csv(tmp_path / "half.csv", rows[:20]))
    report = run_import(org.id, write_csv(tmp_path / "all.csv", rows))
    assert (report.created, report.duplicates) == (20, 20)
    assert Response.objects.count() == 40


def test_error_list_is_capped_but_every_row_counted(org, tmp_path, monkeypatch):
    monkeypatch.setattr(jobs, "ERROR_CAP", 5)
    path = write_csv(tmp_path / "bad.csv", [row(n, nps="x") for n in range(12)])
    report = run_import(org.id, path, dry_run=True)
    assert (report.rejected, report.error_count, len(report.errors)) == (12, 12, 5)
    assert [e["line"] for e in report.errors] == [2, 3, 4, 5, 6]


def test_export_saved_as_xlsx_reimports_as_a_no_op(org, tmp_path):
    run_import(org.id, write_csv(tmp_path / "a.csv", [row(n, comment="Ok; “fint”, tack") for n in range(9)]))
    before = snapshot()
    lines = list(csv.reader(io.StringIO(export_text(org))))
    path = write_xlsx(tmp_path / "export.xlsx", lines[0], lines[1:])
    report = run_import(org.id, path)
    assert (report.format, report.total, report.rejected, report.created, report.duplicates) == ("xlsx", 9, 0, 0, 9)
    assert snapshot() == before


def test_export_guards_formulas_and_import_restores_them(org, tmp_path):
    comments = ['=HYPERLINK("http://evil.example","klicka")', "-bra men dyrt", "@kundtjänst svarade", "it's fine"]
    run_import(org.id, write_csv(tmp_path / "a.csv", [row(n, comment=c, **{"meta.campaign": c})
                                                                for n, c in enumerate(comments)]))
    before = snapshot()
    text = export_text(org)
    exported = list(csv.DictReader(io.StringIO(text)))
    assert sorted(r["comment"] for r in exported) == sorted(
        ["'=HYPERLINK(\"http://evil.example\",\"klicka\")", "'-bra men dyrt", "'@kundtjänst svarade", "it's fine"])
    assert all(not r["meta.campaign"].startswith(("=", "-", "@")) for r in exported)

    # Into an empty organization state: the stored texts are the originals, not the guarded ones.
    Answer.objects.all().delete()
    Response.objects.all().delete()
    path = tmp_path / "export.csv"
    path.write_text(text, encoding="utf-8")
    assert run_import(org.id, path).created == 4
    assert snapshot() == before
