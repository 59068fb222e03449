"""An import whose worker died goes on after its last committed chunk: the job's counts are
written in each chunk's transaction, the re-run writes only the rest, and identical rows without
an external id still get their own keys across the break."""

import pytest

from glapp.responses.importing import jobs
from glapp.responses.models import ImportJob, Response
from tests.importing.test_import_csv import row, write_csv

pytestmark = pytest.mark.django_db


class Killed(BaseException):
    """What a SIGKILL looks like from inside: nothing after it runs, no handler records it."""


def rows() -> list[list[str]]:
    same = row(0)  # no external id and the same content: the n-th copy is the n-th response
    bad = row(99, nps="eleven")
    return [same, same, row(1), row(2), bad, row(3), same, row(4), row(5), row(6), same, same, row(7), row(8),
            row(9), same, row(10), row(11)]


def test_a_killed_import_resumes_after_its_last_committed_chunk(org, tmp_path, monkeypatch):
    path = write_csv(tmp_path / "a.csv", rows())
    job = ImportJob.objects.create(organization=org, filename="a.csv", file_sha256="0" * 64)
    written = []
    real_write = jobs._write_chunk

    def write_then_die(organization_id, chunk, report, dry_run, *args):
        if len(written) == 2:
            raise Killed  # inside the third chunk's transaction: it rolls back
        written.append(len(chunk))
        real_write(organization_id, chunk, report, dry_run, *args)

    monkeypatch.setattr(jobs, "_write_chunk", write_then_die)
    with pytest.raises(Killed):
        jobs.run_import_job(job, {}, {}, path=path, chunk_size=4)
    job.refresh_from_db()
    # What is stored and what the job says agree: two chunks of four, and the rejected row read among them.
    assert (job.status, job.total_rows, job.created_count, job.rejected_count) == ("running", 9, 8, 1)
    assert Response.objects.count() == 8 and job.error_count == 1 and job.errors[0]["line"] == 6

    monkeypatch.setattr(jobs, "_write_chunk", lambda o, chunk, r, d, *a: (written.append(len(chunk)),
                                                                      real_write(o, chunk, r, d, *a)))
    written.clear()
    report = jobs.run_import_job(job, {}, {}, path=path, chunk_size=4)
    assert sum(written) == 17 - 8  # only the rest was written again
    job.refresh_from_db()
    assert (job.status, job.total_rows, job.created_count, job.duplicate_count, job.rejected_count) == (
        "done", 18, 17, 0, 1)
    assert (report.total, report.created, report.duplicates, report.rejected) == (18, 17, 0, 1)
    assert [e["line"] for e in job.errors] == [6] and job.error_count == 1
    assert Response.objects.count() == 17
    assert Response.objects.filter(external_id__startswith="import:").count() == 17  # six copies of row 0 among them


def test_a_job_that_never_started_starts_from_the_first_row(org, tmp_path):
    path = write_csv(tmp_path / "a.csv", [row(1), row(2)])
    job = ImportJob.objects.create(organization=org, filename="a.csv", file_sha256="0" * 64)
    jobs.run_import_job(job, {}, {}, path=path)
    job.refresh_from_db()
    assert (job.status, job.total_rows, job.created_count) == ("done", 2, 2)
