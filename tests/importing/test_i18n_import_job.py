"""The import job page in Swedish: the rejected-rows sentence is built from the job's counts
in the reader's language (with a proper plural), and the button after a dry run is a verb."""

import pytest
from django.utils import timezone, translation
from django.utils.translation import gettext, ngettext, pgettext

from glapp.accounts.models import Role
from glapp.responses import actions
from glapp.responses.importing.jobs import run_import_job
from glapp.responses.models import ImportJob
from tests.factories import make_user
from tests.importing.test_import_csv import row, write_csv

pytestmark = pytest.mark.django_db

WAS = ("%(counter)s row was rejected and not imported. The reasons are listed below.",
       "%(counter)s rows were rejected and not imported. The reasons are listed below.")
WOULD_BE = ("%(counter)s row would be rejected. The reasons are listed below.",
            "%(counter)s rows would be rejected. The reasons are listed below.")


def finished_job(org, *, dry_run: bool, rejected: int, message: str = "", status=ImportJob.Status.DONE):
    errors = [{"line": 2 + i, "field": "Betyg", "message": "must be an integer from 0 to 10"} for i in range(rejected)]
    return ImportJob.objects.create(
        organization=org, filename="kunder.csv", file_sha256="0" * 64, dry_run=dry_run, status=status,
        total_rows=10, created_count=10 - rejected, rejected_count=rejected, errors=errors, message=message,
        finished_at=timezone.now())


def sv(singular: str, plural: str, n: int) -> str:
    with translation.override("sv"):
        return ngettext(singular, plural, n) % {"counter": n}


@pytest.mark.parametrize("rejected", [1, 3])
def test_rejected_rows_sentence_follows_the_count_in_swedish(client, org, rejected):
    client.force_login(make_user(org, "anna", Role.ANALYST, language="sv"))
    job = finished_job(org, dry_run=False, rejected=rejected, message=f"{rejected} errors in {rejected} rejected rows")
    html = client.get(f"/data/import/jobs/{job.pk}/").text
    assert sv(*WAS, rejected) in html
    assert "errors in" not in html  # the stored English record is not shown
    assert "Orsak" in html  # the per-row reasons are under a translated column header


def test_dry_run_says_would_be_rejected_and_offers_importera(client, org):
    client.force_login(make_user(org, "anna", Role.ANALYST, language="sv"))
    job = finished_job(org, dry_run=True, rejected=2)
    html = client.get(f"/data/import/jobs/{job.pk}/").text
    assert sv(*WOULD_BE, 2) in html
    with translation.override("sv"):
        button = pgettext("button: run the import after a dry run", "Import")
    assert f'<button type="submit" class="button primary">{button}</button>' in html


def test_no_sentence_without_rejected_rows_and_a_failure_is_labelled(client, org):
    client.force_login(make_user(org, "anna", Role.ANALYST, language="sv"))
    html = client.get(f"/data/import/jobs/{finished_job(org, dry_run=False, rejected=0).pk}/").text
    assert sv(*WAS, 0) not in html and sv(*WAS, 1) not in html
    failed = finished_job(org, dry_run=False, rejected=0, status=ImportJob.Status.FAILED,
                          message="The file is not UTF-8, CP1252 or an XLSX workbook.")
    html = client.get(f"/data/import/jobs/{failed.pk}/").text
    with translation.override("sv"):
        assert gettext("The import stopped:") in html
    assert "The file is not UTF-8" in html


def test_stored_message_has_english_plurals_for_the_admin(org, tmp_path):
    path = write_csv(tmp_path / "a.csv", [row(1), row(2, nps="11")])
    job = actions.create_import_job(org.id, filename="a.csv", file_sha256="0" * 64, dry_run=True)
    run_import_job(job, None, None, path=path)
    job.refresh_from_db()
    assert (job.rejected_count, job.message) == (1, "1 error in 1 rejected row")
