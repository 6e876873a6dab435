"""Change requests for a measure's master data (handbook chapter 4, "Änderungsanfrage").

The grant recipient asks on its measure (`request_change`); the RP works through the list
(`change_request_list`, oldest open first) and decides on the request's page (`change_request_detail`).
The grant recipient may open its own requests' pages read-only; providers and other tenants get a 404
everywhere. The rules are services/change_requests.py.
"""

from django import forms
from django.contrib import messages
from django.db.models import Case, IntegerField, Value, When
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .. import measures as rules
from .. import permissions
from ..models import ChangeRequest, ChangeRequestField, ChangeRequestState, RejectionReason
from ..services import ServiceError
from ..services.change_requests import (
    check_apply_change,
    check_request_change,
    do_apply_change,
    do_reject_change,
    do_request_change,
    field_label,
    may_decide,
    may_request,
    may_view_request,
    providers_of,
    shown_proposal,
)
from ..services.common import active_choices
from ..validation import NON_FIELD
from ..views import page_of

ALL = "alle"
OPEN = ""


def _require_authority(request):
    if not permissions.is_authority(request.user):
        raise Http404


def open_change_requests():
    return ChangeRequest.objects.filter(state=ChangeRequestState.OPEN)


def detail_url(change_request):
    return reverse("aqb_reports:change_request_detail", args=[change_request.pk])


# ---------------------------------------------------------------------------
# The grant recipient's request
# ---------------------------------------------------------------------------


class ChangeRequestForm(forms.Form):
    field_name = forms.ChoiceField(label=gettext_lazy("Feld"), choices=[("", "---------")] + ChangeRequestField.choices)
    proposed_value = forms.CharField(
        label=gettext_lazy("Neuer Wert"), required=False, max_length=300,
        help_text=gettext_lazy("Datum als TT.MM.JJJJ, Teilnehmendenzahl als ganze Zahl, Träger mit seinem Namen "
                               "(leer: der Zuwendungsempfänger führt die Maßnahme selbst durch)."),
    )
    reason = forms.CharField(label=gettext_lazy("Begründung"), widget=forms.Textarea(attrs={"rows": 4}), required=False)

    def add_service_errors(self, errors):
        for name, field_messages in errors.items():
            self.add_error(name if name in self.fields else None, field_messages)


def request_change(request, measure_pk):
    measure = get_object_or_404(permissions.measures_for(request.user).select_related("grant_recipient", "provider"),
                                pk=measure_pk)
    if not may_request(request.user, measure):
        raise Http404
    form = ChangeRequestForm(request.POST or None, initial={"field_name": request.GET.get("feld", "")})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            do_request_change(request.user, measure, data["field_name"], data["proposed_value"], data["reason"])
        except ServiceError as error:
            form.add_service_errors(error.errors)
        else:
            messages.success(request, _("Ihre Änderungsanfrage für „%(field)s“ wurde an das Regierungspräsidium "
                                        "gesendet.") % {"field": field_label(data["field_name"])})
            return redirect(reverse("aqb_monitoring:measure", args=[measure.pk]))
    blocked = check_request_change(request.user, measure, ChangeRequestField.TITLE, "-", "-").get(NON_FIELD, [])
    current = [{"label": field_label(name), "value": rules.shown(name, getattr(measure, name)) or "–"}
               for name in ChangeRequestField.values]
    title = _("Änderung der Stammdaten anfragen: %(number)s") % {"number": measure.number}
    return TemplateResponse(request, "aqb_monitoring/reports/change_request_form.html", {
        "page_title": title, "header_title": title, "measure": measure, "form": form, "blocked": blocked,
        "current": current, "provider_names": [provider.name for provider in providers_of(measure)],
    })


# ---------------------------------------------------------------------------
# The RP's list
# ---------------------------------------------------------------------------


class ListFilterForm(forms.Form):
    state = forms.ChoiceField(
        label=gettext_lazy("Stand"), required=False,
        choices=[(OPEN, gettext_lazy("offen")), (ALL, gettext_lazy("alle")),
                 (ChangeRequestState.APPLIED, gettext_lazy("übernommen")),
                 (ChangeRequestState.REJECTED, gettext_lazy("abgelehnt"))],
    )


def change_request_list(request):
    _require_authority(request)
    form = ListFilterForm(request.GET or None)
    state = form.cleaned_data.get("state", OPEN) if form.is_valid() else OPEN
    queryset = ChangeRequest.objects.select_related("measure", "measure__grant_recipient")
    if state == OPEN:
        queryset = queryset.filter(state=ChangeRequestState.OPEN)
    elif state != ALL:
        queryset = queryset.filter(state=state)
    queryset = queryset.annotate(
        decided_last=Case(When(state=ChangeRequestState.OPEN, then=Value(0)), default=Value(1),
                          output_field=IntegerField())
    ).order_by("decided_last", "requested_at", "id")
    page, query = page_of(request, queryset)
    today = timezone.localdate()
    rows = [{
        "change_request": change_request,
        "field_label": field_label(change_request.field_name),
        "proposed": shown_proposal(change_request),
        "requested": timezone.localtime(change_request.requested_at).date(),
        "age": (today - timezone.localtime(change_request.requested_at).date()).days,
        "is_open": change_request.state == ChangeRequestState.OPEN,
    } for change_request in page.object_list]
    return TemplateResponse(request, "aqb_monitoring/reports/change_request_list.html", {
        "page_title": _("Änderungsanfragen"), "header_title": _("Änderungsanfragen"),
        "form": form, "page_obj": page, "rows": rows, "query": query,
    })


# ---------------------------------------------------------------------------
# One request: the RP decides, the grant recipient reads
# ---------------------------------------------------------------------------


def _visible_request(request, pk):
    change_request = get_object_or_404(
        ChangeRequest.objects.select_related("measure", "measure__grant_recipient", "measure__provider"), pk=pk)
    if not may_view_request(request.user, change_request):
        raise Http404
    return change_request


def _decide(request, change_request):
    action = request.POST.get("action", "")
    note = request.POST.get("note", "")
    try:
        if action == "apply":
            do_apply_change(request.user, change_request, note)
            messages.success(request, _("Änderung übernommen: %(field)s der Maßnahme %(number)s.") % {
                "field": field_label(change_request.field_name), "number": change_request.measure.number})
        elif action == "reject":
            reasons = active_choices(RejectionReason, request.POST.getlist("reasons"))
            if reasons is None:
                messages.error(request, _("Ein gewählter Ablehnungsgrund ist nicht (mehr) verfügbar."))
                return
            do_reject_change(request.user, change_request, reasons, note)
            messages.success(request, _("Änderungsanfrage abgelehnt."))
        else:
            messages.error(request, _("Unbekannte Entscheidung."))
    except ServiceError as error:
        for message in error.messages:
            messages.error(request, message)


def change_request_detail(request, pk):
    change_request = _visible_request(request, pk)
    is_rp = permissions.is_authority(request.user)
    if request.method == "POST":
        if not is_rp:
            raise Http404
        _decide(request, change_request)
        return redirect(detail_url(change_request))
    can_decide = may_decide(request.user, change_request)
    measure = change_request.measure
    name = change_request.field_name
    title = _("Änderungsanfrage zur Maßnahme %(number)s") % {"number": measure.number}
    return TemplateResponse(request, "aqb_monitoring/reports/change_request_detail.html", {
        "page_title": title, "header_title": title, "change_request": change_request, "measure": measure,
        "field_label": field_label(name), "proposed": shown_proposal(change_request),
        "current": rules.shown(name, getattr(measure, name)) or "–",
        "state_label": ChangeRequestState(change_request.state).label,
        "is_open": change_request.state == ChangeRequestState.OPEN, "is_rp": is_rp, "can_decide": can_decide,
        "apply_problems": ServiceError(check_apply_change(request.user, change_request)).messages
        if can_decide else [],
        "rejection_reasons": RejectionReason.objects.filter(is_active=True).order_by("sort_order", "label")
        if can_decide else [],
        "chosen_reasons": list(change_request.rejection_reasons.order_by("sort_order", "label")),
    })
