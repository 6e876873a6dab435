"""What a user reads, written one way everywhere: dates TT.MM.JJJJ, times TT.MM.JJJJ HH:MM in local
time, ja/nein (docs/domain-rules.md). Used by validation messages, the audit trail, importers, exports,
admin columns and `__str__`; imports nothing of ours, so every module can use it."""

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _


def _local(value):
    return timezone.localtime(value) if isinstance(value, datetime.datetime) and timezone.is_aware(value) else value


def format_date(value):
    """TT.MM.JJJJ of a date, or of a point in time in local time; "" for none."""
    return _local(value).strftime("%d.%m.%Y") if value else ""


def format_datetime(value):
    """TT.MM.JJJJ HH:MM of a point in time, in local time; "" for none."""
    return _local(value).strftime("%d.%m.%Y %H:%M") if value else ""


def yes_no(value):
    """"ja" or "nein" for a flag (Python would print True/False)."""
    return _("ja") if value else _("nein")


def display_value(value):
    """A value as users read it: TT.MM.JJJJ, ja/nein, a catalogue entry's label (its str), "" when not given."""
    if value is None or value == "":
        return ""
    if value is True or value is False:
        return yes_no(value)
    if isinstance(value, datetime.date):
        return format_date(value)
    return str(value)
