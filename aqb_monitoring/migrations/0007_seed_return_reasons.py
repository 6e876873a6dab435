"""Return reasons of the RP's review (issue 12), editable under "Kataloge" afterwards."""

from django.db import migrations

REASONS = [
    ("daten-unvollstaendig", "Teilnehmendendaten unvollständig"),
    ("daten-unplausibel", "Angaben nicht plausibel (z. B. Daten außerhalb der Laufzeit)"),
    ("verbleib-fehlt", "Verbleib oder Austrittsgrund fehlt oder widerspricht den Austrittsdaten"),
    ("teilnehmende-fehlen", "Teilnehmende fehlen in der Meldung"),
    ("falsche-massnahme", "Teilnehmende einer anderen Maßnahme gemeldet"),
    ("sonstiges", "Sonstiges (siehe Begründung)"),
]


def seed(apps, schema_editor):
    ReturnReason = apps.get_model("aqb_monitoring", "ReturnReason")
    for order, (code, label) in enumerate(REASONS, start=1):
        ReturnReason.objects.update_or_create(code=code, defaults={"label": label, "sort_order": order * 10})


class Migration(migrations.Migration):
    dependencies = [("aqb_monitoring", "0006_reports")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
