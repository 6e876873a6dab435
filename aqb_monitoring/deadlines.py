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

from django.db.models import Count, DateField, Exists, ExpressionWrapper, F, Min, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .measures import recording_participants
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


def owing_measures(queryset):
    """`owes_reports` for a queryset: the open measures whose type records participants (closed and M4: none)."""
    return recording_participants(queryset).filter(closed_at__isnull=True)


def owing_annual_report(queryset, year):
    """The measures of `queryset` that owe an annual report for `year`: they owe reports at all and ran in that
    calendar year (docs/domain-rules.md §8.1)."""
    return owing_measures(queryset).filter(start_date__year__lte=year, end_date__year__gte=year)


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
    return {pk: summary for pk, summary in _summaries(measures, today or timezone.localdate())}


def _summaries(measures, today, *fields):
    """(measure id, DeadlineSummary, *the values of `fields`) for every measure of `measures`."""
    ids = measures.values("pk")
    interim = defaultdict(list)
    for measure_id, due in InterimDueDate.objects.filter(measure_id__in=ids).order_by().values_list("measure_id", "due_date"):
        interim[measure_id].append(due)
    sent = defaultdict(list)
    live = Report.objects.live().filter(measure_id__in=ids).order_by()
    for measure_id, kind, year, end in live.values_list("measure_id", "kind", "reporting_year", "period_end"):
        sent[measure_id].append((kind, year, end))
    rows = measures.order_by().values_list(
        "pk", "start_date", "end_date", "closed_at", "measure_type__has_participant_monitoring", *fields)
    for pk, start_date, end_date, closed_at, monitored, *values in rows:
        owes = closed_at is None and monitored  # owes_reports() on plain values
        scheduled = _schedule(start_date, end_date, interim[pk], sent[pk], today) if owes else []
        yield pk, _summary(scheduled), *values


@dataclass
class DueTotals:
    """The sums of DeadlineSummary over a group of measures (e.g. a grant recipient's): reports due
    (date today or earlier, not sent), of these overdue, and the oldest of their dates."""

    due: int = 0
    overdue: int = 0
    oldest: datetime.date | None = None

    def add(self, due, overdue, oldest):
        self.due += due
        self.overdue += overdue
        if oldest is not None and (self.oldest is None or oldest < self.oldest):
            self.oldest = oldest

    def overdue_days(self, today):
        """As DeadlineSummary.overdue_days: the largest over the group."""
        return max((today - self.oldest).days, 0) if self.oldest else 0


def due_totals(measures, key="grant_recipient_id", today=None):
    """{value of `key`: DueTotals}: what `deadline_summaries` answers, summed per group of measures
    (by default per grant recipient), without a step in Python for every measure.

    The rules of this module's docstring as conditions of three grouped queries (and one for the
    first year), so that the database does the counting: closing reports by the end date; annual
    reports with one column per calendar year that can owe one; interim dates each with the date
    before it (or the start) and whether a report that is not returned settles it. Groups whose
    measures owe nothing are missing from the answer. `tests/test_deadlines.py` compares it with
    `deadline_summaries` on varied data.
    """
    today = today or timezone.localdate()
    totals = defaultdict(DueTotals)
    owing = measures.filter(closed_at__isnull=True, measure_type__has_participant_monitoring=True).order_by()

    closing_by = today - datetime.timedelta(weeks=CLOSING_REPORT_WEEKS)  # end date of a closing report due today
    closing = owing.filter(end_date__lte=closing_by).values(key).annotate(
        n=Count("pk"), late=Count("pk", filter=Q(end_date__lt=closing_by)), oldest=Min("end_date"))
    for row in closing:
        totals[row[key]].add(row["n"], row["late"], _closing_after(row["oldest"]))

    month, day = ANNUAL_REPORT_DAY
    last_year = today.year - 1 if today >= datetime.date(today.year, month, day) else today.year - 2
    first = owing.aggregate(first=Min("start_date"))["first"]
    years = range(first.year, last_year + 1) if first else range(0)
    if years:
        columns = {}
        for year in years:
            reported = Report.objects.live().filter(measure=OuterRef("pk"), kind=KIND_ANNUAL, reporting_year=year)
            ran = Q(start_date__lte=datetime.date(year, 12, 31), end_date__gte=datetime.date(year, 1, 1))
            columns[f"y{year}"] = Count("pk", filter=ran & ~Q(Exists(reported)))
        for row in owing.filter(start_date__lte=datetime.date(last_year, 12, 31)).values(key).annotate(**columns):
            for year in years:
                n = row[f"y{year}"]
                if n:
                    date = datetime.date(year + 1, month, day)
                    totals[row[key]].add(n, n if date < today else 0, date)

    # An interim date is settled by a report whose cut-off lies after the date before it (the day
    # before the start for the first) and at most four weeks after it (`_schedule`).
    weeks = datetime.timedelta(weeks=CLOSING_REPORT_WEEKS)
    before = (InterimDueDate.objects.filter(measure=OuterRef("measure"), due_date__lt=OuterRef("due_date"))
              .order_by("-due_date").values("due_date")[:1])
    day_before_start = ExpressionWrapper(F("measure__start_date") - datetime.timedelta(days=1), output_field=DateField())
    settling = Report.objects.live().filter(
        measure=OuterRef("measure"), kind=KIND_INTERIM, period_end__gt=OuterRef("previous"),
        period_end__lte=ExpressionWrapper(OuterRef("due_date") + weeks, output_field=DateField()),
    )
    interim = (
        InterimDueDate.objects.filter(measure__in=owing, due_date__lte=today).order_by()
        .annotate(previous=Coalesce(Subquery(before), day_before_start, output_field=DateField()))
        .filter(~Exists(settling))
        .values(f"measure__{key}")
        .annotate(n=Count("pk"), late=Count("pk", filter=Q(due_date__lt=today)), oldest=Min("due_date"))
    )
    for row in interim:
        totals[row[f"measure__{key}"]].add(row["n"], row["late"], row["oldest"])
    return dict(totals)
