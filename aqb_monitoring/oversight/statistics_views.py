"""The RP's "Statistik" page and its Excel download (namespace ``aqb_statistics``).

Both answer 404 to everyone but the RP (`viewsets.authority_required`). The numbers come from
`statistics.compute`; this module only reads the filters, draws and writes them.
"""

from io import BytesIO

from django import forms
from django.http import Http404, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.styles import Font

from ..excel.cells import safe_cell, safe_row
from ..models import GrantRecipient, Measure, MeasureType, ProgrammeLine
from . import charts, statistics

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class StatisticsFilterForm(forms.Form):
    budget_year = forms.TypedChoiceField(label=gettext_lazy("Budgetjahr"), coerce=int, required=False)
    grant_recipient = forms.ModelChoiceField(
        label=gettext_lazy("Zuwendungsempfänger"), queryset=GrantRecipient.objects.order_by("name"),
        required=False, empty_label=gettext_lazy("alle"),
    )
    measure_type = forms.ModelChoiceField(
        label=gettext_lazy("Maßnahmeart"), queryset=MeasureType.objects.filter(has_participant_monitoring=True),
        required=False, empty_label=gettext_lazy("alle"),
    )
    programme_line = forms.ModelChoiceField(
        label=gettext_lazy("Programmlinie"), queryset=ProgrammeLine.objects.all(), required=False,
        empty_label=gettext_lazy("alle"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        years = Measure.objects.order_by("-budget_year").values_list("budget_year", flat=True).distinct()
        self.fields["budget_year"].choices = [("", _("alle"))] + [(year, str(year)) for year in years]

    def filters(self):
        """The valid filters as keyword arguments of `statistics.compute`; an invalid one (shown with
        its error) is left out, and the description says "alle" for it."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if value}

    def description(self):
        """The filters in words, for the Excel file: "Budgetjahr: 2026; Maßnahmeart: alle; …"."""
        values = self.filters()
        return "; ".join(f"{field.label}: {values.get(name) or _('alle')}" for name, field in self.fields.items())


def _selection(request):
    form = StatisticsFilterForm(request.GET or None)
    return form, statistics.compute(**form.filters())


def statistics_page(request):
    form, stats = _selection(request)
    query = request.GET.urlencode()
    sections = [
        {"table": table, "chart": charts.chart_for(table),
         "download": f"{reverse('aqb_statistics:excel')}?{query + '&' if query else ''}tabelle={table.key}"}
        for table in stats.tables
    ]
    return TemplateResponse(request, "aqb_monitoring/oversight/statistics.html", {
        "page_title": _("Statistik"),
        "header_title": _("Statistik"),
        "form": form,
        "stats": stats,
        "sections": sections,
        "download_all": f"{reverse('aqb_statistics:excel')}{'?' + query if query else ''}",
        "threshold": statistics.THRESHOLD,
        "small": statistics.SMALL,
        "hidden": statistics.HIDDEN,
        "no_share": statistics.NO_SHARE,
        "age_rule": statistics.AGE_RULE,
        "age_groups": [label for _key, label, _low, _high in statistics.AGE_GROUPS],
    })


def _sheet_title(title, used):
    """An Excel sheet name: at most 31 characters, none of []:*?/\\, unique in the workbook."""
    name = "".join(" " if char in "[]:*?/\\" else char for char in title)[:31].strip()
    base, number = name, 2
    while name in used:
        suffix = f" ({number})"
        name, number = base[: 31 - len(suffix)] + suffix, number + 1
    used.add(name)
    return name


def legend_lines():
    return [
        _("%(small)s = weniger als %(threshold)s Teilnehmende (auch keine).")
        % {"small": statistics.SMALL, "threshold": statistics.THRESHOLD},
        _("%(hidden)s = nicht ausgewiesen, damit eine kleine Zahl nicht aus der Summe errechnet werden kann.")
        % {"hidden": statistics.HIDDEN},
        _("%(none)s = Anteil nicht ausgewiesen (Grundlage weniger als %(threshold)s Teilnehmende).")
        % {"none": statistics.NO_SHARE, "threshold": statistics.THRESHOLD},
    ]


def _excel_cells(ws, values, formats, **style):
    """A row of cells: numbers with their format ("0.0%" for shares), texts never as formulas."""
    cells = []
    for value, number_format in zip(values, formats, strict=True):
        cell_style = dict(style)
        if number_format and isinstance(value, int | float):
            cell_style["number_format"] = number_format
        cells.append(safe_cell(ws, value, **cell_style))
    return cells


def write_workbook(tables, filter_description):
    """One sheet per table: shown numbers as numbers, suppressed cells as "< 5", "•" or "–", never the number."""
    workbook = Workbook(write_only=True)
    used = set()
    bold = Font(bold=True)
    for table in tables:
        ws = workbook.create_sheet(_sheet_title(table.title, used))
        ws.append(safe_row(ws, [table.title]))
        ws.append(safe_row(ws, [_("Auswahl: %(filters)s") % {"filters": filter_description}]))
        if table.note:
            ws.append(safe_row(ws, [table.note]))
        for line in legend_lines():
            ws.append(safe_row(ws, [line]))
        ws.append([])
        ws.append([safe_cell(ws, header, font=bold) for header in table.headers])
        for row in table.excel_rows:
            ws.append(_excel_cells(ws, row, table.excel_formats))
        if table.excel_total_row:
            ws.append(_excel_cells(ws, table.excel_total_row, table.excel_formats, font=bold))
    if not tables:
        ws = workbook.create_sheet(_("Statistik"))
        ws.append([_("Keine Daten für diese Auswahl.")])
    output = BytesIO()
    workbook.save(output)
    return output.getvalue()


def statistics_excel(request):
    """All tables (one sheet each) or, with ``tabelle=<key>``, the one table of a chart."""
    form, stats = _selection(request)
    key = request.GET.get("tabelle")
    if key:
        table = stats.table(key)
        if table is None:
            raise Http404
        tables, filename = [table], f"statistik-{key}.xlsx"
    else:
        tables, filename = stats.tables, "statistik.xlsx"
    response = HttpResponse(write_workbook(tables, form.description()), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
