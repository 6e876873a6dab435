"""What the pages of both importers (the participants' Excel import, the RP's measure import) share around
one import job: the progress figures and the buttons "Übernehmen", "Verwerfen", "Erneut starten".

The job mechanism itself is `excel/jobs.py` and `excel/housekeeping.py`; each importer's views keep their
own job lookup (who may see the job), their redirects and their success messages.
"""

from django.conf import settings
from django.contrib import messages
from django.utils import formats
from django.utils.translation import gettext as _

from ..excel.housekeeping import READING_INTERRUPTED, TAKING_INTERRUPTED
from ..excel.jobs import ImportJobRefused, discard, take
from ..imports.cells import ImportFileError
from ..models import ImportJobStatus


def progress_context(job):
    """The progress page's figures: how far the job is (percent) and after how many minutes a stalled job gets
    its buttons (`AQB_IMPORT_STALE_AFTER`: `fail_stale_jobs` on the page, and the worker every minute)."""
    minutes = round(settings.AQB_IMPORT_STALE_AFTER.total_seconds() / 60, 1)
    return {
        "percent": int(100 * job.progress / job.total) if job.total else 0,
        "stale_minutes": int(minutes) if minutes.is_integer() else formats.number_format(minutes),
    }


def was_interrupted(job):
    """Whether "Erneut starten" can help a failed job: its read or take was cut off (not a file the reader
    refused) and its file is still kept."""
    return (job.status == ImportJobStatus.FAILED and job.error in (str(READING_INTERRUPTED), str(TAKING_INTERRUPTED))
            and bool(job.file))


def job_step(request, step, *args, refused=(ImportJobRefused,)):
    """Run one step of a job (`take`, `discard`, `restart` of excel/jobs.py) for a button; a refusal becomes the
    page's error message. Returns (True, the step's result) or (False, None)."""
    try:
        return True, step(*args)
    except refused as error:
        messages.error(request, error.message)
        return False, None


def discarded(request, job):
    """"Verwerfen": the job and its file are gone and the page says nothing was taken; True, or False when the
    job could not be discarded (the refusal is the page's error message)."""
    done, _result = job_step(request, discard, job)
    if done:
        messages.info(request, _("Der Import wurde verworfen; es wurde nichts übernommen."))
    return done


def took(request, job, sentence):
    """"Übernehmen": the previewed file is validated again and written once (`excel.jobs.take`); the page's
    success message is `sentence(result)`, a refusal (file or job) its error message. True when taken."""
    done, result = job_step(request, take, job, request.user, refused=(ImportFileError, ImportJobRefused))
    if done:
        messages.success(request, sentence(result))
    return done
