"""`manage.py purge_import_files [--dry-run]`: the daily clean-up of Excel uploads and previews.

Run once a day by cron or a systemd timer (README, "Aufbewahrung der Importdateien"); the
task `aqb_monitoring.excel.tasks.purge_import_files` does the same for a task scheduler.
"""

from django.core.management.base import BaseCommand

from aqb_monitoring.excel.housekeeping import purge


class Command(BaseCommand):
    help = (
        "Löscht hochgeladene Importdateien und Vorschauen, die niemand mehr braucht: übernommene und "
        "verworfene sofort, alle anderen nach AQB_IMPORT_RETENTION_HOURS Stunden, dazu Dateien ohne Import. "
        "Importe ohne Lebenszeichen werden als unterbrochen markiert."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Nur anzeigen, was gelöscht würde.")

    def handle(self, *args, dry_run, **options):
        for line in purge(dry_run=dry_run).lines():
            self.stdout.write(line)
