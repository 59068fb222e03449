import csv
import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from glapp.accounts.models import Role
from glapp.responses.models import ImportJob, ImportSource, Response
from tests.factories import make_user
from tests.importing.test_import_csv import HEADER, row

pytestmark = pytest.mark.django_db

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend", "QUEUES": []}}


@pytest.fixture(autouse=True)
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"


def csv_bytes(rows, columns=HEADER, delimiter=",", encoding="utf-8"):
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(columns)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def logged_in(client, org, name="anna", role=Role.ANALYST):
    client.force_login(make_user(org, name, role))
    return client


def upload(client, content, name="kundtjanst.csv"):
    return client.post(reverse("responses:import"), {"file": SimpleUploadedFile(name, content)})


def mapping_post(response, **overrides):
    """The mapping form's own initial values, as a browser would submit them."""
    form = response.context["form"]
    data = {name: form[name].value() or "" for name in form.fields}
    data.update(overrides)
    return data


@override_settings(TASKS=IMMEDIATE)
def test_upload_map_dry_run_import(client, org):
    logged_in(client, org)
    columns = ["Datum", "Kundnummer", "Betyg", "Kommentar", "Butik"]
    rows = [["2026-05-03 10:00", "K-1", "9", "Bra", "acme-north-store"],
            ["2026-05-03 11:00", "K-2", "5", "", "<script>alert(1)</script>"],
            ["2026-05-04 09:00", "K-3", "3", "Kön var lång", "acme-south-store"]]
    response = upload(client, csv_bytes(rows, columns, ";", "cp1252"))
    assert response.status_code == 302
    map_url = response["Location"]

    page = client.get(map_url)
    assert page.status_code == 200
    assert page.context["form"]["col_2"].value() == "nps"  # Betyg
    assert page.context["form"]["col_0"].value() == "submitted_at"  # Datum
    assert b"cp1252" in page.content

    data = mapping_post(page, default_survey="nps", default_channel="phone", source="Kundtjänst", action="dry_run")
    done = client.post(map_url, data)
    assert done.status_code == 302
    dry = ImportJob.objects.get()
    assert (dry.dry_run, dry.status, dry.total_rows, dry.created_count, dry.rejected_count) == (True, "done", 3, 2, 1)
    assert Response.objects.count() == 0
    source = ImportSource.objects.get(organization=org)
    assert (source.name, source.mapping["Betyg"], source.defaults) == (
        "Kundtjänst", "nps", {"survey": "nps", "channel": "phone"})

    report = client.get(done["Location"])
    html = report.content.decode()
    # The reason echoes the cell ("no unit with code '<script>...'"): escaped, never markup.
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert(1)" not in html
    assert "<td>3</td><td>Butik</td>" in html
    assert 'hx-trigger="every 1s"' not in html  # finished: no more polling (the bell polls on its own)

    imported = client.post(reverse("responses:import_job_run", args=[dry.pk]))
    job = ImportJob.objects.exclude(pk=dry.pk).get()
    assert imported["Location"] == reverse("responses:import_job", args=[job.pk])
    assert (job.dry_run, job.status, job.created_count, job.rejected_count) == (False, "done", 2, 1)
    assert sorted(Response.objects.values_list("customer__external_id", "channel")) == [("K-1", "phone"),
                                                                                     ("K-3", "phone")]

    # The same file again: stored once, the saved mapping is offered.
    again = client.get(upload(client, csv_bytes(rows, columns, ";", "cp1252"))["Location"] + "?source=Kundtjänst")
    assert again.context["form"]["default_channel"].value() == "phone"
    client.post(map_url, mapping_post(again, action="import"))
    last = ImportJob.objects.latest("pk")
    assert (last.created_count, last.duplicate_count) == (0, 2)
    assert Response.objects.count() == 2


def test_job_page_polls_until_done_and_works_without_js(client, org):
    logged_in(client, org)
    job = ImportJob.objects.create(organization=org, filename="a.csv", file_sha256="a" * 64, status="running")
    url = reverse("responses:import_job", args=[job.pk])
    page = client.get(url).content.decode()
    assert f'hx-get="{url}"' in page and 'hx-trigger="every 1s"' in page
    assert f'<a href="{url}">' in page  # the no-JS refresh link
    assert "htmx-2.min.js" in page
    fragment = client.get(url, headers={"HX-Request": "true"})
    assert fragment.content.decode().lstrip().startswith('<div id="import-job-status"')


def test_other_orgs_job_and_file_are_not_found(client, org, other_org, tmp_path):
    job = ImportJob.objects.create(organization=org, filename="a.csv", file_sha256="a" * 64)
    logged_in(client, org, "anna")
    sha = upload(client, csv_bytes([row(1)]))["Location"].rstrip("/").split("/")[-2]
    client.logout()
    logged_in(client, other_org, "rival")
    assert client.get(reverse("responses:import_job", args=[job.pk])).status_code == 404
    assert client.post(reverse("responses:import_job_run", args=[job.pk])).status_code == 404
    assert client.get(reverse("responses:import_map", args=[sha])).status_code == 404


def test_import_needs_login_and_permission(client, org):
    assert client.get(reverse("responses:import")).status_code == 302  # to the login page
    logged_in(client, org, "viewer", Role.VIEWER)
    assert client.get(reverse("responses:import")).status_code == 404
    assert client.get(reverse("responses:export")).status_code == 404


def test_unreadable_upload_is_refused(client, org):
    logged_in(client, org)
    response = upload(client, b"PK\x03\x04garbage", "x.xlsx")
    assert response.status_code == 200
    [message] = response.context["form"].errors["file"]
    assert "not a readable XLSX file" in message


@override_settings(TASKS=IMMEDIATE)
def test_export_download_streams_the_filtered_csv(client, org, tmp_path):
    from glapp.responses.importing.jobs import run_import

    path = tmp_path / "a.csv"
    path.write_bytes(csv_bytes([row(n) for n in range(12)]))
    run_import(org.id, path)
    logged_in(client, org)
    response = client.get(reverse("responses:export"), {"score_max": "6", "from": "2026-05-01"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert sorted(r["customer_id"] for r in rows) == sorted(f"C-{n}" for n in range(12) if n % 11 <= 6)
    assert client.get(reverse("responses:export"), {"from": "igår"}).status_code == 400
    assert client.get(reverse("responses:export"), {"unit": "atlantis"}).status_code == 400


def test_the_export_is_named_by_the_installations_day(client, org, monkeypatch):
    # 23:30 UTC on Sunday is 00:30 on Monday in Stockholm: the file is Monday's.
    monkeypatch.setattr(timezone, "now", lambda: dt.datetime(2026, 12, 13, 23, 30, tzinfo=dt.UTC))
    logged_in(client, org)
    response = client.get(reverse("responses:export"))
    assert response["Content-Disposition"] == 'attachment; filename="acme-responses-2026-12-14.csv"'


def test_unit_limited_user_exports_only_their_units(client, org, tmp_path):
    from glapp.responses.importing.jobs import run_import

    path = tmp_path / "a.csv"
    path.write_bytes(csv_bytes([row(1), row(2, unit="acme-south-store")]))
    run_import(org.id, path)
    client.force_login(make_user(org, "south", Role.ANALYST, unit_code="acme-south"))
    text = b"".join(client.get(reverse("responses:export")).streaming_content).decode()
    assert [r["customer_id"] for r in csv.DictReader(io.StringIO(text))] == ["C-2"]


@override_settings(TASKS=IMMEDIATE)
def test_a_unit_limited_importer_writes_only_into_their_units(client, org):
    """As the API confines a unit-limited key: a row elsewhere is rejected with its line and
    reason, a row without a unit lands on the importer's unit; the job, whose rejected rows
    repeat the file's cells, is not shown to other units."""
    client.force_login(make_user(org, "north", Role.ANALYST, unit_code="acme-north"))
    page = client.get(upload(client, csv_bytes([row(1, unit="acme-south-store"), row(2, unit="acme-north-store"),
                                                row(3, unit="")]))["Location"])
    done = client.post(page.request["PATH_INFO"], mapping_post(page, source="x", action="import"))
    job = ImportJob.objects.get()
    assert (job.status, job.created_count, job.rejected_count) == ("done", 2, 1)
    assert job.unit_path and job.errors[0]["line"] == 2 and job.errors[0]["field"] == "unit"
    assert sorted(Response.objects.values_list("unit__code", flat=True)) == ["acme-north", "acme-north-store"]
    assert client.get(done["Location"]).status_code == 200

    client.force_login(make_user(org, "south", Role.ANALYST, unit_code="acme-south"))
    assert client.get(done["Location"]).status_code == 404
    assert job not in client.get(reverse("responses:import")).context["jobs"]
    logged_in(client, org, "admin", Role.ADMIN)
    assert client.get(done["Location"]).status_code == 200


@override_settings(TASKS=IMMEDIATE)
def test_import_goes_to_the_organization_chosen_in_the_web_app(client, org, other_org):
    from glapp.accounts import actions as accounts

    user = make_user(org, "both", Role.ANALYST)
    accounts.add_member(other_org, user, Role.ANALYST, None)
    client.force_login(user)
    session = client.session
    session["org_id"] = other_org.id
    session.save()
    page = client.get(upload(client, csv_bytes([row(1, unit="rival-north")]))["Location"])
    client.post(page.request["PATH_INFO"], mapping_post(page, source="x", action="import"))
    job = ImportJob.objects.get()
    assert (job.organization_id, job.created_count) == (other_org.id, 1)
    assert Response.objects.get().organization_id == other_org.id


def test_a_job_no_worker_picks_up_says_how_to_start_one(client, org):
    from glapp.responses import actions

    logged_in(client, org)
    job = actions.create_import_job(org.id, filename="a.csv", file_sha256="0" * 64, dry_run=True)
    url = reverse("responses:import_job", args=[job.pk])
    assert 'data-testid="no-worker"' not in client.get(url).text  # a worker polls every second
    ImportJob.objects.filter(pk=job.pk).update(created_at=job.created_at - dt.timedelta(minutes=1))
    assert 'data-testid="no-worker"' in client.get(url).text
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.RUNNING)
    assert 'data-testid="no-worker"' not in client.get(url).text
