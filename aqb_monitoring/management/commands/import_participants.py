"""`manage.py import_participants <measure-number> <file.xlsx> [--dry-run] [--json]`: the admin's import.

Exit code 0 when the file could be read (whatever rows were rejected), 2 when the file or
the measure cannot be used (reason on stderr).
"""

import json
import sys

from django.core.management.base import BaseCommand

from aqb_monitoring.excel.importer import ImportFileError, do_import, read_rows, validate_rows
from aqb_monitoring.imports.results import command_summary, row_line
from aqb_monitoring.models import Measure
from aqb_monitoring.services import SHELL


class Command(BaseCommand):
    help = "Importiert Teilnehmende aus einer Excel-Datei (Layout der Vorlage) in eine Maßnahme."

    def add_arguments(self, parser):
        parser.add_argument("measure_number", help="Maßnahmennummer, z. B. AQB26-KS-M1-01")
        parser.add_argument("file", help="Excel-Datei (.xlsx)")
        parser.add_argument("--dry-run", action="store_true", help="Nur prüfen, nichts speichern.")
        parser.add_argument("--json", action="store_true", help="Ergebnis als JSON-Objekt ausgeben.")

    def handle(self, *args, measure_number, file, dry_run, **options):
        as_json = options["json"]
        measure = Measure.objects.select_related("measure_type").filter(number=measure_number.strip()).first()
        try:
            if measure is None:
                raise ImportFileError(f"Maßnahme {measure_number} nicht gefunden.")
            if dry_run:
                preview = validate_rows(read_rows(file), measure)
            else:
                preview = do_import(file, measure, SHELL).preview
        except (ImportFileError, OSError) as error:
            self.stderr.write(getattr(error, "message", None) or str(error))
            sys.exit(2)
        result = preview.as_json()
        if as_json:
            self.stdout.write(json.dumps(result, ensure_ascii=False))
            return
        self.stdout.write(command_summary(preview.counts, dry_run=dry_run, prefix=measure.number))
        for row in result["rows"]:
            for header, messages in row["errors"].items():
                for message in messages:
                    self.stdout.write(row_line(row["row"], row["participant_id"], f"{header}: {message}"))
            for header, messages in row.get("warnings", {}).items():
                for message in messages:
                    self.stdout.write(row_line(row["row"], row["participant_id"], f"Hinweis: {header}: {message}"))
