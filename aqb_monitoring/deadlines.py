"""Which report a measure owes when (docs/domain-rules.md §8.1): one place for the dashboard, the
measure page and, later, the RP's board and the reminders.

- Jahresmeldung: by 31 January for each calendar year the measure ran, for that year.
- Zwischenmeldung: on each interim due date the RP set for the measure.
- Maßnahmenabschluss: four weeks after the measure's end; past that date it is overdue.

A report sent and not returned settles its date: the annual report of its year, an interim
report every interim date after the previous one up to its cut-off (reports/ issue 12).

A closed measure owes nothing, nor does one whose type records no participants (M4): every
report is a report of participants.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .models import InterimDueDate, Report

CLOSING_REPORT_WEEKS = 4
ANNUAL_REPORT_DAY = (1, 31)  # month, day of the following year

KIND_ANNUAL = "annual"
KIND_INTERIM = "interim"
KIND_CLOSING = "closing"


@dataclass
class DueDate:
    date: datetime.date
    kind: str
    days: int  # negative when overdue

    @property
    def label(self):
        return {KIND_ANNUAL: _("Jahresmeldung"), KIND_INTERIM: _("Zwischenmeldung"),
                KIND_CLOSING: _("Maßnahmenabschluss")}[self.kind]

    @property
    def text(self):
        if self.days < 0:
            return ngettext("überfällig seit %(n)d Tag", "überfällig seit %(n)d Tagen", -self.days) % {"n": -self.days}
        if self.days == 0:
            return _("heute fällig")
        return ngettext("in %(n)d Tag", "in %(n)d Tagen", self.days) % {"n": self.days}

    @property
    def is_overdue(self):
        return self.days < 0


def owes_reports(measure):
    return not measure.is_closed and measure.measure_type.has_participant_monitoring


def closing_due(measure):
    return _closing_after(measure.end_date)


def _closing_after(end_date):
    return end_date + datetime.timedelta(weeks=CLOSING_REPORT_WEEKS)


def scheduled_reports(measure, today=None):
    """Every report the measure owes by its dates, oldest first (closed and M4 measures: none).

    Uses the measure's ``measure_type`` and ``interim_due_dates`` (prefetch them for lists).
    """
    if not owes_reports(measure):
        return []
    interim_dates = [interim.due_date for interim in measure.interim_due_dates.all()]
    return _schedule(measure.start_date, measure.end_date, interim_dates, sent_reports(measure),
                     today or timezone.localdate())


def _schedule(start_date, end_date, interim_dates, sent, today):
    """The rules of the module docstring on plain values: `sent` holds (kind, reporting year, cut-off date)."""
    reported_years = {year for kind, year, _end in sent if kind == KIND_ANNUAL}
    interim_cutoffs = sorted(end for kind, _year, end in sent if kind == KIND_INTERIM)
    month, day = ANNUAL_REPORT_DAY
    dates = [(_closing_after(end_date), KIND_CLOSING)]
    dates += [(datetime.date(year + 1, month, day), KIND_ANNUAL)
              for year in range(start_date.year, end_date.year + 1) if year not in reported_years]
    previous = start_date - datetime.timedelta(days=1)
    for due in sorted(interim_dates):
        if not any(previous < end for end in interim_cutoffs if end <= due + datetime.timedelta(weeks=CLOSING_REPORT_WEEKS)):
            dates.append((due, KIND_INTERIM))
        previous = due
    return [DueDate(date, kind, (date - today).days) for date, kind in sorted(dates)]


def sent_reports(measure):
    """(kind, reporting year, cut-off date) of the measure's reports that were not returned; lists prefetch
    them as `measure.live_reports` (`prefetch_sent_reports`)."""
    reports = getattr(measure, "live_reports", None)
    if reports is None:
        reports = Report.objects.filter(measure=measure).live().only("kind", "reporting_year", "period_end")
    return [(report.kind, report.reporting_year, report.period_end) for report in reports]


def prefetch_sent_reports(queryset):
    return queryset.prefetch_related(Prefetch(
        "reports", queryset=Report.objects.live().only("measure_id", "kind", "reporting_year", "period_end"),
        to_attr="live_reports"))


def next_due_date(measure, today=None):
    """The report the measure owes next: the overdue closing report, else the next date from today on."""
    return _next_of(scheduled_reports(measure, today))


def _next_of(scheduled):
    closing = next((due for due in scheduled if due.kind == KIND_CLOSING), None)
    if closing is not None and closing.is_overdue:
        return closing
    return next((due for due in scheduled if due.days >= 0), None)


def prefetch_for_deadlines(queryset):
    """What `scheduled_reports` reads, fetched for a whole list: type, interim dates, sent reports."""
    return prefetch_sent_reports(queryset.select_related("measure_type").prefetch_related("interim_due_dates"))


def due_within(measures, days, today=None):
    """(measure, DueDate) of every report the measures owe by `days` days from today, overdue ones
    included, most urgent first (the dashboard's "Fällig in den nächsten 30 Tagen")."""
    today = today or timezone.localdate()
    found = [(measure, due) for measure in measures for due in scheduled_reports(measure, today) if due.days <= days]
    return sorted(found, key=lambda pair: (pair[1].date, pair[0].number, pair[1].kind))


@dataclass
class DeadlineSummary:
    """What a measure owes on a given day, for lists of many measures (the RP's completeness board).

    `due`: the reports whose date has come (today or earlier) and that are not sent, oldest first;
    `next_due`: what `next_due_date` answers.
    """

    due: list
    next_due: DueDate | None

    @property
    def overdue(self):
        return [due for due in self.due if due.is_overdue]

    @property
    def overdue_days(self):
        """Days since the oldest unsent report fell due (0 when nothing is overdue)."""
        return max((-due.days for due in self.due), default=0)


def deadline_summary(measure, today=None):
    return _summary(scheduled_reports(measure, today or timezone.localdate()))


def _summary(scheduled):
    return DeadlineSummary(due=[due for due in scheduled if due.days <= 0], next_due=_next_of(scheduled))


def deadline_summaries(measures, today=None):
    """{measure id: DeadlineSummary} for every measure of the queryset `measures`, in three queries
    whatever their number; reads plain values rather than model instances, so that the RP's board
    stays quick over tens of thousands of measures."""
    today = today or timezone.localdate()
    ids = measures.values("pk")
    interim = defaultdict(list)
    for measure_id, due in InterimDueDate.objects.filter(measure_id__in=ids).order_by().values_list("measure_id", "due_date"):
        interim[measure_id].append(due)
    sent = defaultdict(list)
    live = Report.objects.live().filter(measure_id__in=ids).order_by()
    for measure_id, kind, year, end in live.values_list("measure_id", "kind", "reporting_year", "period_end"):
        sent[measure_id].append((kind, year, end))
    rows = measures.order_by().values_list(
        "pk", "start_date", "end_date", "closed_at", "measure_type__has_participant_monitoring")
    summaries = {}
    for pk, start_date, end_date, closed_at, monitored in rows:
        owes = closed_at is None and monitored  # owes_reports() on plain values
        scheduled = _schedule(start_date, end_date, interim[pk], sent[pk], today) if owes else []
        summaries[pk] = _summary(scheduled)
    return summaries
