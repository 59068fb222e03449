"""A worker killed with SIGKILL in the middle of an import, and another in the middle of an
analysis: a new worker, once their leases run out, finishes both, with nothing stored twice.

Real processes on the test's own database: PostgreSQL's test database, or for SQLite (whose
test database lives in memory) a copy of it in a file."""

import csv
import datetime as dt
import io
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db.models import Count, Subquery
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from glapp.responses.actions import ingest_responses
from glapp.responses.catalog import Catalog
from glapp.responses.importing.jobs import start_import
from glapp.responses.importing.storage import store_upload
from glapp.responses.models import ImportJob, Response
from glapp.responses.tasks import import_file
from glapp.responses.validation import clean_response
from glapp.textanalytics.models import CommentAnalysis
from glapp.textanalytics.tasks import analyze_arrivals
from tests.factories import make_org, response_payload
from tests.importing.test_import_csv import HEADER, row
from tests.tasks.conftest import LEASE

REPO = Path(__file__).resolve().parents[2]
IMPORT_ROWS = 15_000  # three chunks of 5000: killed after the first, two are left to resume
COMMENTS = 3_000  # one drain of three committed chunks of 1000: killed after the first
TIMEOUT = 40  # for each phase, generous for a busy machine


def start_worker(env: dict, log: Path) -> subprocess.Popen:
    with open(log, "a") as out:
        # Without the system checks, which the test process has run: a worker starts seconds sooner.
        command = [sys.executable, "-m", "glapp.cli.main", "worker", "--interval", "0.2", "--skip-checks"]
        return subprocess.Popen(command, cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL)


def kill(worker: subprocess.Popen) -> None:
    worker.send_signal(signal.SIGKILL)
    worker.wait(timeout=10)


def wait_until(condition, worker: subprocess.Popen, log: Path, what: str, too_late=lambda: False) -> None:
    """Poll until `condition`; fail at once, saying so, if `too_late` (the work ended before the
    worker could be killed in its middle: the test would prove nothing)."""
    deadline = time.monotonic() + TIMEOUT
    while not condition():
        assert not too_late(), f"the work finished before the worker was killed: make it bigger ({what})"
        assert worker.poll() is None, f"the worker exited while waiting for {what}:\n{log.read_text()[-3000:]}"
        assert time.monotonic() < deadline, f"no {what} after {TIMEOUT}s:\n{log.read_text()[-3000:]}"
        time.sleep(0.05)


def store_comments(org) -> None:
    """COMMENTS responses with a comment, stored in one transaction: one drain analyzes them."""
    catalog = Catalog.load(org.id)
    cleaned = [clean_response(response_payload(external_id=f"c-{n}", answers={
        "nps": n % 11, "comment": f"Kassan var långsam men personalen var trevlig, besök {n}."}), catalog)
        for n in range(COMMENTS)]
    ingest_responses(org.id, cleaned, "api")


def import_file_rows(org) -> ImportJob:
    """An import of IMPORT_ROWS rows (without comments), queued as the import page queues it."""
    day = dt.datetime.now(dt.UTC) - dt.timedelta(days=2)  # the workers' clock is the real one
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(HEADER)
    writer.writerows(row(n, external_id=f"imp-{n}", comment="", submitted_at=day.isoformat())
                     for n in range(IMPORT_ROWS))
    sha = store_upload(org.id, [text.getvalue().encode()])
    return start_import(org.id, filename="big.csv", file_sha256=sha, mapping={}, defaults={}, dry_run=False)


def task_of(task) -> DBTaskResult:
    return DBTaskResult.objects.get(task_path=task.module_path)


@pytest.mark.django_db(transaction=True)
def test_work_killed_mid_import_and_mid_analysis_is_finished_by_the_next_worker(shared_database, tmp_path,
                                                                                  settings):
    settings.MEDIA_ROOT = tmp_path / "media"  # where the workers look for the uploaded file
    log = tmp_path / "worker.log"
    org = make_org("acme")
    store_comments(org)
    job = import_file_rows(org)

    def job_now() -> ImportJob:
        job.refresh_from_db()
        return job

    # 1. Killed in the middle of the import (it goes first: imports have priority over analysis).
    worker = start_worker(shared_database, log)
    try:
        wait_until(lambda: 0 < job_now().created_count < IMPORT_ROWS, worker, log, "import in progress",
                   too_late=lambda: job.created_count >= IMPORT_ROWS)
    finally:
        kill(worker)
    # One statement, one snapshot: PostgreSQL may still commit the dead worker's last chunk
    # between two reads, and a chunk's rows and the job's count are committed together.
    imported_rows = Response.objects.filter(organization_id=org.id, external_id__startswith="imp-").order_by()
    status, counted, stored = ImportJob.objects.filter(pk=job.pk).values_list(
        "status", "created_count", Subquery(imported_rows.values("organization_id").annotate(n=Count("pk")).values("n"))
    ).get()
    assert status == ImportJob.Status.RUNNING and 0 < counted == stored < IMPORT_ROWS
    assert task_of(import_file).status == TaskResultStatus.RUNNING  # what the issue saw: stuck for ever

    # 2. The next worker resumes it once the lease runs out; killed in the middle of the analysis.
    # Started once the lease has run out, so it recovers the import before it picks a task, and
    # runs it before the analysis (a worker started sooner would run the analysis first).
    time.sleep(LEASE)
    analysis = task_of(analyze_arrivals)
    worker = start_worker(shared_database, log)
    try:
        wait_until(lambda: job_now().status == ImportJob.Status.DONE, worker, log, "import resumed and done")
        wait_until(lambda: (DBTaskResult.objects.get(pk=analysis.pk).status == TaskResultStatus.RUNNING
                            and 0 < CommentAnalysis.objects.count() < COMMENTS), worker, log, "analysis in progress",
                   too_late=lambda: CommentAnalysis.objects.count() >= COMMENTS)
    finally:
        kill(worker)
    analyzed_at_kill = set(CommentAnalysis.objects.values_list("id", flat=True))
    assert 0 < len(analyzed_at_kill) < COMMENTS
    assert DBTaskResult.objects.get(pk=analysis.pk).status == TaskResultStatus.RUNNING

    # 3. The next one finishes the analysis.
    worker = start_worker(shared_database, log)
    try:
        wait_until(lambda: DBTaskResult.objects.get(pk=analysis.pk).status == TaskResultStatus.SUCCESSFUL,
                   worker, log, "analysis finished")
    finally:
        worker.terminate()
        worker.wait(timeout=30)

    job_now()
    assert (job.status, job.total_rows, job.created_count, job.duplicate_count, job.rejected_count) == (
        ImportJob.Status.DONE, IMPORT_ROWS, IMPORT_ROWS, 0, 0)
    assert Response.objects.filter(external_id__startswith="imp-").count() == IMPORT_ROWS
    imported = task_of(import_file)
    assert imported.status == TaskResultStatus.SUCCESSFUL and len(imported.worker_ids) == 2
    analysis.refresh_from_db()
    assert len(analysis.worker_ids) == 2
    assert CommentAnalysis.objects.count() == COMMENTS
    # Comments analyzed before the kill were not analyzed again (a new analysis is a new row).
    assert analyzed_at_kill <= set(CommentAnalysis.objects.values_list("id", flat=True))
