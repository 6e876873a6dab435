"""Import jobs: reading an upload into a preview (in the background for large files),
correcting rows, taking the valid rows, once. Views and the task call these; they hold no rule.

One mechanism for both importers: the job's `kind` names its importer (IMPORTERS), an
object with
- `read(job, *, inline_max_rows, progress)` → what was read (ImportFileError, NeedsBackground),
- `row_count(read)`,
- `validate(read, job, *, progress)` → the preview stored on the job (counts, rows, ...),
- `take(job, user)` → (outcome, what the result page shows), written in the caller's transaction.
The participant import's is `excel.importer.PARTICIPANT_IMPORTER`, the RP's measure
import's `measure_import.MEASURE_IMPORTER`.
"""

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..imports.cells import ImportFileError
from ..imports.reader import NeedsBackground
from ..imports.results import count_actions
from ..measure_import import MEASURE_IMPORTER
from ..models import ImportJob, ImportJobKind, ImportJobStatus
from .importer import PARTICIPANT_IMPORTER, revalidate_rows

IMPORTERS = {
    ImportJobKind.PARTICIPANTS: PARTICIPANT_IMPORTER,
    ImportJobKind.MEASURES: MEASURE_IMPORTER,
}


def importer_of(job):
    return IMPORTERS[job.kind]


def run_preview(job, *, inline_max_rows=None):
    """Read and validate the job's file (with its corrections) and store the preview; never writes participants.

    With `inline_max_rows` (a web request) a file whose pre-check counts more rows raises
    NeedsBackground before anything is read.
    """
    started = ImportJob.objects.filter(pk=job.pk, status__in=(ImportJobStatus.QUEUED, ImportJobStatus.RUNNING)).update(
        status=ImportJobStatus.RUNNING, progress=0, heartbeat_at=timezone.now())
    if not started:  # discarded or taken before a queued task got to it
        raise ImportJobGone(job.pk)

    def reading(_done, _total):
        record_progress(job.pk, 0, 0)  # a sign of life; the page says "wird gelesen" until rows are checked

    def progress(done, total):
        record_progress(job.pk, done, total)

    importer = importer_of(job)
    try:
        read = importer.read(job, inline_max_rows=inline_max_rows, progress=reading)
        ImportJob.objects.filter(pk=job.pk).update(total=importer.row_count(read))
        preview = importer.validate(read, job, progress=progress)
    except ImportFileError as error:
        job.status, job.error, job.preview = ImportJobStatus.FAILED, error.message, {}
        job.save(update_fields=["status", "error", "preview", "updated_at"])
        return job
    job.status, job.error = ImportJobStatus.PREVIEW, ""
    job.preview = preview
    job.progress = job.total = len(preview["rows"])
    job.save(update_fields=["status", "error", "preview", "progress", "total", "updated_at"])
    return job


def start_preview(job):
    """Read at once if the pre-check counts at most AQB_IMPORT_INLINE_ROWS rows; else the task worker reads
    the file and the page shows progress. The row count decides, not the size in bytes: a small file
    can hold 100,000 rows."""
    from .tasks import build_preview

    try:
        return run_preview(job, inline_max_rows=settings.AQB_IMPORT_INLINE_ROWS)
    except NeedsBackground:
        ImportJob.objects.filter(pk=job.pk).update(status=ImportJobStatus.QUEUED, heartbeat_at=timezone.now())
        job.status = ImportJobStatus.QUEUED
        transaction.on_commit(lambda: build_preview.enqueue(job.pk))
        return job


def correct_row(job, row_number, cells):
    """Keep the texts typed into a row's inline form and check that row again, with the rows sharing its ID."""
    with transaction.atomic():
        locked = ImportJob.objects.select_for_update(of=("self",)).select_related("measure__measure_type").get(pk=job.pk)
        if locked.status != ImportJobStatus.PREVIEW or locked.kind != ImportJobKind.PARTICIPANTS:
            raise _refused(job.pk, _("Die Korrektur ist nicht möglich:"))
        corrections = dict(locked.corrections)
        corrections[str(row_number)] = cells
        rows = revalidate_rows(locked.preview.get("rows", []), locked.measure, corrections, row_number)
        locked.corrections = corrections
        locked.preview = {**locked.preview, "rows": rows, "counts": count_actions(rows)}
        locked.save(update_fields=["corrections", "preview", "updated_at"])
    return locked


# ---------------------------------------------------------------------------
# Life cycle: a sign of life while reading; take once; discard; start again
# ---------------------------------------------------------------------------


class ImportJobGone(Exception):
    """The job was discarded, taken or declared dead while its file was read: stop reading it."""


class ImportJobRefused(Exception):
    """A take, discard or restart that the job's state does not allow; `message` says why, in German."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


# A progress report keeps the job alive only while someone waits for its preview.
_READ_STATES = (ImportJobStatus.QUEUED, ImportJobStatus.RUNNING, ImportJobStatus.PREVIEW)
_DISCARDABLE = (ImportJobStatus.QUEUED, ImportJobStatus.RUNNING, ImportJobStatus.PREVIEW, ImportJobStatus.FAILED)


def record_progress(job_pk, done, total):
    """Rows read so far and the reader's sign of life (housekeeping fails a job without one).

    Raises ImportJobGone once the job was discarded, taken or failed meanwhile, so that a
    worker does not bring back a preview that nobody wants any more.
    """
    alive = ImportJob.objects.filter(pk=job_pk, status__in=_READ_STATES).update(
        progress=done, total=total, heartbeat_at=timezone.now())
    if not alive:
        raise ImportJobGone(job_pk)


def _refused(job_pk, action):
    """Why a job is not in the state that `action` (take, discard, restart) needs, in German."""
    status = ImportJob.objects.filter(pk=job_pk).values_list("status", flat=True).first()
    reason = {
        ImportJobStatus.QUEUED: _("Die Datei wird noch gelesen; bitte warten Sie auf die Vorschau."),
        ImportJobStatus.RUNNING: _("Die Datei wird noch gelesen; bitte warten Sie auf die Vorschau."),
        ImportJobStatus.PREVIEW: _("Die Vorschau liegt bereits vor."),
        ImportJobStatus.FAILED: _("Die Datei konnte nicht gelesen werden."),
        ImportJobStatus.TAKING: _("Der Import wird gerade übernommen; bitte warten Sie auf das Ergebnis."),
        ImportJobStatus.DONE: _("Der Import wurde bereits übernommen."),
    }.get(status, _("Der Import wurde verworfen."))
    return ImportJobRefused(f"{action} {reason}")


def take(job, user):
    """Write every row the importer takes, once; the outcome (created, updated, left-out rows) is kept on the job.

    The claim (preview → "wird übernommen") is one conditional UPDATE, committed before the
    work: a second click, a second tab or a discard meanwhile find the job claimed and are
    refused. The work and the outcome are one transaction holding the job row's lock, so a
    take either writes everything and its counts once, or nothing and the preview stays.
    """
    refusal = _("„Übernehmen“ ist nicht möglich:")
    claimed = ImportJob.objects.filter(pk=job.pk, status=ImportJobStatus.PREVIEW).update(
        status=ImportJobStatus.TAKING, heartbeat_at=timezone.now(), updated_at=timezone.now())
    if not claimed:
        raise _refused(job.pk, refusal)
    try:
        with transaction.atomic():
            locked = ImportJob.objects.select_for_update().get(pk=job.pk)
            if locked.status != ImportJobStatus.TAKING:  # failed as interrupted meanwhile
                raise _refused(job.pk, refusal)
            outcome, locked.outcome = importer_of(locked).take(locked, user)
            # The outcome keeps the left-out rows (until AQB_IMPORT_RETENTION_HOURS); the preview
            # and the corrections are data that nobody needs any more.
            locked.status, locked.preview, locked.corrections = ImportJobStatus.DONE, {}, {}
            locked.save(update_fields=["outcome", "status", "preview", "corrections", "updated_at"])
    except BaseException:
        ImportJob.objects.filter(pk=job.pk, status=ImportJobStatus.TAKING).update(
            status=ImportJobStatus.PREVIEW, updated_at=timezone.now())
        raise
    job.status, job.outcome, job.preview, job.corrections = locked.status, locked.outcome, {}, {}
    discard_file(job)
    return outcome


def discard(job):
    """Drop an import that is not taken: its file, preview and corrections go, the emptied row stays
    (until AQB_IMPORT_RETENTION_HOURS) so that a take from another tab is told it was discarded.

    Refused while the job is being taken and once it is taken; a second discard does nothing.
    """
    now = timezone.now()
    discarded = ImportJob.objects.filter(pk=job.pk, status__in=_DISCARDABLE).update(
        status=ImportJobStatus.DISCARDED, preview={}, corrections={}, outcome={}, error="",
        progress=0, total=0, updated_at=now)
    if not discarded:
        status = ImportJob.objects.filter(pk=job.pk).values_list("status", flat=True).first()
        if status in (None, ImportJobStatus.DISCARDED):
            return
        raise _refused(job.pk, _("„Verwerfen“ ist nicht möglich:"))
    job.status = ImportJobStatus.DISCARDED
    discard_file(job)


def restart(job):
    """Read a failed job's file again (its worker died, or the user tries once more), if the file is still there."""
    if not job.file or not job.file.storage.exists(job.file.name):
        raise ImportJobRefused(_("Die Datei ist nicht mehr vorhanden. Bitte laden Sie sie erneut hoch."))
    claimed = ImportJob.objects.filter(pk=job.pk, status=ImportJobStatus.FAILED).update(
        status=ImportJobStatus.QUEUED, error="", progress=0, total=0, heartbeat_at=timezone.now(),
        updated_at=timezone.now())
    if not claimed:
        raise _refused(job.pk, _("„Erneut starten“ ist nicht möglich:"))
    job.refresh_from_db()
    try:
        return start_preview(job)
    except ImportJobGone:
        return job  # discarded from another tab while it was read again


def discard_file(job):
    """Uploaded files hold personal data: delete them as soon as they are no longer needed."""
    if job.file:
        job.file.delete(save=False)
        job.file = ""
        job.save(update_fields=["file", "updated_at"])

