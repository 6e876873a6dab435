"""imports/views.py: what the pages of both importers share around one import job (progress figures, when
"Erneut starten" helps). Take, discard and restart themselves: test_import_jobs.py and test_measure_import.py."""

import datetime

import pytest

from aqb_monitoring.excel.housekeeping import READING_INTERRUPTED, TAKING_INTERRUPTED
from aqb_monitoring.imports.views import progress_context, was_interrupted
from aqb_monitoring.models import ImportJob, ImportJobStatus


@pytest.mark.parametrize(("progress", "total", "percent"), [(0, 0, 0), (1, 3, 33), (3, 3, 100)])
def test_progress_is_a_whole_percentage_and_zero_before_the_rows_are_counted(settings, progress, total, percent):
    settings.AQB_IMPORT_STALE_AFTER = datetime.timedelta(minutes=5)
    assert progress_context(ImportJob(progress=progress, total=total)) == {"percent": percent, "stale_minutes": 5}


def test_stale_minutes_keep_a_german_decimal(settings):
    settings.AQB_IMPORT_STALE_AFTER = datetime.timedelta(seconds=90)
    assert progress_context(ImportJob())["stale_minutes"] == "1,5"


@pytest.mark.parametrize("error", [READING_INTERRUPTED, TAKING_INTERRUPTED])
def test_a_failed_job_that_was_cut_off_and_keeps_its_file_may_start_again(error):
    assert was_interrupted(ImportJob(status=ImportJobStatus.FAILED, error=str(error), file="imports/a.xlsx"))


@pytest.mark.parametrize("job", [
    ImportJob(status=ImportJobStatus.FAILED, error="Die Datei ist keine Excel-Datei.", file="imports/a.xlsx"),
    ImportJob(status=ImportJobStatus.FAILED, error=str(READING_INTERRUPTED), file=""),
    ImportJob(status=ImportJobStatus.PREVIEW, error=str(READING_INTERRUPTED), file="imports/a.xlsx"),
], ids=["refused file", "file gone", "not failed"])
def test_a_refused_file_a_deleted_file_or_a_job_that_did_not_fail_does_not_start_again(job):
    assert not was_interrupted(job)
