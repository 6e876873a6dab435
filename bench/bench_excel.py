"""Benchmark of the Excel import and export (issue 5), run by `make bench`.

Every ratio is measured in this one run against a baseline on the same file, on a
throw-away SQLite database (never the development database):

- dry run of 10,000 rows (full validation and diff) <= 0.5x openpyxl read_only bare read,
  and >= 10x faster than a django-import-export dry run of the same rows into Participant;
- real import of the same file (10,000 participants with 28 answers each) <= 1.0x openpyxl read;
- export of 10,000 rows <= 1.25x openpyxl write_only writing the same cells (the columns and the status column);
- peak memory of importing a 50 MB file, printed beside its size (ceiling: 1 GiB).
"""

import datetime
import os
import random
import resource
import string
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
# The memory child process inherits the same throw-away folder (and database) through the environment.
WORK = Path(os.environ.get("AQB_BENCH_DIR") or tempfile.mkdtemp(prefix="aqb-bench-"))
os.environ["AQB_BENCH_DIR"] = str(WORK)
os.environ["DATABASE_URL"] = f"sqlite:///{WORK / 'bench.sqlite3'}"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aqb_site.settings")
os.environ["MEDIA_ROOT"] = str(WORK / "media")
os.environ["TASKS_BACKEND"] = "django_tasks.backends.immediate.ImmediateBackend"

ROWS = 10_000
BIG_FILE_BYTES = 50 * 1024 * 1024
MEMORY_CEILING = 1024 * 1024 * 1024


def setup_django():
    """Without DEBUG, as in production: with it, Django keeps every SQL statement and, on SQLite,
    quotes each bulk parameter for that log (a second query per INSERT batch)."""
    import django
    from django.conf import settings
    from django.core.management import call_command

    django.setup()
    settings.DEBUG = False
    call_command("migrate", verbosity=0, interactive=False)


def make_measure(number="AQB26-KS-M3-01"):
    from aqb_monitoring.models import GrantRecipient, MainGoal, Measure, MeasureType, ProgrammeLine

    recipient, _ = GrantRecipient.objects.get_or_create(name="Landkreis Kassel", abbreviation="KS")
    measure_type = MeasureType.objects.get(code="M3")
    return Measure.objects.create(
        number=number, title="Benchmark", measure_type=measure_type, programme_line=ProgrammeLine.objects.get(code="standard"),
        start_date=datetime.date(2026, 1, 1), end_date=datetime.date(2026, 12, 31),
        main_goal=MainGoal.objects.filter(measure_types=measure_type).first(), grant_recipient=recipient, budget_year=2026,
    )


def green_rows(layout, count, measure, prefix="TN"):
    """Rows of complete (green) M3 participants with every entry and exit answer, in layout order."""
    rng = random.Random(5)
    labels = {column.key: column.allowed_labels for column in layout.columns}
    rows = []
    for number in range(count):
        values = []
        for column in layout.columns:
            key = column.key
            if key == "measure_number":
                values.append(measure.number)
            elif key == "pseudonym":
                values.append(f"{prefix}-{number:06d}")
            elif key == "entry_date":
                values.append(datetime.date(2026, 1, 1) + datetime.timedelta(days=rng.randrange(150)))
            elif key == "exit_date":
                values.append(datetime.date(2026, 7, 1) + datetime.timedelta(days=rng.randrange(150)))
            elif key == "birth_year":
                values.append(rng.randrange(1970, 2008))
            elif key == "destination":
                values.append("in einer betrieblichen Berufsausbildung")
            elif key in ("goal", "exit_reason", "exit_reason_other", "exam_passed"):
                values.append(None)
            elif labels[key]:
                values.append(rng.choice(labels[key]))
            else:
                values.append(None)
        rows.append(values)
    return rows


def write_plain(path, headers, rows, extra=None):
    """The baseline: openpyxl write_only writing the same cells, nothing else."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Teilnehmende")
    sheet.append(headers + ([extra[0]] if extra else []))
    for index, row in enumerate(rows):
        sheet.append(row + ([extra[1](index)] if extra else []))
    workbook.save(path)


def read_openpyxl(path):
    from openpyxl import load_workbook

    workbook = load_workbook(path, read_only=True)
    count = sum(1 for _row in workbook["Teilnehmende"].iter_rows(values_only=True))
    workbook.close()
    return count


def import_export_dry_run(path, measure):
    """django-import-export's dry run of the same rows into Participant (fields by German header)."""
    import tablib
    from import_export import fields, resources, widgets

    from aqb_monitoring import models

    def choice(attribute, header, model):
        return fields.Field(attribute=attribute, column_name=header, widget=widgets.ForeignKeyWidget(model, "label"))

    def boolean(attribute, header):
        return fields.Field(attribute=attribute, column_name=header, widget=widgets.BooleanWidget())

    class ParticipantResource(resources.ModelResource):
        pseudonym = fields.Field(attribute="pseudonym", column_name="Teilnehmenden-ID")
        entry_date = fields.Field(attribute="entry_date", column_name="Eintrittsdatum", widget=widgets.DateWidget())
        gender = choice("gender", "Geschlecht", models.Gender)
        birth_year = fields.Field(attribute="birth_year", column_name="Geburtsjahr", widget=widgets.IntegerWidget())
        migration_background = boolean("migration_background", "Migrationshintergrund")
        severely_disabled = boolean("severely_disabled", "Schwerbehindert")
        children_in_household = boolean("children_in_household", "Kinder im Haushalt")
        single_parent = boolean("single_parent", "Alleinerziehend")
        school_attendance = choice("school_attendance", "Schulbesuch bei Eintritt", models.SchoolAttendance)
        education_level = choice("education_level", "Bildungsstand bei Eintritt", models.EducationLevel)
        employment_status = choice("employment_status", "Erwerbstätigkeit bei Eintritt", models.EmploymentStatus)
        unemployment_registration = choice("unemployment_registration", "Arbeitslosmeldung", models.UnemploymentRegistration)
        benefit = choice("benefit", "Leistungsbezug bei Eintritt", models.Benefit)
        exit_date = fields.Field(attribute="exit_date", column_name="Austrittsdatum", widget=widgets.DateWidget())
        destination = choice("destination", "Verbleib nach Austritt", models.Destination)
        completed_measure = boolean("completed_measure", "Maßnahme vollständig durchlaufen?")
        main_goal_reached = boolean("main_goal_reached", "Hauptziel der Maßnahme erreicht?")

        class Meta:
            model = models.Participant
            import_id_fields = ("pseudonym",)
            fields = ("pseudonym", "entry_date", "gender", "birth_year", "migration_background", "severely_disabled",
                      "children_in_household", "single_parent", "school_attendance", "education_level",
                      "employment_status", "unemployment_registration", "benefit", "exit_date", "destination",
                      "completed_measure", "main_goal_reached")

        def before_save_instance(self, instance, row, **kwargs):
            instance.measure = measure

        def before_import_row(self, row, **kwargs):
            for key in ("Migrationshintergrund", "Schwerbehindert", "Kinder im Haushalt", "Alleinerziehend",
                        "Maßnahme vollständig durchlaufen?", "Hauptziel der Maßnahme erreicht?"):
                row[key] = {"ja": "1", "nein": "0"}.get(row.get(key), row.get(key))

    with open(path, "rb") as stream:
        dataset = tablib.Dataset().load(stream, format="xlsx")
    result = ParticipantResource().import_data(dataset, dry_run=True)
    return result


def timed(function, *args, repeat=1, **kwargs):
    """Best of `repeat` runs: on a shared machine the minimum is the least disturbed measurement."""
    best, value = None, None
    for _ in range(repeat):
        start = time.perf_counter()
        value = function(*args, **kwargs)
        seconds = time.perf_counter() - start
        best = seconds if best is None else min(best, seconds)
    return best, value


def import_rolled_back(source, measure):
    from django.db import transaction

    from aqb_monitoring.excel.importer import do_import
    from aqb_monitoring.models import Participant
    from aqb_monitoring.services import SHELL

    with transaction.atomic():
        outcome = do_import(source, measure, SHELL)
        assert len(outcome.created) == ROWS and Participant.objects.count() == ROWS
        transaction.set_rollback(True)
    return outcome


def verdict(ok):
    return "PASS" if ok else "FAIL"


def memory_child(path, number):
    """Runs in a fresh process: import the big file and report this process's own peak memory.

    VmHWM, not ru_maxrss: Linux carries the high-water mark of the starting process over
    fork/exec into ru_maxrss. Without DEBUG, as in production: with it, Django keeps the text of
    every SQL statement (connection.queries), about 400 MB for 100,000 rows with their audit entries.
    """
    import re

    import django

    django.setup()
    from django.conf import settings

    from aqb_monitoring.excel.importer import do_import
    from aqb_monitoring.models import Measure
    from aqb_monitoring.services import SHELL

    settings.DEBUG = False
    measure = Measure.objects.get(number=number)
    outcome = do_import(path, measure, SHELL)
    match = re.search(r"VmHWM:\s+(\d+) kB", Path("/proc/self/status").read_text())
    peak = int(match.group(1)) * 1024 if match else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(f"{peak} {len(outcome.created)} {len(outcome.left_out)}")


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "--memory-child":
        return memory_child(sys.argv[2], sys.argv[3])
    setup_django()
    from aqb_monitoring.excel.export import export_measure
    from aqb_monitoring.excel.importer import do_import, read_rows, validate_rows
    from aqb_monitoring.excel.layout import Layout
    from aqb_monitoring.models import Participant
    from aqb_monitoring.services import SHELL

    layout = Layout()
    measure = make_measure()
    rows = green_rows(layout, ROWS, measure)
    source = WORK / "bench-10000.xlsx"
    write_seconds, _ = timed(write_plain, source, layout.headers, rows, repeat=3)
    # The export's baseline writes the same cells as the export: the columns plus its status column.
    status_column = ("Status", lambda index: "grün – vollständig")
    export_baseline = WORK / "bench-10000-status.xlsx"
    write_status_seconds, _ = timed(write_plain, export_baseline, layout.headers, rows, status_column, repeat=3)
    read_seconds, count = timed(read_openpyxl, source, repeat=3)
    assert count == ROWS + 1
    print(f"{ROWS} Zeilen x {len(layout.headers)} Spalten, Datei {source.stat().st_size / 1e6:.1f} MB")
    print(f"  Referenz openpyxl read_only (nur lesen):   {read_seconds:6.2f} s")
    print(f"  Referenz openpyxl write_only (nur schreiben): {write_seconds:6.2f} s")

    dry_seconds, preview = timed(lambda: validate_rows(read_rows(source, layout), measure), repeat=3)
    assert preview.counts["create"] == ROWS, preview.counts
    iex_seconds, iex_result = timed(import_export_dry_run, source, measure)
    assert not iex_result.has_errors()
    assert Participant.objects.count() == 0
    # Best of three like the baselines: two imports rolled back, the third kept for the export.
    rolled_back_seconds, _ = timed(import_rolled_back, source, measure, repeat=2)
    assert Participant.objects.count() == 0
    real_seconds, outcome = timed(do_import, source, measure, SHELL)
    assert len(outcome.created) == ROWS and Participant.objects.count() == ROWS
    real_seconds = min(real_seconds, rolled_back_seconds)
    export_seconds, content = timed(export_measure, measure, repeat=3)

    results = [
        ("Probelauf (Prüfung + Diff) / openpyxl-Lesen", dry_seconds, dry_seconds / read_seconds, "<= 0.50", dry_seconds / read_seconds <= 0.5),
        ("django-import-export-Probelauf / Probelauf", iex_seconds, iex_seconds / dry_seconds, ">= 10", iex_seconds / dry_seconds >= 10),
        ("Import (10.000 TN, 280.000 Antworten) / openpyxl-Lesen", real_seconds, real_seconds / read_seconds, "<= 1.00",
         real_seconds / read_seconds <= 1.0),
        ("Export / openpyxl write_only (gleiche Zellen)", export_seconds, export_seconds / write_status_seconds, "<= 1.25",
         export_seconds / write_status_seconds <= 1.25),
    ]
    for label, seconds, ratio, target, ok in results:
        print(f"  {label:58s} {seconds:6.2f} s  Verhältnis {ratio:5.2f} (Ziel {target})  {verdict(ok)}")

    # Peak memory: a 50 MB file (100,000 rows plus a free-text column the import ignores).
    big_measure = make_measure("AQB26-KS-M3-02")
    big_rows = green_rows(layout, 100_000, big_measure, prefix="GR")
    rng = random.Random(7)
    alphabet = string.ascii_letters + string.digits + " "
    note_length = 400
    big = WORK / "bench-50mb.xlsx"
    write_plain(big, layout.headers, big_rows, extra=("Bemerkung", lambda i: "".join(rng.choices(alphabet, k=note_length))))
    del big_rows
    child = subprocess.run([sys.executable, __file__, "--memory-child", str(big), big_measure.number],
                           capture_output=True, text=True, env=os.environ.copy())
    if child.returncode != 0:
        print(child.stderr[-2000:])
        print(f"  Speicher beim Import einer {big.stat().st_size / 1e6:.0f}-MB-Datei: Lauf fehlgeschlagen  FAIL")
        return 1
    peak, created, left_out = (int(value) for value in child.stdout.split()[-3:])
    ok_memory = peak <= MEMORY_CEILING
    print(f"  Speicher-Spitze beim Import einer {big.stat().st_size / 1e6:.0f}-MB-Datei ({created} TN angelegt, "
          f"{left_out} abgelehnt): {peak / 2**20:.0f} MiB (Obergrenze 1024 MiB)  {verdict(ok_memory)}")
    failed = [label for label, *_rest, ok in results if not ok] + ([] if ok_memory else ["memory"])
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
