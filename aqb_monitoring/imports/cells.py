"""Cells of an uploaded file -> the values the importers' rules take, and back to the text a user reads.

Shared by the participant import (excel/importer.py) and the RP's measure import
(measure_import.py): one reading of dates, yes/no and years, one `display` of a raw cell,
one `ImportFileError` for a file that cannot be used at all.
"""

import datetime

from ..formatting import format_date, yes_no
from .sheets import normalise

EXCEL_EPOCH = datetime.date(1899, 12, 30)
MAX_EXCEL_SERIAL = 2958465  # 31.12.9999
TRUE_WORDS = {"ja", "j", "wahr", "true", "yes", "x", "1"}
FALSE_WORDS = {"nein", "n", "falsch", "false", "no", "0"}
DATE_TEXT_FORMATS = ("%d.%m.%Y", "%d.%m.%y", "%Y-%m-%d", "%d/%m/%Y")


class ImportFileError(Exception):
    """The file (or the measure) cannot be used at all; the message says why, in German."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


def display(value):
    """A raw cell as the user reads it in Excel (for the preview, corrections and the left-out file)."""
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return yes_no(value)
    if isinstance(value, datetime.date):  # a datetime too: Excel's are naive, the date is what counts
        return format_date(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def parse_date(value):
    """Real dates, Excel serial numbers and text TT.MM.JJJJ; anything else is passed on for the rule's message."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if 1 <= value <= MAX_EXCEL_SERIAL:
            return EXCEL_EPOCH + datetime.timedelta(days=int(value))
        return display(value)
    text = display(value).strip()  # ja/nein and "" rather than Python's True/None in the rule's message
    for date_format in DATE_TEXT_FORMATS:
        try:
            return datetime.datetime.strptime(text, date_format).date()
        except ValueError:
            continue
    return text


def parse_bool(value):
    """ja/nein, wahr/falsch, x, 1/0 (and Excel's own booleans); anything else is passed on for the rule's message."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    word = normalise(display(value))
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    return display(value)


def parse_year(value):
    """A year as a number (2026 or 2026.0) or text of digits; anything else is passed on as text."""
    if isinstance(value, int | float) and not isinstance(value, bool) and float(value).is_integer():
        return int(value)
    text = display(value).strip()
    return int(text) if text.isascii() and text.isdigit() else text  # "²" is a digit int() cannot read
