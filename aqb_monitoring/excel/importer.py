"""Excel import of participants: `read_rows` → `validate_rows` → `do_import`.

- `read_rows` turns an uploaded file into rows of raw cell values in layout order. The file
  itself is read by `imports.reader` in a child process under hard limits (size, archive,
  a streaming pre-check of every sheet, memory and CPU time); whatever is wrong with it
  comes back as one German message, never as a crash of the web server or the worker.
- `validate_rows` parses every cell into the values the rules take and runs the one
  rule set (validation.py) per row: status, reasons per cell, create/update/unchanged
  and the changed fields. It writes nothing (dry run, preview).
- `do_import` validates again inside one transaction and writes every row that is
  valid with complete entry data (yellow or green, docs/domain-rules.md §9.3), in bulk, with the audit
  trail. Red and rejected rows are never written.
"""

import re
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from ..imports import reader
from ..imports.cells import ImportFileError, display, parse_bool, parse_date, parse_year
from ..imports.headers import check_headers, map_headers
from ..imports.results import (
    ACTION_CREATE,
    ACTION_REJECTED,
    ACTION_UNCHANGED,
    ACTION_UPDATE,
    ROW_KEY,
    count_actions,
)
from ..imports.sheets import header_key, normalise
from ..models import MEASURE_NUMBER_PATTERN, Measure, Participant, ParticipantStatus
from ..services import ServiceError, check_import_participants, import_participants
from ..services.common import locked_measure
from ..services.participants import ImportRow, stored_values
from ..validation import (
    ANSWER_KEYS,
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
    KIND_TEXT,
    KIND_YEAR,
    MEASURE_NUMBER,
    PSEUDONYM,
    SHEET_INFO,
    SHEET_PARTICIPANTS,
    Layout,
)

# Ceilings (documented in the README); the reader's own are settings (imports/reader.py).
MAX_UPLOAD_BYTES = 100 * 1024 * 1024  # docs/domain-rules.md §9.3: at most 100 MB
MAX_DATA_ROWS = 100_000
SHEET_SLACK_ROWS = 1_000  # a header further down and blank rows: the sheet may reach a little further
EXTRA_COLUMNS = 20  # a clerk's own columns beside the template's (ignored, but read)


# ---------------------------------------------------------------------------
# read_rows: the untrusted file, read by imports.reader in a process of its own
# ---------------------------------------------------------------------------


@dataclass
class SheetRow:
    number: int  # Excel row number (header = 1 in the template)
    cells: list  # raw values in layout order ("" when empty or the column is absent)
    formula_keys: set = field(default_factory=set)  # columns whose formula has no stored value
    problems: dict = field(default_factory=dict)  # column key -> reader.CELL_PROBLEMS code


@dataclass
class ReadResult:
    layout: Layout
    rows: list
    sheet_name: str
    info_measure_number: str = ""
    ignored_headers: list = field(default_factory=list)


def max_columns(layout):
    """Columns read from a sheet: the template's, plus room for a clerk's own notes; beyond is refused."""
    return len(layout.columns) + EXTRA_COLUMNS


def read_rows(source, layout=None, *, inline_max_rows=None, progress=None):
    """The participant rows of an uploaded file, or ImportFileError with the German reason.

    NeedsBackground when `inline_max_rows` is given and the pre-check counts more rows.
    """
    layout = layout or Layout()
    id_header = layout.by_key[PSEUDONYM].header
    try:
        table = reader.read_workbook(
            source, prefer=[SHEET_PARTICIPANTS], skip=[SHEET_INFO], header_marker=header_key(id_header),
            extra_sheet=SHEET_INFO, max_rows=MAX_DATA_ROWS + SHEET_SLACK_ROWS, max_columns=max_columns(layout),
            max_file_bytes=MAX_UPLOAD_BYTES, inline_max_rows=inline_max_rows, progress=progress,
            no_sheet_message=_(
                "Kein Tabellenblatt mit Teilnehmenden gefunden: erwartet wird das Blatt „%(sheet)s“ der Vorlage "
                "oder ein Blatt, dessen erste Zeile die Spalte „%(id)s“ enthält.") % {
                    "sheet": SHEET_PARTICIPANTS, "id": id_header})
    except reader.ReadError as error:
        raise ImportFileError(error.message) from error
    with reader.collection_paused():
        return _rows_of_table(table, layout)


def _rows_of_table(table, layout):
    if table.header_index is None:
        raise ImportFileError(_("Die Datei enthält keine Daten: das Blatt „%(sheet)s“ ist leer.") % {
            "sheet": table.sheet})
    header, *data = table.rows
    positions, ignored = _map_headers(header.cells, layout)
    plan = [(i, positions[column.key]) for i, column in enumerate(layout.columns) if column.key in positions]
    key_of_position = {position: key for key, position in positions.items()}
    width = len(layout.columns)
    if len(data) > MAX_DATA_ROWS:
        raise ImportFileError(_("Die Datei enthält mehr als %(max)s Zeilen. Bitte auf mehrere Dateien aufteilen.") % {
            "max": f"{MAX_DATA_ROWS:,}".replace(",", ".")})
    rows = []
    for row in data:
        cells = [""] * width
        raw = row.cells
        length = len(raw)
        empty = True
        for i, position in plan:
            if position < length:
                value = raw[position]
                if value != "":
                    cells[i] = value
                    empty = False
        formula_keys = {key_of_position[c] for c in row.formulas or () if c in key_of_position}
        problems = {key_of_position[c]: code for c, code in (row.problems or {}).items() if c in key_of_position}
        if empty and not formula_keys:
            continue
        rows.append(SheetRow(number=row.index + 1, cells=cells, formula_keys=formula_keys, problems=problems))
    if not rows:
        raise ImportFileError(_("Die Datei enthält keine Teilnehmenden: unter der Kopfzeile stehen keine Zeilen mit Daten."))
    return ReadResult(layout=layout, rows=rows, sheet_name=table.sheet, info_measure_number=_info_measure_number(table),
                      ignored_headers=ignored)


def _map_headers(header_row, layout):
    """Columns of the file (by header text) -> layout positions; errors name what is missing.

    Headers match with or without the " *" of required columns (files of older versions have none);
    the export's "Status" column is left out silently (shown for people, recomputed on import)."""
    found = map_headers(
        header_row, {key: (column.key, column.header) for key, column in layout.by_header.items()},
        key=header_key, required=[(column.key, column.header) for column in layout.required_columns],
        skip={header_key(_("Status"))})
    if PSEUDONYM not in found.positions and not (set(found.positions) - {MEASURE_NUMBER}):
        raise ImportFileError(_(
            "Keine Kopfzeile gefunden: die erste Zeile des Blatts muss die Spaltenüberschriften der Vorlage "
            "enthalten (z. B. „%(id)s“). Bitte die aktuelle Vorlage verwenden.") % {"id": layout.by_key[PSEUDONYM].header})
    check_headers(found, _(
        "In der Kopfzeile fehlen %(count)d Spalten der Vorlage: %(names)s. Bitte die aktuelle Vorlage "
        "verwenden oder die Spaltenüberschriften unverändert lassen."))
    return found.positions, found.ignored


def _info_measure_number(table):
    """The measure number written into the Info sheet by an export ("" if none)."""
    label = normalise(_("Maßnahmennummer"))
    for cells in table.extra:
        if len(cells) >= 2 and isinstance(cells[0], str) and normalise(cells[0]) == label:
            return str(cells[1]).strip()
    return ""


# ---------------------------------------------------------------------------
# Cells -> the values the rules take (validation.py), and back to text
# ---------------------------------------------------------------------------


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
        if column.key in row.problems:
            errors.setdefault(column.key, []).append(str(reader.CELL_PROBLEMS[row.problems[column.key]]))
            continue
        if raw == "":
            continue
        free_text = column.kind == KIND_TEXT and column.key != MEASURE_NUMBER
        if not free_text and reader.is_formula_as_text(raw):  # free text keeps it (escaped on export)
            errors.setdefault(column.key, []).append(reader.formula_as_text_message(raw))
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
    formula_keys: set = field(default_factory=set)  # kept so that a correction can check the row alone again
    problems: dict = field(default_factory=dict)
    version: str = ""  # of the record the row was checked against ("" for none): "Übernehmen" re-checks it

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
            "formula_keys": sorted(self.formula_keys), "problems": self.problems, "version": self.version,
        }


@dataclass
class Preview:
    measure: Measure
    layout: Layout
    rows: list
    ignored_headers: list = field(default_factory=list)

    @property
    def counts(self):
        return count_actions(self.rows)

    def header(self, key):
        return self.layout.by_key[key].header if key in self.layout.by_key else _("Datensatz")

    def as_json(self):
        """The shape of `manage.py import_participants --json` (issue 5); a row with warnings (not blocking,
        e.g. an ID that looks like a name) has them under "warnings", header -> messages."""
        counts = self.counts
        return {
            "measure": self.measure.number,
            "rows": [self._row_json(row) for row in self.rows],
            "created": counts[ACTION_CREATE], "updated": counts[ACTION_UPDATE],
            "unchanged": counts[ACTION_UNCHANGED], "rejected": counts[ACTION_REJECTED],
        }

    def _row_json(self, row):
        shown = {"row": row.number, "participant_id": row.pseudonym, "action": row.action, "status": row.status,
                 "errors": {self.header(key): messages for key, messages in row.errors.items()}}
        if row.warnings:
            shown["warnings"] = {self.header(key): messages for key, messages in row.warnings.items()}
        return shown


def check_measure_usable(context):
    """A closed measure (V10) or one without monitoring (M4) takes no import at all."""
    errors = {**check_measure_open(context), **check_measure_has_monitoring(context)}
    if errors:
        raise ImportFileError(" ".join(errors[NON_FIELD]))


def _existing_participants(measure, layout, context, pseudonyms=None):
    """pseudonym -> (id, shown values, previous values, version) of the measure's records (or of `pseudonyms`)."""
    participants = Participant.objects.filter(measure=measure)
    if pseudonyms is not None:
        participants = participants.filter(pseudonym__in=pseudonyms)
    return {
        values["pseudonym"]: (pk, display_values(values, layout), values, version)
        for pk, (values, version) in stored_values(context, participants).items()
    }


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
                row.problems.pop(key, None)


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


def revalidate_rows(rows, measure, corrections, row_number, layout=None):
    """The preview's rows after a correction of row `row_number`: that row and the rows that share its old
    or new ID are checked again (duplicates come and go with the ID); every other row stays as it was.

    `rows` are the stored preview rows (RowResult.as_dict); their cells are the texts the user sees,
    which the parsers read like the file's own values.
    """
    layout = layout or Layout()
    context = RuleContext.for_measure(measure)
    check_measure_usable(context)
    id_position = [column.key for column in layout.columns].index(PSEUDONYM)
    sheet_rows = {row["row"]: SheetRow(number=row["row"], cells=list(row["cells"]),
                                       formula_keys=set(row.get("formula_keys", ())),
                                       problems=dict(row.get("problems", {})))
                  for row in rows}
    corrected = sheet_rows[row_number]
    old_id = display(corrected.cells[id_position])
    apply_corrections([corrected], corrections, layout)
    ids = {old_id, display(corrected.cells[id_position])}
    seen = {}
    for number, sheet_row in sheet_rows.items():
        seen.setdefault(display(sheet_row.cells[id_position]), []).append(number)
    affected = {row_number} | {number for pseudonym in ids for number in seen.get(pseudonym, ())}
    for number in affected - {row_number}:
        apply_corrections([sheet_rows[number]], corrections, layout)
    existing = _existing_participants(measure, layout, context, pseudonyms=ids)
    checked = {
        number: _validate_row(sheet_rows[number], layout, context, existing,
                              seen.get(display(sheet_rows[number].cells[id_position]), ()), measure).as_dict()
        for number in affected
    }
    return [checked.get(row["row"], row) for row in rows]


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
    participant_id, shown_before, previous, version = record if record else (None, None, None, "")
    result = validate_participant(values, context=context, participant_id=participant_id, previous=previous)
    for key, messages in result.errors.items():
        errors.setdefault(key if key in layout.by_key or key == NON_FIELD else NON_FIELD, []).extend(messages)
    for key, messages in result.warnings.items():  # W1: shown in the row, never blocking, counts unchanged
        warnings.setdefault(key if key in layout.by_key else NON_FIELD, []).extend(messages)
    if result.exit_incomplete:  # V9: taken as yellow; each missing exit field says what it needs
        for key in result.missing_exit:
            warnings.setdefault(key if key in layout.by_key else NON_FIELD, []).extend(result.missing[key])
    base = {"number": row.number, "pseudonym": pseudonym, "warnings": warnings, "raw": row.cells,
            "participant_id": participant_id, "formula_keys": set(row.formula_keys), "problems": dict(row.problems),
            "version": version}
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
# do_import: validate again under the measure lock, write through services.import_participants
# ---------------------------------------------------------------------------


@dataclass
class ImportOutcome:
    preview: Preview
    created: list = field(default_factory=list)  # pseudonyms
    updated: list = field(default_factory=list)
    unchanged: list = field(default_factory=list)
    left_out: list = field(default_factory=list)  # RowResult


def do_import(source, measure, user, *, corrections=None, layout=None, progress=None, versions=None):
    """Validate the file again against the current data and write every valid, entry-complete row.

    One transaction with the measure row locked, so two imports into one measure cannot
    interleave; the writing (permission, answers, audit) is services.import_participants.
    `versions` (pseudonym -> version, from the preview) leaves out rows whose participant
    changed since the preview, with the reason.
    """
    layout = layout or Layout()
    read = read_rows(source, layout)
    versions = versions or {}
    with transaction.atomic():
        measure = locked_measure(measure)
        context = RuleContext.for_measure(measure)
        check_measure_usable(context)  # its messages say more than "not allowed"
        refusal = check_import_participants(user, measure)
        if refusal:
            raise ImportFileError(" ".join(message for messages in refusal.values() for message in messages))
        preview = validate_rows(read, measure, corrections=corrections, context=context, progress=progress)
        taken = [row for row in preview.rows if row.is_taken]
        rows = [
            ImportRow(values=row.values, status=row.status, participant_id=row.participant_id,
                      version=versions.get(row.pseudonym), key=row,
                      note=_("Excel-Import, Zeile %(row)d") % {"row": row.number})
            for row in taken
        ]
        try:
            result = import_participants(user, measure, rows, context=context)
        except ServiceError as error:
            raise ImportFileError(" ".join(error.messages)) from error
        for row, reason in result.stale:
            row.key.action, row.key.errors = ACTION_REJECTED, {ROW_KEY: [reason]}
    outcome = ImportOutcome(preview=preview)
    outcome.created = [row.key.pseudonym for row in result.created]
    outcome.updated = [row.key.pseudonym for row in result.updated]
    outcome.unchanged = [row.pseudonym for row in preview.rows if row.action == ACTION_UNCHANGED]
    outcome.left_out = [row for row in preview.rows if row.action == ACTION_REJECTED]
    return outcome


# ---------------------------------------------------------------------------
# The import job's importer (excel/jobs.py): read → validate → take, for participants
# ---------------------------------------------------------------------------


class ParticipantImporter:
    """The participant import on the ImportJob mechanism (the protocol is described in excel/jobs.py)."""

    def read(self, job, *, inline_max_rows=None, progress=None):
        return read_rows(job.file, Layout(), inline_max_rows=inline_max_rows, progress=progress)

    def row_count(self, read):
        return len(read.rows)

    def validate(self, read, job, *, progress=None):
        """What the preview page shows, stored on the job (every row, with its cells for corrections)."""
        preview = validate_rows(read, job.measure, corrections=job.corrections, progress=progress)
        return {
            "counts": preview.counts,
            "ignored_headers": preview.ignored_headers,
            "rows": [row.as_dict() for row in preview.rows],
        }

    def take(self, job, user):
        """Each row is checked against the record as the preview read it: changed since, it is left out."""
        versions = {row["participant_id"]: row["version"] for row in job.preview.get("rows", []) if "version" in row}
        with job.file.open("rb") as stream:
            outcome = do_import(stream, job.measure, user, corrections=job.corrections, versions=versions)
        return outcome, {
            "created": outcome.created,
            "updated": outcome.updated,
            "unchanged": outcome.unchanged,
            "left_out": [row.as_dict() for row in outcome.left_out],
        }


PARTICIPANT_IMPORTER = ParticipantImporter()


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

