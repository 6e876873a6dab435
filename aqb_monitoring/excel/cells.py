"""The one way a value becomes a cell of a file the portal hands out: text is never a formula.

A text that starts with =, +, -, @, tab or carriage return is taken for a formula by Excel,
LibreOffice and Google Sheets (CSV or formula injection, OWASP): a participant's free text
``=HYPERLINK("http://…";"Hier klicken")`` would become a live link in the clerk's file.
Every xlsx writer appends its rows through `safe_row` (or builds single cells with
`safe_cell`), every CSV writer through `safe_csv_row`. Numbers, dates and booleans pass
untouched, so a year stays a number while the text "-5" stays text.
"""

from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CSV_TEXT_PREFIX = "'"  # OWASP's advice for CSV: a leading apostrophe keeps the field from being evaluated


def looks_like_formula(value):
    """True for a text that a spreadsheet program would evaluate if it were typed in or read from CSV."""
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def safe_cell(ws, value, **style):
    """A cell for `ws.append` (write-only or normal sheet) that shows `value`, a text never as a formula.

    openpyxl itself turns a str starting with "=" into a formula, so the type is set to text
    afterwards; `quotePrefix` keeps it text when someone edits the cell in Excel. `style` sets
    cell attributes such as font, fill, alignment or number_format.
    """
    cell = WriteOnlyCell(ws, value=value)
    if isinstance(value, str):
        cell.data_type = "s"
        if looks_like_formula(value):
            cell.quotePrefix = True
    for name, setting in style.items():
        setattr(cell, name, setting)
    return cell


def date_cell(ws, value, number_format):
    """A date cell shown in `number_format`: the format is set before the value, so openpyxl keeps it
    instead of first styling the cell with its own default date format (one style change, not two,
    for each of an export's 20,000 date cells)."""
    cell = WriteOnlyCell(ws)
    cell.number_format = number_format
    cell.value = value
    return cell


def _needs_cell(value):
    """A text that openpyxl would not write as text by itself: a formula, or an error code such as "#NV"."""
    return looks_like_formula(value) or (isinstance(value, str) and value in ERROR_CODES)


_RISKY_FIRST = frozenset("=+-@\t\r#")  # the first characters of FORMULA_STARTS and of the error codes


def safe_row(ws, values):
    """`values` ready for `ws.append`: formula-like texts become text cells, everything else stays as it is.

    Plain values are kept (not wrapped in cells) so that a 10,000-row export stays fast; the
    first-character test spares the 500,000 ordinary cells of such an export a function call.
    """
    return [
        safe_cell(ws, value) if isinstance(value, str) and value[:1] in _RISKY_FIRST and _needs_cell(value) else value
        for value in values
    ]


def safe_csv_value(value):
    """A CSV field that a spreadsheet program opens as the text it is (OWASP: a leading apostrophe)."""
    if looks_like_formula(value):
        return CSV_TEXT_PREFIX + value
    return value


def safe_csv_row(values):
    """A row for `csv.writer.writerow` in which no text can act as a formula."""
    return [safe_csv_value(value) for value in values]
