"""`manage.py purge_expired_data [--dry-run]`: delete participant data whose retention period has passed.

Run once a day by cron or a systemd timer (README, "Datenschutz"); the task
`aqb_monitoring.tasks.purge_expired_data` does the same for a task scheduler. What is deleted and
what is kept: services/retention.py.
"""

from django.core.management.base import BaseCommand

from aqb_monitoring.services.retention import purge_expired_data


class Command(BaseCommand):
    help = (
        "Löscht die Teilnehmenden (mit Antworten, Protokolleinträgen und Excel-Importen) der Maßnahmen, deren "
        "Ende länger als AQB_RETENTION_YEARS Jahre (Standard 10) zurückliegt. Meldungen behalten ihre Anzahlen; "
        "jede Löschung steht im Protokoll der Maßnahme."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Nur anzeigen, was gelöscht würde.")

    def handle(self, *args, dry_run, **options):
        for line in purge_expired_data(dry_run=dry_run).lines():
            self.stdout.write(line)
