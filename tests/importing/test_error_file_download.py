"""Every rejected row of an import job, downloadable from its page: in the file's own columns
plus the reason (to fix and import again), formulas disarmed, each row once even when the job
resumed after its worker died; only for those who see the job and ran it or may read personal
data; erased and aged out with the uploads."""

import csv
import io

import pytest
from django.test import override_settings
from django.urls import reverse

from glapp.accounts.models import AuditEntry, Role
from glapp.responses import actions
from glapp.responses.importing import jobs
from glapp.responses.importing.storage import error_file_path
from glapp.responses.models import ImportJob
from tests.factories import make_user
from tests.importing.test_import_csv import HEADER, row, write_csv
from tests.importing.test_web import IMMEDIATE, csv_bytes, logged_in, mapping_post, upload

pytestmark = pytest.mark.django_db

FORMULA = '=HYPERLINK("http://x","klicka")'


@pytest.fixture(autouse=True)
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"


def rows():
    return [row(1), row(2, nps="eleven", comment=FORMULA), row(3), row(4, unit="atlantis")]


def dry_run(client, content, name="kundtjanst.csv") -> ImportJob:
    page = client.get(upload(client, content, name)["Location"])
    client.post(page.request["PATH_INFO"], mapping_post(page, source="x", action="dry_run"))
    return ImportJob.objects.latest("pk")


def read(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8"))))


@override_settings(TASKS=IMMEDIATE)
def test_the_job_page_links_every_rejected_row_as_csv_in_the_files_shape(client, org):
    logged_in(client, org)
    job = dry_run(client, csv_bytes(rows()), "kundtjänst maj.csv")
    assert (job.status, job.rejected_count) == ("done", 2)
    url = reverse("responses:import_job_errors", args=[job.pk])
    assert f'href="{url}"' in client.get(reverse("responses:import_job", args=[job.pk])).text

    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "text/csv; charset=utf-8"
    assert "kundtj%C3%A4nst-maj-rejected-rows.csv" in response["Content-Disposition"]
    written = read(response)
    assert written[0] == [*HEADER, "import_error"] and all(len(r) == len(HEADER) + 1 for r in written)
    assert [r[HEADER.index("customer_id")] for r in written[1:]] == ["C-2", "C-4"]
    assert written[1][-1].startswith("line 3: nps:") and written[2][-1].startswith("line 5: unit:")
    # A spreadsheet shows the comment as text; the import takes the apostrophe off again.
    assert written[1][HEADER.index("comment")] == "'" + FORMULA
    assert job.error_file_size == error_file_path(org.id, job.pk).stat().st_size
    # Personal data leaving glapp: the download is in the owners' audit log, by internal id only.
    entry = AuditEntry.objects.for_org(org).get(action=AuditEntry.Action.RESPONSES_EXPORTED)
    assert (entry.target_type, entry.target, entry.details["rejected_rows"]) == ("import_job", str(job.pk), True)


@override_settings(TASKS=IMMEDIATE)
def test_a_job_without_rejected_rows_has_no_error_file(client, org):
    logged_in(client, org)
    job = dry_run(client, csv_bytes([row(1), row(2)]))
    assert (job.status, job.rejected_count, job.error_file_size) == ("done", 0, 0)
    assert not error_file_path(org.id, job.pk).exists()
    assert client.get(reverse("responses:import_job_errors", args=[job.pk])).status_code == 404


@override_settings(TASKS=IMMEDIATE)
def test_the_error_file_is_only_for_those_who_see_the_job(client, org, other_org):
    logged_in(client, org)
    job = dry_run(client, csv_bytes(rows()))
    url = reverse("responses:import_job_errors", args=[job.pk])
    assert client.get(url).status_code == 200
    client.logout()
    assert client.get(url).status_code == 302  # to the login page
    logged_in(client, other_org, "rival", Role.ADMIN)
    assert client.get(url).status_code == 404
    logged_in(client, org, "viewer", Role.VIEWER)  # may not import
    assert client.get(url).status_code == 404
    # The cells as written, comments unredacted: not for a colleague without rights to personal data.
    logged_in(client, org, "colleague", Role.ANALYST)
    assert client.get(url).status_code == 404
    assert "rejected-rows.csv" not in client.get(reverse("responses:import_job", args=[job.pk])).text
    logged_in(client, org, "admin", Role.ADMIN)
    assert client.get(url).status_code == 200
    # A job made for the whole organization repeats cells of every unit: not for a unit-limited member.
    client.force_login(make_user(org, "south", Role.ANALYST, unit_code="acme-south"))
    assert client.get(url).status_code == 404


@override_settings(TASKS=IMMEDIATE)
def test_an_error_file_erased_since_is_neither_linked_nor_served(client, org):
    logged_in(client, org)
    job = dry_run(client, csv_bytes(rows()))
    error_file_path(org.id, job.pk).unlink()  # as erasure deletes a file that quotes an erased person
    assert "rejected-rows.csv" not in client.get(reverse("responses:import_job", args=[job.pk])).text
    assert client.get(reverse("responses:import_job_errors", args=[job.pk])).status_code == 404


class Killed(BaseException):
    """What a SIGKILL looks like from inside: nothing after it runs, no handler records it."""


def test_a_resumed_job_lists_each_rejected_row_once(org, tmp_path, monkeypatch):
    """The worker dies after a chunk's rejected rows reached the file but before the chunk
    committed: the run that goes on cuts them off and writes them again, once."""
    good = [row(n) for n in range(1, 13)]
    bad = [row(90 + n, nps="eleven") for n in range(3)]
    path = write_csv(tmp_path / "a.csv", [good[0], bad[0], *good[1:4], bad[1], *good[4:8], bad[2], *good[8:]])
    job = ImportJob.objects.create(organization=org, filename="a.csv", file_sha256="0" * 64)
    record = actions.record_import_progress
    checkpoints = []

    def die_in_the_second_chunk(job, **counts):
        if "error_file_size" in counts:
            checkpoints.append(counts)
            if len(checkpoints) == 2:
                raise Killed  # the file has the chunk's rows; the transaction rolls back
        record(job, **counts)

    monkeypatch.setattr(actions, "record_import_progress", die_in_the_second_chunk)
    with pytest.raises(Killed):
        jobs.run_import_job(job, {}, {}, path=path, chunk_size=4)
    job.refresh_from_db()
    on_disk = error_file_path(org.id, job.pk).stat().st_size
    assert job.status == "running" and 0 < job.error_file_size < on_disk

    monkeypatch.setattr(actions, "record_import_progress", record)
    jobs.run_import_job(job, {}, {}, path=path, chunk_size=4)
    job.refresh_from_db()
    assert (job.status, job.rejected_count) == ("done", 3)
    written = list(csv.reader(io.StringIO(error_file_path(org.id, job.pk).read_text("utf-8"))))
    assert written[0] == [*HEADER, "import_error"]
    assert [r[HEADER.index("customer_id")] for r in written[1:]] == ["C-90", "C-91", "C-92"]
    assert job.error_file_size == error_file_path(org.id, job.pk).stat().st_size


@override_settings(TASKS=IMMEDIATE)
def test_erasing_a_person_deletes_the_error_files_that_quote_them_and_retention_ages_them_out(client, org):
    from glapp.core.needles import Needles
    from glapp.responses.importing.storage import erase_uploads_before, erase_uploads_holding

    logged_in(client, org)
    job = dry_run(client, csv_bytes(rows()))
    path = error_file_path(org.id, job.pk)
    upload = path.parent / job.file_sha256
    upload.unlink()  # only the error file quotes C-4 now
    assert erase_uploads_holding(org.id, Needles.of(["C-3"])) == 0 and path.exists()
    assert erase_uploads_holding(org.id, Needles.of(["C-4"])) == 1 and not path.exists()

    job = dry_run(client, csv_bytes(rows()))
    path = error_file_path(org.id, job.pk)
    assert erase_uploads_before(org.id, path.stat().st_mtime + 1, keep={job.file_sha256}) == 1
    assert not path.exists()
