"""An uploaded file before its cells are read: size, workbook or CSV, and CSV itself.

A workbook (.xlsx) is read by `reader.read_workbook` in a child process under hard limits
(archive size and ratio, a streaming pre-check of every sheet, memory and CPU time). CSV is
plain text in UTF-8 (with or without BOM), `;` or `,` as delimiter, parsed here by the
standard library's csv module (linear, no native code), under the same size limit.
"""

import csv
import io

from django.utils.translation import gettext as _

from .cells import ImportFileError
from .sheets import CFB_MAGIC, clean_text


def read_bytes(source, max_bytes):
    """The file's bytes (at most one more than allowed), from bytes, a path or a file object."""
    if isinstance(source, bytes | bytearray):
        return bytes(source)
    if isinstance(source, str) or hasattr(source, "__fspath__"):
        with open(source, "rb") as stream:
            return stream.read(max_bytes + 1)
    if hasattr(source, "seek"):
        source.seek(0)
    return source.read(max_bytes + 1)


def check_size(content, max_bytes):
    """ImportFileError for an empty file or one above `max_bytes`, in German."""
    if not content:
        raise ImportFileError(_("Die Datei ist leer."))
    if len(content) > max_bytes:
        raise ImportFileError(_("Die Datei ist größer als %(mb)d MB. Bitte teilen Sie sie auf.") % {
            "mb": max_bytes // (1024 * 1024)})


def is_workbook(content):
    """An .xlsx (a zip archive) or an OLE file (encrypted .xlsx, old .xls): for the workbook reader, not for CSV."""
    return content[:2] == b"PK" or content[:8] == CFB_MAGIC


def read_csv(content):
    """[(line number, cells, {column: problem})] of CSV in UTF-8; the delimiter (; or ,) is the one the first
    line uses more. Control characters are replaced and reported per cell, as the workbook reader does.
    A record whose quoted cell spans several lines is numbered by its first line."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportFileError(_(
            "Die CSV-Datei ist nicht UTF-8-kodiert. Bitte in Excel als „CSV UTF-8 (durch Trennzeichen getrennt)“ "
            "speichern oder eine Excel-Datei (.xlsx) hochladen.")) from error
    if "\x00" in text:
        raise ImportFileError(_("Die Datei ist weder eine Excel-Datei (.xlsx) noch eine CSV-Datei."))
    first_line = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = "," if first_line.count(",") > first_line.count(";") else ";"
    lines = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows, start = [], 1
    try:
        for row in lines:
            rows.append((start, *clean_csv_row(row)))
            start = lines.line_num + 1
    except csv.Error as error:  # the csv module's reason is English: a cell over its field limit
        raise ImportFileError(_(
            "Die CSV-Datei kann ab Zeile %(line)d nicht gelesen werden: Eine Zelle ist zu lang oder ein "
            "Anführungszeichen wird nicht geschlossen.") % {"line": start}) from error
    return rows


def clean_csv_row(row):
    cells, problems = [], {}
    for column, text in enumerate(row):
        clean, problem = clean_text(text)
        cells.append(clean)
        if problem:
            problems[column] = problem
    return cells, problems
