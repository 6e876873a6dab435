"""Excel import of participants: `read_rows` → `validate_rows` → `do_import`.

- `read_rows` turns an uploaded file into rows of raw cell values in layout order. It is
  the robustness layer: it refuses what is not a usable .xlsx (not a zip, encrypted,
  truncated, a zip bomb, no header) with one German message, before python-calamine
  (fast, Rust) parses the sheet.
- `validate_rows` parses every cell into the values the rules take and runs the one
  rule set (validation.py) per row: status, reasons per cell, create/update/unchanged
  and the changed fields. It writes nothing (dry run, preview).
- `do_import` validates again inside one transaction and writes every row that is
  valid with complete entry data (yellow or green, DOMAIN §9), in bulk, with the audit
  trail. Red and rejected rows are never written.
"""

import datetime
import io
import re
import zipfile
from dataclasses import dataclass, field
from xml.etree import ElementTree

from django.db import connection, transaction
from django.utils.translation import gettext as _
from python_calamine import CalamineError, CalamineWorkbook

from ..models import (
    MEASURE_NUMBER_PATTERN,
    Answer,
    AuditAction,
    AuditEntry,
    Measure,
    Participant,
    ParticipantStatus,
)
from ..validation import (
    ANSWER_KEYS,
    CATALOGUE_FIELDS,
    ENTRY_FIELDS,
    EXIT_FIELDS,
    NON_FIELD,
    RuleContext,
    check_measure_has_monitoring,
    check_measure_open,
    validate_participant,
)
from .layout import (
    KIND_BOOL,
    KIND_CHOICE,
    KIND_DATE,
    KIND_ID,
    KIND_YEAR,
    MEASURE_NUMBER,
    PSEUDONYM,
    SHEET_INFO,
    SHEET_PARTICIPANTS,
    Layout,
    normalise,
)

# Ceilings, checked before anything is parsed (documented in the README).
MAX_UPLOAD_BYTES = 100 * 1024 * 1024  # handbook 5.3: at most 100 MB
MAX_UNCOMPRESSED_BYTES = 600 * 1024 * 1024  # sum of the archive's declared member sizes
MAX_COMPRESSION_RATIO = 100  # per member larger than RATIO_CHECK_FROM; real sheets compress 5-20x
RATIO_CHECK_FROM = 1024 * 1024
MAX_DATA_ROWS = 100_000

CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # encrypted .xlsx and old .xls are OLE compound files
EXCEL_EPOCH = datetime.date(1899, 12, 30)
MAX_EXCEL_SERIAL = 2958465  # 31.12.9999
TRUE_WORDS = {"ja", "j", "wahr", "true", "yes", "x", "1"}
FALSE_WORDS = {"nein", "n", "falsch", "false", "no", "0"}
DATE_TEXT_FORMATS = ("%d.%m.%Y", "%d.%m.%y", "%Y-%m-%d", "%d/%m/%Y")

ACTION_CREATE = "create"
ACTION_UPDATE = "update"
ACTION_UNCHANGED = "unchanged"
ACTION_REJECTED = "rejected"
ROW_KEY = NON_FIELD  # errors about the row as a whole


class ImportFileError(Exception):
    """The file (or the measure) cannot be used at all; the message says why, in German."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


# ---------------------------------------------------------------------------
# read_rows: the robustness layer
# ---------------------------------------------------------------------------


@dataclass
class SheetRow:
    number: int  # Excel row number (header = 1 in the template)
    cells: list  # raw values in layout order ("" when empty or the column is absent)
    formula_keys: set = field(default_factory=set)  # columns whose formula has no stored value


@dataclass
class ReadResult:
    layout: Layout
    rows: list
    sheet_name: str
    info_measure_number: str = ""
    ignored_headers: list = field(default_factory=list)


def _as_file(source):
    """A seekable binary file for a path, bytes or an (uploaded) file object."""
    if isinstance(source, bytes | bytearray):
        return io.BytesIO(source)
    if isinstance(source, str) or hasattr(source, "__fspath__"):
        return open(source, "rb")  # noqa: SIM115  (closed by the caller's `with`)
    source.seek(0)
    return source


def _file_size(fileobj):
    fileobj.seek(0, io.SEEK_END)
    size = fileobj.tell()
    fileobj.seek(0)
    return size


def check_archive(fileobj):
    """Refuse what is not a plain .xlsx, before any parser sees it. Returns the open ZipFile.

    A 1 MB file may inflate to gigabytes of sheet XML (zip bomb): the declared member
    sizes and their compression ratios are checked against the ceilings above.
    """
    size = _file_size(fileobj)
    if size == 0:
        raise ImportFileError(_("Die Datei ist leer."))
    if size > MAX_UPLOAD_BYTES:
        raise ImportFileError(_("Die Datei ist größer als 100 MB. Bitte teilen Sie sie auf mehrere Dateien auf."))
    head = fileobj.read(8)
    fileobj.seek(0)
    if head == CFB_MAGIC:
        raise ImportFileError(_(
            "Die Datei ist kennwortgeschützt (verschlüsselt) oder im alten Format .xls. "
            "Bitte ohne Kennwort als Excel-Arbeitsmappe (.xlsx) speichern und erneut hochladen."))
    if not head.startswith(b"PK"):
        raise ImportFileError(_("Die Datei ist keine Excel-Datei im Format .xlsx. Bitte die Vorlage verwenden."))
    try:
        archive = zipfile.ZipFile(fileobj)
        members = archive.infolist()
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as error:
        raise ImportFileError(_("Die Datei ist beschädigt oder unvollständig (z. B. abgebrochener Download).")) from error
    names = {member.filename for member in members}
    if "xl/workbook.xml" not in names:
        raise ImportFileError(_("Die Datei ist keine Excel-Datei im Format .xlsx. Bitte die Vorlage verwenden."))
    if any(member.flag_bits & 0x1 for member in members):
        raise ImportFileError(_("Die Datei ist verschlüsselt. Bitte ohne Kennwort speichern und erneut hochladen."))
    total = 0
    for member in members:
        total += member.file_size
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > RATIO_CHECK_FROM and ratio > MAX_COMPRESSION_RATIO:
            raise _bomb()
    if total > MAX_UNCOMPRESSED_BYTES:
        raise _bomb()
    return archive


def _bomb():
    return ImportFileError(_(
        "Die Datei ist ungewöhnlich stark gepackt (entpackt über %(limit)d MB oder mehr als %(ratio)d-fach "
        "komprimiert) und wird aus Sicherheitsgründen nicht gelesen. Bitte nur die Teilnehmenden-Daten "
        "in die Vorlage kopieren.") % {"limit": MAX_UNCOMPRESSED_BYTES // (1024 * 1024), "ratio": MAX_COMPRESSION_RATIO})


def _sheet_paths(archive):
    """Sheet name -> path of its XML inside the archive (from workbook.xml and its relations)."""
    ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
          "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships"}
    workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    targets = {rel.get("Id"): rel.get("Target") for rel in rels}
    paths = {}
    for sheet in workbook.iterfind("m:sheets/m:sheet", ns):
        target = targets.get(sheet.get(f"{{{ns['r']}}}id"), "")
        target = target.lstrip("/")
        paths[sheet.get("name")] = target if target.startswith("xl/") else f"xl/{target}"
    return paths


_CELL_REF = re.compile(rb'\br="([A-Z]+)(\d+)"')
_VALUE = re.compile(rb"<v>[^<]+</v>|<is>")


def _column_index(letters):
    index = 0
    for char in letters:
        index = index * 26 + (char - 64)
    return index - 1


def formulas_without_value(archive, path):
    """Cells (row, column, 0-based) holding a formula but no stored result.

    python-calamine returns such a cell as empty, which would silently drop a value the
    user sees in Excel; so the sheet XML is scanned (streamed, C-speed `find`) first.
    Reading the member in full also proves it is complete (CRC), so a truncated file
    fails here with a clear message rather than half-read.
    """
    found = set()
    tail = b""
    with archive.open(path) as stream:
        while True:
            chunk = stream.read(4 * 1024 * 1024)
            if not chunk:
                break
            data = tail + chunk
            cut = data.rfind(b"</c>")
            if cut < 0:
                tail = data[-1024 * 1024:] if len(data) > 1024 * 1024 else data
                continue
            block, tail = data[: cut + 4], data[cut + 4:]
            position = block.find(b"<f")
            while position >= 0:
                start = block.rfind(b"<c ", 0, position)
                end = block.find(b"</c>", position)
                cell = block[start:end]
                if start >= 0 and not _VALUE.search(cell):
                    ref = _CELL_REF.search(cell[: cell.find(b">") + 1])
                    if ref:
                        found.add((int(ref.group(2)) - 1, _column_index(ref.group(1))))
                position = block.find(b"<f", end)
    return found


def _verify_member(archive, path):
    """Decompress a member fully (bounded by its declared size) so corruption shows before parsing."""
    with archive.open(path) as stream:
        while stream.read(4 * 1024 * 1024):
            pass


def _choose_sheet(workbook, layout):
    """The sheet "Teilnehmende", or else the first sheet whose header names the ID column."""
    names = workbook.sheet_names
    if SHEET_PARTICIPANTS in names:
        return SHEET_PARTICIPANTS
    id_header = normalise(layout.by_key[PSEUDONYM].header)
    for name in names:
        if name in (SHEET_INFO,):
            continue
        for row in workbook.get_sheet_by_name(name).iter_rows():
            if any(cell != "" for cell in row):
                if any(isinstance(cell, str) and _header_key(cell) == id_header for cell in row):
                    return name
                break
    raise ImportFileError(_(
        "Kein Tabellenblatt mit Teilnehmenden gefunden: erwartet wird das Blatt „%(sheet)s“ der Vorlage "
        "oder ein Blatt, dessen erste Zeile die Spalte „%(id)s“ enthält.") % {
            "sheet": SHEET_PARTICIPANTS, "id": layout.by_key[PSEUDONYM].header})


def _header_key(text):
    return normalise(str(text)).rstrip("* ").strip()


def _map_headers(header_row, column_offset, layout):
    """Columns of the file (by header text) -> layout positions; errors name what is missing."""
    positions = {}
    ignored = []
    duplicates = []
    for index, text in enumerate(header_row):
        if text == "" or text is None:
            continue
        column = layout.by_header.get(_header_key(text))
        if column is None:
            ignored.append(str(text).strip())
            continue
        if column.key in positions:
            duplicates.append(column.header)
            continue
        positions[column.key] = index + column_offset
    missing = [column.header for column in layout.required_columns if column.key not in positions]
    if PSEUDONYM in [c.key for c in layout.required_columns] and layout.by_key[PSEUDONYM].key not in positions and not (
        set(positions) - {MEASURE_NUMBER}
    ):
        raise ImportFileError(_(
            "Keine Kopfzeile gefunden: die erste Zeile des Blatts muss die Spaltenüberschriften der Vorlage "
            "enthalten (z. B. „%(id)s“). Bitte die aktuelle Vorlage verwenden.") % {"id": layout.by_key[PSEUDONYM].header})
    if missing:
        raise ImportFileError(_(
            "In der Kopfzeile fehlen %(count)d Spalten der Vorlage: %(names)s. Bitte die aktuelle Vorlage "
            "verwenden oder die Spaltenüberschriften unverändert lassen.") % {
                "count": len(missing), "names": ", ".join(f"„{name}“" for name in missing)})
    if duplicates:
        raise ImportFileError(_("Die Spalte %(names)s kommt in der Kopfzeile mehrfach vor.") % {
            "names": ", ".join(f"„{name}“" for name in duplicates)})
    return positions, ignored


def _read_info_measure_number(workbook):
    """The measure number written into the Info sheet by an export ("" if none)."""
    if SHEET_INFO not in workbook.sheet_names:
        return ""
    label = normalise(_("Maßnahmennummer"))
    for row in workbook.get_sheet_by_name(SHEET_INFO).to_python(nrows=20):
        if len(row) >= 2 and isinstance(row[0], str) and normalise(row[0]) == label:
            return str(row[1]).strip()
    return ""


def _merged_fill(sheet):
    """(row, column) -> (top-left row, column) for every merged cell: Excel shows the value in all of them."""
    fill = {}
    for (top, left), (bottom, right) in sheet.merged_cell_ranges or []:
        if (bottom - top + 1) * (right - left + 1) > 100_000:
            continue
        for row in range(top, bottom + 1):
            for column in range(left, right + 1):
                if (row, column) != (top, left):
                    fill[(row, column)] = (top, left)
    return fill


def read_rows(source, layout=None):
    """The participant rows of an uploaded file, or ImportFileError with the German reason."""
    layout = layout or Layout()
    fileobj = _as_file(source)
    try:
        archive = check_archive(fileobj)
        try:
            paths = _sheet_paths(archive)
            fileobj.seek(0)
            workbook = CalamineWorkbook.from_filelike(fileobj)
        except (CalamineError, zipfile.BadZipFile, KeyError, ElementTree.ParseError, OSError, EOFError, ValueError) as error:
            raise ImportFileError(_("Die Datei ist beschädigt oder unvollständig (z. B. abgebrochener Download).")) from error
        try:
            return _read_workbook(workbook, archive, paths, layout)
        except (CalamineError, zipfile.BadZipFile, OSError, EOFError, ValueError, RuntimeError) as error:
            raise ImportFileError(_("Die Datei ist beschädigt oder unvollständig (z. B. abgebrochener Download).")) from error
        finally:
            workbook.close()
    finally:
        if isinstance(source, str) or hasattr(source, "__fspath__"):
            fileobj.close()


def _read_workbook(workbook, archive, paths, layout):
    sheet_name = _choose_sheet(workbook, layout)
    sheet_path = paths.get(sheet_name)
    formula_cells = formulas_without_value(archive, sheet_path) if sheet_path in archive.NameToInfo else set()
    if "xl/sharedStrings.xml" in archive.NameToInfo:
        _verify_member(archive, "xl/sharedStrings.xml")
    sheet = workbook.get_sheet_by_name(sheet_name)
    if sheet.start is None:
        raise ImportFileError(_("Die Datei enthält keine Daten: das Blatt „%(sheet)s“ ist leer.") % {"sheet": sheet_name})
    column_offset = sheet.start[1]
    merged = _merged_fill(sheet)
    merged_rows = {row for row, _column in merged} | {row for row, _column in merged.values()}
    rows_iter = iter(sheet.iter_rows())
    header = None
    row_index = -1
    for row_index, row in enumerate(rows_iter):  # noqa: B007
        if any(cell != "" for cell in row):
            header = row
            break
    if header is None:
        raise ImportFileError(_("Die Datei enthält keine Daten: das Blatt „%(sheet)s“ ist leer.") % {"sheet": sheet_name})
    positions, ignored = _map_headers(header, column_offset, layout)
    plan = [(i, positions.get(column.key)) for i, column in enumerate(layout.columns)]
    width = len(layout.columns)
    key_of_position = {position: key for key, position in positions.items()}
    formulas_by_row = {}
    for row_number, column in formula_cells:
        if column in key_of_position:
            formulas_by_row.setdefault(row_number, set()).add(key_of_position[column])
    merged_values = {}
    texts = {}  # one str object per distinct text: 10,000 times "weiblich" is stored once
    rows = []
    for index, raw in enumerate(rows_iter, start=row_index + 1):
        if index in merged_rows:
            merged_values.update({
                (index, column): raw[column - column_offset]
                for column in range(column_offset, column_offset + len(raw)) if raw[column - column_offset] != ""
            })
        cells = [""] * width
        empty = True
        for i, position in plan:
            if position is None:
                continue
            offset = position - column_offset
            value = raw[offset] if offset < len(raw) else ""
            if value == "" and (index, position) in merged:
                value = merged_values.get(merged[(index, position)], "")
            if value != "":
                if isinstance(value, str):
                    value = value.strip()
                    if value == "":
                        continue
                    value = texts.setdefault(value, value)
                cells[i] = value
                empty = False
        missing_formulas = formulas_by_row.get(index, set())
        if empty and not missing_formulas:
            continue
        rows.append(SheetRow(number=index + 1, cells=cells, formula_keys=missing_formulas))
        if len(rows) > MAX_DATA_ROWS:
            raise ImportFileError(_("Die Datei enthält mehr als %(max)s Zeilen. Bitte auf mehrere Dateien aufteilen.") % {
                "max": f"{MAX_DATA_ROWS:,}".replace(",", ".")})
    if not rows:
        raise ImportFileError(_("Die Datei enthält keine Teilnehmenden: unter der Kopfzeile stehen keine Zeilen mit Daten."))
    return ReadResult(layout=layout, rows=rows, sheet_name=sheet_name, info_measure_number=_read_info_measure_number(workbook),
                      ignored_headers=ignored)


# ---------------------------------------------------------------------------
# Cells -> the values the rules take (validation.py), and back to text
# ---------------------------------------------------------------------------


def display(value):
    """A raw cell as the user reads it in Excel (for the preview, corrections and the left-out file)."""
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return _("ja") if value else _("nein")
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, datetime.date):
        return value.strftime("%d.%m.%Y")
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
    text = str(value).strip()
    for date_format in DATE_TEXT_FORMATS:
        try:
            return datetime.datetime.strptime(text, date_format).date()
        except ValueError:
            continue
    return text


def parse_bool(value):
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
    if isinstance(value, int | float) and not isinstance(value, bool) and float(value).is_integer():
        return int(value)
    text = display(value).strip()
    return int(text) if text.isdigit() else text


def parse_row(row, layout, context):
    """(values for validate_participant, reading errors, warnings), each keyed by column key."""
    values = {"entry_answers": {}, "exit_answers": {}}
    errors = {}
    warnings = {}
    for column, raw in zip(layout.columns, row.cells, strict=True):
        if column.key in row.formula_keys:
            errors.setdefault(column.key, []).append(_(
                "Die Zelle enthält eine Formel ohne gespeicherten Wert. Bitte die Datei in Excel öffnen und "
                "speichern oder den Wert direkt eintragen."))
            continue
        if raw == "":
            continue
        kind = column.kind
        if column.key == MEASURE_NUMBER:
            values[MEASURE_NUMBER] = display(raw).strip()
        elif kind == KIND_ID:
            values[PSEUDONYM] = _parse_pseudonym(raw, context, errors, warnings)
        elif column.is_answer:
            values[ANSWER_KEYS[column.phase]][column.question_code] = parse_bool(raw)
        elif kind == KIND_DATE:
            values[column.key] = parse_date(raw)
        elif kind == KIND_BOOL:
            values[column.key] = parse_bool(raw)
        elif kind == KIND_YEAR:
            values[column.key] = parse_year(raw)
        elif kind == KIND_CHOICE:
            text = display(raw)
            values[column.key] = column.lookup.get(normalise(text), text)
        else:
            values[column.key] = display(raw)
    return values, errors, warnings


def _parse_pseudonym(raw, context, errors, warnings):
    """An ID Excel stored as a number (7 arrives as 7.0) becomes "7", and the user is told why."""
    if isinstance(raw, float | int) and not isinstance(raw, bool):
        if not float(raw).is_integer():
            return display(raw)
        text = str(int(raw))
        zero_padded = [existing for existing in context.pseudonyms if existing != text and existing.isdigit()
                       and existing.lstrip("0") == text.lstrip("0")]
        if zero_padded:
            errors.setdefault(PSEUDONYM, []).append(_(
                "Die ID steht in der Datei als Zahl (%(number)s); in dieser Maßnahme gibt es „%(existing)s“. "
                "Vermutlich hat Excel führende Nullen entfernt. Bitte die ID korrigieren und die Spalte als Text "
                "formatieren.") % {"number": text, "existing": zero_padded[0]})
        else:
            warnings.setdefault(PSEUDONYM, []).append(_(
                "Die ID steht in der Datei als Zahl (%(number)s). Falls sie mit 0 begann, hat Excel die führenden "
                "Nullen entfernt; bitte prüfen und die Spalte als Text formatieren.") % {"number": text})
        return text
    return display(raw)


def display_values(values, layout):
    """Normalised values (validation's `result.values`) as the text of each column, for the diff."""
    yes_no = {True: _("ja"), False: _("nein")}  # translated once, not 28 times per row
    shown = {}
    for column in layout.columns:
        if column.key == MEASURE_NUMBER:
            continue
        if column.is_answer:
            value = values.get(ANSWER_KEYS[column.phase], {}).get(column.question_code)
        else:
            value = values.get(column.key)
        if value is None or value == "":
            shown[column.key] = ""
        elif isinstance(value, bool):
            shown[column.key] = yes_no[value]
        elif hasattr(value, "label"):
            shown[column.key] = value.label
        else:
            shown[column.key] = display(value)
    return shown


# ---------------------------------------------------------------------------
# validate_rows: the preview (pure)
# ---------------------------------------------------------------------------


@dataclass
class RowResult:
    number: int
    pseudonym: str
    action: str
    status: str | None
    errors: dict = field(default_factory=dict)  # column key (or ROW_KEY) -> [German message]
    warnings: dict = field(default_factory=dict)
    missing_exit: list = field(default_factory=list)  # labels, for yellow rows
    changes: dict = field(default_factory=dict)  # column key -> [old, new]
    raw: list = field(default_factory=list)  # the row's cells as read (plus corrections)
    values: dict | None = None  # normalised values for do_import (not serialised)
    participant_id: int | None = None

    @property
    def cells(self):
        """The row's text per column, as the user wrote it (for corrections and the left-out file)."""
        return [display(value) for value in self.raw]

    @property
    def is_taken(self):
        return self.action in (ACTION_CREATE, ACTION_UPDATE)

    def as_dict(self):
        return {
            "row": self.number, "participant_id": self.pseudonym, "action": self.action, "status": self.status,
            "errors": self.errors, "warnings": self.warnings, "missing_exit": self.missing_exit,
            "changes": self.changes, "cells": self.cells,
        }


@dataclass
class Preview:
    measure: Measure
    layout: Layout
    rows: list
    ignored_headers: list = field(default_factory=list)

    def count(self, action):
        return sum(1 for row in self.rows if row.action == action)

    @property
    def counts(self):
        return {action: self.count(action) for action in (ACTION_CREATE, ACTION_UPDATE, ACTION_UNCHANGED, ACTION_REJECTED)}

    def header(self, key):
        return self.layout.by_key[key].header if key in self.layout.by_key else _("Datensatz")

    def as_json(self):
        """The shape of `manage.py import_participants --json` (issue 5)."""
        counts = self.counts
        return {
            "measure": self.measure.number,
            "rows": [
                {"row": row.number, "participant_id": row.pseudonym, "action": row.action, "status": row.status,
                 "errors": {self.header(key): messages for key, messages in row.errors.items()}}
                for row in self.rows
            ],
            "created": counts[ACTION_CREATE], "updated": counts[ACTION_UPDATE],
            "unchanged": counts[ACTION_UNCHANGED], "rejected": counts[ACTION_REJECTED],
        }


def check_measure_usable(context):
    """A closed measure (V10) or one without monitoring (M4) takes no import at all."""
    errors = {**check_measure_open(context), **check_measure_has_monitoring(context)}
    if errors:
        raise ImportFileError(" ".join(errors[NON_FIELD]))


def _existing_participants(measure, layout, context):
    """pseudonym -> (id, shown values, previous values) of the measure's records, in three queries."""
    by_id = {name: {entry.pk: entry for entry in entries.values()} for name, entries in context.catalogue_by_code.items()}
    field_names = [f"{name}_id" if name in CATALOGUE_FIELDS else name for name in ENTRY_FIELDS + EXIT_FIELDS]
    records = {}
    for row in Participant.objects.filter(measure=measure).values_list("pk", "carried_over_from_id", *field_names):
        values = {"carried_over": row[1] is not None, "entry_answers": {}, "exit_answers": {}}
        for name, value in zip(ENTRY_FIELDS + EXIT_FIELDS, row[2:], strict=True):
            values[name] = by_id[name].get(value) if name in CATALOGUE_FIELDS else value
        records[row[0]] = values
    answers = Answer.objects.filter(participant__measure=measure).values_list("participant_id", "question__code", "phase", "value")
    for participant_id, code, phase, value in answers:
        records[participant_id][ANSWER_KEYS[phase]][code] = value
    return {values["pseudonym"]: (pk, display_values(values, layout), values) for pk, values in records.items()}


def apply_corrections(rows, corrections, layout):
    """Replace cells by the texts typed into the preview's inline form ({row number: {column key: text}})."""
    index = {column.key: i for i, column in enumerate(layout.columns)}
    for row in rows:
        fixed = corrections.get(str(row.number)) or corrections.get(row.number)
        if not fixed:
            continue
        for key, text in fixed.items():
            if key in index:
                row.cells[index[key]] = text.strip() if isinstance(text, str) else text
                row.formula_keys.discard(key)


def validate_rows(read, measure, *, corrections=None, progress=None, context=None):
    """Validate every row against the measure with the rules of validation.py; writes nothing."""
    layout = read.layout
    context = context or RuleContext.for_measure(measure)
    check_measure_usable(context)
    _check_info_sheet(read, measure)
    if corrections:
        apply_corrections(read.rows, corrections, layout)
    existing = _existing_participants(measure, layout, context)
    id_position = [column.key for column in layout.columns].index(PSEUDONYM)
    seen = {}
    for row in read.rows:
        seen.setdefault(display(row.cells[id_position]), []).append(row.number)
    results = []
    for count, row in enumerate(read.rows, start=1):
        results.append(_validate_row(row, layout, context, existing, seen.get(display(row.cells[id_position]), ()), measure))
        if progress is not None and count % 1000 == 0:
            progress(count, len(read.rows))
    return Preview(measure=measure, layout=layout, rows=results, ignored_headers=read.ignored_headers)


def _check_info_sheet(read, measure):
    number = read.info_measure_number
    if number and re.match(MEASURE_NUMBER_PATTERN, number) and number != measure.number:
        raise ImportFileError(_(
            "Die Datei gehört laut Blatt „Info“ zur Maßnahme %(file)s, nicht zu %(measure)s. Importieren Sie nur "
            "Teilnehmende dieser Maßnahme; wenn die Datei wirklich für %(measure)s bestimmt ist, leeren Sie die "
            "Maßnahmennummer im Blatt „Info“ und in der Spalte „Maßnahmennummer“.") % {
                "file": number, "measure": measure.number})


def _validate_row(row, layout, context, existing, same_id_rows, measure):
    values, errors, warnings = parse_row(row, layout, context)
    pseudonym = values.get(PSEUDONYM, "")
    number_in_row = values.pop(MEASURE_NUMBER, "")
    if number_in_row and number_in_row != measure.number:
        errors.setdefault(MEASURE_NUMBER, []).append(_(
            "Diese Zeile gehört zur Maßnahme %(other)s. In %(measure)s werden nur Teilnehmende dieser Maßnahme "
            "importiert.") % {"other": number_in_row, "measure": measure.number})
    if pseudonym and len(same_id_rows) > 1:
        others = [str(n) for n in same_id_rows if n != row.number]
        errors.setdefault(PSEUDONYM, []).append(_(
            "Die ID „%(id)s“ steht mehrfach in der Datei (auch in Zeile %(rows)s). Jede ID darf nur einmal "
            "vorkommen; keine dieser Zeilen wird übernommen.") % {"id": pseudonym, "rows": ", ".join(others)})
    record = existing.get(pseudonym)
    participant_id, shown_before, previous = record if record else (None, None, None)
    result = validate_participant(values, context=context, participant_id=participant_id, previous=previous)
    for key, messages in result.errors.items():
        errors.setdefault(key if key in layout.by_key or key == NON_FIELD else NON_FIELD, []).extend(messages)
    base = {"number": row.number, "pseudonym": pseudonym, "warnings": warnings, "raw": row.cells,
            "participant_id": participant_id}
    if errors:
        return RowResult(action=ACTION_REJECTED, status=None, errors=errors, **base)
    status = str(result.status)
    if record is not None:
        shown = display_values(result.values, layout)
        changes = {key: [shown_before[key], new] for key, new in shown.items() if shown_before.get(key) != new}
        if not changes:
            return RowResult(action=ACTION_UNCHANGED, status=status, **base)
    else:
        changes = {}
    if status == ParticipantStatus.RED:
        missing = {key if key in layout.by_key else NON_FIELD: [_("Pflichtangabe bei Eintritt: bitte ausfüllen.")]
                   for key in result.missing_entry}
        return RowResult(action=ACTION_REJECTED, status=status, errors=missing, changes=changes, **base)
    action = ACTION_UPDATE if record is not None else ACTION_CREATE
    return RowResult(action=action, status=status, changes=changes, values=result.values,
                     missing_exit=list(result.missing_exit.values()), **base)


# ---------------------------------------------------------------------------
# do_import: one transaction, in bulk
# ---------------------------------------------------------------------------

MODEL_FIELDS = ENTRY_FIELDS + EXIT_FIELDS


def _participant_kwargs(values):
    data = {name: values.get(name) for name in MODEL_FIELDS}
    data["exit_reason_other"] = data["exit_reason_other"] or ""
    return data


def _answer_rows(participant_id, values, questions):
    return [
        (participant_id, questions[code], phase, value)
        for phase, key in ANSWER_KEYS.items()
        for code, value in values.get(key, {}).items()
    ]


def _insert_answers(rows):
    """One executemany for all answers: 280,000 Answer instances would cost more than the whole read."""
    if not rows:
        return
    table = connection.ops.quote_name(Answer._meta.db_table)
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {table} (participant_id, question_id, phase, value) VALUES (%s, %s, %s, %s)", rows
        )


@dataclass
class ImportOutcome:
    preview: Preview
    created: list = field(default_factory=list)  # pseudonyms
    updated: list = field(default_factory=list)
    unchanged: list = field(default_factory=list)
    left_out: list = field(default_factory=list)  # RowResult


def do_import(source, measure, user, *, corrections=None, layout=None, progress=None):
    """Validate the file again against the current data and write every valid, entry-complete row.

    One transaction with the measure row locked, so two imports into one measure cannot
    interleave; bulk inserts for participants, answers and audit entries (a few
    statements per thousand rows).
    """
    layout = layout or Layout()
    read = read_rows(source, layout)
    with transaction.atomic():
        measure = Measure.objects.select_for_update().select_related("measure_type").get(pk=measure.pk)
        context = RuleContext.for_measure(measure)
        preview = validate_rows(read, measure, corrections=corrections, context=context, progress=progress)
        outcome = ImportOutcome(preview=preview)
        questions = {code: question.id for code, (_block, question) in context.questions_by_code.items()}
        to_create = [row for row in preview.rows if row.action == ACTION_CREATE]
        to_update = [row for row in preview.rows if row.action == ACTION_UPDATE]
        _create(measure, user, to_create, layout, questions)
        _update(measure, user, to_update, layout, questions)
        outcome.created = [row.pseudonym for row in to_create]
        outcome.updated = [row.pseudonym for row in to_update]
        outcome.unchanged = [row.pseudonym for row in preview.rows if row.action == ACTION_UNCHANGED]
        outcome.left_out = [row for row in preview.rows if row.action == ACTION_REJECTED]
    return outcome


WRITE_CHUNK = 2000


def _create(measure, user, rows, layout, questions):
    """Insert in chunks, so that memory stays flat for 100,000 rows with 28 answers each."""
    for start in range(0, len(rows), WRITE_CHUNK):
        _create_chunk(measure, user, rows[start:start + WRITE_CHUNK], questions)


def _create_chunk(measure, user, rows, questions):
    participants = [
        Participant(measure=measure, status=row.status, **_participant_kwargs(row.values)) for row in rows
    ]
    participants = Participant.objects.bulk_create(participants, batch_size=WRITE_CHUNK)
    if participants and participants[0].pk is None:  # backends without RETURNING
        ids = dict(Participant.objects.filter(measure=measure, pseudonym__in=[row.pseudonym for row in rows])
                   .values_list("pseudonym", "pk"))
        for participant in participants:
            participant.pk = ids[participant.pseudonym]
    answers = []
    for participant, row in zip(participants, rows, strict=True):
        answers += _answer_rows(participant.pk, row.values, questions)
    _insert_answers(answers)
    AuditEntry.objects.bulk_create([
        AuditEntry(user=user, measure=measure, participant=participant, pseudonym=participant.pseudonym,
                   action=AuditAction.IMPORT_CREATE, note=_("Excel-Import, Zeile %(row)d") % {"row": row.number})
        for participant, row in zip(participants, rows, strict=True)
    ], batch_size=2000)


def _update(measure, user, rows, layout, questions):
    for start in range(0, len(rows), WRITE_CHUNK):
        _update_chunk(measure, user, rows[start:start + WRITE_CHUNK], layout, questions)


def _update_chunk(measure, user, rows, layout, questions):
    ids = [row.participant_id for row in rows]
    participants = {p.pk: p for p in Participant.objects.filter(pk__in=ids)}
    changed = []
    for row in rows:
        participant = participants[row.participant_id]
        for name, value in _participant_kwargs(row.values).items():
            setattr(participant, name, value)
        participant.status = row.status
        changed.append(participant)
    Participant.objects.bulk_update(changed, [*MODEL_FIELDS, "status", "updated_at"], batch_size=1000)
    Answer.objects.filter(participant_id__in=ids).delete()
    answers = []
    for row in rows:
        answers += _answer_rows(row.participant_id, row.values, questions)
    _insert_answers(answers)
    AuditEntry.objects.bulk_create([
        AuditEntry(user=user, measure=measure, participant_id=row.participant_id, pseudonym=row.pseudonym,
                   action=AuditAction.IMPORT_CHANGE,
                   changes={layout.by_key[key].header: pair for key, pair in row.changes.items()},
                   note=_("Excel-Import, Zeile %(row)d") % {"row": row.number})
        for row in rows
    ], batch_size=2000)


# ---------------------------------------------------------------------------
# Left-out rows as a workbook to fix and upload again
# ---------------------------------------------------------------------------


def left_out_workbook(rows, layout, measure_number="", headers=None):
    """The rejected rows in the template's layout plus a reason column at the end."""
    from .template import ParticipantWorkbook

    workbook = ParticipantWorkbook(layout, measure_number=measure_number, extra_headers=[_("Grund der Ablehnung")])
    for row in rows:
        cells = list(row["cells"]) if isinstance(row, dict) else list(row.cells)
        errors = row["errors"] if isinstance(row, dict) else row.errors
        reasons = "; ".join(
            f"{layout.by_key[key].header if key in layout.by_key else _('Datensatz')}: {message}"
            for key, messages in errors.items() for message in messages
        )
        workbook.append_text_row(cells, reasons)
    return workbook.save()

