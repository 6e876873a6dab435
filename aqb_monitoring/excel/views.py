"""Public and admin views of the Excel template, export, import and carry-over.

Thin: every measure is looked up through permissions.py (a foreign one is a 404), the
work is done by export.py, importer.py/jobs.py and services.py.
"""

from django import forms
from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseBadRequest, HttpResponseNotModified, UnreadablePostError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import http_date, quote_etag
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST, require_safe

from .. import permissions, services
from ..imports import forms as imports_forms
from ..imports.results import (
    ACTION_REJECTED,
    ACTION_UPDATE,
    FILTERS,
    display_rows,
    filtered_rows,
    preview_sentence,
    taken_count,
    taken_sentence,
)
from ..imports.views import discarded, job_step, progress_context, took, was_interrupted
from ..measures import recording_participants
from ..models import ImportJob, ImportJobKind, ImportJobStatus, MeasureType, Organisation, OrganisationKind
from ..permissions import visible_successor
from ..views import NO_LONGER_CHANGED, apply_measure_filters, get_measure
from .export import export_filename, export_measure, export_measures
from .housekeeping import fail_stale_jobs, retention_text
from .importer import MAX_UPLOAD_BYTES, ImportFileError, left_out_workbook
from .jobs import ImportJobRefused, correct_row, restart, start_preview
from .layout import Layout, catalogue_version
from .storing import UploadNotStored, discard_partial_upload, space_problem, store_upload
from .template import XLSX_CONTENT_TYPE, build_template

TEMPLATE_FILENAME = "teilnehmende-vorlage.xlsx"
PREVIEW_PAGE_SIZE = 200


def xlsx_response(content, filename):
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# ---------------------------------------------------------------------------
# Public template
# ---------------------------------------------------------------------------


@require_safe
def participant_template(request):
    """The blank template for everyone, built from the current catalogues.

    The catalogue version is the ETag: the workbook is built once per version and kept
    in the cache, and a browser that has the current one gets 304.
    """
    version, changed = catalogue_version()
    etag = quote_etag(version)
    if etag in [tag.strip() for tag in request.headers.get("If-None-Match", "").split(",")]:
        response = HttpResponseNotModified()
        response["ETag"] = etag
        return response
    key = f"aqb:participant-template:{version}"
    content = cache.get(key)
    if content is None:
        content = build_template()
        cache.set(key, content, timeout=None)
    response = xlsx_response(content, TEMPLATE_FILENAME)
    response["ETag"] = etag
    if changed is not None:
        response["Last-Modified"] = http_date(changed.timestamp())
    response["Cache-Control"] = "public, no-cache"
    return response


# ---------------------------------------------------------------------------
# Export
# ---------------------------------------------------------------------------


def _editable_measure(request, measure_pk):
    """404 for a foreign measure; a visible one that cannot take changes (closed, M4) gets a message."""
    measure = get_measure(request, measure_pk)
    return measure, permissions.can_edit(request.user, measure)


@require_safe
def measure_export(request, measure_pk):
    measure = get_measure(request, measure_pk)
    return xlsx_response(export_measure(measure), export_filename(measure))


class ExportFilterForm(forms.Form):
    budget_year = forms.IntegerField(label=gettext_lazy("Budgetjahr"), required=False)
    grant_recipient = forms.ModelChoiceField(
        label=gettext_lazy("Zuwendungsempfänger"), required=False,
        queryset=Organisation.objects.filter(kind=OrganisationKind.GRANT_RECIPIENT),
    )
    measure_type = forms.ModelChoiceField(
        label=gettext_lazy("Maßnahmeart"), required=False,
        queryset=MeasureType.objects.filter(has_participant_monitoring=True),
    )


def measures_export(request):
    """Several measures in one workbook (RP: all or a filtered set; others: their own measures)."""
    measures = recording_participants(permissions.measures_for(request.user))
    form = ExportFilterForm(request.GET or None)
    if not permissions.is_authority(request.user):
        form.fields["grant_recipient"].queryset = Organisation.objects.filter(
            pk__in=measures.values("grant_recipient_id"))
    if form.is_valid():
        measures = apply_measure_filters(measures, form.cleaned_data)
        if "download" in request.GET:
            chosen = list(measures.order_by("number"))
            if chosen:
                return xlsx_response(export_measures(chosen), export_filename())
            messages.warning(request, _("Keine Maßnahme passt zu diesem Filter."))
    return TemplateResponse(request, "aqb_monitoring/excel/export_filter.html", {
        "page_title": _("Excel-Export mehrerer Maßnahmen"), "header_title": _("Excel-Export mehrerer Maßnahmen"),
        "form": form, "count": measures.count(),
    })


# ---------------------------------------------------------------------------
# Import: upload, progress and preview, correction, take, left-out rows
# ---------------------------------------------------------------------------


class UploadForm(imports_forms.UploadForm):
    label = gettext_lazy("Excel-Datei (.xlsx, höchstens 100 MB)")
    max_bytes = MAX_UPLOAD_BYTES
    wrong_type_message = gettext_lazy("Bitte eine Excel-Datei im Format .xlsx hochladen (z. B. die Vorlage).")
    too_large_message = gettext_lazy("Die Datei ist größer als 100 MB. Bitte teilen Sie sie auf mehrere Dateien auf.")


def measure_import(request, measure_pk):
    """Upload form; a POST stores the file (storing.py: a failed write leaves nothing) and reads it."""
    measure, editable = _editable_measure(request, measure_pk)
    try:
        form = UploadForm(request.POST or None, request.FILES or None)
    except UnreadablePostError:  # the browser went away during the upload
        discard_partial_upload(request)
        return HttpResponseBadRequest(_("Die Übertragung der Datei wurde abgebrochen. Bitte laden Sie sie erneut hoch."))
    # Below AQB_MIN_FREE_UPLOAD_SPACE the page says so instead of accepting a file it may not be able to keep.
    full = space_problem() if editable else None
    if request.method == "POST" and editable and not full and form.is_valid():
        try:
            job = store_upload(measure, request.user, form.cleaned_data["file"])
        except UploadNotStored as error:
            form.add_error("file", error.message)
        else:
            start_preview(job)
            return redirect("aqb_excel:job", job.pk)
    return TemplateResponse(request, "aqb_monitoring/excel/upload.html", {
        "page_title": _("Excel-Datei hochladen"), "header_title": _("Excel-Datei hochladen"),
        "measure": measure, "form": form, "editable": editable, "space_problem": full,
        "template_url": reverse("participant_template"),
        "retention": retention_text(),
    })


def _job(request, job_pk):
    """The user's own import into a measure they still see; else 404 (the RP's measure import has its own pages)."""
    job = get_object_or_404(ImportJob.objects.select_related("measure__measure_type"), pk=job_pk, user=request.user,
                            kind=ImportJobKind.PARTICIPANTS)
    if not permissions.can_view(request.user, job.measure):
        raise Http404
    return job


def _rows_for_display(rows, layout):
    """Reasons, warnings and changes with the column headers, as the preview table shows them."""
    def header(key):
        column = layout.by_key.get(key)
        return column.header if column else _("Datensatz")

    return display_rows(rows, header, "participant_id")


def job_detail(request, job_pk):
    """Progress while the file is read; then the preview of every row, or the outcome once taken."""
    job = _job(request, job_pk)
    if fail_stale_jobs(ImportJob.objects.filter(pk=job.pk)):
        job.refresh_from_db()
    layout = Layout()
    context = {"page_title": _("Excel-Import"), "header_title": _("Excel-Import: %(name)s") % {"name": job.original_name},
               "job": job, "measure": job.measure}
    if job.status == ImportJobStatus.DONE:
        context["outcome"] = job.outcome
        context["left_out"] = _rows_for_display(job.outcome.get("left_out", []), layout)
        context["retention"] = retention_text()
        return TemplateResponse(request, "aqb_monitoring/excel/result.html", context)
    if job.status in (ImportJobStatus.QUEUED, ImportJobStatus.RUNNING, ImportJobStatus.TAKING):
        context.update(progress_context(job))
        return TemplateResponse(request, "aqb_monitoring/excel/progress.html", context)
    if job.status == ImportJobStatus.FAILED:
        context["can_restart"] = was_interrupted(job) and permissions.can_edit(request.user, job.measure)
        return TemplateResponse(request, "aqb_monitoring/excel/failed.html", context)
    if job.status == ImportJobStatus.DISCARDED:
        return TemplateResponse(request, "aqb_monitoring/excel/discarded.html", context)
    only = request.GET.get("zeilen", "")
    rows = filtered_rows(job.preview.get("rows", []), only)  # problems first, unless one action is chosen
    page = Paginator(rows, PREVIEW_PAGE_SIZE).get_page(request.GET.get("p"))
    counts = job.preview.get("counts", {})
    context["count_sentence"] = preview_sentence(counts)
    context.update({
        "counts": counts, "taken": taken_count(counts), "filters": FILTERS,
        "page_obj": page, "rows": _rows_for_display(page.object_list, layout), "only": only,
        "query": f"zeilen={only}" if only else "", "ignored_headers": job.preview.get("ignored_headers", []),
        "editable": permissions.can_edit(request.user, job.measure),
    })
    return TemplateResponse(request, "aqb_monitoring/excel/preview.html", context)


def _row_form(request, job, row, layout):
    """The participant form (forms.ImportRowForm: its steps, fields, help texts and blocks) filled with the row."""
    from ..forms import ImportRowForm

    return ImportRowForm(request.POST if request.method == "POST" else None, measure=job.measure,
                         for_user=request.user, layout=layout, row=row)


def _preview_row(job, row_number):
    return next((row for row in job.preview.get("rows", []) if row["row"] == row_number), None)


def job_row(request, job_pk, row_number):
    """Inline correction of one row in the participant form; the row (and the rows sharing its ID) is checked
    again by the importer's rules (excel.jobs.correct_row), and what they refuse is shown at its field."""
    job = _job(request, job_pk)
    if not permissions.can_edit(request.user, job.measure):  # closed meanwhile (V10), as the participant form
        raise PermissionDenied(NO_LONGER_CHANGED)
    if job.status != ImportJobStatus.PREVIEW:
        return redirect("aqb_excel:job", job.pk)
    row = _preview_row(job, row_number)
    if row is None:
        raise Http404
    layout = Layout()
    form = _row_form(request, job, row, layout)
    if request.method == "POST" and form.is_valid():
        try:
            job = correct_row(job, row_number, form.cells())
        except (ImportFileError, ImportJobRefused) as error:
            messages.error(request, error.message)
            return redirect("aqb_excel:job", job.pk)
        row = _preview_row(job, row_number)
        if row["action"] != ACTION_REJECTED:
            messages.success(request, _("Zeile %(row)d wurde korrigiert und neu geprüft.") % {"row": row_number})
            return redirect(f"{reverse('aqb_excel:job', args=[job.pk])}#zeile-{row_number}")
        form.show_row(row)
        messages.error(request, _("Zeile %(row)d wurde neu geprüft und wird noch nicht übernommen. Bitte korrigieren "
                                  "Sie die markierten Angaben.") % {"row": row_number})
    elif request.method == "POST":
        messages.error(request, _("Die Korrektur wurde nicht geprüft. Bitte korrigieren Sie die markierten Angaben."))
    return TemplateResponse(request, "aqb_monitoring/excel/row_form.html", {
        "page_title": _("Zeile %(row)d korrigieren") % {"row": row_number},
        "header_title": _("Zeile %(row)d korrigieren") % {"row": row_number},
        "job": job, "measure": job.measure, "row": _rows_for_display([row], layout)[0], "form": form,
    })


def _changeable_job(request, job_pk):
    """The user's job for a button that writes ("Übernehmen", "Erneut starten"): (job, None), or (job, the
    redirect back to the job with the refusal) once its measure can no longer be changed (closed meanwhile, V10)."""
    job = _job(request, job_pk)
    if permissions.can_edit(request.user, job.measure):
        return job, None
    messages.error(request, NO_LONGER_CHANGED)
    return job, redirect("aqb_excel:job", job.pk)


@require_POST
def job_take(request, job_pk):
    job, refused = _changeable_job(request, job_pk)
    if refused:
        return refused
    took(request, job, _taken_message)
    return redirect("aqb_excel:job", job.pk)


def _taken_message(outcome):
    created = len(outcome.created)
    return taken_sentence(
        ngettext("%(count)d Teilnehmende(r) angelegt,", "%(count)d Teilnehmende angelegt,", created)
        % {"count": created}, {ACTION_UPDATE: len(outcome.updated), ACTION_REJECTED: len(outcome.left_out)})


@require_POST
def job_discard(request, job_pk):
    """"Verwerfen": back to the measure; a job that can no longer be discarded stays on its page."""
    job = _job(request, job_pk)
    return redirect("aqb_monitoring:measure", job.measure_id) if discarded(request, job) else redirect(
        "aqb_excel:job", job.pk)


@require_POST
def job_restart(request, job_pk):
    """Read a failed job's file again (its worker died); the page then shows progress or the preview."""
    job, refused = _changeable_job(request, job_pk)
    if not refused:
        job_step(request, restart, job)
    return redirect("aqb_excel:job", job.pk)


@require_safe
def job_left_out(request, job_pk):
    """The rows that were not taken, with a reason column, to fix and upload again."""
    job = _job(request, job_pk)
    if job.status == ImportJobStatus.DONE:
        rows = job.outcome.get("left_out", [])
    else:
        rows = [row for row in job.preview.get("rows", []) if row["action"] == ACTION_REJECTED]
    content = left_out_workbook(rows, Layout(), measure_number=job.measure.number)
    return xlsx_response(content, f"nicht-uebernommen-{job.measure.number}.xlsx")


# ---------------------------------------------------------------------------
# Carry-over into the following budget
# ---------------------------------------------------------------------------


def carry_over(request, measure_pk):
    """Shows who continues in the successor measure; on confirmation takes them over (services.do_carry_over)."""
    measure = get_measure(request, measure_pk)
    successor = visible_successor(request.user, measure)  # a successor the user may not see is a 404 too
    if successor is None:
        raise Http404
    candidates = services.carry_over_candidates(measure)
    already = services.carried_over_count(measure)
    reasons = services.check_carry_over(request.user, measure)
    if request.method == "POST":
        try:
            created = services.do_carry_over(request.user, measure)
        except services.ServiceError as error:
            for message in error.messages:
                messages.error(request, message)
            return redirect("aqb_excel:carry_over", measure.pk)
        messages.success(request, _("%(count)d Teilnehmende in %(number)s übernommen.") % {
            "count": len(created), "number": successor.number})
        return redirect("aqb_monitoring:measure", successor.pk)
    return TemplateResponse(request, "aqb_monitoring/excel/carry_over.html", {
        "page_title": _("In Folgebudget übernehmen"), "header_title": _("In Folgebudget übernehmen"),
        "measure": measure, "successor": successor, "candidates": candidates, "already": already,
        "reasons": reasons, "can_take": not reasons,
    })
