"""The header row of an uploaded file -> the importer's columns, with what is unknown, missing or twice.

Columns are matched by their German header (order free); each importer says how loosely
(`key`) and words what is missing for its own users (`missing_message`).
"""

import re
from dataclasses import dataclass, field

from django.utils.translation import ngettext

from .cells import ImportFileError, display
from .sheets import normalise


def loose_header_key(text):
    """Headers that match ignoring case, spaces, hyphens and a trailing '*': 'Träger-E-Mail' = 'träger e-mail'.

    (The participant template's headers match more strictly, by `sheets.header_key`: its columns are
    many and similar.)"""
    return re.sub(r"[^0-9a-zäöüß]", "", normalise(str(text)))


@dataclass
class HeaderMap:
    positions: dict  # column key -> 0-based position in the row
    ignored: list = field(default_factory=list)  # headers that name no column (shown as "nicht ausgewertet")
    duplicates: list = field(default_factory=list)  # headers of columns named twice
    missing: list = field(default_factory=list)  # headers of required columns not named


def quoted(names):
    return ", ".join(f"„{name}“" for name in names)


def map_headers(header_row, columns_by_key, *, key, required=(), skip=()):
    """Map a header row: `columns_by_key` is {key(header): (column key, header shown)}; `skip` are keys(header)
    left out silently; `required` the column keys (with their headers) that must be present."""
    found = HeaderMap(positions={})
    for index, text in enumerate(header_row):
        shown = display(text).strip()
        if not shown:
            continue
        matched = columns_by_key.get(key(shown))
        if matched is None:
            if key(shown) not in skip:
                found.ignored.append(shown)
            continue
        column_key, header = matched
        if column_key in found.positions:
            if header not in found.duplicates:  # named once in the message, however often it repeats
                found.duplicates.append(header)
            continue
        found.positions[column_key] = index
    found.missing = [header for column_key, header in required if column_key not in found.positions]
    return found


def check_headers(found, missing_message):
    """ImportFileError for missing columns (`missing_message` % {"count", "names"}), then for duplicates."""
    if found.missing:
        raise ImportFileError(missing_message % {"count": len(found.missing), "names": quoted(found.missing)})
    if found.duplicates:
        raise ImportFileError(ngettext(
            "Die Spalte %(names)s kommt in der Kopfzeile mehrfach vor.",
            "Die Spalten %(names)s kommen in der Kopfzeile mehrfach vor.", len(found.duplicates)) % {
            "names": quoted(found.duplicates)})
    return found
