"""What the clock does to import jobs (participants, and the RP's measures): fail a job whose
worker died, and delete uploads and previews once nobody needs them.

An import holds a measure's participant data (or the RP's master data): in its file, its preview, its corrections and
the rows its outcome left out. Taking or discarding a job deletes its file at once
(jobs.py); what a crash, a closed tab or a forgotten upload leaves behind goes here, by
`manage.py purge_import_files` and the task of the same name, once a day. The job page asks
`fail_stale_jobs` too, so that nobody watches a dead job's progress bar.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from ..imports.reader import TEMPORARY_FOLDER
from ..models import ImportJob, ImportJobStatus
from ..storage import LocalPrivateStorage

READING_INTERRUPTED = gettext_lazy(
    "Das Lesen der Datei wurde unterbrochen (der Hintergrunddienst wurde beendet). "
    "Bitte erneut starten oder verwerfen.")
TAKING_INTERRUPTED = gettext_lazy(
    "Die Übernahme wurde unterbrochen (der Server wurde beendet); es wurde nichts gespeichert. "
    "Bitte erneut starten oder verwerfen.")

# The folders below AQB_PRIVATE_ROOT where ImportJob.file keeps uploads and where the reader
# (imports/reader.py) copies a file for its child process; a file there that no job names is stray.
UPLOAD_FOLDER = ImportJob._meta.get_field("file").upload_to.split("/")[0]
READER_FOLDER = TEMPORARY_FOLDER
# The upload writes its file a moment before the job row that names it: leave young files alone.
STRAY_AFTER = timedelta(hours=1)

_ACTIVE = (ImportJobStatus.QUEUED, ImportJobStatus.RUNNING, ImportJobStatus.TAKING)
_NOT_TAKEN = (ImportJobStatus.PREVIEW, ImportJobStatus.FAILED)
_FINISHED = (ImportJobStatus.DONE, ImportJobStatus.DISCARDED)


def retention():
    return timedelta(hours=settings.AQB_IMPORT_RETENTION_HOURS)


def retention_text():
    """How long an upload is kept, as the upload page says it („24 Stunden“)."""
    hours = settings.AQB_IMPORT_RETENTION_HOURS
    shown = str(int(hours)) if float(hours).is_integer() else formats.number_format(hours)
    return ngettext("%(hours)s Stunde", "%(hours)s Stunden", int(hours)) % {"hours": shown}


# ---------------------------------------------------------------------------
# Jobs whose worker died
# ---------------------------------------------------------------------------


def stale_jobs(jobs=None, now=None):
    """Queued, running or taking jobs without a sign of life (a save or jobs.record_progress) for AQB_IMPORT_STALE_AFTER."""
    cutoff = (now or timezone.now()) - settings.AQB_IMPORT_STALE_AFTER
    jobs = ImportJob.objects.all() if jobs is None else jobs
    return jobs.filter(status__in=_ACTIVE, updated_at__lt=cutoff).filter(
        Q(heartbeat_at__isnull=True) | Q(heartbeat_at__lt=cutoff))


def fail_stale_jobs(jobs=None, now=None):
    """Fail the jobs whose worker or take died, with a German reason; returns their ids.

    A take in progress holds its job row's lock: such a row is skipped (PostgreSQL), never
    waited for. The update repeats the status so that a job that moved on meanwhile stays.
    """
    now = now or timezone.now()
    failed = []
    with transaction.atomic():
        candidates = stale_jobs(jobs, now).select_for_update(skip_locked=True).only("pk", "status")
        for job in candidates:
            reason = TAKING_INTERRUPTED if job.status == ImportJobStatus.TAKING else READING_INTERRUPTED
            if ImportJob.objects.filter(pk=job.pk, status=job.status).update(
                    status=ImportJobStatus.FAILED, error=str(reason), heartbeat_at=now, updated_at=now):
                failed.append(job.pk)
    return failed


# ---------------------------------------------------------------------------
# The daily clean-up
# ---------------------------------------------------------------------------


def _label(job):
    if job.measure_id is None:  # the RP's import of measures
        return _("Maßnahmen-Import %(id)s (%(status)s)") % {"id": job.pk, "status": job.get_status_display()}
    return _("Import %(id)s (Maßnahme %(number)s, %(status)s)") % {
        "id": job.pk, "number": job.measure.number, "status": job.get_status_display()}


@dataclass
class PurgeReport:
    """What `purge` did (or, in a dry run, would do), as lines for the command's output."""

    dry_run: bool
    failed: list = field(default_factory=list)
    emptied: list = field(default_factory=list)
    expired: list = field(default_factory=list)
    stray: list = field(default_factory=list)

    @property
    def nothing_to_do(self):
        return not (self.failed or self.emptied or self.expired or self.stray)

    def lines(self):
        dry = self.dry_run
        lines = [_("Probelauf: es wird nichts gelöscht oder geändert.")] if dry else []
        for label in self.failed:
            lines.append((_("%(job)s: würde als unterbrochen markiert.") if dry
                          else _("%(job)s: als unterbrochen markiert.")) % {"job": label})
        for label in self.emptied:
            lines.append((_("%(job)s: Datei und Vorschau würden gelöscht.") if dry
                          else _("%(job)s: Datei und Vorschau gelöscht.")) % {"job": label})
        for label in self.expired:
            lines.append((_("%(job)s: Aufbewahrungsfrist abgelaufen, würde mit Datei, Vorschau und Ergebnis gelöscht.")
                          if dry else
                          _("%(job)s: Aufbewahrungsfrist abgelaufen, mit Datei, Vorschau und Ergebnis gelöscht."))
                         % {"job": label})
        for name in self.stray:
            lines.append((_("Datei ohne Import würde gelöscht: %(name)s") if dry
                          else _("Datei ohne Import gelöscht: %(name)s")) % {"name": name})
        if self.nothing_to_do:
            lines.append(_("Nichts zu tun: keine Importdatei und keine Vorschau ist älter als erlaubt."))
        else:
            lines.append(_("Zusammen: %(failed)d unterbrochen, %(emptied)d erledigt und geleert, "
                           "%(expired)d abgelaufen, %(stray)d Dateien ohne Import.") % {
                "failed": len(self.failed), "emptied": len(self.emptied),
                "expired": len(self.expired), "stray": len(self.stray)})
        return lines


def purge(*, dry_run=False, now=None):
    """Fail dead jobs; empty taken and discarded ones at once; delete every job older than
    AQB_IMPORT_RETENTION_HOURS (not taken: since the upload; taken or discarded: since then)
    with what it holds; delete files under the upload and reader folders that no job names
    (a crash's leftovers). Idempotent.
    """
    now = now or timezone.now()
    report = PurgeReport(dry_run)

    stale = {job.pk: _label(job) for job in stale_jobs(now=now).select_related("measure")}
    failed = list(stale) if dry_run else fail_stale_jobs(ImportJob.objects.filter(pk__in=list(stale)), now=now)
    report.failed = [stale[pk] for pk in failed]

    leftovers = ImportJob.objects.filter(status__in=_FINISHED).filter(
        ~Q(file="") | ~Q(preview={}) | ~Q(corrections={})).select_related("measure")
    for job in leftovers:
        report.emptied.append(_label(job))
        if not dry_run:
            ImportJob.objects.filter(pk=job.pk, status=job.status).update(preview={}, corrections={})
            _delete_file(job)

    cutoff = now - retention()
    expired = ImportJob.objects.filter(
        Q(status__in=_NOT_TAKEN, created_at__lte=cutoff) | Q(status__in=_FINISHED, updated_at__lte=cutoff)
    ).select_related("measure").defer("preview", "corrections", "outcome")
    for job in expired:
        # Deleted only if still in the state it was found in (a take may have claimed it meanwhile).
        if dry_run or ImportJob.objects.filter(pk=job.pk, status=job.status).delete()[0]:
            report.expired.append(_label(job))
            if not dry_run:
                _delete_file(job)

    stray = _stray_files(now)
    report.stray = sorted(name for name, _storage in stray)
    if not dry_run:
        for name, storage in stray:
            storage.delete(name)
    return report


def _delete_file(job):
    if job.file:
        job.file.delete(save=False)
        ImportJob.objects.filter(pk=job.pk).update(file="")


def _stray_files(now):
    """(name, storage) of files under the upload and reader folders that no job names, last written more than STRAY_AFTER ago.

    The uploads live in the private storage (the disk below AQB_PRIVATE_ROOT, or an object
    store); the reader's copies always on this machine's disk below AQB_PRIVATE_ROOT.
    """
    storage = ImportJob._meta.get_field("file").storage
    local = LocalPrivateStorage()
    known = set(ImportJob.objects.exclude(file="").values_list("file", flat=True))
    old_enough = now - STRAY_AFTER
    stray = []
    tops = [(READER_FOLDER, local)]
    tops.insert(0, (UPLOAD_FOLDER, local if storage.is_local else storage))
    for top, where in tops:
        for name in _walk(where, top):
            if name not in known and where.get_modified_time(name) <= old_enough:
                stray.append((name, where))
    return sorted(stray, key=lambda item: item[0])


def _walk(storage, folder):
    """Every file name below `folder` of a storage, through the storage API (disk or object store)."""
    try:
        folders, files = storage.listdir(folder)
    except (FileNotFoundError, NotADirectoryError):
        return
    for filename in files:
        yield f"{folder}/{filename}"
    for sub in folders:
        yield from _walk(storage, f"{folder}/{sub}")
