"""Untrusted workbooks → rows, read in a child process under hard limits (`imports/sheets.py`).

Whatever an uploaded file does to the reading (python-calamine aborting on a giant declared
sheet, memory running out, a parse that never ends), it happens in a process of its own with
a ceiling on address space and CPU time and a wall-clock timeout; the web server and the task
worker only ever see rows or a `ReadError` with a German reason. The limits are settings
(README, "Grenzen beim Lesen hochgeladener Dateien").
"""

import contextlib
import datetime
import gc
import json
import os
import re
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .sheets import EXCEL_MAX_CELL_CHARS, column_letters

PROJECT_ROOT = str(Path(__file__).resolve().parent.parent.parent)
TEMPORARY_FOLDER = "tmp"  # below AQB_PRIVATE_ROOT: copies of uploads that have no file of their own
CHILD = "import sys; sys.path.insert(0, sys.argv.pop(1)); from aqb_monitoring.imports.sheets import main; main()"

# Per-cell problems the child reports, as the preview names them under the column.
CELL_PROBLEMS = {
    "control": gettext_lazy(
        "Die Zelle enthält unsichtbare Steuerzeichen (z. B. ein Nullzeichen), die nicht gespeichert werden können; "
        "sie sind hier als „\ufffd“ dargestellt. Bitte den Wert neu eintippen."),
    "too_long": gettext_lazy(
        "Der Text ist länger als %(max)s Zeichen, mehr als Excel in einer Zelle speichern kann.")
    % {"max": f"{EXCEL_MAX_CELL_CHARS:,}".replace(",", ".")},
}


class ReadError(Exception):
    """The file cannot be used; `message` says why, in German."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


class NeedsBackground(Exception):
    """The pre-check counted more rows than are read inside a web request."""

    def __init__(self, rows):
        super().__init__(rows)
        self.rows = rows


@dataclass
class Row:
    index: int  # 0-based row of the sheet
    cells: list  # 0-based columns; "" for empty; trailing empty cells left out
    problems: dict | None = None  # column -> "control" | "too_long"
    formulas: list | None = None  # columns holding a formula without a stored value


@dataclass
class Table:
    sheet: str
    header_index: int | None
    rows: list  # Row, the header row first; empty rows left out
    extra: list = field(default_factory=list)  # first rows of the extra sheet (e.g. "Info"), cells only
    declared_rows: int = 0  # rows the pre-check counted
    peak_bytes: int = 0  # the reading process's peak memory
    cpu_seconds: float = 0.0  # and its CPU time


def reader_limits():
    return {
        "memory_bytes": settings.AQB_IMPORT_READER_MEMORY_MB * 1024 * 1024,
        "cpu_seconds": settings.AQB_IMPORT_READER_CPU_SECONDS,
        "timeout": settings.AQB_IMPORT_READER_TIMEOUT_SECONDS,
    }


def refusal_message(code, params, limits):
    """The German reason for a refusal code of the child (sheets.Refused)."""
    values = {
        **params,
        "area": _("höchstens %(rows)s Zeilen und die Spalten A bis %(column)s") % {
            "rows": f"{limits['max_rows']:,}".replace(",", "."), "column": column_letters(limits["max_columns"] - 1)},
        "file_mb": limits["max_file_bytes"] // (1024 * 1024),
        "unpacked_mb": limits["max_uncompressed_bytes"] // (1024 * 1024),
        "ratio": limits["max_compression_ratio"],
        "memory_mb": limits["memory_bytes"] // (1024 * 1024),
        "seconds": limits["timeout"],
    }
    too_big = _("Die Datei ist zu groß oder beschädigt: ")
    copy_hint = _("Bitte nur die Daten in die aktuelle Vorlage kopieren und diese hochladen.")
    templates = {
        "empty_file": _("Die Datei ist leer."),
        "too_big": _("Die Datei ist größer als %(file_mb)d MB. Bitte teilen Sie sie auf mehrere Dateien auf."),
        "encrypted_or_xls": _(
            "Die Datei ist kennwortgeschützt (verschlüsselt) oder im alten Format .xls. "
            "Bitte ohne Kennwort als Excel-Arbeitsmappe (.xlsx) speichern und erneut hochladen."),
        "not_xlsx": _("Die Datei ist keine Excel-Datei im Format .xlsx. Bitte die Vorlage verwenden."),
        "encrypted": _("Die Datei ist verschlüsselt. Bitte ohne Kennwort speichern und erneut hochladen."),
        "corrupt": _("Die Datei ist beschädigt oder unvollständig (z. B. abgebrochener Download)."),
        "bomb": _(
            "Die Datei ist ungewöhnlich stark gepackt (entpackt über %(unpacked_mb)d MB oder mehr als %(ratio)d-fach "
            "komprimiert) und wird aus Sicherheitsgründen nicht gelesen. ") + copy_hint,
        "xml_forbidden": _(
            "Die Datei enthält eine unzulässige XML-Struktur (Dokumenttyp-Definition oder Entitäten) und wird aus "
            "Sicherheitsgründen nicht gelesen. ") + copy_hint,
        "dimension": too_big + _(
            "Das Blatt „%(sheet)s“ gibt den Datenbereich %(ref)s an; gelesen werden %(area)s. ") + copy_hint,
        "cell_outside": too_big + _(
            "Im Blatt „%(sheet)s“ steht die Zelle %(ref)s außerhalb des Bereichs, der gelesen wird (%(area)s). "
            "Bitte diese Zelle leeren oder die Zeilen bzw. Spalten dahinter löschen."),
        "merged_outside": too_big + _(
            "Im Blatt „%(sheet)s“ reicht der verbundene Zellbereich %(ref)s über den Bereich hinaus, der gelesen "
            "wird (%(area)s). Bitte die Zellverbindung aufheben."),
        "too_many_merged": too_big + _(
            "Das Blatt „%(sheet)s“ enthält mehr als %(count)s verbundene Zellbereiche. Bitte die Zellverbindungen "
            "aufheben."),
        "too_many_strings": too_big + _("Sie enthält weit mehr Texte, als ihre Tabellenblätter verwenden. ") + copy_hint,
        "limit": too_big + _(
            "Beim Lesen wurde die Grenze von %(memory_mb)d MB Arbeitsspeicher bzw. %(seconds)d Sekunden "
            "überschritten. Bitte prüfen Sie die Datei oder teilen Sie sie auf mehrere Dateien auf."),
    }
    try:
        if isinstance(values.get("count"), int):  # German thousands, as the other limits: 10.000
            values = {**values, "count": f"{values['count']:,}".replace(",", ".")}
        return templates[code] % values
    except (KeyError, TypeError, ValueError):
        return templates["corrupt"]


class _Path:
    """A file system path for the child to open: the upload's own file, or a private temporary copy."""

    def __init__(self, source):
        self.source = source
        self.temporary = None

    def __enter__(self):
        source = self.source
        if isinstance(source, str | os.PathLike):
            return os.fspath(source)
        if hasattr(source, "temporary_file_path"):
            return source.temporary_file_path()
        local_path = _local_path(source)
        if local_path:
            return local_path
        folder = Path(settings.AQB_PRIVATE_ROOT) / TEMPORARY_FOLDER
        folder.mkdir(parents=True, exist_ok=True)
        handle, self.temporary = tempfile.mkstemp(dir=folder, suffix=".xlsx")
        with os.fdopen(handle, "wb") as target:
            if isinstance(source, bytes | bytearray):
                target.write(source)
            else:
                if hasattr(source, "seek"):
                    source.seek(0)
                shutil.copyfileobj(source, target, 1024 * 1024)
        return self.temporary

    def __exit__(self, *_exc):
        if self.temporary:
            Path(self.temporary).unlink(missing_ok=True)


def _local_path(source):
    """The file's path if a file system storage holds it (a stored upload), else None."""
    try:
        path = source.path
    except (AttributeError, NotImplementedError, ValueError):
        return None
    return path if isinstance(path, str) and os.path.isfile(path) else None


def _decode_dates(cells, dates):
    for column, kind in dates:
        value = cells[column]
        cells[column] = (datetime.datetime.fromisoformat(value) if kind == "dt"
                         else datetime.date.fromisoformat(value))


# A formula a spreadsheet kept as text (LibreOffice in a text-formatted column stores "=A2" as it was typed):
# a cell reference or a function call after "=". A stored formula arrives as its value, never like this.
FORMULA_AS_TEXT = re.compile(r"^\s*=\s*(\$?[A-Za-z]{1,3}\$?\d+\b|[A-Za-zÄÖÜäöü][A-Za-zÄÖÜäöü0-9._]*\s*\()")


def is_formula_as_text(value):
    return isinstance(value, str) and FORMULA_AS_TEXT.match(value) is not None


def formula_as_text_message(value):
    """Both importers name such a cell the same way, instead of calling it a wrong number or ID."""
    return _("Die Zelle enthält eine Formel, die als Text gespeichert wurde („%(text)s“), keinen Wert. Bitte den "
             "Wert selbst eintragen.") % {"text": value.strip()[:40]}


@contextlib.contextmanager
def collection_paused():
    """Python's cycle collector paused while many small, acyclic row objects are built.

    With every row alive, each full collection walks all rows built so far: at 100,000 rows the
    parent's share of a read took 3x its linear cost (bench/bench_import_sizes.py). Rows hold
    no reference cycles, so nothing is left for the collector once it runs again."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def read_workbook(source, *, max_rows, max_columns, prefer=(), skip=(), header_marker=None, extra_sheet=None,
                  inline_max_rows=None, max_file_bytes, no_sheet_message, progress=None):
    """The rows of one sheet of an uploaded .xlsx, read by the child process; ReadError or NeedsBackground.

    `prefer`: sheet names to read if present; else the first sheet (not in `skip`) whose
    first non-empty row holds a cell equal to `header_marker` (sheets.header_key), or the
    first sheet when no marker is given. `inline_max_rows`: raise NeedsBackground once the
    pre-check counts more rows than that. `progress(done, total)` is called as rows arrive.
    """
    limits = {
        **reader_limits(), "max_rows": max_rows, "max_columns": max_columns, "max_file_bytes": max_file_bytes,
        "max_uncompressed_bytes": settings.AQB_IMPORT_MAX_UNCOMPRESSED_MB * 1024 * 1024,
        "max_compression_ratio": settings.AQB_IMPORT_MAX_COMPRESSION_RATIO,
    }
    spec = {
        "prefer": list(prefer), "skip": list(skip), "header_marker": header_marker, "extra_sheet": extra_sheet,
        "inline_max_rows": inline_max_rows, "max_merged": settings.AQB_IMPORT_MAX_MERGED_RANGES,
        "ratio_check_from": 1024 * 1024, **{key: value for key, value in limits.items() if key != "timeout"},
    }
    with _Path(source) as path, collection_paused():
        spec["path"] = path
        outcome, table = _run_child(spec, limits["timeout"], progress)
    kind = outcome.get("kind")
    if kind == "large":
        raise NeedsBackground(outcome["rows"])
    if kind == "error":
        if outcome["code"] == "no_sheet":
            raise ReadError(no_sheet_message)
        raise ReadError(refusal_message(outcome["code"], outcome.get("params", {}), limits))
    return table


def _run_child(spec, timeout, progress):
    """Start the child, collect its rows; returns ({"kind": "done"|"large"|"error", ...}, Table)."""
    table = Table(sheet="", header_index=None, rows=[])
    outcome = {}
    with tempfile.TemporaryFile() as errors:
        process = subprocess.Popen(
            [sys.executable, "-I", "-c", CHILD, PROJECT_ROOT, json.dumps(spec)],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=errors, text=True, encoding="utf-8",
            env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8"}, close_fds=True,
        )
        timed_out = threading.Event()

        def kill():
            timed_out.set()
            process.kill()

        timer = threading.Timer(timeout, kill)
        timer.start()
        try:
            for line in process.stdout:
                message = json.loads(line)
                if "rows" in message:
                    for index, cells, problems, dates, formulas in message["rows"]:
                        if dates:
                            _decode_dates(cells, dates)
                        table.rows.append(Row(index, cells, problems and {int(k): v for k, v in problems.items()},
                                              formulas))
                    if progress is not None:
                        progress(len(table.rows), table.declared_rows)
                elif "scan" in message:
                    table.sheet, table.declared_rows = message["scan"]["sheet"], message["scan"]["rows"]
                elif "done" in message:
                    done = message["done"]
                    table.header_index, table.extra = done["header_row"], done["extra"]
                    outcome = {"kind": "done"}
                elif "large" in message:
                    outcome = {"kind": "large", "rows": message["large"]}
                elif "error" in message:
                    outcome = {"kind": "error", "code": message["error"], "params": message.get("params") or {}}
        except (ValueError, KeyError, TypeError):
            process.kill()
            outcome = {"kind": "error", "code": "limit"}
        finally:
            process.stdout.close()
            _pid, status, usage = os.wait4(process.pid, 0)
            process.returncode = os.waitstatus_to_exitcode(status)
            timer.cancel()
        table.peak_bytes = usage.ru_maxrss * 1024
        table.cpu_seconds = usage.ru_utime + usage.ru_stime
        if not outcome or process.returncode != 0:
            errors.seek(0, os.SEEK_END)
            errors.seek(max(0, errors.tell() - 2000))
            _log_child_failure(process.returncode, timed_out.is_set(), errors.read().decode("utf-8", "replace"))
            outcome = {"kind": "error", "code": "limit"}
    return outcome, table


def _log_child_failure(returncode, timed_out, stderr):
    import logging

    reason = "timeout" if timed_out else (
        signal.Signals(-returncode).name if returncode < 0 and -returncode in signal.valid_signals() else returncode)
    logging.getLogger(__name__).warning("Reading an uploaded workbook failed (%s): %s", reason, stderr.strip()[-500:])


def self_peak_bytes():
    """This process's own peak memory (for tests that show the reading happened elsewhere)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
