"""The life cycle of a participant Excel import: one take per job, discard, jobs whose worker
died, and the clean-up of uploads and previews (jobs.py, housekeeping.py, purge_import_files)."""

import datetime
import os
import threading
import time
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from aqb_monitoring.excel import housekeeping, jobs, tasks
from aqb_monitoring.excel import importer as participant_importer
from aqb_monitoring.imports.cells import ImportFileError
from aqb_monitoring.models import ImportJob, Participant

from .excel_files import red_row, workbook_bytes, yellow_row

pytestmark = pytest.mark.django_db

MINUTE = datetime.timedelta(minutes=1)


@pytest.fixture(autouse=True)
def _life_cycle_settings(settings):
    settings.AQB_IMPORT_STALE_AFTER = datetime.timedelta(minutes=10)
    settings.AQB_IMPORT_RETENTION_HOURS = 24


def uploaded_job(client, user, measure, rows):
    """An upload through the admin page, read at once into a preview."""
    client.force_login(user)
    client.post(reverse("aqb_excel:measure_import", args=[measure.pk]),
                {"file": SimpleUploadedFile("teilnehmende.xlsx", workbook_bytes(rows))})
    return ImportJob.objects.latest("pk")


def stored_job(measure, user, status, rows=None, **fields):
    """A job written directly, with its file under the private folder, for states a test cannot reach by clicking."""
    job = ImportJob(measure=measure, user=user, original_name="teilnehmende.xlsx", status=status, **fields)
    job.file.save("teilnehmende.xlsx", ContentFile(workbook_bytes(rows or [yellow_row(measure)])), save=False)
    job.save()
    return job


def age(job, **timestamps):
    """Move a job's timestamps into the past (auto_now would overwrite them on save)."""
    ImportJob.objects.filter(pk=job.pk).update(**timestamps)
    job.refresh_from_db()
    return job


def page_after(client, method, name, job, **kwargs):
    response = getattr(client, method)(reverse(name, args=[job.pk]), follow=True, **kwargs)
    return response.content.decode()


# ---------------------------------------------------------------------------
# One take per job
# ---------------------------------------------------------------------------


def test_a_second_take_of_the_same_job_is_refused_and_the_counts_stay(client, ze_kassel, measure_a):
    job = uploaded_job(client, ze_kassel, measure_a, [yellow_row(measure_a, "Y-1"), red_row(measure_a, "R-1")])
    client.post(reverse("aqb_excel:job_take", args=[job.pk]))
    job.refresh_from_db()
    outcome = job.outcome
    page = page_after(client, "post", "aqb_excel:job_take", job)
    assert "„Übernehmen“ ist nicht möglich: Der Import wurde bereits übernommen." in page
    job.refresh_from_db()
    assert job.status == "done" and job.outcome == outcome == {
        "created": ["Y-1"], "updated": [], "unchanged": [], "left_out": job.outcome["left_out"]}
    assert len(outcome["left_out"]) == 1
    assert Participant.objects.filter(measure=measure_a).count() == 1


def test_a_second_take_and_a_discard_while_a_take_runs_are_refused(client, ze_kassel, measure_a, monkeypatch):
    """The other tab's click arrives while the first take is still writing."""
    job = uploaded_job(client, ze_kassel, measure_a, [yellow_row(measure_a, "Y-1")])
    real_do_import = participant_importer.do_import
    seen = {}

    def do_import_meanwhile(*args, **kwargs):
        seen["status"] = ImportJob.objects.get(pk=job.pk).status
        for name, attempt in (("take", lambda other: jobs.take(other, ze_kassel)), ("discard", jobs.discard)):
            with pytest.raises(jobs.ImportJobRefused) as refused:
                attempt(ImportJob.objects.get(pk=job.pk))
            seen[name] = refused.value.message
        return real_do_import(*args, **kwargs)

    monkeypatch.setattr(participant_importer, "do_import", do_import_meanwhile)
    client.post(reverse("aqb_excel:job_take", args=[job.pk]))
    assert seen == {
        "status": "taking",
        "take": "„Übernehmen“ ist nicht möglich: Der Import wird gerade übernommen; bitte warten Sie auf das Ergebnis.",
        "discard": "„Verwerfen“ ist nicht möglich: Der Import wird gerade übernommen; bitte warten Sie auf das Ergebnis.",
    }
    job.refresh_from_db()
    assert job.status == "done" and job.outcome["created"] == ["Y-1"]
    assert Participant.objects.filter(measure=measure_a).count() == 1


def test_the_page_of_a_job_being_taken_shows_no_buttons_and_reloads(client, ze_kassel, measure_a):
    job = stored_job(measure_a, ze_kassel, "taking", heartbeat_at=timezone.now())
    client.force_login(ze_kassel)
    page = client.get(reverse("aqb_excel:job", args=[job.pk])).content.decode()
    assert "Die Zeilen werden übernommen" in page and 'http-equiv="refresh"' in page
    assert reverse("aqb_excel:job_discard", args=[job.pk]) not in page


def test_take_after_discard_is_refused_in_german(client, ze_kassel, measure_a):
    job = uploaded_job(client, ze_kassel, measure_a, [yellow_row(measure_a, "Y-1")])
    stored = Path(job.file.path)
    page = page_after(client, "post", "aqb_excel:job_discard", job)
    assert "Der Import wurde verworfen; es wurde nichts übernommen." in page
    page = page_after(client, "post", "aqb_excel:job_take", job)
    assert "„Übernehmen“ ist nicht möglich: Der Import wurde verworfen." in page
    assert "Dieser Import wurde verworfen" in page
    job.refresh_from_db()
    assert job.status == "discarded" and not job.file and job.preview == {} and job.corrections == {}
    assert not stored.exists()
    assert not Participant.objects.exists()


def test_discard_of_a_taken_job_is_refused_and_keeps_its_outcome(client, ze_kassel, measure_a):
    job = uploaded_job(client, ze_kassel, measure_a, [yellow_row(measure_a, "Y-1")])
    client.post(reverse("aqb_excel:job_take", args=[job.pk]))
    page = page_after(client, "post", "aqb_excel:job_discard", job)
    assert "„Verwerfen“ ist nicht möglich: Der Import wurde bereits übernommen." in page
    job.refresh_from_db()
    assert job.status == "done" and job.outcome["created"] == ["Y-1"]


def test_a_second_discard_does_nothing(client, ze_kassel, measure_a):
    job = uploaded_job(client, ze_kassel, measure_a, [yellow_row(measure_a, "Y-1")])
    client.post(reverse("aqb_excel:job_discard", args=[job.pk]))
    response = client.post(reverse("aqb_excel:job_discard", args=[job.pk]))
    assert response.status_code == 302 and response.url == reverse("aqb_monitoring:measure", args=[measure_a.pk])
    assert ImportJob.objects.get(pk=job.pk).status == "discarded"


def test_a_take_that_fails_leaves_the_preview_to_take_again(client, ze_kassel, measure_a, monkeypatch):
    job = uploaded_job(client, ze_kassel, measure_a, [yellow_row(measure_a, "Y-1")])

    def refuse(*args, **kwargs):
        raise ImportFileError("Die Datei ist beschädigt.")

    monkeypatch.setattr(participant_importer, "do_import", refuse)
    page = page_after(client, "post", "aqb_excel:job_take", job)
    assert "Die Datei ist beschädigt." in page
    job.refresh_from_db()
    assert job.status == "preview" and job.file
    monkeypatch.undo()
    client.post(reverse("aqb_excel:job_take", args=[job.pk]))
    assert ImportJob.objects.get(pk=job.pk).status == "done"
    assert Participant.objects.filter(measure=measure_a).count() == 1


def test_a_take_drops_the_file_preview_and_corrections_and_keeps_the_outcome(client, ze_kassel, measure_a):
    job = uploaded_job(client, ze_kassel, measure_a, [yellow_row(measure_a, "Y-1"), red_row(measure_a, "R-1")])
    ImportJob.objects.filter(pk=job.pk).update(corrections={"9": {"gender": "weiblich"}})
    stored = Path(job.file.path)
    client.post(reverse("aqb_excel:job_take", args=[job.pk]))
    job.refresh_from_db()
    assert not job.file and not stored.exists()
    assert job.preview == {} and job.corrections == {}
    assert job.outcome["created"] == ["Y-1"] and [row["row"] for row in job.outcome["left_out"]] == [3]
    page = client.get(reverse("aqb_excel:job", args=[job.pk])).content.decode()
    assert "Dieses Ergebnis wird 24 Stunden nach der Übernahme gelöscht." in page


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_takes_at_the_same_moment_write_once(ze_kassel, measure_a):
    """Two requests in two threads, each with its own database connection, race for the claim."""
    if connection.vendor != "postgresql":
        pytest.skip("Needs PostgreSQL: SQLite's in-memory test database is not shared between threads.")
    job = stored_job(measure_a, ze_kassel, "queued", rows=[yellow_row(measure_a, "Y-1")])
    jobs.run_preview(job)
    start = threading.Barrier(2)
    results = []

    def click():
        try:
            start.wait()
            jobs.take(ImportJob.objects.select_related("measure__measure_type").get(pk=job.pk), ze_kassel)
            results.append("taken")
        except jobs.ImportJobRefused as refused:
            results.append(refused.message)
        finally:
            connection.close()

    threads = [threading.Thread(target=click) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    refusals = [result for result in results if result != "taken"]
    assert results.count("taken") == 1 and len(refusals) == 1, results
    assert refusals[0].startswith("„Übernehmen“ ist nicht möglich: Der Import wird gerade übernommen") or \
        refusals[0] == "„Übernehmen“ ist nicht möglich: Der Import wurde bereits übernommen.", refusals
    assert Participant.objects.filter(measure=measure_a).count() == 1
    assert ImportJob.objects.get(pk=job.pk).outcome["created"] == ["Y-1"]


# ---------------------------------------------------------------------------
# Jobs whose worker died
# ---------------------------------------------------------------------------


def test_a_running_job_without_a_sign_of_life_is_failed_when_its_page_is_opened(client, ze_kassel, measure_a):
    job = stored_job(measure_a, ze_kassel, "running", progress=1000, total=5000)
    age(job, updated_at=timezone.now() - 11 * MINUTE, heartbeat_at=timezone.now() - 11 * MINUTE)
    client.force_login(ze_kassel)
    page = client.get(reverse("aqb_excel:job", args=[job.pk])).content.decode()
    assert ("Das Lesen der Datei wurde unterbrochen (der Hintergrunddienst wurde beendet). "
            "Bitte erneut starten oder verwerfen.") in page
    assert "Erneut starten" in page and reverse("aqb_excel:job_discard", args=[job.pk]) in page
    assert 'http-equiv="refresh"' not in page
    assert ImportJob.objects.get(pk=job.pk).status == "failed"


def test_a_running_job_with_a_recent_heartbeat_keeps_running(client, ze_kassel, measure_a):
    job = stored_job(measure_a, ze_kassel, "running", total=5000)
    age(job, updated_at=timezone.now() - 30 * MINUTE)
    jobs.record_progress(job.pk, 2000, 5000)
    client.force_login(ze_kassel)
    page = client.get(reverse("aqb_excel:job", args=[job.pk])).content.decode()
    assert "Die Datei wird geprüft: 2000 von 5000 Zeilen." in page
    assert ImportJob.objects.get(pk=job.pk).status == "running"


def test_a_queued_job_is_failed_only_after_the_configured_time(client, settings, ze_kassel, measure_a):
    job = age(stored_job(measure_a, ze_kassel, "queued"), updated_at=timezone.now() - 11 * MINUTE)
    settings.AQB_IMPORT_STALE_AFTER = datetime.timedelta(minutes=15)
    assert housekeeping.fail_stale_jobs() == []
    settings.AQB_IMPORT_STALE_AFTER = datetime.timedelta(minutes=10)
    assert housekeeping.fail_stale_jobs() == [job.pk]
    assert ImportJob.objects.get(pk=job.pk).error.startswith("Das Lesen der Datei wurde unterbrochen")


def test_an_interrupted_take_is_failed_and_nothing_was_saved(client, ze_kassel, measure_a):
    job = stored_job(measure_a, ze_kassel, "taking")
    age(job, updated_at=timezone.now() - 11 * MINUTE, heartbeat_at=timezone.now() - 11 * MINUTE)
    client.force_login(ze_kassel)
    page = client.get(reverse("aqb_excel:job", args=[job.pk])).content.decode()
    assert "Die Übernahme wurde unterbrochen" in page and "Erneut starten" in page


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_take_that_still_holds_its_lock_is_neither_failed_nor_waited_for(ze_kassel, measure_a):
    """A take running longer than AQB_IMPORT_STALE_AFTER holds the job row's lock: the check skips it at once."""
    if connection.vendor != "postgresql":
        pytest.skip("Needs PostgreSQL: SQLite has no row locks (its writers wait for each other).")
    job = stored_job(measure_a, ze_kassel, "taking")
    age(job, updated_at=timezone.now() - 11 * MINUTE)
    locked, release = threading.Event(), threading.Event()

    def long_take():
        try:
            with transaction.atomic():
                ImportJob.objects.select_for_update().get(pk=job.pk)
                locked.set()
                release.wait(10)
        finally:
            connection.close()

    taker = threading.Thread(target=long_take)
    taker.start()
    locked.wait(10)
    try:
        started = time.monotonic()
        assert housekeeping.fail_stale_jobs() == []
        assert time.monotonic() - started < 2
    finally:
        release.set()
        taker.join()
    assert housekeeping.fail_stale_jobs() == [job.pk]  # once the lock is gone, a dead take is failed


def test_the_progress_page_offers_discard_and_a_discarded_job_is_not_read_on(client, ze_kassel, measure_a):
    job = stored_job(measure_a, ze_kassel, "running", total=5000)
    client.force_login(ze_kassel)
    page = client.get(reverse("aqb_excel:job", args=[job.pk])).content.decode()
    assert reverse("aqb_excel:job_discard", args=[job.pk]) in page and "Verwerfen" in page
    client.post(reverse("aqb_excel:job_discard", args=[job.pk]))
    with pytest.raises(jobs.ImportJobGone):
        jobs.record_progress(job.pk, 3000, 5000)  # the worker's next report stops it
    tasks.build_preview.enqueue(job.pk)  # a task still in the queue reads nothing
    job.refresh_from_db()
    assert job.status == "discarded" and job.preview == {} and not job.file


def test_restart_reads_the_file_of_a_failed_job_again(client, ze_kassel, measure_a):
    job = stored_job(measure_a, ze_kassel, "running", rows=[yellow_row(measure_a, "Y-1")])
    age(job, updated_at=timezone.now() - 11 * MINUTE)
    client.force_login(ze_kassel)
    client.get(reverse("aqb_excel:job", args=[job.pk]))
    assert ImportJob.objects.get(pk=job.pk).status == "failed"
    page = page_after(client, "post", "aqb_excel:job_restart", job)
    assert "Vorschau: 1 Zeile neu" in page
    job.refresh_from_db()
    assert job.status == "preview" and job.error == ""
    page = page_after(client, "post", "aqb_excel:job_restart", job)
    assert "„Erneut starten“ ist nicht möglich: Die Vorschau liegt bereits vor." in page


def test_restart_without_the_file_is_refused_in_german(client, ze_kassel, measure_a):
    job = stored_job(measure_a, ze_kassel, "failed", error="unterbrochen")
    Path(job.file.path).unlink()
    client.force_login(ze_kassel)
    page = page_after(client, "post", "aqb_excel:job_restart", job)
    assert "Die Datei ist nicht mehr vorhanden. Bitte laden Sie sie erneut hoch." in page
    assert ImportJob.objects.get(pk=job.pk).status == "failed"


def test_another_grant_recipients_user_cannot_restart_or_discard_a_failed_job(client, ze_kassel, ze_fulda, provider_b,
                                                                             measure_a):
    job = stored_job(measure_a, ze_kassel, "failed", error="unterbrochen")
    for stranger in (ze_fulda, provider_b):
        client.force_login(stranger)
        for name in ("job_restart", "job_discard"):
            assert client.post(reverse(f"aqb_excel:{name}", args=[job.pk])).status_code == 404
    assert ImportJob.objects.get(pk=job.pk).status == "failed" and Path(job.file.path).exists()
    client.force_login(ze_kassel)
    client.post(reverse("aqb_excel:job_restart", args=[job.pk]))
    assert ImportJob.objects.get(pk=job.pk).status == "preview"


def test_reading_a_file_records_the_workers_sign_of_life(ze_kassel, measure_a, monkeypatch):
    rows = [yellow_row(measure_a, f"Y-{number}") for number in range(1000)]
    job = stored_job(measure_a, ze_kassel, "queued", rows=rows)
    assert job.heartbeat_at is None
    reports = []

    def record_progress(job_pk, done, total):
        reports.append((done, total, ImportJob.objects.get(pk=job_pk).status))
        real_record_progress(job_pk, done, total)

    real_record_progress = jobs.record_progress
    monkeypatch.setattr(jobs, "record_progress", record_progress)
    jobs.run_preview(job)
    job.refresh_from_db()
    assert job.status == "preview" and job.heartbeat_at is not None
    assert (1000, 1000, "running") in reports


# ---------------------------------------------------------------------------
# purge_import_files
# ---------------------------------------------------------------------------


def purge_output(capsys, *args):
    call_command("purge_import_files", *args)
    return capsys.readouterr().out


def test_purge_deletes_what_nobody_needs_and_is_idempotent(capsys, ze_kassel, measure_a):
    now = timezone.now()
    forgotten = age(stored_job(measure_a, ze_kassel, "preview", preview={"rows": ["…"]}),
                    created_at=now - datetime.timedelta(hours=25))
    fresh = age(stored_job(measure_a, ze_kassel, "preview"), created_at=now - datetime.timedelta(hours=23))
    taken_with_leftovers = stored_job(measure_a, ze_kassel, "done", preview={"rows": ["…"]}, outcome={"created": ["Y-1"]})
    dead = age(stored_job(measure_a, ze_kassel, "running"), updated_at=now - 11 * MINUTE)
    forgotten_file, leftover_file = Path(forgotten.file.path), Path(taken_with_leftovers.file.path)

    out = purge_output(capsys)
    assert f"Import {forgotten.pk} (Maßnahme {measure_a.number}, Vorschau): Aufbewahrungsfrist abgelaufen" in out
    assert f"Import {taken_with_leftovers.pk} (Maßnahme {measure_a.number}, übernommen): Datei und Vorschau gelöscht." in out
    assert f"Import {dead.pk} (Maßnahme {measure_a.number}, wird gelesen): als unterbrochen markiert." in out
    assert "Zusammen: 1 unterbrochen, 1 erledigt und geleert, 1 abgelaufen, 0 Dateien ohne Import." in out
    assert not ImportJob.objects.filter(pk=forgotten.pk).exists() and not forgotten_file.exists()
    taken_with_leftovers.refresh_from_db()
    assert not taken_with_leftovers.file and not leftover_file.exists() and taken_with_leftovers.preview == {}
    assert taken_with_leftovers.outcome == {"created": ["Y-1"]}  # kept until its retention ends
    assert ImportJob.objects.get(pk=dead.pk).status == "failed"
    assert Path(ImportJob.objects.get(pk=fresh.pk).file.path).exists()

    assert purge_output(capsys) == "Nichts zu tun: keine Importdatei und keine Vorschau ist älter als erlaubt.\n"


def test_purge_dry_run_changes_nothing(capsys, ze_kassel, measure_a):
    forgotten = age(stored_job(measure_a, ze_kassel, "preview"), created_at=timezone.now() - datetime.timedelta(hours=25))
    out = purge_output(capsys, "--dry-run")
    assert out.startswith("Probelauf: es wird nichts gelöscht oder geändert.")
    assert "würde mit Datei, Vorschau und Ergebnis gelöscht." in out
    assert ImportJob.objects.filter(pk=forgotten.pk).exists() and Path(forgotten.file.path).exists()
    assert "1 abgelaufen" in purge_output(capsys, "--dry-run")


@pytest.mark.parametrize("status,clock", [("preview", "created_at"), ("failed", "created_at"), ("done", "updated_at"),
                                          ("discarded", "updated_at")])
def test_retention_ends_exactly_after_the_configured_hours(settings, ze_kassel, measure_a, status, clock):
    """Not taken: counted from the upload; taken or discarded: from then."""
    settings.AQB_IMPORT_RETENTION_HOURS = 2
    now = timezone.now()
    young = age(stored_job(measure_a, ze_kassel, status), **{clock: now - datetime.timedelta(hours=2) + datetime.timedelta(seconds=1)})
    due = age(stored_job(measure_a, ze_kassel, status), **{clock: now - datetime.timedelta(hours=2)})
    housekeeping.purge(now=now)
    assert ImportJob.objects.filter(pk=young.pk).exists()
    assert not ImportJob.objects.filter(pk=due.pk).exists()


def test_purge_never_deletes_a_job_that_is_being_read_or_taken(ze_kassel, measure_a):
    old = timezone.now() - datetime.timedelta(hours=30)
    for status in ("running", "taking"):
        job = age(stored_job(measure_a, ze_kassel, status), created_at=old)
        jobs.record_progress(job.pk, 1, 2) if status == "running" else age(job, heartbeat_at=timezone.now())
    housekeeping.purge()
    assert sorted(ImportJob.objects.values_list("status", flat=True)) == ["running", "taking"]
    assert all(Path(job.file.path).exists() for job in ImportJob.objects.all())


def test_purge_deletes_old_files_that_no_job_names(settings, ze_kassel, measure_a):
    kept = stored_job(measure_a, ze_kassel, "preview")
    folder = Path(settings.AQB_PRIVATE_ROOT) / "excel-imports" / "2026" / "01"
    folder.mkdir(parents=True)
    reader_copy = Path(settings.AQB_PRIVATE_ROOT) / "tmp" / "tmp1234.xlsx"  # a killed reader's copy
    reader_copy.parent.mkdir(parents=True)
    stray, young = folder / "abgebrochen.xlsx", folder / "wird-gerade-hochgeladen.xlsx"
    for path in (stray, young, reader_copy):
        path.write_bytes(b"PK teilweise")
    two_hours_ago = (timezone.now() - datetime.timedelta(hours=2)).timestamp()
    for path in (stray, reader_copy, Path(kept.file.path)):
        os.utime(path, (two_hours_ago, two_hours_ago))
    report = housekeeping.purge()
    assert report.stray == ["excel-imports/2026/01/abgebrochen.xlsx", "tmp/tmp1234.xlsx"]
    assert not stray.exists() and not reader_copy.exists()
    assert young.exists() and Path(kept.file.path).exists()
    assert "Datei ohne Import gelöscht: excel-imports/2026/01/abgebrochen.xlsx" in report.lines()


def test_the_daily_task_purges_like_the_command(ze_kassel, measure_a):
    forgotten = age(stored_job(measure_a, ze_kassel, "failed"), created_at=timezone.now() - datetime.timedelta(hours=25))
    result = tasks.purge_import_files.enqueue()
    assert any("Aufbewahrungsfrist abgelaufen" in line for line in result.return_value)
    assert not ImportJob.objects.filter(pk=forgotten.pk).exists()


def test_the_upload_page_says_how_long_a_file_is_kept(client, settings, ze_kassel, measure_a):
    client.force_login(ze_kassel)
    url = reverse("aqb_excel:measure_import", args=[measure_a.pk])
    assert "spätestens 24 Stunden nach dem Hochladen" in client.get(url).content.decode()
    settings.AQB_IMPORT_RETENTION_HOURS = 1
    assert "spätestens 1 Stunde nach dem Hochladen" in client.get(url).content.decode()
