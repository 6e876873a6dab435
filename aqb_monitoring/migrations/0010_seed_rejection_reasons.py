"""Rejection reasons for change requests of a measure's master data, editable under "Kataloge" afterwards."""

from django.db import migrations

REASONS = [
    ("bescheid-massgeblich", "Der Zuwendungsbescheid sieht den bisherigen Wert vor"),
    ("aenderungsantrag-noetig", "Änderung nur über einen förmlichen Änderungsantrag möglich"),
    ("nachweis-fehlt", "Nachweis oder Begründung fehlt"),
    ("wert-korrekt", "Der bisherige Wert ist korrekt"),
    ("sonstiges", "Sonstiges (siehe Begründung)"),
]


def seed(apps, schema_editor):
    RejectionReason = apps.get_model("aqb_monitoring", "RejectionReason")
    for order, (code, label) in enumerate(REASONS, start=1):
        RejectionReason.objects.update_or_create(code=code, defaults={"label": label, "sort_order": order * 10})


class Migration(migrations.Migration):
    dependencies = [("aqb_monitoring", "0009_change_requests")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
