"""`manage.py import_measures <file> [--dry-run]`: the RP's import of measures and providers.

Prints a German summary and the reasons of every refused row. Exit code 0 when the file
could be read (whatever rows were refused), 2 when the file cannot be used (reason on stderr).
"""

import sys

from django.core.management.base import BaseCommand

from aqb_monitoring.imports.results import ACTION_UPDATE, command_summary, row_line
from aqb_monitoring.measure_import import ImportFileError, check_measure_import, do_measure_import
from aqb_monitoring.services.common import SHELL


class Command(BaseCommand):
    help = "Importiert Maßnahmen und Träger aus dem RP-Datenbestand (.xlsx oder CSV); gleiche Nummer = Änderung."

    def add_arguments(self, parser):
        parser.add_argument("file", help="Excel-Datei (.xlsx) oder CSV-Datei (UTF-8, Semikolon oder Komma)")
        parser.add_argument("--dry-run", action="store_true", help="Nur prüfen, nichts speichern.")

    def handle(self, *args, file, dry_run, **options):
        try:
            preview = check_measure_import(file, SHELL) if dry_run else do_measure_import(file, SHELL)
        except (ImportFileError, OSError) as error:
            self.stderr.write(getattr(error, "message", None) or str(error))
            sys.exit(2)
        self.stdout.write(command_summary(preview.counts, dry_run=dry_run))
        created = preview.as_dict()["new_providers"]
        if created:
            self.stdout.write(f"Neue Träger ({'würden angelegt' if dry_run else 'angelegt'}): " + ", ".join(created))
        for row in preview.rows:
            if row.action == ACTION_UPDATE:
                changed = "; ".join(f"{label}: {old or '(leer)'} → {new or '(leer)'}" for label, (old, new) in row.changes.items())
                self.stdout.write(row_line(row.row, row.number, f"geändert: {changed}"))
            for message in row.errors:
                self.stdout.write(row_line(row.row, row.number, message))
