"""`manage.py export_participants <measure-number> <out.xlsx>`: the admin's export, from the shell."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from aqb_monitoring.excel.export import export_measure
from aqb_monitoring.models import Measure


class Command(BaseCommand):
    help = "Schreibt alle Teilnehmenden einer Maßnahme in eine Excel-Datei im Layout der Vorlage."

    def add_arguments(self, parser):
        parser.add_argument("measure_number", help="Maßnahmennummer, z. B. AQB26-KS-M1-01")
        parser.add_argument("output", help="Zieldatei (.xlsx)")

    def handle(self, *args, measure_number, output, **options):
        measure = Measure.objects.filter(number=measure_number.strip()).first()
        if measure is None:
            raise CommandError(f"Maßnahme {measure_number} nicht gefunden.")
        content = export_measure(measure)
        Path(output).write_bytes(content)
        count = measure.participants.count()
        self.stdout.write(f"{count} Teilnehmende der Maßnahme {measure.number} nach {output} geschrieben.")
