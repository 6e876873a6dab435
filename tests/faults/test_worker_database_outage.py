"""Fault (a): the database goes away under the task worker (issue 14, item 1).

django-tasks' own `db_worker` exited on the first such error; `manage.py run_worker`
(aqb_monitoring/worker.py) waits 1, 2, 4 … s, reconnects and carries on. A background import
cut off by the outage is queued again and completes; nothing of it reaches the participants
before "Übernehmen".
"""

import os
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from aqb_monitoring.models import ImportJob, Participant
from aqb_monitoring.worker import MAX_REQUEUES, backoff_delays

from ..excel_files import workbook_bytes, yellow_row
from .conftest import BreakConnection, TestWorker

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[2]


def reading_tasks(path="aqb_monitoring.excel.tasks.build_preview"):
    """The states of the queued tasks of one kind (Wagtail queues its own reference-index updates too)."""
    return sorted(DBTaskResult.objects.filter(task_path=path).values_list("status", flat=True))


@pytest.fixture
def background_upload(client, settings, database_tasks, private_root, ze_kassel, measure_a):
    """A three-row upload that the page hands to the task worker (more rows than AQB_IMPORT_INLINE_ROWS)."""
    settings.AQB_IMPORT_INLINE_ROWS = 1
    client.force_login(ze_kassel)
    rows = [yellow_row(measure_a, f"TN-{number}") for number in range(1, 4)]
    response = client.post(reverse("aqb_excel:measure_import", args=[measure_a.pk]),
                           {"file": SimpleUploadedFile("teilnehmende.xlsx", workbook_bytes(rows))})
    job = ImportJob.objects.get()
    assert response.status_code == 302 and job.status == "queued"
    assert reading_tasks() == ["READY"]
    return job


def test_the_back_off_doubles_up_to_thirty_seconds():
    delays = backoff_delays()
    assert [next(delays) for _ in range(8)] == [1, 2, 4, 8, 16, 30, 30, 30]


def test_the_worker_waits_for_the_database_and_then_reads_the_queued_import(background_upload, break_kind):
    """The claim itself fails three times in a row (db_worker exited at the first): the worker
    waits 1, 2 and 4 s and then reads the file into its preview."""
    breaker = BreakConnection("django_tasks_database_dbtaskresult", kind=break_kind, times=3)
    worker = TestWorker()
    with connection.execute_wrapper(breaker):
        worker.run()
    assert breaker.broken == 3
    assert worker.backoff == [1, 2, 4]
    job = ImportJob.objects.get()
    assert job.status == "preview" and job.preview["counts"]["create"] == 3
    assert reading_tasks() == ["SUCCESSFUL"]


def test_an_import_cut_off_by_the_outage_is_read_again_and_nothing_is_half_written(
        background_upload, break_kind, client, measure_a):
    """The connection breaks while the worker reads the file (at its first sign of life): the
    task is marked failed, queued again once the database answers, and the job gets its preview.
    No participant exists before "Übernehmen"; after it, each has all its entry data."""
    breaker = BreakConnection('UPDATE "aqb_monitoring_importjob"', kind=break_kind, at=2)
    worker = TestWorker()
    with connection.execute_wrapper(breaker):
        worker.run()
    assert breaker.broken == 1 and worker.backoff == [1]
    job = ImportJob.objects.get()
    assert job.status == "preview" and job.error == "" and job.preview["counts"]["create"] == 3
    assert reading_tasks() == ["FAILED", "SUCCESSFUL"]
    assert not Participant.objects.exists()

    page = client.get(reverse("aqb_excel:job", args=[job.pk])).content.decode()
    assert "Übernehmen" in page
    client.post(reverse("aqb_excel:job_take", args=[job.pk]))
    participants = Participant.objects.filter(measure=measure_a)
    assert sorted(participants.values_list("pseudonym", flat=True)) == ["TN-1", "TN-2", "TN-3"]
    assert all(participant.entry_date and participant.gender_id for participant in participants)


def test_an_import_that_fails_at_every_attempt_is_queued_again_only_a_few_times(background_upload):
    """A connection that breaks at every attempt: the read is queued again MAX_REQUEUES times, then left
    failed; its job then has no sign of life and is offered for "Erneut starten" (test_worker_killed_mid_job)."""
    breaker = BreakConnection('UPDATE "aqb_monitoring_importjob"', at=2, times=1000)
    worker = TestWorker()
    with connection.execute_wrapper(breaker):
        worker.run()
    assert reading_tasks() == ["FAILED"] * (MAX_REQUEUES + 1)
    assert worker.backoff == [1] * (MAX_REQUEUES + 1)  # the database answers in between: no growing outage
    assert not Participant.objects.exists()


def test_a_query_the_database_refuses_is_a_task_failure_not_an_outage(database_tasks, monkeypatch, measure_a):
    """A DataError (or IntegrityError) would fail again however often it is repeated: no waiting, no new attempt."""
    from django.db.utils import DataError

    from aqb_monitoring import tasks

    def refused(measure):
        raise DataError("invalid byte sequence (simulated)")

    monkeypatch.setattr(tasks, "recompute_for_measure", refused)
    tasks.recompute_statuses.enqueue()
    worker = TestWorker()
    worker.run()
    assert worker.backoff == []
    assert reading_tasks("aqb_monitoring.tasks.recompute_statuses") == ["FAILED"]


def test_a_task_that_may_not_run_twice_is_failed_visibly_not_repeated(database_tasks, break_kind):
    """A mail may already be out when the connection breaks: such a task is failed, not queued again."""
    from aqb_monitoring.tasks import purge_expired_data

    purge_expired_data.enqueue(dry_run=True)
    breaker = BreakConnection('FROM "aqb_monitoring_measure"', kind=break_kind)
    worker = TestWorker()
    with connection.execute_wrapper(breaker):
        worker.run()
    assert breaker.broken == 1 and worker.backoff == [1]
    assert reading_tasks("aqb_monitoring.tasks.purge_expired_data") == ["FAILED"]


def test_the_worker_process_outlives_a_missing_database_and_stops_on_sigterm(tmp_path):
    """`manage.py run_worker` against a database that cannot be opened: it logs the outage in
    German and English and retries instead of exiting; SIGTERM ends it cleanly (exit code 0)."""
    env = {**os.environ, "DEBUG": "1", "AQB_VAR_DIR": str(tmp_path),
           "DATABASE_URL": f"sqlite:///{tmp_path}/no-such-folder/aqb.sqlite3",
           "TASKS_BACKEND": "django_tasks_db.DatabaseBackend", "LOG_LEVEL": "WARNING"}
    env.pop("PYTEST_VERSION", None)
    worker = subprocess.Popen([sys.executable, "manage.py", "run_worker", "--no-reload", "--no-startup-delay"],
                              cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    output = []
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and sum("Datenbank nicht erreichbar" in line for line in output) < 2:
            if not select.select([worker.stdout], [], [], 1)[0]:
                continue  # nothing written yet: look at the clock again
            line = worker.stdout.readline()
            if not line:
                break
            output.append(line)
        assert worker.poll() is None, "".join(output)
        worker.send_signal(signal.SIGTERM)
        code = worker.wait(timeout=30)
    finally:
        if worker.poll() is None:
            worker.kill()
    output.append(worker.stdout.read())
    log = "".join(output)
    assert code == 0, log
    assert "Datenbank nicht erreichbar (OperationalError: unable to open database file); neuer Versuch in 1 s" in log
    assert "neuer Versuch in 2 s (Versuch 2). / Database unavailable; retrying in 2 s (attempt 2)." in log
    assert "shutting down gracefully" in log
