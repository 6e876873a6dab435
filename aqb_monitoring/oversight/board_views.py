"""The RP's page "Vollständigkeit" and its Excel download (namespace ``aqb_board``).

For the authority only: anybody else gets a 404, so nobody learns the page exists. The numbers come
from `board.build_board`; these views parse the filters, page the grant recipients and render.
"""

import io

from django import forms
from django.core.paginator import Paginator
from django.http import Http404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.styles import Font

from .. import permissions
from ..excel.cells import safe_cell, safe_row
from ..excel.views import xlsx_response
from ..formatting import format_date
from ..models import Measure, MeasureType, Organisation, OrganisationKind, ProgrammeLine
from .board import add_measures, board_measures, build_board

RECIPIENTS_PER_PAGE = 10  # the most urgent ten with their measures; a page stays the same size however large the programme


def _require_authority(request):
    if not permissions.is_authority(request.user):
        raise Http404


class BoardFilterForm(forms.Form):
    budget_year = forms.TypedChoiceField(label=gettext_lazy("Budgetjahr"), coerce=int, required=False)
    measure_type = forms.ModelChoiceField(
        label=gettext_lazy("Maßnahmeart"), queryset=MeasureType.objects.all(), required=False,
        empty_label=gettext_lazy("alle"),
    )
    programme_line = forms.ModelChoiceField(
        label=gettext_lazy("Programmlinie"), queryset=ProgrammeLine.objects.all(), required=False,
        empty_label=gettext_lazy("alle"),
    )
    grant_recipient = forms.ModelChoiceField(
        label=gettext_lazy("Zuwendungsempfänger"),
        queryset=Organisation.objects.filter(kind=OrganisationKind.GRANT_RECIPIENT).order_by("name"),
        required=False, empty_label=gettext_lazy("alle"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        years = Measure.objects.order_by("-budget_year").values_list("budget_year", flat=True).distinct()
        self.fields["budget_year"].choices = [("", _("alle"))] + [(year, year) for year in years]


def filtered_board(request, with_measures):
    """The filter form, the measures it selects (invalid filters: no filter) and the board over them
    (with every grant recipient's measure rows if `with_measures`)."""
    form = BoardFilterForm(request.GET or None)
    form.is_valid()
    values = getattr(form, "cleaned_data", {})  # the valid filters apply, an invalid one is left out
    measures = board_measures(
        budget_year=values.get("budget_year"), measure_type=values.get("measure_type"),
        programme_line=values.get("programme_line"), grant_recipient=values.get("grant_recipient"),
    )
    return form, measures, build_board(measures, with_measures=with_measures)


def board(request):
    _require_authority(request)
    form, measures, result = filtered_board(request, with_measures=False)
    page = Paginator(result.recipients, RECIPIENTS_PER_PAGE).get_page(request.GET.get("p"))
    add_measures(page.object_list, measures, result.today)
    params = request.GET.copy()
    params.pop("p", None)
    query = params.urlencode()
    return TemplateResponse(
        request,
        "aqb_monitoring/oversight/board.html",
        {
            "page_title": _("Vollständigkeit"),
            "header_title": _("Vollständigkeit der Meldungen"),
            "form": form,
            "board": result,
            "page_obj": page,
            "recipients": page.object_list,
            "query": query,
            "export_url": reverse("aqb_board:export") + (f"?{query}" if query else ""),
        },
    )


# ---------------------------------------------------------------------------
# Excel
# ---------------------------------------------------------------------------


def _headers():
    return [
        _("Fällig, nicht abgegeben"), _("Überfällig"), _("Überfällig seit (Tagen)"), _("Abgegeben"),
        _("Zurückgegeben"), _("Rot"), _("Gelb"), _("Grün"), _("Teilnehmende geplant"), _("Teilnehmende erfasst"),
    ]


def _figures(figures):
    return [figures.due, figures.overdue, figures.overdue_days, figures.submitted, figures.returned,
            figures.red, figures.yellow, figures.green, figures.planned, figures.recorded]


def _bold_row(ws, values):
    return [safe_cell(ws, value, font=Font(bold=True)) for value in values]


def board_workbook(result):
    """The board as xlsx bytes: sheet "Zuwendungsempfänger" (one row each, then the programme's totals)
    and sheet "Maßnahmen" (one row per measure); every text cell is kept from acting as a formula."""
    workbook = Workbook(write_only=True)
    recipients = workbook.create_sheet(_("Zuwendungsempfänger"))
    recipients.append(_bold_row(recipients, [_("Zuwendungsempfänger"), _("Maßnahmen")] + _headers()))
    for recipient in result.recipients:
        recipients.append(safe_row(recipients, [recipient.grant_recipient.name, recipient.figures.measures]
                                   + _figures(recipient.figures)))
    recipients.append(_bold_row(recipients, [_("Programm gesamt"), result.totals.measures] + _figures(result.totals)))
    recipients.append([])
    recipients.append(safe_row(recipients, [_("Stand: %(date)s") % {"date": format_date(result.today)}]))

    measures = workbook.create_sheet(_("Maßnahmen"))
    measures.append(_bold_row(measures, [
        _("Zuwendungsempfänger"), _("Maßnahmennummer"), _("Titel"), _("Maßnahmeart"), _("Programmlinie"),
        _("Budgetjahr"), _("Abgeschlossen"),
    ] + _headers() + [_("Nächste Frist"), _("Nächste Frist am")]))
    closed = {True: _("ja"), False: _("nein")}  # translated once, not once per measure
    for recipient in result.recipients:
        name = recipient.grant_recipient.name
        for row in recipient.measures:
            measure = row.measure
            next_due = row.next_due
            if next_due:
                date = next_due.date
                due = [f"{next_due.label}: {next_due.text}", f"{date.day:02d}.{date.month:02d}.{date.year:04d}"]
            else:
                due = ["", ""]
            measures.append(safe_row(measures, [
                name, measure.number, measure.title, measure.measure_type.label, measure.programme_line.label,
                measure.budget_year, closed[measure.is_closed],
            ] + _figures(row.figures) + due))
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def board_export(request):
    _require_authority(request)
    _form, _measures, result = filtered_board(request, with_measures=True)
    return xlsx_response(board_workbook(result), f"vollstaendigkeit-{result.today:%Y-%m-%d}.xlsx")
