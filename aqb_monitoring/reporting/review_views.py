"""The RP's side of the reports: inbox, review steps, reopening a closed measure (issue 12).

Everything here is for the authority only: anybody else gets a 404, so nobody learns the pages
exist. The state changes themselves are `services.reports.do_review_report` and
`services.measures.do_reopen_measure`; these views only parse, call and render.
"""

from django import forms
from django.contrib import messages
from django.db.models import Case, IntegerField, Prefetch, Value, When
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from .. import notifications, permissions
from ..models import (
    Measure,
    Organisation,
    OrganisationKind,
    ReportKind,
    ReportReview,
    ReturnReason,
    ReviewState,
)
from ..services import ServiceError
from ..services.common import active_choices
from ..services.measures import do_reopen_measure
from ..services.reports import NEXT_STATES, OPEN_STATES, do_review_report, state_of, with_state
from ..services.reports import open_reports as service_open_reports
from ..views import get_measure, page_of

UNDELIVERED_SHOWN = 50
ALL = "alle"
OPEN = ""


def _require_authority(request):
    if not permissions.is_authority(request.user):
        raise Http404


def open_reports(user):
    """The user's reports that wait for the RP's decision (the inbox's default, the menu's count)."""
    return service_open_reports(permissions.reports_for(user))


# ---------------------------------------------------------------------------
# Inbox
# ---------------------------------------------------------------------------


class InboxFilterForm(forms.Form):
    state = forms.ChoiceField(
        label=gettext_lazy("Stand"),
        required=False,
        choices=[(OPEN, gettext_lazy("offen (eingegangen, in Prüfung)")), (ALL, gettext_lazy("alle"))]
        + ReviewState.choices,
    )
    grant_recipient = forms.ModelChoiceField(
        label=gettext_lazy("Zuwendungsempfänger"),
        queryset=Organisation.objects.filter(kind=OrganisationKind.GRANT_RECIPIENT).order_by("name"),
        required=False,
        empty_label=gettext_lazy("alle"),
    )
    kind = forms.ChoiceField(
        label=gettext_lazy("Art der Meldung"), required=False, choices=[("", gettext_lazy("alle"))] + ReportKind.choices
    )
    budget_year = forms.TypedChoiceField(label=gettext_lazy("Budgetjahr"), coerce=int, required=False)

    def __init__(self, *args, reports, **kwargs):
        super().__init__(*args, **kwargs)
        years = (
            Measure.objects.filter(pk__in=reports.values("measure_id"))
            .order_by("-budget_year")
            .values_list("budget_year", flat=True)
            .distinct()
        )
        self.fields["budget_year"].choices = [("", _("alle"))] + [(year, year) for year in years]


def filtered_reports(request):
    """The filter form and the user's reports it selects, oldest open first."""
    reports = permissions.reports_for(request.user)
    form = InboxFilterForm(request.GET or None, reports=reports)
    queryset = with_state(reports).select_related("measure", "measure__grant_recipient")
    values = form.cleaned_data if form.is_valid() else {}
    state = values.get("state", OPEN)
    if state == OPEN:
        queryset = queryset.filter(state__in=OPEN_STATES)
    elif state != ALL:
        queryset = queryset.filter(state=state)
    if values.get("grant_recipient"):
        queryset = queryset.filter(measure__grant_recipient=values["grant_recipient"])
    if values.get("kind"):
        queryset = queryset.filter(kind=values["kind"])
    if values.get("budget_year"):
        queryset = queryset.filter(measure__budget_year=values["budget_year"])
    queryset = queryset.annotate(
        closed_first=Case(When(state__in=OPEN_STATES, then=Value(0)), default=Value(1), output_field=IntegerField())
    ).order_by("closed_first", "submitted_at", "id")
    return form, queryset


def inbox(request):
    _require_authority(request)
    form, queryset = filtered_reports(request)
    page, query = page_of(request, queryset)
    today = timezone.localdate()
    rows = []
    for report in page.object_list:
        submitted = timezone.localtime(report.submitted_at).date()
        rows.append({
            "report": report,
            "submitted": submitted,
            "age": (today - submitted).days,
            "state_label": ReviewState(report.state).label,
            "is_open": report.state in OPEN_STATES,
        })
    return TemplateResponse(
        request,
        "aqb_monitoring/reports/inbox.html",
        {
            "page_title": _("Meldungseingang"),
            "header_title": _("Meldungseingang"),
            "form": form,
            "page_obj": page,
            "rows": rows,
            "query": query,
            "undelivered": list(notifications.undelivered()[:UNDELIVERED_SHOWN]),
        },
    )


# ---------------------------------------------------------------------------
# Review steps (posted from the report page)
# ---------------------------------------------------------------------------

REVIEW_STATES = (ReviewState.IN_REVIEW, ReviewState.ACCEPTED, ReviewState.RETURNED)
SUCCESS = {
    ReviewState.IN_REVIEW: gettext_lazy("Meldung %(reference)s ist jetzt in Prüfung."),
    ReviewState.ACCEPTED: gettext_lazy("Meldung %(reference)s angenommen."),
    ReviewState.RETURNED: gettext_lazy("Meldung %(reference)s an den Zuwendungsempfänger zurückgegeben."),
}


def report_url(report):
    return reverse("aqb_reports:report_detail", args=[report.pk])


@require_POST
def review(request, report_pk):
    _require_authority(request)
    report = get_object_or_404(permissions.reports_for(request.user).select_related("measure"), pk=report_pk)
    state = request.POST.get("state", "")
    if state not in REVIEW_STATES:
        messages.error(request, _("Unbekannter Prüfschritt."))
        return redirect(report_url(report))
    # Reasons go with a return only.
    reasons = active_choices(ReturnReason, request.POST.getlist("reasons") if state == ReviewState.RETURNED else [])
    if reasons is None:
        messages.error(request, _("Ein gewählter Rückgabegrund ist nicht (mehr) verfügbar."))
        return redirect(report_url(report))
    try:
        do_review_report(request.user, report, state, reasons=reasons, note=request.POST.get("note", ""))
    except ServiceError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, SUCCESS[state] % {"reference": report.reference})
    return redirect(report_url(report))


def review_context(request, report):
    """Extra context for the report page (views.report_detail) when the RP looks at it."""
    if not permissions.is_authority(request.user):
        return {}
    state = state_of(report)
    allowed = NEXT_STATES.get(state, set())
    history = (
        ReportReview.objects.filter(report=report)
        .prefetch_related(Prefetch("reasons", queryset=ReturnReason.objects.order_by("sort_order", "label")))
        .order_by("decided_at", "id")
    )
    return {
        "review_url": reverse("aqb_reports:review", args=[report.pk]),
        "review_state": state,
        "review_state_label": ReviewState(state).label,
        "can_take_in_review": ReviewState.IN_REVIEW in allowed,
        "can_accept": ReviewState.ACCEPTED in allowed,
        "can_return": ReviewState.RETURNED in allowed,
        "can_review": bool(allowed),
        "return_reasons": ReturnReason.objects.filter(is_active=True).order_by("sort_order", "label")
        if ReviewState.RETURNED in allowed else [],
        "review_history": list(history),
        "review_states": ReviewState,
    }


# ---------------------------------------------------------------------------
# Reopening a closed measure
# ---------------------------------------------------------------------------


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Grund"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("Wird im Verlauf der Maßnahme festgehalten."),
    )


def reopen_measure(request, measure_pk):
    _require_authority(request)
    measure = get_measure(request, measure_pk)
    form = ReopenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            do_reopen_measure(request.user, measure, form.cleaned_data["reason"])
        except ServiceError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            messages.success(request, _("Maßnahme %(number)s wieder geöffnet.") % {"number": measure.number})
            return redirect(reverse("aqb_monitoring:measure", args=[measure.pk]))
    title = _("Maßnahme %(number)s wieder öffnen") % {"number": measure.number}
    return TemplateResponse(
        request,
        "aqb_monitoring/reports/reopen.html",
        {"page_title": title, "header_title": title, "measure": measure, "form": form},
    )
