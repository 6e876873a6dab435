"""Background work of the Excel import (django-tasks; `manage.py db_worker` runs it)."""

from django_tasks import task

from ..models import ImportJob


@task()
def build_preview(job_id):
    """Read a large upload and store its preview; the progress page shows how far it got."""
    from .jobs import run_preview

    job = ImportJob.objects.select_related("measure__measure_type").filter(pk=job_id).first()
    if job is not None and job.file:
        run_preview(job)
