"""The rules of a measure's master data (docs/domain-rules.md §2), in one place for every write path.

Pure: these functions read (the recorded participants' dates) but never write. The RP's
form and the measure import both reach them through `services.measures.do_save_measure`;
the import also uses them for its preview. Each rule returns German messages per field
(`{"start_date": [...], "__all__": [...]}`); an empty dict means the rule is satisfied.
"""

import datetime
import re

from django.db.models import Max, Min, Q
from django.utils.translation import gettext as _

from .formatting import format_date
from .models import Measure, Participant, Report
from .validation import NON_FIELD

# AQB<yy>-<GK>-<M1..M4>-<nn>, e.g. AQB26-KS-M1-01 (docs/domain-rules.md §2.1).
NUMBER_PARTS = re.compile(r"^AQB(?P<year>\d{2})-(?P<gk>[A-Z]{1,6})-(?P<type>M[1-4])-(?P<seq>\d{2,3})$")

# The master-data fields a save may set, in the order forms, previews and the audit trail show them.
FIELDS = ("number", "title", "measure_type", "programme_line", "main_goal", "grant_recipient", "provider",
          "planned_participants", "budget_year", "start_date", "end_date", "interim_due_dates", "successor")
# The dates that tie recorded participants to the measure (V4, V6, V7, V8).
DATE_FIELDS = ("start_date", "end_date")


def field_label(name):
    """The German label of a master-data field, as the form and the audit trail show it."""
    if name == "interim_due_dates":
        return _("Termine der Zwischenmeldung")
    return str(Measure._meta.get_field(name).verbose_name)


def shown(name, value):
    """A value as users read it: TT.MM.JJJJ, a catalogue's label, an organisation's name, a measure's number."""
    if value is None or value == "":
        return ""
    if name == "interim_due_dates":
        return ", ".join(format_date(day) for day in sorted(value))
    if isinstance(value, Measure):
        return value.number
    if isinstance(value, datetime.date):
        return format_date(value)
    if hasattr(value, "label"):
        return value.label
    if hasattr(value, "name"):
        return value.name
    return str(value)


def stored_value(measure, name):
    if name == "interim_due_dates":
        return [due.due_date for due in measure.interim_due_dates.all()]
    return getattr(measure, name)


def changes(measure, values, label=field_label):
    """{label: [old, new]} of the given values that differ from the stored measure (all of them for a new one)."""
    found = {}
    for name in FIELDS:
        if name not in values:
            continue
        old = shown(name, stored_value(measure, name)) if measure is not None else ""
        new = shown(name, values[name])
        if old != new:
            found[label(name)] = [old, new]
    return found


def merge(*results):
    """Several rules' {field: [messages]} as one dict."""
    merged = {}
    for result in results:
        for name, messages in result.items():
            merged.setdefault(name, []).extend(messages)
    return merged


# ---------------------------------------------------------------------------
# Number ↔ grant recipient, measure type, budget year
# ---------------------------------------------------------------------------


def number_parts(number):
    return NUMBER_PARTS.match(number or "")


def budget_year_of(number):
    """The budget year the number names (AQB26 → 2026), or None for a malformed number."""
    parts = number_parts(number)
    return 2000 + int(parts["year"]) if parts else None


def check_number(number, grant_recipient, measure_type, budget_year):
    """The number names the ZE's abbreviation, the measure type and the budget year (docs/domain-rules.md §2.1)."""
    parts = number_parts(number)
    if parts is None:
        return {"number": [_("Die Maßnahmennummer „%(number)s“ hat nicht das Format AQB<Jahr>-<GK>-<Art>-<Nr.>, "
                             "z. B. AQB26-KS-M1-01.") % {"number": number}]}
    errors = {}
    if grant_recipient is not None and parts["gk"] != (grant_recipient.abbreviation or "").upper():
        errors.setdefault("grant_recipient", []).append(
            _("Die Maßnahmennummer nennt die Gebietskörperschaft %(gk)s, der Zuwendungsempfänger ist "
              "%(recipient)s (%(abbreviation)s).") % {
                "gk": parts["gk"], "recipient": grant_recipient.name, "abbreviation": grant_recipient.abbreviation})
    if measure_type is not None and parts["type"] != measure_type.code.upper():
        errors.setdefault("measure_type", []).append(
            _("Die Maßnahmennummer nennt die Maßnahmeart %(part)s, angegeben ist %(type)s.") % {
                "part": parts["type"], "type": measure_type.code})
    derived = budget_year_of(number)
    if budget_year is not None and budget_year != derived:
        errors.setdefault("budget_year", []).append(
            _("Das Budgetjahr %(year)d passt nicht zur Maßnahmennummer (AQB%(short)s → %(derived)d).") % {
                "year": budget_year, "short": parts["year"], "derived": derived})
    return errors


# ---------------------------------------------------------------------------
# Closed measures (V10)
# ---------------------------------------------------------------------------


def check_not_closed(measure, changed):
    """A closed measure is read-only on every path until the RP reopens it (docs/domain-rules.md §8.4)."""
    if measure is None or not measure.is_closed or not changed:
        return {}
    return {NON_FIELD: [
        _("Die Maßnahme ist abgeschlossen (Maßnahmenabschluss am %(date)s) und wird nicht mehr geändert. "
          "Zum Ändern muss sie zuerst wieder geöffnet werden.") % {"date": format_date(measure.closed_at.date())}]}


# ---------------------------------------------------------------------------
# New dates vs recorded participants (V4, V6, V7, V8)
# ---------------------------------------------------------------------------


def participant_dates(measure_ids):
    """Per measure id: earliest/latest entry, latest exit, and the dates V7/V8 tie to the measure's start/end.

    One aggregate query for any number of measures; measures without participants are absent.
    """
    if not measure_ids:
        return {}
    carried = Q(carried_over_from__isnull=False)
    carrying = Q(destination__is_carry_over=True, exit_date__isnull=False)
    rows = (
        Participant.objects.filter(measure_id__in=measure_ids)
        .values("measure_id")
        .annotate(
            min_entry=Min("entry_date"), max_entry=Max("entry_date"), max_exit=Max("exit_date"),
            carried_min=Min("entry_date", filter=carried), carried_max=Max("entry_date", filter=carried),
            carrying_min=Min("exit_date", filter=carrying), carrying_max=Max("exit_date", filter=carrying),
        )
    )
    return {row.pop("measure_id"): row for row in rows}


def check_dates(measure, start, end, dates):
    """New start/end must keep the recorded participants valid: entries not before the start (V4), entries and
    exits not after the end (V6), carried-over entries on the start (V7), carry-over exits on the end (V8).

    `dates` is the measure's entry of `participant_dates` (None when it has no participants).
    """
    if measure is None or not dates or start is None or end is None:
        return {}
    errors = {}
    if dates["min_entry"] and dates["min_entry"] < start:
        errors.setdefault("start_date", []).append(
            _("Der neue Beginn %(start)s liegt nach dem Eintritt von Teilnehmenden (frühester Eintritt %(date)s).")
            % {"start": format_date(start), "date": format_date(dates["min_entry"])})
    if start != measure.start_date and dates["carried_min"] is not None:
        errors.setdefault("start_date", []).append(
            _("Aus dem Vorbudget übernommene Teilnehmende sind am bisherigen Beginn %(date)s eingetreten; "
              "der Beginn kann nicht mehr geändert werden.") % {"date": format_date(measure.start_date)})
    if dates["max_entry"] and dates["max_entry"] > end:
        errors.setdefault("end_date", []).append(
            _("Das neue Ende %(end)s liegt vor dem Eintritt von Teilnehmenden (spätester Eintritt %(date)s).")
            % {"end": format_date(end), "date": format_date(dates["max_entry"])})
    if dates["max_exit"] and dates["max_exit"] > end:
        errors.setdefault("end_date", []).append(
            _("Das neue Ende %(end)s liegt vor dem Austritt von Teilnehmenden (spätester Austritt %(date)s).")
            % {"end": format_date(end), "date": format_date(dates["max_exit"])})
    if end != measure.end_date and dates["carrying_min"] is not None:
        errors.setdefault("end_date", []).append(
            _("Teilnehmende, die im Folgebudget weitermachen, sind am bisherigen Ende %(date)s ausgetreten; "
              "das Ende kann nicht mehr geändert werden.") % {"date": format_date(measure.end_date)})
    if errors:
        errors[NON_FIELD] = [_("Bitte zuerst die Daten der Teilnehmenden anpassen oder die Termine im "
                               "RP-Datenbestand prüfen.")]
    return errors


# ---------------------------------------------------------------------------
# Successor (docs/domain-rules.md §2.3)
# ---------------------------------------------------------------------------


def successor_problem(number, grant_recipient, budget_year, successor_number, successor_recipient, successor_year):
    """Why the successor link is not allowed (not itself, same ZE, later budget year), or ""."""
    if successor_number == number:
        return _("Eine Maßnahme kann nicht ihre eigene Folgemaßnahme sein.")
    if (successor_recipient is not None and grant_recipient is not None
            and successor_recipient.pk != grant_recipient.pk):
        return _("Die Folgemaßnahme %(number)s gehört zu einem anderen Zuwendungsempfänger (%(other)s).") % {
            "number": successor_number, "other": successor_recipient.abbreviation or successor_recipient.name}
    if successor_year is not None and budget_year is not None and successor_year <= budget_year:
        return _("Die Folgemaßnahme %(number)s muss in einem späteren Budgetjahr liegen (%(year)d ist nicht nach "
                 "%(own)d).") % {"number": successor_number, "year": successor_year, "own": budget_year}
    return ""


def check_successor(number, grant_recipient, budget_year, successor):
    if successor is None:
        return {}
    problem = successor_problem(number, grant_recipient, budget_year, successor.number,
                                successor.grant_recipient, successor.budget_year)
    return {"successor": [problem]} if problem else {}


# ---------------------------------------------------------------------------
# All rules of a save, and the delete rule
# ---------------------------------------------------------------------------


def check_measure(measure, values, dates=None, changed=None):
    """Every master-data rule for saving `values` over `measure` (None: a new measure), per field.

    `values` holds the complete new state of the fields it names; a field it omits keeps its stored
    value. `dates` is `participant_dates([measure.pk]).get(measure.pk)`, read by the caller
    (the import reads all measures' dates in one query); `changed` is `changes(measure, values)` if known.
    """
    def value(name):
        if name in values:
            return values[name]
        return getattr(measure, name) if measure is not None else None

    if measure is not None:
        closed = check_not_closed(measure, changes(measure, values) if changed is None else changed)
        if closed:
            return closed  # nothing else matters on a closed measure
    number = value("number") or ""
    errors = check_number(number, value("grant_recipient"), value("measure_type"), value("budget_year"))
    start, end = value("start_date"), value("end_date")
    if start is not None and end is not None and end < start:
        errors = merge(errors, {"end_date": [_("Das Ende (%(end)s) liegt vor dem Beginn (%(start)s).") % {
            "end": format_date(end), "start": format_date(start)}]})
    errors = merge(errors, check_dates(measure, start, end, dates))
    if "successor" in values:
        errors = merge(errors, check_successor(number, value("grant_recipient"), value("budget_year"),
                                               values["successor"]))
    return errors


def recording_participants(queryset):
    """The measures of `queryset` whose type records participants (not M4, docs/domain-rules.md §2.2): only they
    have participants to export, import or report."""
    return queryset.filter(measure_type__has_participant_monitoring=True)


def check_delete_measure(measure):
    """A measure with recorded participants is never deleted (their history would go with it)."""
    count = Participant.objects.filter(measure=measure).count()
    if count:
        return [_("Die Maßnahme %(number)s hat %(count)d erfasste Teilnehmende und kann nicht gelöscht werden.") % {
            "number": measure.number, "count": count}]
    reports = Report.objects.filter(measure=measure).count()
    if reports:
        return [_("Die Maßnahme %(number)s hat %(count)d abgesendete Meldung(en) und kann nicht gelöscht werden; "
                  "Meldungen bleiben unverändert erhalten.") % {"number": measure.number, "count": reports}]
    return []
