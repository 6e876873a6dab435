"""The participant workbook: the blank template and the frame every export fills.

Written with openpyxl in write-only mode (streams rows, so a 10,000-row export stays
fast and small in memory). Sheets: "Teilnehmende" (the data, drop-downs fed from the
hidden "Listen" sheet), "Ausfüllhinweise" (one line per column), "Info" (measure
number, export time, catalogue version). Every row goes through `cells.safe_row`, so no
text a user typed can reach a sheet as a formula.
"""

import datetime
import io

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.dimensions import ColumnDimension

from .cells import safe_cell, safe_row
from .layout import (
    KIND_BOOL,
    KIND_CHOICE,
    KIND_DATE,
    KIND_ID,
    KIND_TEXT,
    KIND_YEAR,
    SHEET_GUIDE,
    SHEET_INFO,
    SHEET_LISTS,
    SHEET_PARTICIPANTS,
    Layout,
    catalogue_version,
)

DATE_FORMAT = "DD.MM.YYYY"
TEXT_FORMAT = "@"
MAX_ROW = 1_048_576
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDE7F0")
HEADER_ALIGNMENT = Alignment(wrap_text=True, vertical="top")


def _header_cell(ws, value):
    return safe_cell(ws, value, font=HEADER_FONT, fill=HEADER_FILL, alignment=HEADER_ALIGNMENT)


class ParticipantWorkbook:
    """Builds one workbook; call `append(values)` per participant row, then `save()`."""

    def __init__(self, layout=None, measure_number="", extra_headers=()):
        self.layout = layout or Layout()
        self.measure_number = measure_number
        self.extra_headers = list(extra_headers)
        self.version, self.catalogue_changed = catalogue_version()
        self.workbook = Workbook(write_only=True)
        self.sheet = self.workbook.create_sheet(SHEET_PARTICIPANTS)
        self.rows = 0
        self._date_columns = [i for i, c in enumerate(self.layout.columns) if c.kind == KIND_DATE]
        self._setup_sheet()

    # -- the data sheet ----------------------------------------------------------------------

    def _setup_sheet(self):
        ws = self.sheet
        for index, column in enumerate(self.layout.columns, start=1):
            letter = get_column_letter(index)
            dimension = ColumnDimension(ws, index=letter, width=column.width)
            if column.kind == KIND_DATE:
                dimension.number_format = DATE_FORMAT
            elif column.kind in (KIND_ID, KIND_TEXT):
                dimension.number_format = TEXT_FORMAT
            elif column.kind == KIND_YEAR:
                dimension.number_format = "0"
            ws.column_dimensions[letter] = dimension
        ws.freeze_panes = "C2"
        self._add_validations()
        ws.append([_header_cell(ws, header) for header in self.layout.headers + self.extra_headers])

    def _list_columns(self):
        """One list per distinct set of allowed values (the catalogues, and ja/nein once)."""
        lists = {}
        for column in self.layout.columns:
            if column.kind in (KIND_CHOICE, KIND_BOOL) and column.allowed_labels:
                key = "bool" if column.kind == KIND_BOOL else column.key
                lists.setdefault(key, (column.header if key != "bool" else _("ja/nein"), column.allowed_labels))
        return lists

    def _add_validations(self):
        self.lists = self._list_columns()
        positions = {key: get_column_letter(i) for i, key in enumerate(self.lists, start=1)}
        for index, column in enumerate(self.layout.columns, start=1):
            letter = get_column_letter(index)
            if column.kind in (KIND_CHOICE, KIND_BOOL) and column.allowed_labels:
                key = "bool" if column.kind == KIND_BOOL else column.key
                source = positions[key]
                end = len(self.lists[key][1]) + 1
                validation = DataValidation(
                    type="list",
                    formula1=f"{SHEET_LISTS}!${source}$2:${source}${end}",
                    allow_blank=True,
                    showErrorMessage=True,
                    errorTitle=_("Ungültiger Wert"),
                    error=_("Bitte einen Wert aus der Liste wählen."),
                )
            elif column.kind == KIND_DATE:
                validation = DataValidation(
                    type="date", operator="greaterThan", formula1="1", allow_blank=True, showErrorMessage=True,
                    errorTitle=_("Ungültiges Datum"), error=_("Bitte ein Datum im Format TT.MM.JJJJ eingeben."),
                )
            elif column.kind == KIND_YEAR:
                validation = DataValidation(
                    type="whole", operator="between", formula1="1900", formula2="2100", allow_blank=True,
                    showErrorMessage=True, errorTitle=_("Ungültiges Geburtsjahr"),
                    error=_("Bitte ein vierstelliges Jahr eingeben."),
                )
            else:
                continue
            validation.add(f"{letter}2:{letter}{MAX_ROW}")
            self.sheet.data_validations.append(validation)

    def append(self, values):
        """One participant row in layout order; text in any column stays text, dates show as TT.MM.JJJJ."""
        ws = self.sheet
        for i in self._date_columns:
            value = values[i]
            if value is not None:
                values[i] = safe_cell(ws, value, number_format=DATE_FORMAT)
        ws.append(safe_row(ws, values))
        self.rows += 1

    def append_text_row(self, texts, *extra):
        """A row given as the texts a user typed (left-out rows): dates and years become numbers again."""
        values = []
        for column, text in zip(self.layout.columns, texts, strict=True):
            value = text or None
            if value and column.kind == KIND_DATE:
                try:
                    value = datetime.datetime.strptime(value, "%d.%m.%Y").date()
                except ValueError:
                    pass
            elif value and column.kind == KIND_YEAR and value.isdigit():
                value = int(value)
            values.append(value)
        self.append(values + [str(item) for item in extra])

    # -- the other sheets ---------------------------------------------------------------------

    def _write_guide(self):
        ws = self.workbook.create_sheet(SHEET_GUIDE)
        for letter, width in zip("ABCD", (45, 10, 80, 80), strict=True):
            ws.column_dimensions[letter] = ColumnDimension(ws, index=letter, width=width)
        ws.append([_header_cell(ws, text) for text in (_("Spalte"), _("Angabe"), _("Regel"), _("Erlaubte Werte"))])
        for column in self.layout.columns:
            phase = _("Eintritt") if column.phase == "entry" else _("Austritt")
            if column.key == "measure_number":
                phase = ""
            allowed = " · ".join(column.allowed_labels)
            if column.kind == KIND_DATE:
                allowed = _("Datum TT.MM.JJJJ")
            elif column.kind == KIND_YEAR:
                allowed = _("Jahr JJJJ")
            ws.append(safe_row(ws, [column.header, phase, column.hint, allowed]))
        ws.append([])
        ws.append(safe_row(ws, [_(
            "Status: rot = Eintrittsdaten unvollständig, gelb = Austrittsdaten fehlen, grün = vollständig. "
            "Beim Hochladen werden gelbe und grüne Zeilen übernommen; die Vorschau nennt für jede Zeile die Gründe.")]))

    def _write_info(self):
        ws = self.workbook.create_sheet(SHEET_INFO)
        ws.column_dimensions["A"] = ColumnDimension(ws, index="A", width=28)
        ws.column_dimensions["B"] = ColumnDimension(ws, index="B", width=40)
        now = timezone.localtime()
        changed = timezone.localtime(self.catalogue_changed) if self.catalogue_changed else None
        for label, value in (
            (_("Maßnahmennummer"), self.measure_number),
            (_("Exportiert am"), now.strftime("%d.%m.%Y %H:%M")),
            (_("Katalogstand"), self.version),
            (_("Kataloge geändert am"), changed.strftime("%d.%m.%Y %H:%M") if changed else ""),
            (_("Anzahl Teilnehmende"), self.rows),
        ):
            ws.append(safe_row(ws, [label, value]))

    def _write_lists(self):
        ws = self.workbook.create_sheet(SHEET_LISTS)
        ws.sheet_state = "hidden"
        lists = list(self.lists.values())
        ws.append(safe_row(ws, [title for title, _labels in lists]))
        longest = max((len(labels) for _title, labels in lists), default=0)
        for row in range(longest):
            ws.append(safe_row(ws, [labels[row] if row < len(labels) else None for _title, labels in lists]))

    def save(self):
        """The finished workbook as bytes."""
        self._write_guide()
        self._write_info()
        self._write_lists()
        buffer = io.BytesIO()
        self.workbook.save(buffer)
        return buffer.getvalue()


def build_template():
    """The blank template (no rows, no measure number) from the current catalogues."""
    return ParticipantWorkbook().save()
