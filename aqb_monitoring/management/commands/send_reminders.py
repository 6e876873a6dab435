"""`manage.py send_reminders [--dry-run] [--date TT.MM.JJJJ]`: today's deadline reminders, each step once.

Run once a day by cron or a systemd timer (README, "Erinnerungen an Fristen"); the task
`aqb_monitoring.tasks.send_reminders` does the same for a task scheduler. Rules: oversight/reminders.py.
"""

from django.core.management.base import BaseCommand, CommandError

from aqb_monitoring.oversight.reminders import parse_date, send_reminders


class Command(BaseCommand):
    help = (
        "Erinnert Zuwendungsempfänger an fällige Jahres-, Zwischen- und Abschlussmeldungen (14 und 3 Tage vorher "
        "und am ersten Tag der Überfälligkeit) und Träger an Maßnahmen, die in 14 Tagen enden und noch rote oder "
        "gelbe Datensätze haben. Jede Erinnerung geht nur einmal hinaus."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Nur anzeigen, was versendet würde.")
        parser.add_argument("--date", metavar="TT.MM.JJJJ",
                            help="Stichtag statt heute, z. B. 31.01.2027 (zum Nachholen oder Prüfen).")

    def handle(self, *args, dry_run, date, **options):
        today = None
        if date:
            try:
                today = parse_date(date)
            except ValueError as error:
                raise CommandError(str(error)) from None
        for line in send_reminders(today=today, dry_run=dry_run).lines():
            self.stdout.write(line)
