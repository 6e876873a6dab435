"""Retention of participant data (issue 13, README "Datenschutz"): `manage.py purge_expired_data`.

A measure's participant data are kept AQB_RETENTION_YEARS (default 10) years after the measure's
end date; once that has passed (end date + N years < today), the purge deletes, per measure in one
transaction under the measure's lock:

- the participants and their answers (CASCADE); a record carried over into the following budget
  loses only its link to the deleted predecessor (SET_NULL);
- the participants' audit entries (they repeat the participant's values, field by field); the
  measure's own entries (reports, closing, reopening, change requests) stay;
- what is left of the measure's Excel imports (file, preview, outcome);
- the rows of its reports: each report keeps kind, period, reference, sender and participant count,
  and in place of the rows the counts per column (Report.replace_rows_by_counts), no ID, no date,
  no free text.

and writes one AuditEntry (action "retention_purge") with what it deleted. Idempotent: a measure
with nothing left to delete is skipped, so a second run deletes nothing and says so.
"""

import datetime
from collections import Counter
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ..formatting import format_date
from ..models import Answer, AuditAction, AuditEntry, ImportJob, Measure, Participant, Report
from .common import audit, locked_measure

# Columns of a report's snapshot that are never counted: they identify a record or are free text.
NOT_COUNTED = {"measure_number", "pseudonym", "entry_date", "exit_date", "exit_reason_other"}


def add_years(day, years):
    """The same calendar day `years` later; 29 February becomes 28 February in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def retention_ends(measure_end, years=None):
    """The last day a measure's participant data are kept: its end date plus the retention period."""
    return add_years(measure_end, settings.AQB_RETENTION_YEARS if years is None else years)


def expired_measures(today=None, years=None):
    """Measures whose retention period has passed (end date + N years < today), oldest first."""
    today = today or timezone.localdate()
    years = settings.AQB_RETENTION_YEARS if years is None else years
    candidates = Measure.objects.filter(end_date__year__lte=today.year - years).order_by("end_date", "number")
    return [measure for measure in candidates if retention_ends(measure.end_date, years) < today]


def participant_audit_entries(measure):
    """The audit entries about single participants (they carry a participant or its ID)."""
    return AuditEntry.objects.filter(measure=measure).filter(Q(participant__isnull=False) | ~Q(pseudonym=""))


def snapshot_counts(snapshot):
    """A report's rows as counts: per counted column, each shown value -> number of participants."""
    headers, keys, rows = snapshot.get("headers", []), snapshot.get("keys", []), snapshot.get("rows", [])
    counts = []
    for position, (header, key) in enumerate(zip(headers, keys, strict=False)):
        if key in NOT_COUNTED:
            continue
        values = Counter(row[position] if position < len(row) else "" for row in rows)
        counts.append({"header": header, "key": key, "values": sorted(values.items())})
    return {"participants": len(rows), "columns": counts}


@dataclass
class MeasurePurge:
    """What the purge deleted (or, in a dry run, would delete) in one measure."""

    number: str
    end_date: datetime.date
    participants: int = 0
    answers: int = 0
    audit_entries: int = 0
    import_jobs: int = 0
    reports: int = 0  # reports whose rows were replaced by counts

    def __bool__(self):
        return bool(self.participants or self.answers or self.audit_entries or self.import_jobs or self.reports)

    def changes(self):
        """For the audit entry: what was deleted, as label -> [before, after]."""
        return {
            _("Teilnehmende"): [str(self.participants), "0"],
            _("Antworten"): [str(self.answers), "0"],
            _("Protokolleinträge zu Teilnehmenden"): [str(self.audit_entries), "0"],
            _("Excel-Importe"): [str(self.import_jobs), "0"],
            _("Meldungen (Zeilen durch Anzahlen ersetzt)"): ["", str(self.reports)],
        }

    def line(self, dry_run):
        verb = _("würden gelöscht") if dry_run else _("gelöscht")
        text = _("%(number)s (Ende %(end)s): %(participants)s, %(answers)s, %(audit)s, %(jobs)s %(verb)s") % {
            "number": self.number,
            "end": format_date(self.end_date),
            "participants": ngettext("%(n)d Teilnehmende(r)", "%(n)d Teilnehmende", self.participants) % {"n": self.participants},
            "answers": ngettext("%(n)d Antwort", "%(n)d Antworten", self.answers) % {"n": self.answers},
            "audit": ngettext("%(n)d Protokolleintrag", "%(n)d Protokolleinträge", self.audit_entries) % {"n": self.audit_entries},
            "jobs": ngettext("%(n)d Excel-Import", "%(n)d Excel-Importe", self.import_jobs) % {"n": self.import_jobs},
            "verb": verb,
        }
        if self.reports:
            if dry_run:
                reduced = ngettext("%(n)d Meldung würde auf Anzahlen reduziert",
                                   "%(n)d Meldungen würden auf Anzahlen reduziert", self.reports)
            else:
                reduced = ngettext("%(n)d Meldung auf Anzahlen reduziert", "%(n)d Meldungen auf Anzahlen reduziert",
                                   self.reports)
            text += "; " + reduced % {"n": self.reports}
        return text + "."


@dataclass
class PurgeResult:
    today: datetime.date
    years: int
    dry_run: bool
    measures: list  # of MeasurePurge, only those with something to delete

    def lines(self):
        """What the command prints, in German."""
        head = _("Aufbewahrungsfrist: %(years)d Jahre nach Ende der Maßnahme (Stand %(today)s).") % {
            "years": self.years, "today": format_date(self.today)}
        if not self.measures:
            return [head, _("Keine Teilnehmendendaten mit abgelaufener Aufbewahrungsfrist: nichts gelöscht.")]
        lines = [head, *(purge.line(self.dry_run) for purge in self.measures)]
        if self.dry_run:
            lines.append(_("Probelauf: nichts wurde gelöscht."))
        return lines


def _count(measure):
    participants = Participant.objects.filter(measure=measure)
    reports = [report for report in Report.objects.filter(measure=measure) if report.rows_purged_on is None]
    return MeasurePurge(
        number=measure.number,
        end_date=measure.end_date,
        participants=participants.count(),
        answers=Answer.objects.filter(participant__measure=measure).count(),
        audit_entries=participant_audit_entries(measure).count(),
        import_jobs=ImportJob.objects.filter(measure=measure).count(),
        reports=len(reports),
    ), reports


def _purge_measure(measure, today):
    """Delete one measure's participant data (see the module docstring); one transaction."""
    with transaction.atomic():
        measure = locked_measure(measure)
        purge, reports = _count(measure)
        if not purge:
            return purge
        for job in ImportJob.objects.filter(measure=measure):
            if job.file:
                job.file.delete(save=False)
        ImportJob.objects.filter(measure=measure).delete()
        participant_audit_entries(measure).delete()
        Participant.objects.filter(measure=measure).delete()  # answers by CASCADE
        for report in reports:
            report.replace_rows_by_counts(snapshot_counts(report.snapshot or {}), today)
        audit(
            None, measure, None, AuditAction.RETENTION_PURGE, purge.changes(),
            note=_("Aufbewahrungsfrist von %(years)d Jahren nach Ende der Maßnahme (%(end)s) abgelaufen.") % {
                "years": settings.AQB_RETENTION_YEARS, "end": format_date(measure.end_date)},
        )
    return purge


def purge_expired_data(*, dry_run=False, today=None):
    """Delete the participant data of every measure whose retention period has passed."""
    today = today or timezone.localdate()
    done = []
    for measure in expired_measures(today):
        purge = _count(measure)[0] if dry_run else _purge_measure(measure, today)
        if purge:
            done.append(purge)
    return PurgeResult(today=today, years=settings.AQB_RETENTION_YEARS, dry_run=dry_run, measures=done)
