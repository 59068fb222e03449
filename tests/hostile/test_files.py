"""Hostile and odd files: non-finite scores and unstorable text are rejected rows, never a failed
import; a UTF-8 file with a bad byte is named by line; XLSX is bounded before parsing, read through
the web upload, and formulas without a saved result are reported; export guards formulas."""

import csv
import io
import zipfile

import openpyxl
import pytest
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse

from glapp.responses.importing.jobs import run_import
from glapp.responses.importing.reading import TableError, open_table
from glapp.responses.importing.xlsx import check_unpacked_sizes
from glapp.responses.models import Answer, ImportJob, Response
from tests.importing.test_import_csv import HEADER, row, write_csv
from tests.importing.test_web import IMMEDIATE, logged_in, mapping_post, upload

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("score", ["nan", "inf", "-inf", "1e309", "Infinity", "NaN"])
def test_a_non_finite_score_is_a_rejected_row_and_the_rest_is_imported(org, tmp_path, score):
    path = write_csv(tmp_path / "a.csv", [row(1), row(2, nps=score), row(3)])
    report = run_import(org.id, path)
    assert (report.created, report.rejected) == (2, 1)
    assert report.errors == [{"line": 3, "field": "nps", "message": "must be a whole number"}]


def test_the_cli_import_survives_a_non_finite_score(org, tmp_path):
    path = write_csv(tmp_path / "a.csv", [row(1, nps="1e309"), row(2)])
    out = io.StringIO()
    call_command("import_responses", str(path), "--org", "acme", stdout=out)
    assert "created 1" in out.getvalue()


@pytest.mark.parametrize(("cell", "column"), [("comment", "comment"), ("meta.campaign", "meta.campaign"),
                                              ("customer_id", "customer_id"), ("external_id", "external_id")])
def test_a_nul_character_is_a_rejected_row_not_a_failed_import(org, tmp_path, cell, column):
    path = write_csv(tmp_path / "a.csv", [row(1), row(2, **{cell: "bad\x00text"}), row(3)])
    report = run_import(org.id, path)
    assert (report.created, report.rejected) == (2, 1)
    [error] = report.errors
    assert error["line"] == 3 and error["message"] == "contains a NUL character"
    assert not Answer.objects.filter(text__contains="bad").exists()


def test_a_utf8_file_with_one_bad_byte_names_the_line(org, tmp_path):
    path = write_csv(tmp_path / "a.csv", [row(1, comment="Åsa på Öland"), row(2, comment="bra")])
    data = path.read_bytes()
    data = data.replace(b"bra", b"br\xe4", 1)  # one cp1252 byte in an otherwise UTF-8 file
    path.write_bytes(data)
    with pytest.raises(TableError) as caught:
        open_table(path)
    message = str(caught.value)
    assert message.startswith("line 3, column ") and "0xE4" in message and "UTF-8" in message
    assert not Response.objects.exists()


def test_a_bad_byte_before_any_utf8_character_is_still_found(org, tmp_path):
    path = write_csv(tmp_path / "a.csv", [row(1, comment="bra"), row(2, comment="Åsa på Öland")])
    path.write_bytes(path.read_bytes().replace(b"bra", b"br\xe4", 1))
    with pytest.raises(TableError, match=r"^line 2, "):
        open_table(path)


def test_a_legacy_file_without_utf8_is_still_read_as_cp1252(org, tmp_path):
    path = write_csv(tmp_path / "a.csv", [row(1, comment="Åsa – bra")], encoding="cp1252")
    assert run_import(org.id, path).created == 1
    assert Answer.objects.get(question__key="comment").text == "Åsa – bra"


def _xlsx(path, rows, columns=HEADER):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(columns)
    for r in rows:
        sheet.append(r)
    workbook.save(path)
    return path


def _shared_strings_bomb(path, megabytes: float):
    """An XLSX whose shared strings unpack to `megabytes` MB and compress to almost nothing."""
    _xlsx(path, [row(1)])
    count = int(megabytes * 1_000_000 / 1000)
    strings = "".join(f"<si><t>{i:08d}{'x' * 992}</t></si>" for i in range(count))
    xml = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
           '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
           f'count="{count}" uniqueCount="{count}">{strings}</sst>')
    with zipfile.ZipFile(path) as src:
        parts = {name: src.read(name) for name in src.namelist()}
    parts["xl/sharedStrings.xml"] = xml.encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for name, data in parts.items():
            out.writestr(name, data)
    return path


@override_settings(GLAPP_XLSX_MAX_PART_MB=1)
def test_an_xlsx_whose_shared_strings_unpack_too_large_is_refused_before_parsing(org, tmp_path):
    path = _shared_strings_bomb(tmp_path / "bomb.xlsx", 2)
    assert path.stat().st_size < 200_000
    with pytest.raises(TableError, match=r"xl/sharedStrings\.xml unpacks to 2 MB, more than the 1 MB"):
        open_table(path)
    with pytest.raises(TableError):
        run_import(org.id, path)
    assert not Response.objects.exists()


def test_the_total_unpacked_size_is_bounded_too(tmp_path):
    path = _xlsx(tmp_path / "a.xlsx", [row(1)])
    check_unpacked_sizes(path, 10**9, 10**9)
    with pytest.raises(TableError, match="the workbook unpacks to"):
        check_unpacked_sizes(path, 10**9, 1000)


def test_a_formula_without_a_saved_result_is_reported_on_its_row(org, tmp_path):
    rows = [row(1), row(2), row(3)]
    rows[1][HEADER.index("nps")] = "=4+5"  # openpyxl writes formulas without a result
    path = _xlsx(tmp_path / "f.xlsx", rows)
    report = run_import(org.id, path)
    assert (report.created, report.rejected) == (2, 1)
    [error] = report.errors
    column = openpyxl.utils.get_column_letter(HEADER.index("nps") + 1)
    assert error["line"] == 3 and error["field"] == "nps"
    assert f"cell {column}3 holds a formula without a saved result" in error["message"]


def test_an_xlsx_file_imports_through_the_web_upload(client, org, tmp_path, settings):
    # Both through the fixture: a decorator's override ended before the fixture's would leave
    # the fixture restoring settings that still hold the decorator's TASKS.
    settings.TASKS = IMMEDIATE
    settings.MEDIA_ROOT = tmp_path / "media"
    logged_in(client, org)
    path = _xlsx(tmp_path / "svar.xlsx", [row(1), row(2, comment="Kön var lång")])
    response = upload(client, path.read_bytes(), name="svar.xlsx")
    assert response.status_code == 302, response.content
    mapping_page = client.get(response["Location"])
    assert mapping_page.status_code == 200 and "Kön var lång" in mapping_page.content.decode()
    done = client.post(response["Location"], mapping_post(mapping_page, action="import"))
    assert done.status_code == 302, done.content
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.DONE, job.message
    assert Response.objects.count() == 2
    assert Answer.objects.filter(text="Kön var lång").exists()


def test_export_guards_formulas_after_blanks_and_import_gives_the_text_back(org, tmp_path, client):
    from glapp.responses.tabular import guard_formula, unguard_formula

    texts = ["=HYPERLINK(\"x\")", " =1+1", "\t=1+1", "\r\n@SUM(A1)", "  \n+1", "-1", "'=x", "''=x", "' =x",
             "'plain", "plain", "a\n=b", ""]
    for text in texts:
        guarded = guard_formula(text)
        assert unguard_formula(guarded) == text
        first = guarded.lstrip("'").lstrip(" \t\r\n")[:1]
        if first in ("=", "+", "-", "@") or guarded.lstrip("'")[:1] in ("\t", "\r"):
            assert guarded.startswith("'")
    # Through the real export and import (which strips a cell's surrounding blanks, as always).
    cases = {"a": " =1+1", "b": "\t=cmd", "c": "\n@SUM(A1)", "d": "'=x", "e": "=1"}
    path = write_csv(tmp_path / "a.csv", [row(1, **{"meta.campaign": "x"})],
                     columns=[c for c in HEADER if c != "meta.campaign"] + ["meta.campaign"])
    run_import(org.id, path)
    Response.objects.update(metadata=cases)
    logged_in(client, org, "eva")
    exported = b"".join(client.get(reverse("responses:export")).streaming_content).decode("utf-8-sig")
    records = list(csv.reader(io.StringIO(exported)))
    header = records[0]
    values = dict(zip(header, records[1], strict=True))
    for key, text in cases.items():
        assert values[f"meta.{key}"] == "'" + text
    from glapp.responses.importing.mapping import RowMapper

    raw = RowMapper(header, {}, None)(records[1])
    assert {k: raw["metadata"][k] for k in cases} == {k: v.strip() for k, v in cases.items()}


def test_a_legacy_encoding_can_be_said_explicitly_on_the_command_line(org, tmp_path):
    path = write_csv(tmp_path / "a.csv", [row(1, comment="Åsa på Öland"), row(2, comment="bra")])
    path.write_bytes(path.read_bytes().replace(b"bra", b"br\xe4", 1))
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match=r"line 3, column \d+: the byte 0xE4"):
        call_command("import_responses", str(path), "--org", "acme", stdout=io.StringIO())
    out = io.StringIO()
    call_command("import_responses", str(path), "--org", "acme", "--encoding", "cp1252", stdout=out)
    assert "created 2" in out.getvalue()
    assert Answer.objects.filter(text="brä").exists()
