"""Files as other tools export them: dates in their formats and time zones, labels mapped to
codes and scores, unnamed and repeated header names, long files, what the file names and the
organization lacks, and the error file's shape."""

import csv
import datetime as dt
import io
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from glapp.contacts.actions import ensure_contact_policy, update_contact_policy
from glapp.journeys.models import Touchpoint
from glapp.responses.importing import dates
from glapp.responses.importing.jobs import DatesUnconfirmed, run_import
from glapp.responses.importing.reading import read_preview
from glapp.responses.models import Answer, Response
from glapp.surveys.models import Survey
from tests.importing.telecom import TELECOM_MAPPING, telecom_export, telecom_org_setup

pytestmark = pytest.mark.django_db

STOCKHOLM = ZoneInfo("Europe/Stockholm")
TELECOM_VALUES = {"Overall satisfaction": {"Very Dissatisfied": "1", "Dissatisfied": "2",
                                           "Neither Satisfied nor Dissatisfied": "3", "Satisfied": "4",
                                           "Very Satisfied": "5", "N/A do not use": ""}}


# ---------------------------------------------------------------- dates


@pytest.mark.parametrize(("text", "fmt", "expected"), [
    ("31/03/2024 14:05", "dmy", dt.datetime(2024, 3, 31, 14, 5)),
    ("31.03.2024 14:05:09", "dmy", dt.datetime(2024, 3, 31, 14, 5, 9)),
    ("01/02/24", "dmy", dt.datetime(2024, 2, 1, 12)),
    ("3/31/2024", "mdy", dt.datetime(2024, 3, 31, 12)),
    ("3/31/2024 2:05 PM", "mdy", dt.datetime(2024, 3, 31, 14, 5)),
    ("12/31/2024 12:00 AM", "mdy", dt.datetime(2024, 12, 31, 0, 0)),
    ("2024-03-31", "iso", dt.datetime(2024, 3, 31, 12)),
    ("2024-03-31 14:05", "dmy", dt.datetime(2024, 3, 31, 14, 5)),  # an XLSX date cell, whatever the format
    ("45382", "excel", dt.datetime(2024, 3, 31, 12)),
    ("45382.5868055556", "excel", dt.datetime(2024, 3, 31, 14, 5)),
])
def test_dates_read_in_each_format(text, fmt, expected):
    assert dates.parse(text, fmt, STOCKHOLM) == expected.replace(tzinfo=STOCKHOLM)


def test_dates_with_an_offset_keep_it():
    assert dates.parse("31/03/2024 14:05 +01:00", "dmy", STOCKHOLM).utcoffset() == dt.timedelta(hours=1)


def test_local_times_are_read_dst_right():
    # 27 Oct 2024: 02:30 happens twice in Stockholm; the first (summer time, +02:00) is meant.
    assert dates.parse("27/10/2024 02:30", "dmy", STOCKHOLM).utcoffset() == dt.timedelta(hours=2)
    assert dates.parse("27/10/2024 03:30", "dmy", STOCKHOLM).utcoffset() == dt.timedelta(hours=1)
    assert dates.parse("30/06/2024 09:00", "dmy", STOCKHOLM).utcoffset() == dt.timedelta(hours=2)
    # 31 Mar 2024: the clocks skip 02:00-03:00.
    with pytest.raises(dates.DateUnreadable, match="does not exist"):
        dates.parse("31/03/2024 02:30", "dmy", STOCKHOLM)


@pytest.mark.parametrize("text", ["31/02/2024", "13/13/2024", "2024-02-30", "hello", "1/2/3"])
def test_impossible_dates_are_refused(text):
    with pytest.raises(dates.DateUnreadable):
        dates.parse(text, "dmy", STOCKHOLM)


def test_detection_needs_a_day_over_12_and_never_guesses():
    assert dates.detect(["01/02/2024 10:00", "13/02/2024 09:00"]).format == "dmy"
    assert dates.detect(["02/01/2024", "2/13/2024 9:00 AM"]).format == "mdy"
    guess = dates.detect(["01/02/2024", "12/11/2024", "05/05/2024"])
    assert guess.format is None and guess.ambiguous
    assert dates.detect(["13/01/2024", "01/13/2024"]).mixed
    assert dates.detect(["2024-01-02", "2024-03-04T10:00:00+01:00", ""]).format == "iso"
    assert dates.detect(["45382", "45383.25"]).format == "excel"


# ---------------------------------------------------------------- header


def write(path, header, rows, delimiter=","):
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, delimiter=delimiter)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def test_unnamed_and_repeated_columns_get_names_instead_of_refusing_the_file(org, tmp_path):
    path = write(tmp_path / "a.csv", ["survey", "nps", "", "comment", "comment", ""],
                 [["nps", "9", "x", "Bra", "extra", "tail"], ["nps", "3", "", "Dålig", "", ""]])
    header, _sample, _table = read_preview(path)
    assert header == ["survey", "nps", "column 3", "comment", "comment (2)", "column 6"]
    report = run_import(org.id, path, mapping={"column 3": "", "comment (2)": "meta.second", "column 6": "meta.tail"})
    assert (report.total, report.created, report.rejected) == (2, 2, 0)
    assert Response.objects.filter(metadata={"second": "extra", "tail": "tail"}).count() == 1


def test_a_generated_name_never_takes_a_real_columns_name(tmp_path):
    path = write(tmp_path / "a.csv", ["A", "A", "A (2)", ""], [["1", "2", "3", "4"]])
    assert read_preview(path)[0] == ["A", "A (3)", "A (2)", "column 4"]


def test_trailing_empty_header_cells_without_data_are_dropped(tmp_path):
    path = write(tmp_path / "a.csv", ["survey", "nps", "", ""], [["nps", "9", "", ""]])
    assert read_preview(path)[0] == ["survey", "nps"]


# ---------------------------------------------------------------- the telecom export


@pytest.fixture
def telecom(org):
    telecom_org_setup(org)
    return org


def test_the_dry_run_detects_day_first_dates_and_shows_every_value_and_what_is_missing(telecom, tmp_path):
    export = telecom_export()
    path = export.write(tmp_path / "telecom.csv")
    report = run_import(telecom.id, path, mapping=TELECOM_MAPPING, defaults={"survey": "tnps"}, dry_run=True,
                        options={"values": TELECOM_VALUES})
    assert report.summary["dates"] == {"column": "Survey Date", "format": "dmy", "detected": True,
                                       "ambiguous": False, "mixed": False,
                                       "evidence": report.summary["dates"]["evidence"]}
    touchpoints = {v[0]: v[1:] for v in report.summary["values"]["Touchpoint"]["values"]}
    # Labels become the codes of the touchpoints of those names; the fourth does not exist.
    assert touchpoints["First Payment"] == ["first-payment", export.counts["First Payment"], "resolved"]
    assert touchpoints["Support Call"] == ["Support Call", export.counts["Support Call"], "unknown"]
    satisfaction = {v[0]: v[1:] for v in report.summary["values"]["Overall satisfaction"]["values"]}
    assert satisfaction["Very Satisfied"][:2] == ["5", export.scores.get("Very Satisfied", 0)]
    assert satisfaction["N/A do not use"][0] == "" and satisfaction["N/A do not use"][2] == "blank"
    assert report.summary["missing"] == {"touchpoint": [{"code": "support-call", "name": "Support Call",
                                                         "rows": export.counts["Support Call"]}]}
    # The 31/02 row and the unknown touchpoint's rows are rejected; nothing is written.
    assert report.rejected == 1 + export.counts["Support Call"]
    assert {e["line"] for e in report.errors if e["field"] == "Survey Date"} == set(export.bad_lines)
    assert Response.objects.count() == 0


def test_a_value_mapped_to_a_touchpoints_name_imports_to_that_touchpoint(telecom, tmp_path):
    """People map a file's labels to the names they see in the journey editor ("Support Call" →
    "Installation", "  order ") as often as to codes; a name was taken for a new code to create,
    and its rows rejected as naming an unknown touchpoint."""
    export = telecom_export(touchpoints=("Order", "Support Call"), bad_date=False)
    path = export.write(tmp_path / "telecom.csv")
    values = {**TELECOM_VALUES, "Touchpoint": {"Support Call": "Installation", "Order": "  order "}}
    options = {"date_format": "dmy", "values": values}
    dry = run_import(telecom.id, path, mapping=TELECOM_MAPPING, defaults={"survey": "tnps"}, dry_run=True,
                     options=options)
    touchpoints = {v[0]: v[1:] for v in dry.summary["values"]["Touchpoint"]["values"]}
    assert touchpoints["Support Call"] == ["installation", export.counts["Support Call"], "mapped"]
    assert touchpoints["Order"] == ["order", export.counts["Order"], "mapped"]
    assert "touchpoint" not in dry.summary["missing"] and dry.rejected == 0
    report = run_import(telecom.id, path, mapping=TELECOM_MAPPING, defaults={"survey": "tnps"}, options=options)
    assert (report.rejected, report.created) == (0, sum(export.counts.values()))
    assert Response.objects.filter(touchpoint__code="installation").count() == export.counts["Support Call"]
    assert not Touchpoint.objects.filter(organization=telecom, code="support-call").exists()


def test_a_detected_date_format_is_never_imported_unconfirmed(telecom, tmp_path):
    path = telecom_export().write(tmp_path / "telecom.csv")
    with pytest.raises(DatesUnconfirmed, match="DD/MM/YYYY"):
        run_import(telecom.id, path, mapping=TELECOM_MAPPING, defaults={"survey": "tnps"})
    assert Response.objects.count() == 0


def test_the_telecom_export_imports_with_its_labels_and_creates_the_missing_touchpoint(telecom, tmp_path):
    export = telecom_export()
    path = export.write(tmp_path / "telecom.csv")
    options = {"date_format": "dmy", "values": TELECOM_VALUES,
               "create": {"touchpoints": [{"code": "support-call", "name": "Support Call"}]}}
    report = run_import(telecom.id, path, mapping=TELECOM_MAPPING, defaults={"survey": "tnps"}, options=options)
    assert (report.rejected, report.created) == (1, sum(export.counts.values()))
    created = Touchpoint.objects.get(organization=telecom, code="support-call")
    assert created.name == "Support Call" and created.stage.name == "Imported"
    for label, count in export.counts.items():
        code = Touchpoint.objects.get(organization=telecom, name=label).code
        assert Response.objects.filter(touchpoint__code=code).count() == count
    first = Response.objects.get(external_id="T-1001")
    day, time = export.rows[0][1].split()
    assert first.submitted_at == dt.datetime.strptime(f"{day} {time}", "%d/%m/%Y %H:%M").replace(tzinfo=STOCKHOLM)
    assert first.metadata.get("city", "") == export.rows[0][5]
    scores = Answer.objects.filter(question__key="satisfaction")
    assert scores.count() == sum(c for label, c in export.scores.items() if label != "N/A do not use")
    assert set(scores.values_list("number", flat=True)) <= {1, 2, 3, 4, 5}
    again = run_import(telecom.id, path, mapping=TELECOM_MAPPING, defaults={"survey": "tnps"}, options=options)
    assert (again.created, again.duplicates) == (0, sum(export.counts.values()))
    assert Touchpoint.objects.filter(organization=telecom, code="support-call").count() == 1


def test_an_ambiguous_date_column_makes_the_dry_run_ask(telecom, tmp_path):
    path = write(tmp_path / "a.csv", ["Respondent ID", "Survey Date", "Likelihood to recommend"],
                 [["A-1", "01/02/2024 10:00", "9"], ["A-2", "12/11/2024 11:00", "4"]])
    mapping = {"Respondent ID": "external_id", "Survey Date": "submitted_at", "Likelihood to recommend": "tnps"}
    report = run_import(telecom.id, path, mapping=mapping, defaults={"survey": "tnps"}, dry_run=True)
    assert report.summary["dates"]["ambiguous"] and report.summary["dates"]["format"] == ""
    with pytest.raises(DatesUnconfirmed, match="cannot be told apart"):
        run_import(telecom.id, path, mapping=mapping, defaults={"survey": "tnps"})
    run_import(telecom.id, path, mapping=mapping, defaults={"survey": "tnps"}, options={"date_format": "mdy"})
    assert Response.objects.get(external_id="A-1").submitted_at.date() == dt.date(2024, 1, 2)


def test_the_source_time_zone_defaults_to_the_customers(telecom, tmp_path):
    path = write(tmp_path / "a.csv", ["id", "submitted_at", "tnps"], [["Z-1", "2024-07-01 09:00", "9"]])
    mapping = {"id": "external_id", "tnps": "tnps"}
    update_contact_policy(ensure_contact_policy(telecom.id), time_zone="America/New_York")
    run_import(telecom.id, path, mapping=mapping, defaults={"survey": "tnps"})
    assert Response.objects.get().submitted_at == dt.datetime(2024, 7, 1, 13, 0, tzinfo=dt.UTC)
    Response.objects.all().delete()
    run_import(telecom.id, path, mapping=mapping, defaults={"survey": "tnps"},
               options={"time_zone": "Europe/London"})
    assert Response.objects.get().submitted_at == dt.datetime(2024, 7, 1, 8, 0, tzinfo=dt.UTC)


def test_xlsx_date_cells_and_excel_serials_import(telecom, tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["id", "when", "tnps"])
    sheet.append(["X-1", dt.datetime(2024, 3, 15, 14, 5), 9])
    sheet.append(["X-2", 45382.5, 7])  # a serial the tool wrote as a plain number
    book.save(tmp_path / "a.xlsx")
    mapping = {"id": "external_id", "when": "submitted_at", "tnps": "tnps"}
    report = run_import(telecom.id, tmp_path / "a.xlsx", mapping=mapping, defaults={"survey": "tnps"},
                        options={"date_format": "excel"})
    assert report.created == 2, report.errors
    assert Response.objects.get(external_id="X-1").submitted_at == dt.datetime(2024, 3, 15, 14, 5, tzinfo=STOCKHOLM)
    assert Response.objects.get(external_id="X-2").submitted_at == dt.datetime(2024, 3, 31, 12, 0, tzinfo=STOCKHOLM)


# ---------------------------------------------------------------- long files


LONG_HEADER = ["Respondent", "Date", "Touchpoint", "Question", "Answer"]


def long_rows(export):
    out = []
    for r in export.rows:
        respondent = r[0], r[1], r[2]
        out.append([*respondent, "How likely are you to recommend us?", r[3]])
        out.append([*respondent, "Overall satisfaction", r[4]])
        if r[6]:
            out.append([*respondent, "Comment", r[6]])
    return out


def test_a_long_file_imports_as_the_wide_one_does(telecom, tmp_path):
    export = telecom_export(touchpoints=("Order", "Installation", "First Payment"), bad_date=False)
    rows = long_rows(export)
    rows = rows[1::2] + rows[0::2]  # not sorted by respondent
    path = write(tmp_path / "long.csv", LONG_HEADER, rows)
    mapping = {"Respondent": "external_id", "Date": "submitted_at", "Touchpoint": "touchpoint",
               "Question": "@question", "Answer": "@answer"}
    options = {"date_format": "dmy", "values": {"Answer": TELECOM_VALUES["Overall satisfaction"]}}
    dry = run_import(telecom.id, path, mapping=mapping, defaults={"survey": "tnps"}, dry_run=True, options=options)
    questions = {v[0]: v[1] for v in dry.summary["values"]["Question"]["values"]}
    assert questions == {"How likely are you to recommend us?": "tnps", "Overall satisfaction": "satisfaction",
                         "Comment": "remarks"}
    report = run_import(telecom.id, path, mapping=mapping, defaults={"survey": "tnps"}, options=options)
    assert (report.total, report.created, report.rejected) == (len(export.rows), len(export.rows), 0), report.errors
    wide = Response.objects.get(external_id="T-1002")
    answers = {a.question.key: a.number if a.number is not None else a.text for a in wide.answers.all()}
    assert answers["tnps"] == int(export.rows[1][3])
    again = run_import(telecom.id, path, mapping=mapping, defaults={"survey": "tnps"}, options=options)
    assert (again.created, again.duplicates) == (0, len(export.rows))


def test_a_long_respondent_whose_rows_disagree_is_rejected_whole(telecom, tmp_path):
    rows = [["R-1", "2024-05-01", "Order", "tnps", "9"], ["R-1", "2024-05-02", "Order", "satisfaction", "4"],
            ["R-2", "2024-05-01", "Order", "tnps", "7"], ["R-2", "2024-05-01", "Order", "tnps", "8"],
            ["R-3", "2024-05-01", "Order", "tnps", "6"]]
    path = write(tmp_path / "long.csv", LONG_HEADER, rows)
    mapping = {"Respondent": "external_id", "Date": "submitted_at", "Touchpoint": "touchpoint",
               "Question": "@question", "Answer": "@answer"}
    out = tmp_path / "errors.csv"
    report = run_import(telecom.id, path, mapping=mapping, defaults={"survey": "tnps"},
                        on_reject=_error_file(out, LONG_HEADER))
    assert (report.created, report.rejected) == (1, 2)
    assert Response.objects.get().external_id == "R-3"
    written = list(csv.reader(io.StringIO(out.read_text())))
    assert written[0] == [*LONG_HEADER, "import_error"]
    assert [r[:5] for r in written[1:]] == rows[:4]  # every row of both respondents, as written


def _error_file(path, header):
    from glapp.responses.importing.errorfile import ErrorFile

    out = open(path, "w", newline="", encoding="utf-8")  # noqa: SIM115 - flushed below
    writer = ErrorFile(out, header)

    def on_reject(line, cells, errors):
        writer(line, cells, errors)
        out.flush()

    return on_reject


# ---------------------------------------------------------------- the command line and the error file


def test_the_cli_imports_the_telecom_export_with_values_dates_and_creation(telecom, tmp_path):
    export = telecom_export()
    path = export.write(tmp_path / "telecom.csv")
    errors = tmp_path / "errors.csv"
    args = [str(path), "--org", telecom.slug, "--set", "survey=tnps", "--errors-out", str(errors),
            *[f"--map={k}={v}" for k, v in TELECOM_MAPPING.items()]]
    out = io.StringIO()
    with pytest.raises(CommandError, match="confirm that format"):
        call_command("import_responses", *args, stdout=out)
    assert Response.objects.count() == 0
    call_command("import_responses", *args, "--date-format", "dmy", "--create-missing",
                 "--value", "Overall satisfaction:N/A do not use=", "--source", "Telecom", "--save-mapping",
                 stdout=out)
    assert Response.objects.count() == sum(export.counts.values())
    assert Answer.objects.filter(question__key="satisfaction", number=5).count() == export.scores["Very Satisfied"]
    written = list(csv.reader(io.StringIO(errors.read_text())))
    assert written[0] == [*read_preview(path)[0], "import_error"]
    assert len(written) == 2 and written[1][:8] == export.rows[3] and written[1][8].startswith("line 5: Survey Date")
    # The next file of the kind needs no options: they were saved with the mapping.
    from glapp.responses.models import ImportSource

    saved = ImportSource.objects.get(name="Telecom").options
    assert saved["date_format"] == "dmy"
    assert saved["values"]["Overall satisfaction"]["N/A do not use"] == ""
    assert saved["values"]["Overall satisfaction"]["Very Satisfied"] == "5"  # suggested, then saved
    assert saved["values"]["Touchpoint"]["First Payment"] == "first-payment"


def test_the_error_file_keeps_the_header_shape_for_short_and_long_rows(org, tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("survey,nps,comment\nnps,11,too high\nnps,5\nnps,4,x,surplus\n", encoding="utf-8")
    errors = tmp_path / "errors.csv"
    call_command("import_responses", str(path), "--org", org.slug, "--errors-out", str(errors), stdout=io.StringIO())
    written = list(csv.reader(io.StringIO(errors.read_text())))
    assert written[0] == ["survey", "nps", "comment", "import_error"]
    assert all(len(r) == 4 for r in written)
    assert written[1][:3] == ["nps", "11", "too high"] and written[1][3].startswith("line 2: nps:")
    assert written[2][:3] == ["nps", "4", "x"] and "surplus" in written[2][3]
    assert Response.objects.count() == 1


def test_a_new_survey_named_by_the_file_gets_the_mapped_questions(telecom, tmp_path):
    path = write(tmp_path / "a.csv", ["id", "Survey", "submitted_at", "tnps"],
                 [["S-1", "Relationship NPS 2023", "2023-05-01", "8"]])
    mapping = {"id": "external_id", "Survey": "survey", "tnps": "tnps"}
    dry = run_import(telecom.id, path, mapping=mapping, dry_run=True)
    assert dry.summary["missing"] == {"survey": [{"code": "relationship-nps-2023", "name": "Relationship NPS 2023",
                                                  "rows": 1}]}
    run_import(telecom.id, path, mapping=mapping, options={"create": {"surveys": dry.summary["missing"]["survey"]}})
    survey = Survey.objects.get(organization=telecom, code="relationship-nps-2023")
    assert list(survey.questions.values_list("key", flat=True)) == ["tnps"]
    assert Response.objects.get().survey == survey
