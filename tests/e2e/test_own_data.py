"""From an empty installation to your own data on the journey map, in a real browser, through the
web app only: the first-run page with the setup token `glapp serve` prints; a journey with two
stages and three touchpoints built in the web editor; a survey from the builder; a history
exported from another tool (DD/MM/YYYY dates, touchpoints by their labels, Likert labels, a row
with an impossible date) uploaded, mapped (columns, then each label to a touchpoint by the name
the editor shows), dry-run, confirmed and imported by the background worker while the job page
polls; its rejected row downloaded; and the journey map counting each touchpoint's rows in the
period the data cover.

The steps are module-level functions, for other first-day tests to reuse.
"""

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import Page, expect

from glapp.accounts import actions
from glapp.accounts.models import Organization
from glapp.journeys.models import Journey, Touchpoint
from glapp.responses.importing.reading import read_preview
from glapp.responses.models import ImportJob, Response
from tests.e2e.test_content_security_policy import violations, watch
from tests.e2e.test_survey_builder import build_survey_in_builder
from tests.importing.telecom import TelecomExport, telecom_export

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OWNER = "maria"
OWNER_PASSWORD = "Tallrik-Gurka-93"
JOURNEY = [("Bli kund", ["Tecknat avtal", "Första betalningen"]), ("Support", ["Telefonsupport"])]
SURVEY = "Efter kontakten"
# The other tool's touchpoint labels → the journey's touchpoints, by the names the editor shows.
LABELS = {"Order": "Tecknat avtal", "First Payment": "Första betalningen", "Support Call": "Telefonsupport"}


@dataclass
class FirstDay:
    organization: Organization
    journey: Journey | None = None


def set_up_from_empty(page: Page, base_url: str, token: str, name: str = "Nordbank") -> FirstDay:
    """On an empty installation: the login page points at the first-run page; create the
    organization and its owner there with the setup token. Ends signed in as the owner (UI in
    Swedish) on "Getting started"."""
    page.goto(f"{base_url}/login/")
    page.get_by_test_id("first-run-link").click()
    expect(page).to_have_url(re.compile(r"/setup/$"))
    page.get_by_label("Engångsnyckel för installationen").fill(token)
    page.get_by_label("Organisationens namn").fill(name)
    page.get_by_label("Kundernas tidszon").select_option("Europe/Stockholm")
    page.get_by_label("Ditt användarnamn").fill(OWNER)
    page.get_by_label("Din e-postadress").fill("maria@nordbank.test")
    page.get_by_label("Lösenord", exact=True).fill(OWNER_PASSWORD)
    page.get_by_label("Lösenord igen").fill(OWNER_PASSWORD)
    page.get_by_role("button", name="Skapa organisationen").click()
    expect(page.get_by_role("heading", level=1, name="Kom igång")).to_be_visible()
    return FirstDay(Organization.objects.get(name=name))


def build_journey_in_editor(page: Page, base_url: str, day: FirstDay, name: str = "Kundresan",
                            stages=JOURNEY) -> FirstDay:
    """Signed in as an owner: create a journey and add its stages and touchpoints in order in
    the journey editor (HTMX swaps the editor in place)."""
    page.goto(f"{base_url}/settings/journeys/")
    page.get_by_test_id("new-journey").get_by_label("Namn").fill(name)
    page.get_by_role("button", name="Skapa resa").click()
    editor = page.get_by_test_id("journey-editor")
    expect(page.get_by_role("heading", level=1, name=re.compile(name))).to_be_visible()
    for stage_name, touchpoints in stages:
        page.get_by_label("Stegets namn").fill(stage_name)
        page.get_by_role("button", name="Lägg till steg").click()
        stage = editor.locator("li.stage", has=page.get_by_role("heading", level=2, name=re.compile(stage_name)))
        expect(stage).to_be_visible()
        for tp_name in touchpoints:
            stage.get_by_test_id("new-touchpoint").fill(tp_name)
            stage.get_by_role("button", name="Lägg till kontaktpunkt").click()
            expect(stage.locator(".tp-name", has_text=tp_name)).to_be_visible()
    day.journey = Journey.objects.get(organization=day.organization, name=name)
    return day


def history_export() -> TelecomExport:
    """Three months of the other tool's answers, years before today (so before any default
    period, whatever day the test runs), naming the three touchpoints by its own labels."""
    return telecom_export(touchpoints=tuple(LABELS), per_touchpoint=8,
                          first_day=timezone.localdate() - dt.timedelta(days=3 * 365))


def run_the_worker(page: Page) -> None:
    """On a job's page, the job waits for the background worker and the page polls (HTMX).
    The worker (`glapp worker`, here one batch run in the test's thread: SQLite's in-memory test
    database takes no second connection) runs it, and the page shows it finished, unreloaded."""
    status = page.locator("#import-job-status")
    expect(status.locator(".status")).to_contain_text("Väntar")
    expect(status).to_have_attribute("hx-trigger", "every 1s")
    call_command("worker", batch=True, verbosity=0)
    expect(status.locator(".status")).to_contain_text("Klar", timeout=15_000)
    expect(status).not_to_have_attribute("hx-trigger", re.compile("."))  # done: no more polling


def import_history(page: Page, base_url: str, export: TelecomExport, survey_code: str,
                   filename: str = "telecom-export.csv") -> None:
    """Signed in as someone who may import: upload the export, map its
    columns and its touchpoint labels, dry-run, confirm the detected date format, import. Ends on
    the finished import's page."""
    page.goto(f"{base_url}/")
    page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Import", exact=True).click()
    expect(page.get_by_role("heading", level=1, name="Importera svar")).to_be_visible()
    page.get_by_label("CSV- eller XLSX-fil").set_input_files(
        files=[{"name": filename, "mimeType": "text/csv", "buffer": export.content}])
    page.get_by_role("button", name="Ladda upp och koppla kolumner").click()
    expect(page.get_by_role("heading", level=1, name=re.compile(re.escape(filename)))).to_be_visible()

    columns = {"Respondent ID": "external_id", "Survey Date": "submitted_at", "Touchpoint": "touchpoint",
               "Likelihood to recommend": "nps", "Overall satisfaction": "csat", "Comment": "reason",
               "Comment (2)": ""}
    for column, target in columns.items():
        page.get_by_label(column, exact=True).select_option(target)
    page.get_by_label("Enkät, för rader som saknar en").select_option(survey_code)
    page.get_by_role("button", name="Visa kolumnernas värden som de är mappade").click()

    values = page.get_by_test_id("value-maps")
    expect(values).to_be_visible()
    expect(page.get_by_label("Likelihood to recommend", exact=True)).to_have_value("nps")  # kept
    # Likert labels come suggested as scores, and "N/A do not use" as no answer.
    expect(values.get_by_label("Very Satisfied", exact=True)).to_have_value("5")
    expect(values.locator("tr", has=page.get_by_text("N/A do not use", exact=True)).get_by_role("checkbox")) \
        .to_be_checked()
    for label, name in LABELS.items():
        values.get_by_label(label, exact=True).fill(name)
    page.get_by_role("button", name="Provkörning", exact=True).click()

    expect(page.get_by_role("heading", level=1, name=re.compile("^Provkörning"))).to_be_visible()
    run_the_worker(page)
    expect(page.get_by_test_id("date-format")).to_contain_text("DD/MM/YYYY HH:MM")
    expect(page.get_by_test_id("missing")).to_have_count(0)  # every label names one of the journey's touchpoints
    run = page.get_by_test_id("run-import")
    run.get_by_role("checkbox", name=re.compile(r"Survey Date.* DD.MM.YYYY")).check()
    run.get_by_role("button", name="Importera", exact=True).click()

    expect(page.get_by_role("heading", level=1, name=re.compile("^Import:"))).to_be_visible()
    run_the_worker(page)


def count(page: Page, label: str):
    return page.locator("#import-job-status dl.counts dt", has_text=re.compile(f"^{label}$")).locator("+ dd")


def test_from_an_empty_installation_to_your_own_journey(live_server, page, settings, tmp_path):
    settings.GLAPP_REQUIRE_2FA = False  # the two-factor enrolment has its own browser test
    settings.MEDIA_ROOT = tmp_path / "media"  # uploads and error files
    console = watch(page)  # every page of the first day works under the Content-Security-Policy
    token = actions.issue_setup_token()  # what `glapp serve` prints on an empty installation
    day = set_up_from_empty(page, live_server.url, token)
    day = build_journey_in_editor(page, live_server.url, day)
    for path in ("/settings/organization/", "/settings/units/", "/settings/people/", "/settings/api-keys/"):
        page.goto(live_server.url + path)
        page.wait_for_load_state("networkidle")
    assert violations(page, console) == []

    touchpoints = Touchpoint.objects.filter(stage__journey=day.journey).order_by("stage__position", "position")
    assert [(t.stage.code, t.code) for t in touchpoints] == [
        ("bli-kund", "tecknat-avtal"), ("bli-kund", "forsta-betalningen"), ("support", "telefonsupport")]
    # The first-run page is gone now that an organization exists.
    assert page.goto(f"{live_server.url}/setup/").status == 404

    # A survey for the touchpoints' answers, from the builder's transactional NPS template.
    survey = build_survey_in_builder(page, live_server.url, name=SURVEY).survey

    # The history from the other tool, through the import pages and the worker.
    export = history_export()
    import_history(page, live_server.url, export, survey.code)
    stored = sum(export.counts.values())
    expect(count(page, "Skapad")).to_have_text(str(stored))
    expect(count(page, "Avvisade")).to_have_text(str(len(export.bad_lines)))
    errors = page.locator("table.errors tbody tr")
    expect(errors).to_have_count(len(export.bad_lines))
    expect(errors.first.locator("td").first).to_have_text(str(export.bad_lines[0]))
    job = ImportJob.objects.get(organization=day.organization, dry_run=False)
    assert Response.objects.filter(organization=day.organization).count() == stored

    # Every rejected row downloads as CSV in the file's own columns plus the reason.
    link = page.get_by_test_id("error-file")
    download = page.request.get(live_server.url + link.get_attribute("href"))
    assert download.status == 200 and download.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(download.text())))
    header = read_preview(export.write(tmp_path / "export.csv"))[0]  # its columns as glapp names them
    assert rows[0] == [*header, "import_error"] and all(len(r) == len(header) + 1 for r in rows)
    assert [r[:len(export.rows[3])] for r in rows[1:]] == [export.rows[3]]  # the 31/02 row, as written
    assert rows[1][-1].startswith(f"line {export.bad_lines[0]}: Survey Date")
    assert job.error_file_size == len(download.body())

    # The journey map: the default period is empty (the history is years old); it offers the
    # period the data cover, and there each touchpoint counts its rows of the file.
    page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Kundresekarta").click()
    expect(page.get_by_role("heading", level=1, name="Kundresekarta")).to_be_visible()
    page.get_by_test_id("empty-period-link").click()
    expect(page.get_by_test_id("empty-period-link")).to_have_count(0)
    codes = {t.name: t.code for t in touchpoints}
    for label, name in LABELS.items():
        card = page.get_by_test_id(f"tp-{codes[name]}")
        expect(card.locator("p.n")).to_have_text(f"n = {export.counts[label]}")
    assert violations(page, console) == []
