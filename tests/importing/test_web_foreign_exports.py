"""The import pages with a file from another tool: date format and value maps on the mapping
page, the dry run's dates, values and missing things, and the confirmations that follow."""

import pytest
from django.test import override_settings
from django.urls import reverse

from glapp.accounts.models import Role
from glapp.journeys.models import Touchpoint
from glapp.responses.models import ImportSource, Response
from tests.importing.telecom import TELECOM_MAPPING, telecom_export, telecom_org_setup
from tests.importing.test_web import IMMEDIATE, logged_in, mapping_post, upload

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"


def _mapping_data(response, **overrides):
    form = response.context["form"]
    data = mapping_post(response)
    for i, column in enumerate(form.header):
        if column in TELECOM_MAPPING and not TELECOM_MAPPING[column].startswith("meta."):
            data[f"col_{i}"] = TELECOM_MAPPING[column]
    data.update(default_survey="tnps", **overrides)
    return {k: v for k, v in data.items() if v is not False}


@override_settings(TASKS=IMMEDIATE)
def test_a_telecom_export_goes_from_upload_to_journey_counts_through_the_pages(client, org):
    telecom_org_setup(org)
    logged_in(client, org, role=Role.ADMIN)
    export = telecom_export()
    map_url = upload(client, export.content, "telecom-export.csv")["Location"]
    page = client.get(map_url)
    html = page.content.decode()
    assert "column 6" in html and "Comment (2)" in html  # named, not refused
    # Mapped as the user wants, the page shows each mapped column's values to map.
    page = client.post(map_url, _mapping_data(page, action="values"))
    assert 'data-testid="value-maps"' in page.content.decode()
    # The touchpoints' fields offer the organization's touchpoints, by name (a name reads as its code).
    assert 'list="values-touchpoint"' in page.content.decode()
    assert '<option value="First Payment">first-payment</option>' in page.content.decode()
    form = page.context["form"]
    columns = dict(form.value_columns)
    # Suggested from the file: Likert labels to scores and N/A to blank.
    rows = {value: (field.value(), blank.value()) for value, field, blank in columns["Overall satisfaction"]}
    assert rows["Very Satisfied"] == ("5", False) and rows["N/A do not use"][1] is True

    # Dry run with the date format left to detection.
    page = client.post(map_url, _mapping_data(page, action="dry_run"), follow=True)
    html = page.content.decode()
    assert 'data-testid="date-format"' in html and "DD/MM/YYYY HH:MM" in html
    assert "Support Call" in html and "support-call" in html
    job = page.context["job"]
    assert job.dry_run and job.summary["dates"]["format"] == "dmy" and Response.objects.count() == 0
    assert ImportSource.objects.get().options["values"]["Overall satisfaction"]["N/A do not use"] == ""

    # The import: dates confirmed, the missing touchpoint created.
    page = client.post(reverse("responses:import_job_run", args=[job.pk]),
                       {"date_format": "dmy", "create_missing": "1"}, follow=True)
    done = page.context["job"]
    assert (done.status, done.created_count, done.rejected_count) == ("done", sum(export.counts.values()), 1)
    assert ImportSource.objects.get().options["date_format"] == "dmy"
    for label, count in export.counts.items():
        assert Response.objects.filter(touchpoint__name=label).count() == count
    assert Touchpoint.objects.filter(organization=org, code="support-call").exists()


@override_settings(TASKS=IMMEDIATE)
def test_an_import_without_confirmed_dates_stops_and_offers_the_confirmation(client, org):
    telecom_org_setup(org)
    logged_in(client, org)  # an analyst: may import, may not create touchpoints
    export = telecom_export()
    map_url = upload(client, export.content, "telecom-export.csv")["Location"]
    page = client.post(map_url, _mapping_data(client.get(map_url), action="values"))
    page = client.post(map_url, _mapping_data(page, action="import"), follow=True)
    job = page.context["job"]
    assert job.status == "failed" and "confirm" in job.message and Response.objects.count() == 0
    html = page.content.decode()
    assert 'name="date_format" value="dmy"' in html
    assert 'name="create_missing"' not in html  # nothing is offered for creation before the rows are read
    page = client.post(reverse("responses:import_job_run", args=[job.pk]),
                       {"date_format": "dmy", "create_missing": "1"}, follow=True)
    assert page.context["job"].created_count == sum(export.counts.values()) - export.counts["Support Call"]
    assert not Touchpoint.objects.filter(code="support-call").exists()


@override_settings(TASKS=IMMEDIATE)
def test_an_ambiguous_date_column_is_asked_about_on_the_dry_run_page(client, org):
    telecom_org_setup(org)
    logged_in(client, org)
    content = b"Respondent ID;Survey Date;Likelihood to recommend\nA-1;01/02/2024;9\nA-2;12/11/2024;4\n"
    map_url = upload(client, content, "ambiguous.csv")["Location"]
    page = client.get(map_url)
    data = _mapping_data(page, action="dry_run")
    page = client.post(map_url, data, follow=True)
    assert 'data-testid="date-question"' in page.content.decode()
    job = page.context["job"]
    page = client.post(reverse("responses:import_job_run", args=[job.pk]),
                       {"date_format": "mdy", "action": "dry_run"}, follow=True)
    again = page.context["job"]
    assert again.dry_run and again.summary["dates"] == {"column": "Survey Date", "format": "mdy", "detected": False}
    assert again.created_count == 2
