"""Admin views of the monitoring for every role: dashboard ("Meine Maßnahmen"), a measure
with its participants, the participant form, histories, and the ZE's provider contacts.

Every object is looked up through permissions.py: a foreign measure or participant is a
404 (never a 403), so nobody learns that it exists. Rules and state changes live in
validation.py, status.py, forms.py and services.py; these views only parse, call, render.

Buttons of other parts (Excel export/import, carry-over)
--------------------------------------------------------
Register a function for the Wagtail hook ``aqb_measure_buttons`` (name in
``MEASURE_BUTTONS_HOOK``). It is called as ``fn(request, measure)`` for the measure page
(the participant list) and returns an iterable of :class:`MeasureButton` (or ``None``)::

    from wagtail import hooks
    from aqb_monitoring.views import MEASURE_BUTTONS_HOOK, MeasureButton

    @hooks.register(MEASURE_BUTTONS_HOOK)
    def excel_buttons(request, measure):
        yield MeasureButton(_("Excel-Datei herunterladen"), reverse("...", args=[measure.pk]), icon="download")

The measure is already checked to be visible to the user; whether an action may be
offered (e.g. only while the measure is open: ``permissions.can_edit``) is the hook's call.
"""

from dataclasses import dataclass, field

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Case, Count, IntegerField, OuterRef, Q, Subquery, When
from django.db.models.functions import Coalesce
from django.http import Http404, HttpResponseForbidden, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail import hooks

from . import permissions
from .deadlines import due_within, next_due_date, owing_measures, prefetch_for_deadlines, prefetch_sent_reports
from .models import (
    AuditEntry,
    Measure,
    MeasureType,
    Organisation,
    OrganisationKind,
    Participant,
    ParticipantStatus,
    ProgrammeLine,
    ReviewState,
)

MEASURE_BUTTONS_HOOK = "aqb_measure_buttons"
PAGE_SIZE = 50
# The refusal of every write to the participants of a measure the user can no longer change (closed, V10).
NO_LONGER_CHANGED = gettext_lazy("Die Teilnehmenden dieser Maßnahme können nicht mehr geändert werden.")


@dataclass
class MeasureButton:
    """A link shown in the header of a measure page (see the module docstring)."""

    label: str
    url: str
    icon: str = "arrow-right"
    priority: int = 100
    classname: str = "button button-secondary"
    attrs: dict = field(default_factory=dict)


def measure_buttons(request, measure):
    buttons = []
    for fn in hooks.get_hooks(MEASURE_BUTTONS_HOOK):
        buttons.extend(fn(request, measure) or [])
    return sorted(buttons, key=lambda button: button.priority)


# ---------------------------------------------------------------------------
# Dashboard: the user's measures
# ---------------------------------------------------------------------------

MEASURE_SORTS = {
    "number": ("number",),
    "title": ("title", "number"),
    "grant_recipient": ("grant_recipient__name", "number"),
    "provider": ("provider__name", "number"),
    "type": ("measure_type__sort_order", "number"),
    "year": ("budget_year", "number"),
    "start": ("start_date", "number"),
    "end": ("end_date", "number"),
    "red": ("red_count", "number"),
    "yellow": ("yellow_count", "number"),
    "green": ("green_count", "number"),
    "status": ("closed_flag", "number"),
    # Computed per measure (deadlines.py), not in SQL: sorted in Python over the filtered measures.
    "due": None,
}


class MeasureFilterForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("Suche"), required=False, help_text=gettext_lazy("Nummer, Titel oder Träger"))
    measure_type = forms.ModelChoiceField(
        label=gettext_lazy("Maßnahmeart"), queryset=MeasureType.objects.all(), required=False,
        empty_label=gettext_lazy("alle"),
    )
    budget_year = forms.TypedChoiceField(label=gettext_lazy("Budgetjahr"), coerce=int, required=False)
    programme_line = forms.ModelChoiceField(
        label=gettext_lazy("Programmlinie"), queryset=ProgrammeLine.objects.all(), required=False,
        empty_label=gettext_lazy("alle"),
    )
    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        required=False,
        choices=[("", gettext_lazy("alle")), ("open", gettext_lazy("offen")), ("closed", gettext_lazy("abgeschlossen"))],
    )
    grant_recipient = forms.ModelChoiceField(
        label=gettext_lazy("Zuwendungsempfänger"), queryset=Organisation.objects.none(), required=False,
        empty_label=gettext_lazy("alle"),
    )

    def __init__(self, *args, measures, authority=False, **kwargs):
        super().__init__(*args, **kwargs)
        # The years come from the user's own measures: the list shows nothing of others.
        years = measures.order_by("-budget_year").values_list("budget_year", flat=True).distinct()
        self.fields["budget_year"].choices = [("", _("alle"))] + [(year, year) for year in years]
        if authority:  # only the RP sees several grant recipients
            self.fields["grant_recipient"].queryset = Organisation.objects.filter(
                kind=OrganisationKind.GRANT_RECIPIENT).order_by("name")
            self.order_fields(["q", "grant_recipient"])
        else:
            del self.fields["grant_recipient"]


def annotate_status_counts(queryset):
    """Red, yellow and green participants per measure, in the same query as the measures.

    Correlated counts on the (measure, status) index rather than a JOIN with GROUP BY:
    the grouped join sorts every participant row, the subqueries only count index entries.
    """

    def count_of(status):
        counted = (
            Participant.objects.filter(measure_id=OuterRef("pk"), status=status)
            .order_by()
            .values("measure_id")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return Coalesce(Subquery(counted, output_field=IntegerField()), 0)

    return queryset.annotate(
        red_count=count_of(ParticipantStatus.RED),
        yellow_count=count_of(ParticipantStatus.YELLOW),
        green_count=count_of(ParticipantStatus.GREEN),
    )


def apply_measure_filters(queryset, data):
    """The measures of `queryset` that match a filter form's cleaned data: the search term `q` (number, title or
    provider), `measure_type`, `budget_year`, `programme_line`, `grant_recipient` and `status` ("open"/"closed").
    A key the form lacks or leaves empty filters nothing (the dashboard and the Excel export use it alike)."""
    term = (data.get("q") or "").strip()
    if term:
        queryset = queryset.filter(Q(number__icontains=term) | Q(title__icontains=term) | Q(provider__name__icontains=term))
    for name in ("measure_type", "budget_year", "programme_line", "grant_recipient"):
        if data.get(name):
            queryset = queryset.filter(**{name: data[name]})
    if data.get("status") == "open":
        queryset = queryset.filter(closed_at__isnull=True)
    elif data.get("status") == "closed":
        queryset = queryset.filter(closed_at__isnull=False)
    return queryset


def filtered_measures(request):
    """The user's measures after search, filters and sorting; returns (form, queryset, sort)."""
    visible = permissions.measures_for(request.user)
    form = MeasureFilterForm(request.GET or None, measures=visible, authority=permissions.is_authority(request.user))
    queryset = visible.select_related("measure_type", "programme_line", "provider", "grant_recipient", "main_goal")
    if form.is_valid():
        queryset = apply_measure_filters(queryset, form.cleaned_data)
    sort = request.GET.get("sort", "")
    key = sort.lstrip("-")
    if key not in MEASURE_SORTS:
        sort, key = "", ""
    ordering = MEASURE_SORTS.get(key) or ("-budget_year", "number")
    if sort.startswith("-") and MEASURE_SORTS[key]:
        ordering = ("-" + ordering[0],) + ordering[1:]
    queryset = annotate_status_counts(queryset).annotate(
        closed_flag=Case(When(closed_at__isnull=True, then=0), default=1, output_field=IntegerField()))
    queryset = prefetch_sent_reports(queryset.order_by(*ordering).prefetch_related("interim_due_dates"))
    return form, queryset, sort


def sorted_by_due_date(measures, descending=False):
    """Every filtered measure with its next due date, the most urgent first ("who is late" in one click);
    measures that owe nothing (closed, without monitoring) come last either way."""
    measures = with_due_dates(list(measures))
    owing = sorted((m for m in measures if m.next_due), key=lambda m: (m.next_due.date, m.number), reverse=descending)
    return owing + [m for m in measures if not m.next_due]


def sort_links(request, current, keys):
    """Column header links: a click sorts ascending, a second click descending."""
    params = request.GET.copy()
    params.pop("p", None)
    links = {}
    for key in keys:
        params["sort"] = f"-{key}" if current == key else key
        direction = "ascending" if current == key else "descending" if current == f"-{key}" else "none"
        links[key] = {"url": "?" + params.urlencode(), "direction": direction}
    return links


def page_of(request, queryset, count=None):
    """One page of PAGE_SIZE rows; `count`, when the caller knows it, saves the COUNT query."""
    paginator = Paginator(queryset, PAGE_SIZE)
    if count is not None:
        paginator.count = count  # overrides the cached_property before it runs
    page = paginator.get_page(request.GET.get("p"))
    params = request.GET.copy()
    params.pop("p", None)
    return page, params.urlencode()


def with_due_dates(measures):
    today = timezone.localdate()
    for measure in measures:
        measure.next_due = next_due_date(measure, today)
    return measures


DUE_BOX_DAYS = 30
DUE_BOX_SHOWN = 20


def due_box(user):
    """The dashboard's "Fällig in den nächsten 30 Tagen" for a ZE or provider: every report its open measures
    owe within 30 days, overdue ones included, the most urgent first (None for the RP: the board shows it)."""
    if not permissions.is_tenant(user):
        return None
    measures = owing_measures(permissions.measures_for(user))
    items = due_within(prefetch_for_deadlines(measures), DUE_BOX_DAYS)
    return {"items": items[:DUE_BOX_SHOWN], "more": max(len(items) - DUE_BOX_SHOWN, 0), "days": DUE_BOX_DAYS,
            "overdue": any(due.is_overdue for _measure, due in items)}


def dashboard(request):
    """'Meine Maßnahmen': every measure the user may see, with status counts and the next due date."""
    if not permissions.has_monitoring(request.user):
        raise PermissionDenied
    form, queryset, sort = filtered_measures(request)
    if sort.lstrip("-") == "due":
        page, query = page_of(request, sorted_by_due_date(queryset, descending=sort.startswith("-")))
    else:
        page, query = page_of(request, queryset)
        with_due_dates(page.object_list)
    authority = permissions.is_authority(request.user)
    title = _("Alle Maßnahmen") if authority else _("Meine Maßnahmen")
    return TemplateResponse(
        request,
        "aqb_monitoring/dashboard.html",
        {
            "page_title": title,
            "header_title": title,
            "is_authority": authority,
            "form": form,
            "page_obj": page,
            "measures": page.object_list,
            "query": query,
            "sort": sort,
            "sort_links": sort_links(request, sort, MEASURE_SORTS),
            "is_grant_recipient": permissions.is_grant_recipient(request.user),
            "due_box": due_box(request.user),
        },
    )


# ---------------------------------------------------------------------------
# One measure and its participants
# ---------------------------------------------------------------------------

PARTICIPANT_SORTS = {
    "pseudonym": ("pseudonym",),
    "entry": ("entry_date", "pseudonym"),
    "exit": ("exit_date", "pseudonym"),
}


class ParticipantFilterForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("Teilnehmenden-ID"), required=False)
    status = forms.ChoiceField(
        label=gettext_lazy("Status"), required=False, choices=[("", gettext_lazy("alle"))] + ParticipantStatus.choices
    )


def get_measure(request, measure_pk, with_counts=False):
    """The measure if the user may see it, with what its header shows; else 404."""
    queryset = permissions.measures_for(request.user).select_related(
        "measure_type", "programme_line", "provider", "grant_recipient", "main_goal", "closed_by"
    )
    if with_counts:
        queryset = annotate_status_counts(queryset)
    return get_object_or_404(queryset, pk=measure_pk)


def get_participant(request, measure, participant_pk):
    queryset = permissions.participants_for(request.user).filter(measure=measure)
    return get_object_or_404(queryset, pk=participant_pk)


def status_counts(measure):
    """{'red': n, 'yellow': n, 'green': n, 'total': n} from the measure's annotations
    (annotate_status_counts), or in one query of three index-only counts."""
    if not hasattr(measure, "red_count"):
        measure = annotate_status_counts(Measure.objects.filter(pk=measure.pk)).get()
    counts = {
        ParticipantStatus.RED.value: measure.red_count,
        ParticipantStatus.YELLOW.value: measure.yellow_count,
        ParticipantStatus.GREEN.value: measure.green_count,
    }
    counts["total"] = sum(counts.values())
    return counts


def measure_detail(request, measure_pk):
    """The measure's header and its participant list (search by ID, status filter, sort, 50 per page)."""
    measure = get_measure(request, measure_pk, with_counts=True)
    form = ParticipantFilterForm(request.GET or None)
    participants = Participant.objects.filter(measure=measure).only(
        "pk", "pseudonym", "status", "entry_date", "exit_date", "measure_id"
    )
    counts = status_counts(measure)
    known_count = counts["total"]  # the status counts double as the paginator's count
    if form.is_valid():
        if form.cleaned_data["q"]:
            participants = participants.filter(pseudonym__icontains=form.cleaned_data["q"].strip())
            known_count = None
        if form.cleaned_data["status"]:
            participants = participants.filter(status=form.cleaned_data["status"])
            if known_count is not None:
                known_count = counts[form.cleaned_data["status"]]
    sort = request.GET.get("sort", "pseudonym")
    ordering = PARTICIPANT_SORTS.get(sort.lstrip("-"))
    if ordering is None:
        sort, ordering = "pseudonym", PARTICIPANT_SORTS["pseudonym"]
    elif sort.startswith("-"):
        ordering = tuple("-" + name for name in ordering)
    page, query = page_of(request, participants.order_by(*ordering), known_count)
    from .reporting.views import (  # cycle: it imports get_measure
        latest_completion_signal,
        measure_reports,
        offered_kinds,
    )

    return TemplateResponse(
        request,
        "aqb_monitoring/measure_detail.html",
        {
            "page_title": measure.number,
            "header_title": measure.number,
            "measure": measure,
            "counts": counts,
            "can_edit": permissions.can_edit(request.user, measure),
            "buttons": measure_buttons(request, measure),
            "next_due": next_due_date(measure),
            "report_kinds": offered_kinds(request.user, measure, has_participants=counts["total"] > 0),
            "reports": measure_reports(request.user, measure),
            "is_authority": permissions.is_authority(request.user),
            "review_states": ReviewState.choices,
            "is_provider": permissions.is_provider(request.user),
            "completion_signal": latest_completion_signal(measure),
            "form": form,
            "page_obj": page,
            "participants": page.object_list,
            "query": query,
            "sort": sort,
            "sort_links": sort_links(request, sort, PARTICIPANT_SORTS),
        },
    )


# ---------------------------------------------------------------------------
# Participant form
# ---------------------------------------------------------------------------

def participant_form_view(request, measure, participant=None):
    """forms.ParticipantForm in its four groups (docs/domain-rules.md §3), the status box on top, and
    "Speichern" / "Speichern und neue(n) Teilnehmende(n) erfassen"."""
    from . import services
    from .forms import ParticipantForm

    editable = permissions.can_edit(request.user, measure)
    if request.method == "POST":
        if not editable:
            raise PermissionDenied(NO_LONGER_CHANGED)
        form = ParticipantForm(data=request.POST, instance=participant, measure=measure, for_user=request.user)
        if form.is_valid():
            try:
                saved = form.save()
            except services.ServiceError:
                saved = None
            if saved is not None:
                messages.success(
                    request,
                    _("Teilnehmende(r) „%(id)s“ gespeichert. Status: %(status)s.")
                    % {"id": saved.pseudonym, "status": saved.get_status_display()},
                )
                for warning_messages in form.warnings.values():
                    for warning in warning_messages:
                        messages.warning(request, warning)
                if "save_and_new" in request.POST:
                    return redirect("aqb_monitoring:participant_add", measure.pk)
                return redirect("aqb_monitoring:participant_edit", measure.pk, saved.pk)
        messages.error(request, _("Der Datensatz wurde nicht gespeichert. Bitte korrigieren Sie die markierten Angaben."))
    else:
        form = ParticipantForm(instance=participant, measure=measure, for_user=request.user)
    if not editable:
        for form_field in form.fields.values():
            form_field.disabled = True
    title = participant.pseudonym if participant else _("Neue(r) Teilnehmende(r)")
    return TemplateResponse(
        request,
        "aqb_monitoring/participant_form.html",
        {
            "page_title": title,
            "header_title": title,
            "measure": measure,
            "participant": participant,
            "form": form,
            "summary": form.status_summary(),
            "editable": editable,
        },
    )


def participant_add(request, measure_pk):
    measure = get_measure(request, measure_pk)
    if not permissions.can_edit(request.user, measure):
        raise PermissionDenied(_("In dieser Maßnahme können keine Teilnehmenden erfasst werden."))
    return participant_form_view(request, measure)


def participant_edit(request, measure_pk, pk):
    measure = get_measure(request, measure_pk)
    participant = get_participant(request, measure, pk)
    return participant_form_view(request, measure, participant)


def participant_summary(request, measure_pk, pk=None):
    """The status box for the values typed so far (participant_form.js, while the clerk types): nothing is saved.

    The same rules as saving (validation.py through the form); 404 outside the user's measures, 403 where the
    user may not record participants."""
    from .forms import ParticipantForm

    measure = get_measure(request, measure_pk)
    participant = get_participant(request, measure, pk) if pk is not None else None
    if not permissions.can_edit(request.user, measure):
        return HttpResponseForbidden(str(NO_LONGER_CHANGED))
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = ParticipantForm(data=request.POST, instance=participant, measure=measure, for_user=request.user)
    form.is_valid()
    return TemplateResponse(request, "aqb_monitoring/includes/participant_summary.html",
                            {"summary": form.live_summary()})


def participant_delete(request, measure_pk, pk):
    """Confirmation page, then services.delete_participant (only while the measure is open)."""
    measure = get_measure(request, measure_pk)
    participant = get_participant(request, measure, pk)
    if not permissions.can_edit(request.user, measure):
        raise PermissionDenied(_("Die Teilnehmenden dieser Maßnahme können nicht mehr gelöscht werden."))
    if request.method == "POST":
        from . import services

        try:
            services.delete_participant(request.user, participant)
        except services.ServiceError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("aqb_monitoring:measure", measure.pk)
        messages.success(request, _("Teilnehmende(r) „%(id)s“ gelöscht.") % {"id": participant.pseudonym})
        return redirect("aqb_monitoring:measure", measure.pk)
    return TemplateResponse(
        request,
        "aqb_monitoring/participant_confirm_delete.html",
        {
            "page_title": _("Teilnehmende(n) löschen"),
            "header_title": _("Teilnehmende(n) löschen"),
            "measure": measure,
            "participant": participant,
        },
    )


# ---------------------------------------------------------------------------
# History (our audit trail, AuditEntry)
# ---------------------------------------------------------------------------


def history_rows(entries):
    """Each entry with its changes as (field, old, new) triples for the table."""
    rows = []
    for entry in entries:
        changes = []
        if isinstance(entry.changes, dict):
            for label, pair in entry.changes.items():
                old, new = (pair + [None, None])[:2] if isinstance(pair, list) else (None, pair)
                changes.append((label, old, new))
        rows.append({"entry": entry, "changes": changes})
    return rows


def participant_history(request, measure_pk, pk):
    measure = get_measure(request, measure_pk)
    participant = get_participant(request, measure, pk)
    title = _("Verlauf von %(id)s") % {"id": participant.pseudonym}
    return history_response(request, measure, AuditEntry.objects.filter(participant=participant), title, participant)


def measure_history(request, measure_pk):
    measure = get_measure(request, measure_pk)
    title = _("Verlauf der Maßnahme %(number)s") % {"number": measure.number}
    return history_response(request, measure, AuditEntry.objects.filter(measure=measure), title)


def history_response(request, measure, entries, title, participant=None):
    """One page of audit entries, newest first, for a measure or one of its participants."""
    page, query = page_of(request, entries.select_related("user").order_by("-timestamp", "-id"))
    return TemplateResponse(
        request,
        "aqb_monitoring/history.html",
        {
            "page_title": title,
            "header_title": title,
            "measure": measure,
            "participant": participant,
            "rows": history_rows(page.object_list),
            "page_obj": page,
            "query": query,
        },
    )


# ---------------------------------------------------------------------------
# The ZE maintains its providers' contact e-mail (docs/domain-rules.md §10)
# ---------------------------------------------------------------------------


class ProviderContactForm(forms.ModelForm):
    class Meta:
        model = Organisation
        fields = ["contact_email"]


def provider_list(request):
    if not permissions.may_maintain_provider_contacts(request.user):
        raise Http404
    providers = permissions.providers_for(request.user).select_related("grant_recipient").order_by("name")
    return TemplateResponse(
        request,
        "aqb_monitoring/provider_list.html",
        {"page_title": _("Meine Träger"), "header_title": _("Meine Träger"), "providers": providers},
    )


def provider_contact(request, pk):
    provider = get_object_or_404(permissions.providers_for(request.user), pk=pk)
    form = ProviderContactForm(request.POST or None, instance=provider)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Kontakt-E-Mail von „%(name)s“ gespeichert.") % {"name": provider.name})
        return redirect("aqb_monitoring:provider_list")
    return TemplateResponse(
        request,
        "aqb_monitoring/provider_contact.html",
        {"page_title": provider.name, "header_title": provider.name, "provider": provider, "form": form},
    )

