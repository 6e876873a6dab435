"""Build the demo site: pages, contacts, organisations, logins, measures and participants.

Idempotent: a second run creates nothing and says so.
"""

from django.core.management.base import BaseCommand
from django.db import transaction

from aqb_content import demo as content_demo
from aqb_monitoring import demo as monitoring_demo


class SeedReport:
    """Collects what a seed run created or changed, for the summary at the end."""

    def __init__(self):
        self.lines = []

    def created(self, kind, name):
        self.lines.append(f"angelegt: {kind} {name}")

    def changed(self, kind, name):
        self.lines.append(f"geändert: {kind} {name}")


class Command(BaseCommand):
    help = "Legt die Demodaten an (Seiten, Kontakte, Organisationen, Logins, Maßnahmen, Teilnehmende)."

    def handle(self, *args, **options):
        report = SeedReport()
        with transaction.atomic():
            monitoring_demo.seed_accounts(report)
            content_demo.seed_content(report)
            monitoring_demo.seed_monitoring(report)
        if report.lines:
            self.stdout.write(f"Demodaten angelegt ({len(report.lines)} Änderungen).")
            if options["verbosity"] > 1:
                for line in report.lines:
                    self.stdout.write(f"  {line}")
        else:
            self.stdout.write("Demodaten sind bereits vollständig vorhanden: nichts geändert.")
        self.stdout.write("")
        self.stdout.write("Demo-Logins (Passwort für alle: %s)" % monitoring_demo.DEMO_PASSWORD)
        for email, role in monitoring_demo.DEMO_LOGINS:
            self.stdout.write(f"  {email:<40} {role}")
