"""Benchmark of the import at 10,000 and 100,000 rows (issue 9), run by `make bench`.

On a throw-away SQLite database (a temp folder, never the development database), with files
in the template's layout (sheets "Teilnehmende", "Ausfüllhinweise", "Info", "Listen", written by
the portal's own ParticipantWorkbook) whose texts are then moved into a shared-strings table,
as Excel saves them. Every row is a complete (green) M3 participant. For each size:

- dry run (read_rows + validate_rows), best of 3, split into reading and checking;
- real import (do_import) in a fresh process: wall time, that process's peak memory and the
  peak memory and CPU time of the reading child process (reader.Table);
- the same with a hostile shape: every data cell of one column holds a formula without a
  stored value (the case that used to be quadratic), dry run only.

Targets (PASS/FAIL, exit code 1 on any FAIL):

- 100,000 rows cost <= 12x the time of 10,000 rows (dry run, import, hostile dry run);
- the same file read twice costs the same: a second best-of-3 series of the 10,000-row dry run,
  taken after the 100,000-row runs, lies within 0.8x to 1.25x of the first;
- importing 100,000 rows: peak memory of the importing process <= 1 GiB and of the reading
  process <= 1 GiB.

The verdicts use wall-clock time (best of 3); the CPU time of both processes is printed beside
every ratio, since on a shared machine the wall clock also measures the other processes' load.
Peak memory is each process's own high-water mark (VmHWM): ru_maxrss, and with it
reader.Table.peak_bytes, includes the high-water mark of the process that started it, which
Linux carries over fork/exec. The import process runs without DEBUG, as in production.

    DEBUG=1 .venv/bin/python bench/bench_import_sizes.py
"""

import io
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(BENCH))
# The import child processes inherit the same throw-away folder (and database) through the environment.
WORK = Path(os.environ.get("AQB_BENCH_DIR") or tempfile.mkdtemp(prefix="aqb-bench-sizes-"))
os.environ["AQB_BENCH_DIR"] = str(WORK)
os.environ["DATABASE_URL"] = f"sqlite:///{WORK / 'bench.sqlite3'}"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aqb_site.settings")
os.environ["MEDIA_ROOT"] = str(WORK / "media")
os.environ["PRIVATE_ROOT"] = str(WORK / "private")
os.environ["TASKS_BACKEND"] = "django_tasks.backends.immediate.ImmediateBackend"

from bench_excel import green_rows, make_measure, setup_django, timed, verdict  # noqa: E402 (needs the environment)

SMALL, BIG = 10_000, 100_000
REPEAT = 3
MAX_GROWTH = 12.0  # 10x the rows may cost at most 12x the time
SAME_LOW, SAME_HIGH = 0.8, 1.25
MEMORY_CEILING = 1024 * 1024 * 1024
FORMULA_KEY = "birth_year"  # the hostile file's column of formulas without a stored value
MiB = 2**20

# ---------------------------------------------------------------------------
# Files
# ---------------------------------------------------------------------------

INLINE_STRING = re.compile(rb' t="inlineStr"><is><t( [^>]*)?>(.*?)</t></is>', re.S)
SST_TYPE = b"application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
SST_REL = b"http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"


def rewrite_workbook(data, sheet_hook=None):
    """The workbook as Excel saves it: inline strings moved into xl/sharedStrings.xml.

    `sheet_hook(bytes) -> bytes` may change the XML of the first sheet ("Teilnehmende") before.
    """
    strings, index = [], {}

    def shared(match):
        key = (match.group(1) or b"", match.group(2))
        position = index.get(key)
        if position is None:
            position = index[key] = len(strings)
            strings.append(key)
        return b' t="s"><v>%d</v>' % position

    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    total = 0
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml" and sheet_hook:
                content = sheet_hook(content)
            if info.filename.startswith("xl/worksheets/sheet"):
                content, count = INLINE_STRING.subn(shared, content)
                total += count
            elif info.filename == "[Content_Types].xml":
                content = content.replace(b"</Types>", b'<Override PartName="/xl/sharedStrings.xml" ContentType="'
                                          + SST_TYPE + b'" /></Types>')
            elif info.filename == "xl/_rels/workbook.xml.rels":
                content = content.replace(b"</Relationships>", b'<Relationship Type="' + SST_REL
                                          + b'" Target="sharedStrings.xml" Id="rIdSst" /></Relationships>')
            target.writestr(info.filename, content)
        items = b"".join(b"<si><t%s>%s</t></si>" % key for key in strings)
        target.writestr("xl/sharedStrings.xml", (
            b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="http://schemas.openxmlformats.org/'
            b'spreadsheetml/2006/main" count="%d" uniqueCount="%d">' % (total, len(strings)) + items + b"</sst>"))
    return buffer.getvalue()


def formulas_without_value(letter):
    """A sheet hook: every data cell of column `letter` becomes a formula with no stored value."""
    cell = re.compile(rb'<c r="' + letter.encode() + rb'([0-9]+)"([^>]*)>.*?</c>', re.S)

    def replace(match):
        if match.group(1) == b"1":  # the header stays
            return match.group(0)
        style = re.search(rb' s="[0-9]+"', match.group(2))
        return b'<c r="%s%s"%s><f>YEAR(TODAY())-20</f></c>' % (letter.encode(), match.group(1),
                                                                   style.group(0) if style else b"")

    def hook(xml):
        xml, count = cell.subn(replace, xml)
        assert count > 1, "no cell of the formula column found"
        return xml

    return hook


def write_template_file(path, layout, measure, count, prefix, sheet_hook=None):
    """`count` green rows in the template's layout, saved as Excel would (shared strings)."""
    from aqb_monitoring.excel.template import ParticipantWorkbook

    workbook = ParticipantWorkbook(layout, measure_number=measure.number)
    for values in green_rows(layout, count, measure, prefix=prefix):
        workbook.append(values)
    path.write_bytes(rewrite_workbook(workbook.save(), sheet_hook))
    return path


# ---------------------------------------------------------------------------
# The reading child process, observed from outside
# ---------------------------------------------------------------------------


class ReaderProbe:
    """Records what every read reported (reader.Table: peak_bytes, cpu_seconds) and the child's own peak.

    The Table's peak is the child's ru_maxrss, and Linux carries the parent's high-water mark into
    a child over fork/exec; so the child's own peak is also sampled from /proc/<pid>/status
    (VmHWM of its own address space after exec) while it runs.
    """

    def __init__(self):
        from aqb_monitoring.imports import reader

        self.reads = []  # (peak_bytes, cpu_seconds) of the Table, own peak bytes or None; never the rows
        self._watchers = []
        probe, original = self, reader._run_child

        class Subprocess:  # stands in for the subprocess module inside reader.py only
            def __getattr__(self, name):
                return getattr(subprocess, name)

            def Popen(self, *args, **kwargs):  # noqa: N802 (the name reader.py calls)
                process = subprocess.Popen(*args, **kwargs)
                probe._watch(process.pid)
                return process

        def run_child(spec, timeout, progress):
            outcome, table = original(spec, timeout, progress)
            own = None
            for thread, result in probe._watchers:
                thread.join()
                own = max(result) if result else own
            probe._watchers = []
            probe.reads.append(((table.peak_bytes, table.cpu_seconds), own))
            return outcome, table

        reader.subprocess = Subprocess()
        reader._run_child = run_child

    def _watch(self, pid):
        result = []

        def sample():
            status = Path(f"/proc/{pid}/status")
            while True:
                try:
                    match = re.search(r"VmHWM:\s+(\d+) kB", status.read_text())
                except OSError:
                    return
                if match is None:  # exited (zombie): no address space left
                    return
                result.append(int(match.group(1)) * 1024)
                time.sleep(0.02)

        thread = threading.Thread(target=sample, daemon=True)
        thread.start()
        self._watchers.append((thread, result))

    def last(self):
        return self.reads[-1]


# ---------------------------------------------------------------------------
# Measurements
# ---------------------------------------------------------------------------


def dry_run(path, measure, layout, probe, expected):
    """Best of REPEAT dry runs: (total s, reading s, checking s, reader CPU s, reader's own peak, preview counts,
    CPU s of both processes)."""
    from aqb_monitoring.excel.importer import read_rows, validate_rows

    best = None
    for _ in range(REPEAT):
        start, start_cpu = time.perf_counter(), time.process_time()
        read = read_rows(path, layout)
        middle = time.perf_counter()
        preview = validate_rows(read, measure)
        end, end_cpu = time.perf_counter(), time.process_time()
        assert len(preview.rows) == expected, (len(preview.rows), expected)
        (_peak, cpu), own = probe.last()
        run = (end - start, middle - start, end - middle, cpu, own, preview.counts, end_cpu - start_cpu + cpu)
        del read, preview
        if best is None or run[0] < best[0]:
            best = run
    return best


def own_high_water():
    """This process's peak memory since it started (VmHWM): ru_maxrss would include the high-water
    mark of the process that started it, which Linux carries over fork/exec."""
    match = re.search(r"VmHWM:\s+(\d+) kB", Path("/proc/self/status").read_text())
    return int(match.group(1)) * 1024 if match else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def import_child(path, number):
    """Runs in a fresh process: the real import, its wall time and the peak memory of both processes."""
    import django

    django.setup()
    from django.conf import settings

    from aqb_monitoring.excel.importer import do_import
    from aqb_monitoring.models import Measure
    from aqb_monitoring.services import SHELL

    # As in production: with DEBUG, Django keeps the text of every SQL statement (connection.queries),
    # about 400 MB for 100,000 rows with their audit entries.
    settings.DEBUG = False
    probe = ReaderProbe()
    measure = Measure.objects.get(number=number)
    start_cpu = time.process_time()
    seconds, outcome = timed(do_import, path, measure, SHELL)  # as manage.py import_participants does
    own_cpu = time.process_time() - start_cpu
    (table_peak, cpu), own = probe.last()
    print(json.dumps({
        "seconds": seconds, "cpu": own_cpu + cpu, "created": len(outcome.created), "left_out": len(outcome.left_out),
        "peak": own_high_water(), "maxrss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
        "reader_peak": table_peak, "reader_own_peak": own, "reader_cpu": cpu,
    }))


def real_import(path, measure):
    child = subprocess.run([sys.executable, __file__, "--import-child", str(path), measure.number],
                           capture_output=True, text=True, env=os.environ.copy())
    if child.returncode != 0:
        print(child.stderr[-2000:])
        return None
    return json.loads(child.stdout.strip().splitlines()[-1])


def rows_text(count):
    return f"{count:,}".replace(",", ".")


def mib(value):
    return "   ?   " if value is None else f"{value / MiB:5.0f} MiB"


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "--import-child":
        return import_child(sys.argv[2], sys.argv[3])
    setup_django()
    from openpyxl.utils import get_column_letter

    from aqb_monitoring.excel.layout import Layout

    layout = Layout()
    letter = get_column_letter([column.key for column in layout.columns].index(FORMULA_KEY) + 1)
    probe = ReaderProbe()
    sizes = {}
    for count, number, prefix in ((SMALL, "AQB26-KS-M3-11", "KL"), (BIG, "AQB26-KS-M3-12", "GR")):
        measure = make_measure(number)
        plain = write_template_file(WORK / f"vorlage-{count}.xlsx", layout, measure, count, prefix)
        hostile = write_template_file(WORK / f"formeln-{count}.xlsx", layout, measure, count, prefix,
                                      formulas_without_value(letter))
        sizes[count] = {"measure": measure, "plain": plain, "hostile": hostile}
    print(f"Dateien in der Vorlagen-Gestalt ({len(layout.columns)} Spalten, Texte als gemeinsame Zeichenketten "
          f"wie von Excel gespeichert): " + ", ".join(
              f"{rows_text(count)} Zeilen {files['plain'].stat().st_size / 1e6:.1f} MB"
              for count, files in sizes.items()))

    # Dry runs: 10,000, 100,000, then 10,000 again (the same file, after the big runs).
    first = dry_run(sizes[SMALL]["plain"], sizes[SMALL]["measure"], layout, probe, SMALL)
    big = dry_run(sizes[BIG]["plain"], sizes[BIG]["measure"], layout, probe, BIG)
    again = dry_run(sizes[SMALL]["plain"], sizes[SMALL]["measure"], layout, probe, SMALL)
    hostile_small = dry_run(sizes[SMALL]["hostile"], sizes[SMALL]["measure"], layout, probe, SMALL)
    hostile_big = dry_run(sizes[BIG]["hostile"], sizes[BIG]["measure"], layout, probe, BIG)
    assert first[5]["create"] == SMALL and big[5]["create"] == BIG, (first[5], big[5])

    small_label, big_label = f"{rows_text(SMALL)} Zeilen", f"{rows_text(BIG)} Zeilen"
    print(f"Probelauf (read_rows + validate_rows), bestes von {REPEAT}:")
    for label, run in ((small_label, first), (big_label, big), (f"{small_label}, zweite Serie", again),
                       (f"{small_label}, Formeln ohne Wert", hostile_small),
                       (f"{big_label}, Formeln ohne Wert", hostile_big)):
        total, reading, checking, cpu, own, _counts, both_cpu = run
        print(f"  {label:34s} {total:7.2f} s  (Lesen {reading:6.2f} s, davon Leseprozess-CPU {cpu:6.2f} s; "
              f"Prüfen {checking:6.2f} s; CPU beider Prozesse {both_cpu:6.2f} s; Leseprozess-Spitze {mib(own)})")
    print(f"    Vorschau der Formel-Datei: {hostile_big[5]}")

    imports = {}
    for count in (SMALL, BIG):
        imports[count] = real_import(sizes[count]["plain"], sizes[count]["measure"])
        if imports[count] is None:
            print(f"  Import von {rows_text(count)} Zeilen: Lauf fehlgeschlagen  FAIL")
            return 1
    print("Import (do_import, jeweils in einem frischen Prozess):")
    for count, result in imports.items():
        print(f"  {rows_text(count) + ' Zeilen':34s} {result['seconds']:7.2f} s  (CPU beider Prozesse "
              f"{result['cpu']:6.2f} s; {result['created']} TN angelegt, "
              f"{result['left_out']} abgelehnt); Speicher-Spitze Importprozess {mib(result['peak'])} "
              f"(ru_maxrss mit Erbe {mib(result['maxrss'])}), Leseprozess "
              f"{mib(result['reader_peak'])} laut Table (eigener Höchststand {mib(result['reader_own_peak'])}), "
              f"Leseprozess-CPU {result['reader_cpu']:.2f} s")
    assert imports[SMALL]["created"] == SMALL and imports[BIG]["created"] == BIG, imports

    big_import = imports[BIG]
    results = [
        (f"Probelauf {big_label} / {small_label}", big[0] / first[0], f"<= {MAX_GROWTH:.0f}", big[0] / first[0] <= MAX_GROWTH),
        (f"Import {big_label} / {small_label}", big_import["seconds"] / imports[SMALL]["seconds"], f"<= {MAX_GROWTH:.0f}",
         big_import["seconds"] / imports[SMALL]["seconds"] <= MAX_GROWTH),
        (f"Formeln ohne Wert: Probelauf {big_label} / {small_label}", hostile_big[0] / hostile_small[0],
         f"<= {MAX_GROWTH:.0f}", hostile_big[0] / hostile_small[0] <= MAX_GROWTH),
        (f"Dieselbe Datei zweimal: 2. / 1. Serie ({small_label})", again[0] / first[0],
         f"{SAME_LOW:.2f} bis {SAME_HIGH:.2f}", SAME_LOW <= again[0] / first[0] <= SAME_HIGH),
    ]
    cpu_ratios = [big[6] / first[6], big_import["cpu"] / imports[SMALL]["cpu"], hostile_big[6] / hostile_small[6],
                  again[6] / first[6]]
    print("Form der Kosten (Wanduhr; in Klammern dasselbe Verhältnis in CPU-Zeit, unempfindlich gegen Last "
          "anderer Prozesse):")
    for (label, ratio, target, ok), cpu_ratio in zip(results, cpu_ratios, strict=True):
        print(f"  {label:60s} Verhältnis {ratio:5.2f} (CPU {cpu_ratio:5.2f}; Ziel {target})  {verdict(ok)}")
    memory = [
        ("Importprozess (VmHWM)", big_import["peak"]),
        ("Leseprozess (laut Table)", big_import["reader_peak"]),
    ]
    print(f"Speicher beim Import von {big_label} (Obergrenze je Prozess 1024 MiB):")
    for label, peak in memory:
        print(f"  {label:56s} {mib(peak)}  {verdict(peak <= MEMORY_CEILING)}")
    print(f"  {'Leseprozess, eigener Höchststand (VmHWM, ohne Erbe)':56s} {mib(big_import['reader_own_peak'])}")
    print(f"  {'zusammen (höchstens)':56s} {mib(sum(peak for _label, peak in memory))}")
    failed = [label for label, _ratio, _target, ok in results if not ok]
    failed += [label for label, peak in memory if peak > MEMORY_CEILING]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
