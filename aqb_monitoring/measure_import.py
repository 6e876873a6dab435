"""The RP's import of measures and providers (docs/domain-rules.md §2.4): `read_measure_file` →
`validate_measure_rows` → `do_measure_import`.

Measures and providers enter the portal only this way: a file of the RP database (.xlsx, or
CSV in UTF-8 with semicolon or comma), columns matched by their German header. The import
is re-runnable: the measure number is the key, the same number updates the measure.

- `read_measure_file` refuses an unusable file with one German message (ImportFileError),
  reading a workbook through `imports.reader` (a child process under hard limits, the same checks
  before python-calamine parses anything).
- `validate_measure_rows` decides per row create / update / unchanged / rejected, with
  German reasons and the changed fields. It writes nothing (dry run, preview).
- `do_measure_import` validates again inside one transaction and writes: new providers, then
  each measure through `services.measures.do_save_measure` (the RP form's write path: the rules of
  `measures.py`, interim-report dates, guardian grants, audit entry), then the successor links
  (after all rows, so the order in the file does not matter).

The measure rules themselves (number ↔ ZE/type/year, closed, dates vs recorded participants,
successor) live in `measures.py`; this module parses cells and applies them per row.
"""

import datetime
import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import measures as rules
from . import permissions
from .formatting import format_date
from .imports import reader
from .imports.cells import ImportFileError, display, parse_date
from .imports.files import check_size, is_workbook, read_bytes, read_csv
from .imports.headers import check_headers, loose_header_key, map_headers
from .imports.results import (
    ACTION_CREATE,
    ACTION_REJECTED,
    ACTION_UNCHANGED,
    ACTION_UPDATE,
    ROW_KEY,
    TAKEN,
    count_actions,
)
from .imports.sheets import normalise
from .models import (
    MEASURE_NUMBER_PATTERN,
    AuditAction,
    AuditEntry,
    GrantRecipient,
    MainGoal,
    Measure,
    MeasureType,
    ProgrammeLine,
    Provider,
)
from .services.common import SHELL, ServiceError, audit
from .services.measures import do_save_measure

MAX_FILE_BYTES = 5 * 1024 * 1024  # the RP database of all measures is a few hundred KB
MAX_ROWS = 20_000
MAX_COLUMNS = 100  # the RP database's export may carry more columns than the import uses
SHEET_NAME = "Maßnahmen"  # preferred sheet of a workbook; else the first one



# ---------------------------------------------------------------------------
# Columns
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    key: str
    header: object  # lazy German header
    required: bool = False


COLUMNS = [
    Column("number", gettext_lazy("Maßnahmennummer"), required=True),
    Column("title", gettext_lazy("Titel"), required=True),
    Column("measure_type", gettext_lazy("Maßnahmeart"), required=True),
    Column("programme_line", gettext_lazy("Programmlinie"), required=True),
    Column("start_date", gettext_lazy("Beginn"), required=True),
    Column("end_date", gettext_lazy("Ende"), required=True),
    Column("main_goal", gettext_lazy("Hauptziel")),
    Column("grant_recipient", gettext_lazy("Zuwendungsempfänger"), required=True),
    Column("provider", gettext_lazy("Träger")),
    Column("provider_external_id", gettext_lazy("Träger-ID")),
    Column("provider_email", gettext_lazy("Träger-E-Mail")),
    Column("planned_participants", gettext_lazy("Geplante Teilnehmende")),
    Column("budget_year", gettext_lazy("Budgetjahr")),
    Column("interim_due_dates", gettext_lazy("Termine Zwischenmeldung")),
    Column("successor", gettext_lazy("Folgemaßnahme")),
]
COLUMN_BY_KEY = {column.key: column for column in COLUMNS}
# Fields compared for the diff, in the order shown (provider id/e-mail only apply to new providers).
COMPARED = ["title", "measure_type", "programme_line", "start_date", "end_date", "main_goal", "provider",
            "planned_participants", "budget_year", "interim_due_dates", "successor"]


def header_of(key):
    return str(COLUMN_BY_KEY[key].header)


# ---------------------------------------------------------------------------
# read_measure_file
# ---------------------------------------------------------------------------


@dataclass
class FileRow:
    number: int  # row (line) number in the file, header = 1 when it is the first row
    cells: dict  # column key -> raw value ("" when empty)
    problems: dict = field(default_factory=dict)  # column key -> reader.CELL_PROBLEMS code


@dataclass
class MeasureFile:
    rows: list
    present: set  # column keys the header names
    ignored_headers: list = field(default_factory=list)
    kind: str = "xlsx"


def read_measure_file(source, *, inline_max_rows=None):
    """The rows of an .xlsx or CSV file, or ImportFileError with the German reason.

    A workbook is read by `imports.reader` in a child process under hard limits; CSV by
    `imports.files.read_csv`. With `inline_max_rows` (a web request) a file of more rows raises
    reader.NeedsBackground, and the job's worker reads it.
    """
    content = read_bytes(source, MAX_FILE_BYTES)
    check_size(content, MAX_FILE_BYTES)
    if is_workbook(content):
        return _rows_from_table(_xlsx_table(content, inline_max_rows), "xlsx")
    table = read_csv(content)
    if inline_max_rows is not None and len(table) > inline_max_rows + 1:
        raise reader.NeedsBackground(len(table))
    return _rows_from_table(table, "csv")


def _xlsx_table(content, inline_max_rows=None):
    """(row number, cells, problems) of the sheet "Maßnahmen" or the first sheet, read under the reader's limits."""
    try:
        table = reader.read_workbook(
            content, prefer=[SHEET_NAME], max_rows=MAX_ROWS + 1_000, max_columns=MAX_COLUMNS,
            max_file_bytes=MAX_FILE_BYTES, inline_max_rows=inline_max_rows,
            no_sheet_message=_("Die Datei enthält kein Tabellenblatt."))
    except reader.ReadError as error:
        raise ImportFileError(error.message) from error
    return [(row.index + 1, row.cells, row.problems or {}) for row in table.rows]


def _rows_from_table(table, kind):
    header_index = next((i for i, (_n, row, _p) in enumerate(table) if any(display(cell).strip() for cell in row)), None)
    if header_index is None:
        raise ImportFileError(_("Die Datei enthält keine Daten."))
    positions, ignored = _map_headers(table[header_index][1])
    rows = []
    for number, raw, problems in table[header_index + 1:]:
        cells = {}
        for key, position in positions.items():
            value = raw[position] if position < len(raw) else ""
            cells[key] = value.strip() if isinstance(value, str) else value
        if all(display(value) == "" for value in cells.values()):
            continue
        row_problems = {key: problems[position] for key, position in positions.items() if position in problems}
        rows.append(FileRow(number=number, cells=cells, problems=row_problems))
        if len(rows) > MAX_ROWS:
            raise ImportFileError(_("Die Datei enthält mehr als %(max)d Zeilen. Bitte teilen Sie sie auf.") % {"max": MAX_ROWS})
    if not rows:
        raise ImportFileError(_("Die Datei enthält keine Maßnahmen: unter der Kopfzeile stehen keine Zeilen mit Daten."))
    return MeasureFile(rows=rows, present=set(positions), ignored_headers=ignored, kind=kind)


def _map_headers(header_row):
    found = map_headers(header_row, {loose_header_key(column.header): (column.key, str(column.header)) for column in COLUMNS},
                        key=loose_header_key, required=[(c.key, str(c.header)) for c in COLUMNS if c.required])
    check_headers(found, _(
        "In der Kopfzeile fehlen die Spalten %(names)s. Die erste Zeile muss die Spaltenüberschriften enthalten "
        "(Reihenfolge beliebig)."))
    return found.positions, found.ignored


# ---------------------------------------------------------------------------
# Values shared with the admin form
# ---------------------------------------------------------------------------




def parse_interim_dates(value):
    """Dates separated by comma, semicolon or line breaks -> (sorted set of dates, German errors).

    Shared by the import column "Termine Zwischenmeldung" and the RP's measure form.
    """
    if isinstance(value, datetime.date | datetime.datetime) or (isinstance(value, int | float) and not isinstance(value, bool)):
        parsed = parse_date(value)
        return ([parsed], []) if isinstance(parsed, datetime.date) else ([], [_bad_date(parsed)])
    dates, errors = set(), []
    for part in re.split(r"[,;\n]+", str(value or "")):
        part = part.strip()
        if not part:
            continue
        parsed = parse_date(part)
        if isinstance(parsed, datetime.date):
            dates.add(parsed)
        else:
            errors.append(_bad_date(part))
    return sorted(dates), errors


def format_interim_dates(dates):
    return rules.shown("interim_due_dates", dates)


def _bad_date(text):
    return _("„%(text)s“ ist kein Datum (TT.MM.JJJJ).") % {"text": display(text)}


# ---------------------------------------------------------------------------
# validate_measure_rows: the preview (pure)
# ---------------------------------------------------------------------------


@dataclass
class NewProvider:
    """A provider the import would create (not saved during validation)."""

    name: str
    grant_recipient: object
    external_id: str = ""
    contact_email: str = ""
    rows: list = field(default_factory=list)
    instance: object = None

    def __str__(self):
        return self.name


@dataclass
class RowResult:
    row: int
    number: str
    action: str = ""  # set by _finish_actions once every check has run
    errors: list = field(default_factory=list)  # German reasons
    changes: dict = field(default_factory=dict)  # column header -> [old, new]
    values: dict = field(default_factory=dict)  # model values to write (not serialised)
    measure: object = None  # the stored measure on update
    successor_number: str | None = None  # None: column absent or row rejected early

    def reject(self, message):
        self.errors.append(message)
        self.action = ACTION_REJECTED

    def as_dict(self):
        """The stored preview row (imports.results): reasons about the row as a whole, changes by column header."""
        return {"row": self.row, "number": self.number, "action": self.action,
                "errors": {ROW_KEY: list(self.errors)} if self.errors else {},
                "changes": {label: [old, new] for label, (old, new) in self.changes.items()}}


@dataclass
class Preview:
    rows: list
    new_providers: list = field(default_factory=list)
    ignored_headers: list = field(default_factory=list)

    @property
    def counts(self):
        return count_actions(self.rows)

    @property
    def taken(self):
        return [row for row in self.rows if row.action in TAKEN]

    def as_dict(self):
        return {"rows": [row.as_dict() for row in self.rows], "counts": self.counts,
                "new_providers": [f"{p.name} ({p.grant_recipient.abbreviation})" for p in self.new_providers
                                  if any(r.action in TAKEN for r in p.rows)],
                "ignored_headers": self.ignored_headers}


class Catalogue:
    """Entries of one catalogue found by code or label, case- and space-insensitive."""

    def __init__(self, queryset):
        self.entries = list(queryset)
        self.lookup = {}
        for entry in self.entries:
            self.lookup.setdefault(normalise(entry.label), entry)
        for entry in self.entries:  # codes win over labels
            self.lookup[normalise(entry.code)] = entry

    def get(self, text):
        return self.lookup.get(normalise(text))


class Context:
    """Everything validation reads from the database, loaded in a fixed number of queries."""

    def __init__(self, numbers):
        self.types = Catalogue(MeasureType.objects.all())
        self.lines = Catalogue(ProgrammeLine.objects.all())
        self.goals = Catalogue(MainGoal.objects.prefetch_related("measure_types"))
        recipients = list(GrantRecipient.objects.all())
        self.recipients = {normalise(r.abbreviation): r for r in recipients if r.abbreviation}
        self.recipients_by_name = {normalise(r.name): r for r in recipients}
        self.providers = list(Provider.objects.select_related("grant_recipient"))
        self.measures = {
            m.number: m
            for m in Measure.objects.filter(number__in=numbers)
            .select_related("measure_type", "programme_line", "main_goal", "grant_recipient", "provider", "successor")
            .prefetch_related("interim_due_dates")
        }
        self.participant_dates = rules.participant_dates([m.pk for m in self.measures.values()])
        self.new_providers = {}  # (grant recipient id, normalised name) -> NewProvider

    def provider_for(self, grant_recipient, name, external_id):
        """The existing provider of this ZE (by Träger-ID, else by name), else None."""
        own = [p for p in self.providers if p.grant_recipient_id == grant_recipient.pk]
        if external_id:
            found = next((p for p in own if p.external_id and p.external_id == external_id), None)
            if found:
                return found
        return next((p for p in own if normalise(p.name) == normalise(name)), None)

    def name_taken_elsewhere(self, grant_recipient, name):
        """The ZE of another provider of this name, if any: a provider belongs to one ZE, and two
        of the same name would be mistaken for each other in lists and e-mails."""
        other = next((p for p in self.providers if normalise(p.name) == normalise(name)
                      and p.grant_recipient_id != grant_recipient.pk), None)
        if other is not None:
            return other.grant_recipient
        planned = next((p for (gr_id, key), p in self.new_providers.items()
                        if key == normalise(name) and gr_id != grant_recipient.pk), None)
        if planned is not None:
            return planned.grant_recipient
        return None


def validate_measure_rows(read):
    """Every row checked against the catalogues, grant recipients and stored measures; writes nothing."""
    numbers = [display(row.cells.get("number", "")).strip().upper() for row in read.rows]
    context = Context(numbers)
    rows_of_number = {}
    for row, number in zip(read.rows, numbers, strict=True):
        rows_of_number.setdefault(number, []).append(row.number)
    results = []
    for row, number in zip(read.rows, numbers, strict=True):
        result = RowResult(row=row.number, number=number)
        for key, problem in row.problems.items():
            result.reject(f"{header_of(key)}: {reader.CELL_PROBLEMS[problem]}")
        _validate_row(result, row.cells, read.present, context)
        others = [str(n) for n in rows_of_number.get(number, ()) if n != row.number]
        if number and others:
            result.reject(_("Die Maßnahmennummer steht mehrfach in der Datei (auch in Zeile %(rows)s); keine dieser "
                            "Zeilen wird übernommen.") % {"rows": ", ".join(others)})
        results.append(result)
    _check_successors(results, context)
    _finish_actions(results)
    new_providers = list(context.new_providers.values())
    return Preview(rows=results, new_providers=new_providers, ignored_headers=read.ignored_headers)


def check_measure_import(source, user=None):
    """The dry run: what `do_measure_import` would do with this file, row by row. Writes nothing."""
    _check_user(user)
    return validate_measure_rows(read_measure_file(source))


def _check_user(user):
    if user is not None and not permissions.is_authority(user):
        raise ServiceError(_("Nur das Regierungspräsidium darf Maßnahmen importieren."))


def _text(cells, key):
    return display(cells.get(key, "")).strip()


def _validate_row(result, cells, present, context):
    """Parse and check one row; fills result.values and, for a stored measure, result.changes."""
    values = {}
    number = result.number
    parts = rules.number_parts(number) if re.match(MEASURE_NUMBER_PATTERN, number) else None
    if not number:
        result.reject(_("Die Maßnahmennummer fehlt."))
    elif reader.is_formula_as_text(number):
        result.reject(f"{header_of('number')}: {reader.formula_as_text_message(number)}")
    elif parts is None:
        result.reject(_("Die Maßnahmennummer „%(number)s“ hat nicht das Format AQB<Jahr>-<GK>-<Art>-<Nr.>, "
                        "z. B. AQB26-KS-M1-01.") % {"number": number})
    title = _text(cells, "title")
    if not title:
        result.reject(_("Der Titel fehlt."))
    elif len(title) > Measure._meta.get_field("title").max_length:
        result.reject(_("Der Titel ist länger als 300 Zeichen."))
    values["title"] = title

    values["measure_type"] = _catalogue_value(result, context.types, _text(cells, "measure_type"), "measure_type", True)
    values["programme_line"] = _catalogue_value(result, context.lines, _text(cells, "programme_line"), "programme_line", True)
    if "main_goal" in present:
        goal = _catalogue_value(result, context.goals, _text(cells, "main_goal"), "main_goal", False)
        measure_type = values["measure_type"]
        if goal and measure_type and goal.measure_types.all() and measure_type not in goal.measure_types.all():
            result.reject(_("Das Hauptziel „%(goal)s“ ist für %(type)s nicht vorgesehen.") % {
                "goal": goal.label, "type": measure_type.label})
        values["main_goal"] = goal

    for key in ("start_date", "end_date"):
        values[key] = _date_value(result, cells.get(key, ""), key)
    if values["start_date"] and values["end_date"] and values["end_date"] < values["start_date"]:
        result.reject(_("Das Ende (%(end)s) liegt vor dem Beginn (%(start)s).") % {
            "end": format_date(values["end_date"]), "start": format_date(values["start_date"])})

    recipient_text = _text(cells, "grant_recipient")
    recipient = context.recipients.get(normalise(recipient_text)) or context.recipients_by_name.get(normalise(recipient_text))
    if not recipient_text:
        result.reject(_("Der Zuwendungsempfänger fehlt."))
    elif recipient is None:
        result.reject(_("Zuwendungsempfänger „%(text)s“ ist im Portal nicht angelegt. Die 26 Gebietskörperschaften "
                        "legt das RP unter „Organisationen“ an (Kürzel wie in der Maßnahmennummer).") % {"text": recipient_text})
    values["grant_recipient"] = recipient

    values["budget_year"] = _budget_year(result, cells, present, parts)
    if parts:
        for messages in rules.check_number(number, recipient, values["measure_type"], values["budget_year"]).values():
            for message in messages:
                result.reject(message)
    if "planned_participants" in present:
        values["planned_participants"] = _planned(result, cells.get("planned_participants", ""))
    if "interim_due_dates" in present:
        dates, errors = parse_interim_dates(cells.get("interim_due_dates", ""))
        for message in errors:
            result.reject(_("Termine Zwischenmeldung: %(message)s") % {"message": message})
        values["interim_due_dates"] = dates
    if "provider" in present and recipient is not None:
        values["provider"] = _provider_value(result, cells, context, recipient)
    if "successor" in present:
        successor = _text(cells, "successor").upper()
        result.successor_number = successor
        values["successor"] = successor
    result.values = values
    measure = context.measures.get(number)
    if measure is not None:
        result.measure = measure
        result.changes = _changes(measure, values)
        _check_stored_measure(result, measure, values, context)


def _catalogue_value(result, catalogue, text, key, required):
    if not text:
        if required:
            result.reject(_("„%(column)s“ fehlt.") % {"column": header_of(key)})
        return None
    entry = catalogue.get(text)
    if entry is None:
        known = ", ".join(e.code for e in catalogue.entries if e.is_active)
        result.reject(_("%(column)s „%(text)s“ ist unbekannt (Code oder Bezeichnung des Katalogs, z. B. %(known)s).") % {
            "column": header_of(key), "text": text, "known": known})
    return entry


def _date_value(result, raw, key):
    if display(raw).strip() == "":
        result.reject(_("„%(column)s“ fehlt.") % {"column": header_of(key)})
        return None
    parsed = parse_date(raw)
    if not isinstance(parsed, datetime.date):
        result.reject(_("%(column)s: %(message)s") % {"column": header_of(key), "message": _bad_date(parsed)})
        return None
    return parsed


def _budget_year(result, cells, present, parts):
    """Given, or derived from the number's two-digit year."""
    derived = 2000 + int(parts["year"]) if parts else None
    text = _text(cells, "budget_year") if "budget_year" in present else ""
    if not text:
        return derived
    if not text.isdigit() or len(text) != 4:
        result.reject(_("Budgetjahr „%(text)s“ ist keine vierstellige Jahreszahl.") % {"text": text})
        return derived
    return int(text)  # whether it fits the number is measures.check_number's rule


def _planned(result, raw):
    text = display(raw).strip()
    if not text:
        return None
    if not text.isdigit():
        result.reject(_("Geplante Teilnehmende „%(text)s“ ist keine ganze Zahl.") % {"text": text})
        return None
    return int(text)


def _provider_value(result, cells, context, recipient):
    """The ZE's provider of that name (or Träger-ID), or a NewProvider the import would create."""
    name = _text(cells, "provider")
    if not name:
        return None
    external_id = _text(cells, "provider_external_id")
    existing = context.provider_for(recipient, name, external_id)
    if existing is not None:
        return existing
    key = (recipient.pk, normalise(name))
    planned = context.new_providers.get(key)
    if planned is None:
        elsewhere = context.name_taken_elsewhere(recipient, name)
        if elsewhere is not None:
            result.reject(_("Einen Träger namens „%(name)s“ gibt es bereits beim Zuwendungsempfänger %(ze)s. Ein "
                            "Träger gehört genau einem Zuwendungsempfänger; bitte den Namen eindeutig machen "
                            "(z. B. mit Ortszusatz).") % {"name": name, "ze": elsewhere})
            return None
        if len(name) > Provider._meta.get_field("name").max_length:
            result.reject(_("Der Name des Trägers ist länger als 200 Zeichen."))
            return None
        email = _text(cells, "provider_email")
        if email:
            try:
                validate_email(email)
            except ValidationError:
                result.reject(_("Träger-E-Mail „%(email)s“ ist keine gültige E-Mail-Adresse.") % {"email": email})
                return None
        planned = NewProvider(name=name, grant_recipient=recipient, external_id=external_id[:50], contact_email=email)
        context.new_providers[key] = planned
    planned.rows.append(result)
    return planned


def _changes(measure, values):
    """{column header: [old, new]} of the compared columns, shown as the form and audit trail show them."""
    compared = {key: (_("%(name)s (wird neu angelegt)") % {"name": value.name} if isinstance(value, NewProvider)
                      else value)
                for key, value in values.items() if key in COMPARED}
    return rules.changes(measure, compared, label=header_of)


def _check_stored_measure(result, measure, values, context):
    """An update must not touch a closed measure or put recorded participants outside its dates (measures.py)."""
    if not result.changes:
        return
    closed = rules.check_not_closed(measure, result.changes)
    problems = closed or rules.check_dates(measure, values.get("start_date"), values.get("end_date"),
                                           context.participant_dates.get(measure.pk))
    for name in ("start_date", "end_date", "__all__"):
        for message in problems.get(name, []):
            result.reject(message)


def _check_successors(results, context):
    """Successor links, checked once all rows are known: same ZE, later budget year, each successor once.

    Repeated until stable, because rejecting a row can invalidate a link to it.
    """
    by_number = {row.number: row for row in results}
    stored_links = dict(
        Measure.objects.filter(successor__isnull=False).values_list("number", "successor__number")
    )
    targets = {row.successor_number for row in results if row.successor_number}
    stored_targets = {
        m.number: m for m in Measure.objects.filter(number__in=targets).select_related("grant_recipient")
    }
    changed = True
    while changed:
        changed = False
        final_links = dict(stored_links)
        for row in results:
            if row.successor_number is not None and not row.errors:
                final_links[row.number] = row.successor_number
        predecessors = {}
        for number, target in final_links.items():
            if target:
                predecessors.setdefault(target, []).append(number)
        for row in results:
            target = row.successor_number
            if not target or row.errors:
                continue
            message = _successor_problem(row, target, by_number, stored_targets, predecessors)
            if message:
                row.reject(message)
                changed = True


def _successor_problem(row, target, by_number, stored_targets, predecessors):
    if target == row.number:
        return rules.successor_problem(row.number, None, None, target, None, None)
    in_file = by_number.get(target)
    if in_file is not None and in_file.errors:
        return _("Die Folgemaßnahme %(number)s wird in dieser Datei abgelehnt (Zeile %(row)d).") % {
            "number": target, "row": in_file.row}
    if in_file is not None:
        recipient, year = in_file.values.get("grant_recipient"), in_file.values.get("budget_year")
    elif target in stored_targets:
        recipient, year = stored_targets[target].grant_recipient, stored_targets[target].budget_year
    else:
        return _("Die Folgemaßnahme %(number)s ist weder in dieser Datei noch im Portal vorhanden.") % {"number": target}
    problem = rules.successor_problem(row.number, row.values.get("grant_recipient"), row.values.get("budget_year"),
                                      target, recipient, year)
    if problem:
        return problem
    others = [n for n in predecessors.get(target, ()) if n != row.number]
    if others:
        return _("%(number)s ist bereits Folgemaßnahme von %(others)s; jede Maßnahme kann nur eine Vorgängerin "
                 "haben.") % {"number": target, "others": ", ".join(sorted(others))}
    return ""


def _finish_actions(results):
    for row in results:
        if row.errors:
            row.action = ACTION_REJECTED
        elif row.measure is None:
            row.action = ACTION_CREATE
        elif row.changes:
            row.action = ACTION_UPDATE
        else:
            row.action = ACTION_UNCHANGED


# ---------------------------------------------------------------------------
# do_measure_import: one transaction
# ---------------------------------------------------------------------------

def do_measure_import(source, user=None):
    """Validate the file against the data as they are now and write every create/update row.

    One transaction; the stored measures of the file are locked first, so a measure cannot
    be closed or get participants between the check and the write. Each row is saved by
    `do_save_measure` (user None: `services.SHELL`, the operator of manage.py), which applies the measure rules once more.
    """
    _check_user(user)
    user = SHELL if user is None else user  # no user: the shell's operator (manage.py import_measures)
    read = read_measure_file(source)
    numbers = [display(row.cells.get("number", "")).strip().upper() for row in read.rows]
    with transaction.atomic():
        list(Measure.objects.select_for_update().filter(number__in=numbers).values_list("pk", flat=True))
        preview = validate_measure_rows(read)
        _create_providers(preview)
        saved = {}
        # Read once under the lock for every row; the service checks each measure's dates against them.
        dates = rules.participant_dates([row.measure.pk for row in preview.taken if row.measure is not None])
        for row in preview.taken:
            measure = _save_measure(row, user, dates)
            if measure is not None:
                saved[row.number] = measure
        _link_successors(preview, saved, user)
    return preview


def _create_providers(preview):
    for planned in preview.new_providers:
        if any(row.action in (ACTION_CREATE, ACTION_UPDATE) for row in planned.rows):
            planned.instance = Provider.objects.create(
                name=planned.name, grant_recipient=planned.grant_recipient,
                external_id=planned.external_id, contact_email=planned.contact_email,
            )


def _save_measure(row, user, dates):
    """Save one row through the measure service; a refusal there marks the row rejected (nothing written)."""
    values = {"number": row.number}
    for name, value in row.values.items():
        if name == "successor":
            continue  # linked after all rows (_link_successors)
        values[name] = value.instance if isinstance(value, NewProvider) else value
    try:
        return do_save_measure(user, row.measure, values, note=_row_note(row), dates=dates.get(row.measure.pk, {})
                               if row.measure is not None else None)
    except ServiceError as error:
        for message in error.messages:
            row.reject(message)
        return None


def _link_successors(preview, saved, user):
    """Clear the links that change first (a successor has one predecessor), then set the new ones."""
    changing = [row for row in preview.taken if row.successor_number is not None and row.number in saved
                and (row.action == ACTION_CREATE or header_of("successor") in row.changes)]
    if not changing:
        return
    Measure.objects.filter(pk__in=[saved[row.number].pk for row in changing]).update(successor=None)
    targets = dict(Measure.objects.filter(number__in=[r.successor_number for r in changing if r.successor_number])
                   .values_list("number", "pk"))
    for row in changing:
        if row.successor_number and row.successor_number in targets:
            Measure.objects.filter(pk=saved[row.number].pk).update(
                successor_id=targets[row.successor_number], updated_at=timezone.now())
        _audit_successor(row, saved[row.number], user)


def _audit_successor(row, measure, user):
    """The link is written after all rows, outside `do_save_measure`: add it to the row's audit entry."""
    change = [row.changes.get(header_of("successor"), ["", ""])[0], row.successor_number or ""]
    if change[0] == change[1]:
        return
    label = rules.field_label("successor")
    entry = AuditEntry.objects.filter(measure=measure, note=_row_note(row)).order_by("-id").first()
    if entry is None:
        audit(user, measure, None, AuditAction.CHANGE, {label: change}, note=_row_note(row))
    else:
        entry.changes = {**entry.changes, label: change}
        entry.save(update_fields=["changes"])


def _row_note(row):
    return _("Maßnahmen-Import (RP), Zeile %(row)d") % {"row": row.row}


# ---------------------------------------------------------------------------
# The import job's importer (excel/jobs.py): the RP's upload, read in the worker if large
# ---------------------------------------------------------------------------


class MeasureImporter:
    """The measure import on the ImportJob mechanism (the protocol is described in excel/jobs.py)."""

    def read(self, job, *, inline_max_rows=None, progress=None):
        with job.file.open("rb") as stream:
            return read_measure_file(stream, inline_max_rows=inline_max_rows)

    def row_count(self, read):
        return len(read.rows)

    def validate(self, read, job, *, progress=None):
        preview = validate_measure_rows(read)
        if progress is not None:
            progress(len(preview.rows), len(preview.rows))
        return preview.as_dict()

    def take(self, job, user):
        """The file validated again against the data as they are now, written in the job's transaction."""
        try:
            with job.file.open("rb") as stream:
                preview = do_measure_import(stream, user)
        except ServiceError as error:
            raise ImportFileError(" ".join(error.messages)) from error
        return preview, preview.as_dict()


MEASURE_IMPORTER = MeasureImporter()
