"""A write-only worksheet that writes its plain cells as ready XML text: the participant sheet of
a 10,000-row export holds half a million cells, and openpyxl builds an element tree for each one
(about 20 µs a cell, most of an export's time).

Only plain values take the short way: a text (always as an inline string, so it can never be a
formula) and a whole number. Anything else, above all the cells that `cells.safe_row`,
`cells.date_cell` or a status fill made into openpyxl cells, is written by openpyxl itself, so
styles, dates and formula-like texts keep their one place in `cells.py`. The same checks as
openpyxl's apply to texts: characters a worksheet cannot hold are refused
(IllegalCharacterError), texts are cut at Excel's 32,767 characters.

The short way writes through the stream of openpyxl's own XML writer (et_xmlfile's `_file`, the
file the sheet is being written to). Where that stream is not there (openpyxl writing through lxml,
or another version), the sheet falls back to openpyxl's way for every cell; the export's tests
read the files back either way.
"""

from xml.sax.saxutils import escape, quoteattr

from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.cell._writer import write_cell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.comments.comment_sheet import CommentRecord
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import IllegalCharacterError
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

MAX_TEXT = 32767  # Excel's limit for the text of a cell; openpyxl cuts there too


def create_sheet(workbook, title):
    """A ParticipantSheet in a write-only workbook, in the place `workbook.create_sheet` would put it."""
    sheet = ParticipantSheet(parent=workbook, title=title)
    workbook._add_sheet(sheet)
    return sheet


def _text_cell(reference, value):
    if len(value) > MAX_TEXT:
        value = value[:MAX_TEXT]
    if ILLEGAL_CHARACTERS_RE.search(value):
        raise IllegalCharacterError(f"{value} cannot be used in worksheets.")
    space = ' xml:space="preserve"' if value != value.strip() else ""
    return f'<c r="{reference}" t="inlineStr"><is><t{space}>{escape(value)}</t></is></c>'


class ParticipantSheet(WriteOnlyWorksheet):
    """`append` as in openpyxl's write-only sheet; plain values are written as XML text directly."""

    def __init__(self, parent, title):
        super().__init__(parent, title)
        self._letters = []

    def _letter(self, index):
        while len(self._letters) <= index:
            self._letters.append(get_column_letter(len(self._letters) + 1))
        return self._letters[index]

    def _write_rows(self):
        """openpyxl's row loop (WriteOnlyWorksheet._write_rows) with the short way for plain values."""
        try:
            xf = self._writer.xf.send(True)
        except StopIteration:
            self._already_saved()
        raw = getattr(xf, "_file", None)
        with xf.element("sheetData"):
            row_index = 1
            try:
                while True:
                    row = yield
                    if raw is None:
                        self._writer.write_row(xf, self._values_to_row(row, row_index), row_index)
                    else:
                        self._write_row(xf, raw, row, row_index)
                    row_index += 1
            except GeneratorExit:
                pass
        self._writer.xf.send(None)

    def _write_row(self, xf, raw, values, row_index):
        attributes = {"r": f"{row_index}", **dict(self.row_dimensions.get(row_index, {}))}
        raw("<row%s>" % "".join(f" {name}={quoteattr(str(value))}" for name, value in attributes.items()))
        for index, value in enumerate(values):
            if value is None:
                continue
            kind = type(value)
            if kind is str:
                if value:
                    raw(_text_cell(f"{self._letter(index)}{row_index}", value))
            elif kind is int:
                raw(f'<c r="{self._letter(index)}{row_index}" t="n"><v>{value!r}</v></c>')
            else:  # openpyxl cells (styled, dates, formula-like texts) and any other type: openpyxl's own way
                self._write_cell(xf, value, index + 1, row_index)
        raw("</row>")

    def _write_cell(self, xf, value, column, row_index):
        """One cell as openpyxl's WorksheetWriter.write_row writes it (comments included)."""
        cell = value if isinstance(value, Cell) else WriteOnlyCell(self, value)
        cell.column = column
        cell.row = row_index
        if cell._comment is not None:
            self._comments.append(CommentRecord.from_cell(cell))
        if cell._value is None and not cell.has_style and not cell._comment:
            return
        write_cell(xf, self, cell, cell.has_style)
