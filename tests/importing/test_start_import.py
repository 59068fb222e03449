"""One way an import starts (`importing.jobs.start_import`), whether from the import page, its run
after a dry run or the CLI: the mapping is checked against the file, saved for the next file of
the kind, and the job is recorded with its importer's unit limit."""

import io

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse

from glapp.accounts.models import Role, Unit
from glapp.responses import views as import_views
from glapp.responses.catalog import Catalog
from glapp.responses.importing import jobs
from glapp.responses.importing.mapping import MappingUnusable
from glapp.responses.importing.storage import store_upload
from glapp.responses.management.commands import import_responses
from glapp.responses.models import ImportJob, ImportSource, Response
from tests.factories import make_user
from tests.importing.test_import_csv import HEADER, row, write_csv
from tests.importing.test_web import IMMEDIATE, csv_bytes, mapping_post, upload

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def starts(monkeypatch):
    """Every call of start_import, with its keyword arguments (it still runs)."""
    calls = []
    real = jobs.start_import

    def spy(organization_id, **kwargs):
        calls.append(kwargs)
        return real(organization_id, **kwargs)

    for caller in (import_views, import_responses):  # each imports it by name
        monkeypatch.setattr(caller, "start_import", spy)
    return calls


def test_an_unusable_mapping_stores_nothing(org):
    with pytest.raises(MappingUnusable) as refused:
        jobs.start_import(org.id, filename="a.csv", file_sha256="0" * 64, mapping={"a": "nps", "b": "nps"},
                               defaults={}, dry_run=True, header=["a", "b"], catalog=Catalog.load(org.id),
                               save_as="Kundtjänst")
    assert refused.value.problems == ["b: 'nps' is already mapped from 'a'"]
    assert not ImportJob.objects.exists() and not ImportSource.objects.exists()


@override_settings(TASKS=IMMEDIATE)
def test_the_job_runs_with_what_was_saved_and_keeps_the_importers_unit(org, tmp_path):
    sha = store_upload(org.id, [csv_bytes([row(1), row(2, unit="acme-south-store")])])
    job = jobs.start_import(org.id, filename="a.csv", file_sha256=sha, mapping={}, dry_run=False,
                                 defaults={"channel": "sms", "segment": ""}, header=HEADER, save_as="Butiker",
                                 unit_path=Unit.objects.get(organization=org, code="acme-north").path)
    job.refresh_from_db()
    assert job.source.defaults == {"channel": "sms"} and job.unit_path
    assert (job.status, job.created_count, job.rejected_count) == ("done", 1, 1)  # the south store is not theirs


@override_settings(TASKS=IMMEDIATE)
def test_the_page_its_run_after_a_dry_run_and_the_cli_all_start_through_it(client, org, tmp_path, starts):
    client.force_login(make_user(org, "anna", Role.ANALYST))
    page = client.get(upload(client, csv_bytes([row(1)]))["Location"])
    client.post(page.request["PATH_INFO"], mapping_post(page, source="Fil", action="dry_run"))
    dry = ImportJob.objects.get()
    client.post(reverse("responses:import_job_run", args=[dry.pk]))
    call_command("import_responses", str(write_csv(tmp_path / "b.csv", [row(2)])), "--org", "acme",
                 stdout=io.StringIO())
    assert [(c["dry_run"], c.get("queue", True)) for c in starts] == [(True, True), (False, True), (False, False)]
    assert Response.objects.count() == 2
