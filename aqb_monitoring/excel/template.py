"""The participant workbook: the blank template and the frame every export fills.

Written with openpyxl in write-only mode (streams rows, so a 10,000-row export stays
fast and small in memory). Sheets: "Teilnehmende" (the data, drop-downs fed from the
hidden "Listen" sheet), "Ausfüllhinweise" (one line per column), "Info" (measure
number, export time, "Stand der Auswahllisten"). Every row goes through `cells.safe_row`, so no
text a user typed can reach a sheet as a formula.

For the clerk who fills it in (issue 10, item 16): columns that entry data always need end
in " *"; every column shows its rule as an input message when a cell is selected; the yes/no
question columns are grouped (one outline group per phase) and coloured by question block,
each header with a comment naming the block and when it applies; an export has a "Status"
column (ignored on import). Sheets print landscape, fitted to the page width, the header row
repeated on every page and tall enough for its wrapped text. The catalogue hash (the
template's ETag) is kept as the document property "Katalogstand" for support.
"""

import datetime
import io
import math
import textwrap

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.packaging.custom import StringProperty
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.dimensions import ColumnDimension, RowDimension
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from ..formatting import format_date, format_datetime
from . import sheet_writer
from .cells import date_cell, safe_cell, safe_row
from .layout import (
    KIND_BOOL,
    KIND_CHOICE,
    KIND_DATE,
    KIND_ID,
    KIND_TEXT,
    KIND_YEAR,
    PSEUDONYM,
    SHEET_GUIDE,
    SHEET_INFO,
    SHEET_LISTS,
    SHEET_PARTICIPANTS,
    STATUS,
    Column,
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
# Light fills for the question blocks (the same block has the same colour at entry and exit); none of them
# is the red, yellow or green of the status.
BLOCK_FILLS = [PatternFill("solid", fgColor=colour) for colour in ("E4DFEC", "FCE4D6", "D9E1F2", "EDEDED", "DDEBF7",
                                                                   "F8CBAD", "C9C9E8", "D0CECE")]
STATUS_FILLS = {
    "red": PatternFill("solid", fgColor="FFC7CE"),
    "yellow": PatternFill("solid", fgColor="FFEB9C"),
    "green": PatternFill("solid", fgColor="C6EFCE"),
}
HEADER_LINE_POINTS = 15  # one line of 11 pt bold text
COMMENT_AUTHOR = "AQB-Portal"
CATALOGUE_PROPERTY = "Katalogstand"  # document property holding catalogue_version()'s hash


def _header_cell(ws, value, fill=HEADER_FILL, note=""):
    cell = safe_cell(ws, value, font=HEADER_FONT, fill=fill, alignment=HEADER_ALIGNMENT)
    if note:
        lines = sum(max(1, math.ceil(len(line) / 40)) for line in note.split("\n"))
        cell.comment = Comment(note, COMMENT_AUTHOR, height=max(60, 16 * lines + 10), width=260)
    return cell


def header_height(texts_and_widths):
    """Points for a header row whose cells wrap: the most lines any header needs in its column's width."""
    lines = 1
    for text, width in texts_and_widths:
        chars = max(4, int(width * 0.9) - 1)  # bold text is wider than the '0' a column width counts in
        lines = max(lines, len(textwrap.wrap(str(text), chars, break_long_words=True)) or 1)
    return lines * HEADER_LINE_POINTS + 4


def print_setup(ws, title_rows="1:1"):
    """Landscape A4, fitted to the page width (as many pages down as needed), the header row on every page."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.print_title_rows = title_rows
    ws.print_options.gridLines = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.5


def status_column():
    """The export's status column: the record's colour and why, as the admin says it; never read on import."""
    return Column(key=STATUS, header=_("Status"), kind=KIND_TEXT, width=45, hint=_(
        "Stand beim Export: rot, gelb oder grün und was noch fehlt. Wird beim Hochladen nicht gelesen; "
        "das Portal berechnet den Status neu."))


class ParticipantWorkbook:
    """Builds one workbook; call `append(values)` per participant row, then `save()`."""

    def __init__(self, layout=None, measure_number="", extra_headers=(), with_status=False):
        self.layout = layout or Layout()
        self.measure_number = measure_number
        self.extra_headers = list(extra_headers)
        self.version, self.catalogue_changed = catalogue_version()
        self.workbook = Workbook(write_only=True)
        self.sheet = sheet_writer.create_sheet(self.workbook, SHEET_PARTICIPANTS)
        self.rows = 0
        # The sheet's columns: the layout's, with the status right after the ID in an export.
        self.columns = list(self.layout.columns)
        self.status_position = None
        self._status_cells = {}
        if with_status:
            self.status_position = [c.key for c in self.columns].index(PSEUDONYM) + 1
            self.columns.insert(self.status_position, status_column())
        self._date_columns = [i for i, c in enumerate(self.layout.columns) if c.kind == KIND_DATE]
        self._setup_sheet()

    # -- the data sheet ----------------------------------------------------------------------

    def _setup_sheet(self):
        ws = self.sheet
        for index, column in enumerate(self.columns, start=1):
            letter = get_column_letter(index)
            dimension = ColumnDimension(ws, index=letter, width=column.width)
            if column.kind == KIND_DATE:
                dimension.number_format = DATE_FORMAT
            elif column.kind in (KIND_ID, KIND_TEXT):
                dimension.number_format = TEXT_FORMAT
            elif column.kind == KIND_YEAR:
                dimension.number_format = "0"
            if column.is_answer:
                dimension.outline_level = 1  # one group per phase: a clerk can fold the questions away
            ws.column_dimensions[letter] = dimension
        frozen = (self.status_position if self.status_position is not None else 1) + 1
        ws.freeze_panes = f"{get_column_letter(frozen + 1)}2"
        self._add_validations()
        print_setup(ws)  # before the first row: a write-only sheet writes its properties with it
        headers = [(column.sheet_header, column.width) for column in self.columns]
        headers += [(header, 13) for header in self.extra_headers]  # openpyxl's default column width
        ws.row_dimensions[1] = RowDimension(ws, index=1, ht=header_height(headers), customHeight=True)
        cells = [
            _header_cell(ws, column.sheet_header, fill=self._fill(column), note=column.note) for column in self.columns
        ]
        ws.append(cells + [_header_cell(ws, header) for header in self.extra_headers])

    @staticmethod
    def _fill(column):
        if column.block_index is None:
            return HEADER_FILL
        return BLOCK_FILLS[column.block_index % len(BLOCK_FILLS)]

    def _list_columns(self):
        """One list per distinct set of allowed values (the catalogues, and ja/nein once)."""
        lists = {}
        for column in self.layout.columns:
            if column.kind in (KIND_CHOICE, KIND_BOOL) and column.allowed_labels:
                key = "bool" if column.kind == KIND_BOOL else column.key
                lists.setdefault(key, (column.header if key != "bool" else _("ja/nein"), column.allowed_labels))
        return lists

    def _add_validations(self):
        """Drop-downs, date and year checks, and on every column the input message with its rule."""
        self.lists = self._list_columns()
        positions = {key: get_column_letter(i) for i, key in enumerate(self.lists, start=1)}
        for index, column in enumerate(self.columns, start=1):
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
                validation = DataValidation(allow_blank=True)  # any value: only the input message
            validation.showInputMessage = True
            validation.promptTitle = column.header[:32]  # Excel's limit for the title
            validation.prompt = column.prompt
            validation.add(f"{letter}2:{letter}{MAX_ROW}")
            self.sheet.data_validations.append(validation)

    def append(self, values, status=None):
        """One participant row in layout order; text in any column stays text, dates show as TT.MM.JJJJ.

        `status` is (status code, German text) for the export's status column."""
        ws = self.sheet
        for i in self._date_columns:
            value = values[i]
            if isinstance(value, datetime.date):  # a text left as typed (left-out rows) goes through safe_row
                values[i] = date_cell(ws, value, DATE_FORMAT)
        row = safe_row(ws, values)
        if self.status_position is not None:
            row.insert(self.status_position, self._status_cell(status or ("", None)))
        ws.append(row)
        self.rows += 1

    def _status_cell(self, status):
        """The coloured status cell; one cell per distinct text, reused: a write-only sheet writes a cell the
        moment its row is appended, so sharing it costs nothing, while styling 10,000 new cells would."""
        cell = self._status_cells.get(status)
        if cell is None:
            code, text = status
            cell = safe_cell(self.sheet, text, **({"fill": STATUS_FILLS[code]} if code in STATUS_FILLS else {}))
            if len(self._status_cells) < 10_000:
                self._status_cells[status] = cell
        return cell

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
        """How to read the sheet (the marks, colours and the status) and one line per column with its rule."""
        ws = self.workbook.create_sheet(SHEET_GUIDE)
        widths = (40, 10, 22, 80, 60)
        for letter, width in zip("ABCDE", widths, strict=True):
            ws.column_dimensions[letter] = ColumnDimension(ws, index=letter, width=width)
        legend = [
            _("So füllen Sie das Blatt „%(sheet)s“ aus") % {"sheet": SHEET_PARTICIPANTS},
            _("* hinter der Spaltenüberschrift = Pflichtangabe bei Eintritt. Fehlt eine davon, ist die Zeile rot und "
              "wird beim Hochladen nicht übernommen."),
            _("Austrittsangaben (Austrittsdatum bis „Austritt: …“) sind Pflicht, sobald ein Austrittsdatum eingetragen "
              "ist. Das Austrittsdatum darf allein stehen; bis alle Austrittsangaben ausgefüllt sind, bleibt die Zeile "
              "gelb."),
            _("TN-Ziel: Pflicht bei M1, sonst leer lassen. Fragen (ja/nein): Pflicht, wenn ihr Fragenblock für die "
              "Person gilt. Die Spalten eines Fragenblocks haben dieselbe Farbe; der Kommentar an der Überschrift "
              "nennt den Block und die TN-Ziele oder Maßnahmearten, für die er gilt. Mit dem Zeichen „–“ über den "
              "Spalten lassen sich die Fragen ausblenden."),
            _("Wenn Sie eine Zelle anklicken, zeigt Excel die Regel der Spalte an. Die vollständigen Regeln stehen "
              "in der Tabelle unten."),
            _("Status: rot = Eintrittsdaten unvollständig, gelb = Austrittsdaten fehlen, grün = vollständig. "
              "Beim Hochladen werden gelbe und grüne Zeilen übernommen; die Vorschau nennt für jede Zeile die Gründe. "
              "Die Spalte „Status“ einer exportierten Datei zeigt den Stand beim Export und wird beim Hochladen "
              "nicht gelesen."),
        ]
        table_row = len(legend) + 2  # after the legend and one empty row
        print_setup(ws, f"{table_row}:{table_row}")  # before the first row: write-only sheets write their top then
        line_chars = int(sum(widths) * 0.95)
        for row, text in enumerate(legend, start=1):
            # One line of text across the table's width (merged), as tall as its wrapped text.
            lines = len(textwrap.wrap(text, line_chars)) or 1
            ws.row_dimensions[row] = RowDimension(ws, index=row, ht=lines * HEADER_LINE_POINTS + 2, customHeight=True)
            ws.merged_cells.add(f"A{row}:E{row}")
        ws.append([safe_cell(ws, legend[0], font=HEADER_FONT)])
        for text in legend[1:]:
            ws.append([safe_cell(ws, text, alignment=Alignment(wrap_text=True, vertical="top"))])
        ws.append([])
        ws.append([_header_cell(ws, text) for text in (
            _("Spalte"), _("Angabe"), _("Pflicht"), _("Regel"), _("Erlaubte Werte"))])
        wrap = Alignment(wrap_text=True, vertical="top")
        for column in self.columns:
            phase = _("Eintritt") if column.phase == "entry" else _("Austritt")
            if column.key in ("measure_number", STATUS):
                phase = ""
            if column.required:
                required = _("ja, bei Eintritt")
            elif column.key == STATUS or column.key == "measure_number":
                required = _("nein")
            elif column.is_answer:
                required = _("wenn der Fragenblock gilt")
            elif column.phase == "exit":
                required = _("sobald ein Austrittsdatum eingetragen ist")
            else:
                required = _("siehe Regel")
            allowed = " · ".join(column.allowed_labels)
            if column.kind == KIND_DATE:
                allowed = _("Datum TT.MM.JJJJ")
            elif column.kind == KIND_YEAR:
                allowed = _("Jahr JJJJ")
            ws.append([
                safe_cell(ws, column.sheet_header, alignment=wrap), safe_cell(ws, phase, alignment=wrap),
                safe_cell(ws, required, alignment=wrap), safe_cell(ws, column.hint, alignment=wrap),
                safe_cell(ws, allowed, alignment=wrap),
            ])

    def _write_info(self):
        ws = self.workbook.create_sheet(SHEET_INFO)
        ws.column_dimensions["A"] = ColumnDimension(ws, index="A", width=28)
        ws.column_dimensions["B"] = ColumnDimension(ws, index="B", width=40)
        now = timezone.localtime()
        changed = timezone.localtime(self.catalogue_changed) if self.catalogue_changed else None
        for label, value in (
            (_("Maßnahmennummer"), self.measure_number),
            (_("Exportiert am"), format_datetime(now)),
            (_("Stand der Auswahllisten"), format_date(changed)),
            (_("Anzahl Teilnehmende"), self.rows),
        ):
            ws.append(safe_row(ws, [label, value]))
        # The hash is for support and tools (it is the template's ETag), not for people: a document property.
        self.workbook.custom_doc_props.append(StringProperty(name=CATALOGUE_PROPERTY, value=self.version))

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
