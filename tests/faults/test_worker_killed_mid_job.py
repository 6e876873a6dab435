"""Fault (b): the worker dies in the middle of reading an import (issue 14, item 2; issue 9).

A killed worker leaves its job "wird gelesen" with a sign of life that no longer moves. The
running worker (every minute) and the job's page fail such a job with a German reason; the page
then stops reloading and offers "Erneut starten" (reads the same file again) and "Verwerfen"
(deletes the file). Simulated by moving the job's last sign of life into the past, as the worker's
death does; on PostgreSQL also for real (SIGKILL to `manage.py run_worker` while it reads).
"""

import datetime
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from aqb_monitoring.models import ImportJob, Participant

from ..excel_files import workbook_bytes, yellow_row
from .conftest import TestWorker, files_below

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[2]

INTERRUPTED = ("Das Lesen der Datei wurde unterbrochen (der Hintergrunddienst wurde beendet). "
               "Bitte erneut starten oder verwerfen.")


@pytest.fixture
def dead_job(client, settings, database_tasks, private_root, ze_kassel, measure_a):
    """A background import whose worker claimed the task, read part of the file and was killed 11 minutes ago."""
    settings.AQB_IMPORT_STALE_AFTER = datetime.timedelta(minutes=10)
    settings.AQB_IMPORT_INLINE_ROWS = 1
    client.force_login(ze_kassel)
    rows = [yellow_row(measure_a, f"TN-{number}") for number in range(1, 4)]
    client.post(reverse("aqb_excel:measure_import", args=[measure_a.pk]),
                {"file": SimpleUploadedFile("teilnehmende.xlsx", workbook_bytes(rows))})
    job = ImportJob.objects.get()
    DBTaskResult.objects.filter(task_path="aqb_monitoring.excel.tasks.build_preview").update(
        status="RUNNING", worker_ids=["killed-worker"])
    long_ago = timezone.now() - datetime.timedelta(minutes=11)
    ImportJob.objects.filter(pk=job.pk).update(status="running", progress=1, total=3, heartbeat_at=long_ago,
                                               updated_at=long_ago)
    return job


def job_page(client, job):
    return client.get(reverse("aqb_excel:job", args=[job.pk])).content.decode()


def test_the_running_worker_fails_a_dead_job_without_anybody_opening_its_page(dead_job):
    TestWorker().run()
    job = ImportJob.objects.get(pk=dead_job.pk)
    assert job.status == "failed" and job.error == INTERRUPTED


def test_the_page_of_a_dead_job_stops_reloading_and_offers_restart_and_discard(client, dead_job):
    page = job_page(client, dead_job)
    assert INTERRUPTED in page and 'http-equiv="refresh"' not in page
    assert reverse("aqb_excel:job_restart", args=[dead_job.pk]) in page and "Erneut starten" in page
    assert reverse("aqb_excel:job_discard", args=[dead_job.pk]) in page and "Verwerfen" in page


def test_restart_reads_the_same_file_again_in_the_worker(client, dead_job):
    job_page(client, dead_job)
    client.post(reverse("aqb_excel:job_restart", args=[dead_job.pk]))
    assert ImportJob.objects.get(pk=dead_job.pk).status == "queued"
    assert 'http-equiv="refresh"' in job_page(client, dead_job)
    TestWorker().run()
    job = ImportJob.objects.get(pk=dead_job.pk)
    assert job.status == "preview" and job.preview["counts"]["create"] == 3 and job.error == ""
    assert not Participant.objects.exists()


def test_discard_deletes_the_file_of_personal_data(client, dead_job, private_root):
    stored = Path(dead_job.file.path)
    assert stored.exists()
    job_page(client, dead_job)
    client.post(reverse("aqb_excel:job_discard", args=[dead_job.pk]))
    job = ImportJob.objects.get(pk=dead_job.pk)
    assert job.status == "discarded" and not job.file
    assert not stored.exists() and files_below(private_root) == []


def test_a_stranger_cannot_restart_or_discard_the_dead_job(client, dead_job, ze_fulda, provider_b):
    job_page(client, dead_job)
    for stranger in (ze_fulda, provider_b):
        client.force_login(stranger)
        for name in ("job", "job_restart", "job_discard"):
            method = client.get if name == "job" else client.post
            assert method(reverse(f"aqb_excel:{name}", args=[dead_job.pk])).status_code == 404
    job = ImportJob.objects.get(pk=dead_job.pk)
    assert job.status == "failed" and Path(job.file.path).exists()


def test_the_progress_page_says_when_a_stalled_import_offers_its_buttons(client, dead_job):
    """While a job still counts as alive, its reloading page tells what happens if it stalls: never a bar without end."""
    ImportJob.objects.filter(pk=dead_job.pk).update(heartbeat_at=timezone.now(), status="taking")
    page = job_page(client, dead_job)
    assert 'http-equiv="refresh"' in page
    assert ("Geht es 10 Minuten lang nicht weiter, wird der Import als unterbrochen gemeldet; "
            "Sie können ihn dann erneut starten oder verwerfen.") in page


@pytest.mark.skipif(connection.vendor != "postgresql",
                    reason="braucht eine Datenbank, die ein zweiter Prozess sieht (PostgreSQL) / needs a database "
                           "a second process can see; the SQLite run uses the simulated death above")
def test_a_worker_killed_for_real_leaves_a_job_that_its_page_recovers(client, settings, database_tasks, private_root,
                                                                      ze_kassel, measure_a):
    """`manage.py run_worker` reads a large upload and is killed (SIGKILL, with its reading process): the job
    stays "wird gelesen" until its sign of life is too old, then its page fails it and "Erneut starten" reads
    the same file into its preview."""
    settings.AQB_IMPORT_INLINE_ROWS = 1
    client.force_login(ze_kassel)
    rows = [yellow_row(measure_a, f"TN-{number}") for number in range(1, 10001)]
    client.post(reverse("aqb_excel:measure_import", args=[measure_a.pk]),
                {"file": SimpleUploadedFile("teilnehmende.xlsx", workbook_bytes(rows))})
    job = ImportJob.objects.get()
    assert job.status == "queued"

    database = connection.settings_dict
    env = {**os.environ, "DATABASE_URL": f"postgres://{database['USER']}:{database['PASSWORD']}@{database['HOST']}:"
                                         f"{database['PORT']}/{database['NAME']}",
           "PRIVATE_ROOT": str(private_root), "TASKS_BACKEND": "django_tasks_db.DatabaseBackend", "DEBUG": "1",
           "AQB_VAR_DIR": str(private_root.parent / "var")}
    env.pop("PYTEST_VERSION", None)
    worker = subprocess.Popen([sys.executable, "manage.py", "run_worker", "--no-reload", "--no-startup-delay"],
                              cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              start_new_session=True)
    try:
        deadline = time.monotonic() + 180
        while ImportJob.objects.get(pk=job.pk).status == "queued" and time.monotonic() < deadline:
            time.sleep(0.2)
        assert ImportJob.objects.get(pk=job.pk).status == "running", "the worker did not start reading in time"
    finally:
        os.killpg(worker.pid, signal.SIGKILL)  # the worker and its reading process, without a chance to clean up
        worker.wait(timeout=30)
    time.sleep(1)
    assert ImportJob.objects.get(pk=job.pk).status == "running"

    settings.AQB_IMPORT_STALE_AFTER = datetime.timedelta(seconds=1)
    time.sleep(1.5)
    page = job_page(client, job)
    assert INTERRUPTED in page and "Erneut starten" in page
    settings.AQB_IMPORT_STALE_AFTER = datetime.timedelta(minutes=10)
    client.post(reverse("aqb_excel:job_restart", args=[job.pk]))
    TestWorker().run()
    job.refresh_from_db()
    assert job.status == "preview" and job.preview["counts"]["create"] == 10000
    assert not Participant.objects.exists()
