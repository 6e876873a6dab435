"""Background work of the import jobs, participants and the RP's measures (django-tasks; `manage.py db_worker` runs it)."""

from django_tasks import task

from ..models import ImportJob, ImportJobStatus

# A job in one of these states is not read again, even if a task for it is still queued.
_NOT_TO_READ = (ImportJobStatus.TAKING, ImportJobStatus.DONE, ImportJobStatus.DISCARDED)


@task()
def build_preview(job_id):
    """Read a large upload and store its preview; the progress page shows how far it got."""
    from .jobs import ImportJobGone, run_preview

    job = ImportJob.objects.select_related("measure__measure_type").filter(pk=job_id).first()
    if job is not None and job.file and job.status not in _NOT_TO_READ:
        try:
            run_preview(job)
        except ImportJobGone:
            pass  # discarded, taken or failed as interrupted while it was read: nobody waits for it


@task()
def purge_import_files(dry_run=False):
    """The daily clean-up of uploads and previews (see `manage.py purge_import_files`); returns its report lines."""
    from .housekeeping import purge

    return purge(dry_run=dry_run).lines()
