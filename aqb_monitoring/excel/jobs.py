"""Import jobs: reading an upload into a preview (in the background for large files),
correcting rows, taking the valid rows. Views and the task call these; they hold no rule.
"""

from django.db import transaction
from django.utils.translation import gettext as _

from ..models import ImportJob, ImportJobStatus
from .importer import ImportFileError, do_import, read_rows, validate_rows
from .layout import Layout

# Files up to this size are read during the upload request; larger ones by the task worker.
READ_AT_ONCE_BYTES = 1024 * 1024


def preview_payload(preview):
    """What the preview page shows, stored on the job (every row, with its cells for corrections)."""
    return {
        "counts": preview.counts,
        "ignored_headers": preview.ignored_headers,
        "rows": [row.as_dict() for row in preview.rows],
    }


def run_preview(job):
    """Read and validate the job's file (with its corrections) and store the preview; never writes participants."""
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJobStatus.RUNNING, progress=0)

    def progress(done, total):
        ImportJob.objects.filter(pk=job.pk).update(progress=done, total=total)

    try:
        layout = Layout()
        with job.file.open("rb") as stream:
            read = read_rows(stream, layout)
        ImportJob.objects.filter(pk=job.pk).update(total=len(read.rows))
        preview = validate_rows(read, job.measure, corrections=job.corrections, progress=progress)
    except ImportFileError as error:
        job.status, job.error, job.preview = ImportJobStatus.FAILED, error.message, {}
        job.save(update_fields=["status", "error", "preview", "updated_at"])
        return job
    job.status, job.error = ImportJobStatus.PREVIEW, ""
    job.preview = preview_payload(preview)
    job.progress = job.total = len(preview.rows)
    job.save(update_fields=["status", "error", "preview", "progress", "total", "updated_at"])
    return job


def start_preview(job):
    """Small files at once, large ones through the task queue (the page then shows progress)."""
    from .tasks import build_preview

    if job.file.size <= READ_AT_ONCE_BYTES:
        return run_preview(job)
    transaction.on_commit(lambda: build_preview.enqueue(job.pk))
    return job


def correct_row(job, row_number, cells):
    """Keep the texts typed into a row's inline form and validate the file again with them."""
    corrections = dict(job.corrections)
    corrections[str(row_number)] = cells
    job.corrections = corrections
    job.save(update_fields=["corrections", "updated_at"])
    return start_preview(job)


def take(job, user):
    """Write every valid row with complete entry data; the outcome lists created, updated and left-out rows."""
    with job.file.open("rb") as stream:
        outcome = do_import(stream, job.measure, user, corrections=job.corrections)
    job.outcome = {
        "created": outcome.created,
        "updated": outcome.updated,
        "unchanged": outcome.unchanged,
        "left_out": [row.as_dict() for row in outcome.left_out],
    }
    job.status = ImportJobStatus.DONE
    job.preview = preview_payload(outcome.preview)
    job.save(update_fields=["outcome", "status", "preview", "updated_at"])
    discard_file(job)
    return outcome


def discard_file(job):
    """Uploaded files hold personal data: delete them as soon as they are no longer needed."""
    if job.file:
        job.file.delete(save=False)
        job.file = ""
        job.save(update_fields=["file", "updated_at"])


def refusal_message(error):
    return error.message if isinstance(error, ImportFileError) else _("Die Datei konnte nicht gelesen werden.")
