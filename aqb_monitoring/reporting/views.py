"""The grant recipient's side of the reports: pre-check and submission, the report page, its Excel file.

Every report and measure is looked up through permissions.py: a foreign one is a 404. The rules
(who may send what, when) are services/reports.py; these views parse, call and render.
"""

import io
import uuid
from dataclasses import dataclass

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from .. import permissions
from ..deadlines import owing_annual_report
from ..excel.cells import safe_row
from ..formatting import format_date, format_datetime
from ..models import AuditAction, AuditEntry, Participant, ReportKind, ReviewState
from ..services import ServiceError
from ..services import reports as service
from ..views import get_measure, page_of
from . import review_views

KIND_SLUGS = {
    "jahresmeldung": ReportKind.ANNUAL,
    "zwischenmeldung": ReportKind.INTERIM,
    "abschluss": ReportKind.CLOSING,
    "nullmeldung": ReportKind.ZERO,
}
SLUG_OF = {kind: slug for slug, kind in KIND_SLUGS.items()}


def offered_kinds(user, measure, has_participants=None):
    """The report buttons of the measure page (which kinds: `services.reports.offered_report_kinds`)."""
    kinds = service.offered_report_kinds(user, measure, has_participants)
    return [{"kind": kind, "label": kind.label, "url": reverse("aqb_reports:submit", args=[measure.pk, SLUG_OF[kind]])}
            for kind in kinds]


def measure_reports(user, measure):
    """The measure's report history for its page, newest first, with the review state."""
    return list(service.with_state(permissions.reports_for(user).filter(measure=measure)).order_by("-submitted_at", "-id"))


def _year(request, measure):
    raw = request.POST.get("year") or request.GET.get("year")
    if raw and raw.isdigit():
        return int(raw)
    return service.default_annual_year(measure)


def submit(request, measure_pk, kind_slug):
    """GET: the pre-check with every reason and links to the records; when it passes, the one
    confirmation ("Meldung absenden"). POST: send (a repeated key returns the report already sent)."""
    measure = get_measure(request, measure_pk)
    kind = KIND_SLUGS.get(kind_slug)
    if kind is None:
        raise Http404
    year = _year(request, measure) if kind == ReportKind.ANNUAL else None
    if request.method == "POST" and not permissions.is_provider(request.user):
        try:
            report = service.do_submit_report(request.user, measure, kind, year=year,
                                              submission_key=request.POST.get("submission_key", "")[:64] or None)
        except ServiceError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("%(kind)s abgesendet: Aktenzeichen %(reference)s.") % {
                "kind": report.get_kind_display(), "reference": report.reference})
            return redirect("aqb_reports:report_detail", report.pk)
    reasons = service.check_submit_report(request.user, measure, kind, year=year)
    start, end = service.period_of(measure, kind, year=year or timezone.localdate().year)
    return TemplateResponse(request, "aqb_monitoring/reports/submit.html", {
        "page_title": f"{kind.label} {measure.number}",
        "header_title": kind.label,
        "measure": measure,
        "kind": kind,
        "kind_slug": kind_slug,
        "year": year,
        "years": service.annual_years(measure) if kind == ReportKind.ANNUAL else [],
        "period_start": start,
        "period_end": end,
        "reasons": reasons,
        "participant_count": Participant.objects.filter(measure=measure).count(),
        "closes_measure": service.closes_measure(kind),
        "submission_key": uuid.uuid4().hex,
        "can_send": not reasons,
    })


def data_complete(request, measure_pk):
    """The provider's "Dateneingabe abgeschlossen": GET shows what is still missing or the confirmation,
    POST records the signal and e-mails the grant recipient (no report to the RP, handbook 5.6)."""
    measure = get_measure(request, measure_pk)
    if not permissions.is_provider(request.user):
        raise Http404
    if request.method == "POST":
        try:
            service.do_signal_data_complete(request.user, measure)
        except ServiceError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("Der Zuwendungsempfänger ist per E-Mail informiert, dass die Erfassung "
                                        "abgeschlossen ist."))
            return redirect("aqb_monitoring:measure", measure.pk)
    return TemplateResponse(request, "aqb_monitoring/reports/data_complete.html", {
        "page_title": _("Dateneingabe abgeschlossen"),
        "header_title": _("Dateneingabe abgeschlossen"),
        "measure": measure,
        "reasons": service.check_signal_data_complete(request.user, measure),
        "participant_count": Participant.objects.filter(measure=measure).count(),
    })


def latest_completion_signal(measure):
    """The latest "Dateneingabe abgeschlossen" of the measure (an audit entry), for its page."""
    return (AuditEntry.objects.filter(measure=measure, action=AuditAction.DATA_COMPLETE)
            .select_related("user").order_by("-timestamp", "-id").first())


@dataclass
class AnnualOutcome:
    """One measure's line on the "Jahresmeldung für alle Maßnahmen" page: its pre-check or its outcome."""

    measure: object
    reasons: list
    report: object = None


def annual_candidates(user, year):
    """The measures the grant recipient may send an annual report for `year` for (`deadlines.owing_annual_report`
    of the measures it may change)."""
    return list(
        owing_annual_report(permissions.editable_measures_for(user), year)
        .select_related("measure_type", "provider")
        .order_by("number")
    )


def annual_all(request):
    """The ZE's annual report for every eligible measure in one go: GET lists each measure's pre-check,
    POST sends each one that passes (each its own transaction) and lists what was sent and what was not."""
    if not permissions.is_grant_recipient(request.user):
        raise Http404
    today = timezone.localdate()
    year = service.annual_batch_year(request.POST.get("year") or request.GET.get("year"), today)
    measures = annual_candidates(request.user, year)
    sent = request.method == "POST"
    batch = (request.POST.get("batch_key") or "")[:40] if sent else uuid.uuid4().hex
    outcomes = []
    for measure in measures:
        if sent:
            try:
                report = service.do_submit_report(request.user, measure, ReportKind.ANNUAL, year=year,
                                                  submission_key=f"{batch}-{measure.pk}" if batch else None)
            except ServiceError as error:
                outcomes.append(AnnualOutcome(measure, error.messages))
            else:
                outcomes.append(AnnualOutcome(measure, [], report))
        else:
            reasons = service.check_submit_report(request.user, measure, ReportKind.ANNUAL, year=year, today=today)
            outcomes.append(AnnualOutcome(measure, [str(reason) for reason in reasons]))
    return TemplateResponse(request, "aqb_monitoring/reports/annual_all.html", {
        "page_title": _("Jahresmeldung für alle Maßnahmen"),
        "header_title": _("Jahresmeldung für alle Maßnahmen"),
        "year": year,
        "years": service.annual_batch_years(today),
        "outcomes": outcomes,
        "sendable": sum(1 for outcome in outcomes if not outcome.reasons and outcome.report is None),
        "sent": sent,
        "batch_key": batch,
    })


def get_report(request, report_pk):
    queryset = service.with_state(permissions.reports_for(request.user)).select_related("measure", "previous")
    return get_object_or_404(queryset, pk=report_pk)


def report_detail(request, report_pk):
    """A report exactly as it was sent: its facts, the review, the rows, and what changed since the previous one."""
    report = get_report(request, report_pk)
    snapshot = report.snapshot or {}
    rows = snapshot.get("rows", [])
    page, query = page_of(request, rows, len(rows))
    diff = service.snapshot_diff(report.previous.snapshot, snapshot) if report.previous is not None else None
    context = {
        "page_title": report.reference,
        "header_title": f"{report.get_kind_display()} {report.reference}",
        "report": report,
        "measure": report.measure,
        "state_label": ReviewState(report.state).label,
        "headers": snapshot.get("headers", []),
        "rows": page.object_list,
        "page_obj": page,
        "query": query,
        "diff": diff,
        "reviews": report.reviews.prefetch_related("reasons").order_by("decided_at", "id"),
    }
    review = review_views.review_context(request, report)
    context.update(review)
    context["show_review"] = bool(review)
    return TemplateResponse(request, "aqb_monitoring/reports/detail.html", context)


def report_download(request, report_pk):
    """The report as Excel: a sheet with its facts (reference number first) and the rows as sent."""
    report = get_report(request, report_pk)
    workbook = Workbook(write_only=True)
    facts = workbook.create_sheet(_("Meldung"))
    for label, value in (
        (_("Aktenzeichen"), report.reference),
        (_("Art der Meldung"), report.get_kind_display()),
        (_("Maßnahme"), report.measure.number),
        (_("Zuwendungsempfänger"), report.grant_recipient_name),
        (_("Zeitraum"), f"{format_date(report.period_start)} – {format_date(report.period_end)}"),
        (_("Abgesendet am"), format_datetime(report.submitted_at)),
        (_("Abgesendet von"), report.submitted_by_name),
        (_("Teilnehmende"), report.participant_count),
    ):
        facts.append(safe_row(facts, [label, value]))
    rows = workbook.create_sheet(_("Teilnehmende"))
    snapshot = report.snapshot or {}
    rows.append(safe_row(rows, [_("Aktenzeichen"), *snapshot.get("headers", [])]))
    for row in snapshot.get("rows", []):
        rows.append(safe_row(rows, [report.reference, *row]))
    content = io.BytesIO()
    workbook.save(content)
    response = HttpResponse(content.getvalue(),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="meldung-{report.reference}.xlsx"'
    return response
