"""Admin pages of the RP's measure import: upload → progress (large files) → preview of every row →
"Übernehmen" → result.

Only the RP reaches them (viewsets.MeasureImportViewSet wraps every URL in
`authority_required`; everyone else gets a 404), and only the RP user who uploaded sees the
job. The upload is an import job (models.ImportJob, kind MEASURES) on the same mechanism as
the participant import (excel/jobs.py): the file is kept in the private storage, read in the
child process (by the task worker for a large file), its preview stored on the job (it
survives a reload), "Übernehmen" validates the file again against the data as they are then
and writes once under the job's lock; the file is deleted once taken or discarded, the rest
after AQB_IMPORT_RETENTION_HOURS (excel/housekeeping.py).
"""

from django.core.paginator import Paginator
from django.http import HttpResponseBadRequest, UnreadablePostError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from .excel.housekeeping import fail_stale_jobs, retention_text
from .excel.jobs import restart, start_preview
from .excel.storing import UploadNotStored, discard_partial_upload, space_problem, store_upload
from .imports import forms as imports_forms
from .imports.results import (
    ACTION_CREATE,
    FILTERS,
    ROW_KEY,
    display_rows,
    filtered_rows,
    preview_sentence,
    taken_count,
    taken_sentence,
)
from .imports.views import discarded, job_step, progress_context, took, was_interrupted
from .measure_import import MAX_FILE_BYTES
from .models import ImportJob, ImportJobKind, ImportJobStatus

PREVIEW_PAGE_SIZE = 200


class UploadForm(imports_forms.UploadForm):
    label = gettext_lazy("Datei des RP-Datenbestands (.xlsx oder .csv, höchstens 5 MB)")
    extensions = (".xlsx", ".csv")
    max_bytes = MAX_FILE_BYTES
    wrong_type_message = gettext_lazy("Bitte eine Excel-Datei (.xlsx) oder eine CSV-Datei (.csv) hochladen.")
    too_large_message = gettext_lazy("Die Datei ist größer als 5 MB. Bitte teilen Sie sie auf.")


def _page(request, template, title, **context):
    return TemplateResponse(request, f"aqb_monitoring/measure_import/{template}", {
        "page_title": title, "header_title": title, **context})


def upload(request):
    """GET: the upload form. POST: keep the file as an import job and read it (nothing is saved yet)."""
    try:
        form = UploadForm(request.POST or None, request.FILES or None)
    except UnreadablePostError:  # the browser went away during the upload
        discard_partial_upload(request)
        return HttpResponseBadRequest(_("Die Übertragung der Datei wurde abgebrochen. Bitte laden Sie sie erneut hoch."))
    full = space_problem()
    if request.method == "POST" and not full and form.is_valid():
        try:
            job = store_upload(None, request.user, form.cleaned_data["file"], kind=ImportJobKind.MEASURES)
        except UploadNotStored as error:
            form.add_error("file", error.message)
        else:
            start_preview(job)
            return redirect("aqb_measure_import:job", job.pk)
    return _page(request, "upload.html", _("Maßnahmen importieren"), form=form, space_problem=full,
                 retention=retention_text())


def _job(request, job_pk):
    """The RP user's own measure import; else 404."""
    return get_object_or_404(ImportJob, pk=job_pk, user=request.user, kind=ImportJobKind.MEASURES)


def _header(key):
    """Reasons about the row as a whole need no heading; changes are keyed by their column's header."""
    return "" if key == ROW_KEY else key


def job_detail(request, job_pk):
    """Progress while the file is read; then the preview of every row, or the result once taken."""
    job = _job(request, job_pk)
    if fail_stale_jobs(ImportJob.objects.filter(pk=job.pk)):
        job.refresh_from_db()
    title = _("Maßnahmen importieren: %(name)s") % {"name": job.original_name}
    context = {"job": job}
    if job.status == ImportJobStatus.DONE:
        outcome = job.outcome
        return _page(request, "result.html", _("Maßnahmen importieren: Ergebnis"), outcome=outcome,
                     counts=outcome.get("counts", {}), new_providers=outcome.get("new_providers", []),
                     rows=display_rows(filtered_rows(outcome.get("rows", []), ""), _header, "number"),
                     retention=retention_text(), **context)
    if job.status in (ImportJobStatus.QUEUED, ImportJobStatus.RUNNING, ImportJobStatus.TAKING):
        return _page(request, "progress.html", title, **progress_context(job), **context)
    if job.status == ImportJobStatus.FAILED:
        return _page(request, "failed.html", title, can_restart=was_interrupted(job), **context)
    if job.status == ImportJobStatus.DISCARDED:
        return _page(request, "discarded.html", title, **context)
    only = request.GET.get("zeilen", "")
    page = Paginator(filtered_rows(job.preview.get("rows", []), only), PREVIEW_PAGE_SIZE).get_page(request.GET.get("p"))
    counts = job.preview.get("counts", {})
    return _page(request, "preview.html", _("Maßnahmen importieren: Vorschau"), count_sentence=preview_sentence(counts),
                 counts=counts, taken=taken_count(counts), page_obj=page, only=only, filters=FILTERS,
                 rows=display_rows(page.object_list, _header, "number"), query=f"zeilen={only}" if only else "",
                 new_providers=job.preview.get("new_providers", []),
                 ignored_headers=job.preview.get("ignored_headers", []), **context)


@require_POST
def take(request, job_pk):
    """Import the previewed file (validated again now) once, in one transaction; the job's page shows the result."""
    job = _job(request, job_pk)
    took(request, job, _taken_message)
    return redirect("aqb_measure_import:job", job.pk)


def _taken_message(preview):
    counts = preview.counts
    return taken_sentence(ngettext("%(count)d Maßnahme angelegt,", "%(count)d Maßnahmen angelegt,",
                                   counts[ACTION_CREATE]) % {"count": counts[ACTION_CREATE]}, counts)


@require_POST
def discard_job(request, job_pk):
    """"Verwerfen": back to the upload form; a job that can no longer be discarded stays on its page."""
    job = _job(request, job_pk)
    return redirect("aqb_measure_import:upload") if discarded(request, job) else redirect(
        "aqb_measure_import:job", job.pk)


@require_POST
def restart_job(request, job_pk):
    """Read a failed job's file again (its worker died); the page then shows progress or the preview."""
    job = _job(request, job_pk)
    job_step(request, restart, job)
    return redirect("aqb_measure_import:job", job.pk)
