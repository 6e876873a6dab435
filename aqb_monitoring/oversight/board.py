"""The RP's completeness board ("Vollständigkeit"): per grant recipient and measure, which reports
have fallen due and are not sent, how long overdue, what was sent and returned, the red/yellow/green
records and planned against recorded participants; most urgent first, with totals for the programme.

Domain queries only (the page and the Excel file are `board_views.py`). Every deadline comes from
`deadlines.py`; the record counts from the dashboard's `annotate_status_counts`. The number of
queries does not grow with the measures: measures with their counts, interim dates, sent reports
and the returned reports per measure are read in four queries for any number of rows.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count
from django.utils import timezone

from ..deadlines import deadline_summaries, prefetch_for_deadlines
from ..models import Measure, Report, ReviewState
from ..views import annotate_status_counts

FAR_FUTURE = datetime.date.max


@dataclass
class Figures:
    """The numbers of one board row; a grant recipient's and the programme's are sums of measure rows
    (the overdue days: the largest)."""

    due: int = 0  # reports whose date has come (today or earlier) and that are not sent
    overdue: int = 0  # of these, the ones past their date
    overdue_days: int = 0  # days since the oldest of them fell due
    submitted: int = 0  # reports sent and not returned
    returned: int = 0  # reports the RP returned (they count as not sent)
    red: int = 0
    yellow: int = 0
    green: int = 0
    planned: int = 0  # planned participants (measures without a plan count 0)
    measures: int = 0

    @property
    def recorded(self):
        return self.red + self.yellow + self.green

    def add(self, other):
        for name in ("due", "overdue", "submitted", "returned", "red", "yellow", "green", "planned", "measures"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.overdue_days = max(self.overdue_days, other.overdue_days)


@dataclass
class MeasureRow:
    measure: Measure
    figures: Figures
    next_due: object  # deadlines.DueDate or None
    due_dates: list  # deadlines.DueDate of the reports counted in figures.due, oldest first

    def urgency(self):
        f = self.figures
        next_date = self.next_due.date if self.next_due else FAR_FUTURE
        return (-f.overdue_days, -f.overdue, -f.due, next_date, self.measure.number)


@dataclass
class RecipientRow:
    grant_recipient: object  # Organisation
    measures: list = field(default_factory=list)
    figures: Figures = field(default_factory=Figures)

    def urgency(self):
        f = self.figures
        return (-f.overdue_days, -f.overdue, -f.due, self.grant_recipient.name, self.grant_recipient.pk)


@dataclass
class Board:
    recipients: list
    totals: Figures
    today: datetime.date


def board_measures(budget_year=None, measure_type=None, programme_line=None, grant_recipient=None):
    """The measures the board covers after its filters (all measures of the programme: RP only)."""
    queryset = Measure.objects.all()
    if budget_year:
        queryset = queryset.filter(budget_year=budget_year)
    if measure_type:
        queryset = queryset.filter(measure_type=measure_type)
    if programme_line:
        queryset = queryset.filter(programme_line=programme_line)
    if grant_recipient:
        queryset = queryset.filter(grant_recipient=grant_recipient)
    return queryset


def returned_counts(measures):
    """{measure id: number of its reports whose latest review step is "zurückgegeben"} in one query."""
    rows = (
        Report.objects.with_state().filter(state=ReviewState.RETURNED, measure_id__in=measures.values("pk"))
        .order_by().values("measure_id").annotate(n=Count("pk")).values_list("measure_id", "n")
    )
    return dict(rows)


def build_board(measures, today=None):
    """The board over `measures` (a queryset, e.g. from `board_measures`): grant recipients sorted by
    urgency (most days overdue first), each with its measures sorted the same way, and the totals."""
    today = today or timezone.localdate()
    returned = returned_counts(measures)
    rows = list(prefetch_for_deadlines(annotate_status_counts(
        measures.select_related("grant_recipient", "measure_type", "programme_line", "provider"))))
    summaries = deadline_summaries(rows, today)
    recipients = {}
    totals = Figures()
    for measure in rows:
        summary = summaries[measure.pk]
        figures = Figures(
            due=len(summary.due), overdue=len(summary.overdue), overdue_days=summary.overdue_days,
            submitted=len(measure.live_reports), returned=returned.get(measure.pk, 0),
            red=measure.red_count, yellow=measure.yellow_count, green=measure.green_count,
            planned=measure.planned_participants or 0, measures=1,
        )
        row = MeasureRow(measure, figures, summary.next_due, summary.due)
        recipient = recipients.get(measure.grant_recipient_id)
        if recipient is None:
            recipient = recipients[measure.grant_recipient_id] = RecipientRow(measure.grant_recipient)
        recipient.measures.append(row)
        recipient.figures.add(figures)
        totals.add(figures)
    for recipient in recipients.values():
        recipient.measures.sort(key=MeasureRow.urgency)
    return Board(sorted(recipients.values(), key=RecipientRow.urgency), totals, today)
