"""The RP's completeness board ("Vollständigkeit"): per grant recipient and measure, which reports
have fallen due and are not sent, how long overdue, what was sent and returned, the red/yellow/green
records and planned against recorded participants; most urgent first, with totals for the programme.

Domain queries only (the page and the Excel file are `board_views.py`). Every deadline comes from
`deadlines.py`. Sums, order and totals are worked out over all filtered measures from plain values
(a constant number of grouped queries); model instances are loaded only for the grant recipients
shown (`attach_measures`), so a page costs the same whether the programme has 2,700 or 27,000
measures, apart from the grouped queries themselves.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count
from django.utils import timezone

from ..deadlines import deadline_summaries
from ..models import Measure, Organisation, Participant, ParticipantStatus, Report, ReviewState

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
        self.due += other.due
        self.overdue += other.overdue
        self.overdue_days = max(self.overdue_days, other.overdue_days)
        self.submitted += other.submitted
        self.returned += other.returned
        self.red += other.red
        self.yellow += other.yellow
        self.green += other.green
        self.planned += other.planned
        self.measures += other.measures


@dataclass
class MeasureRow:
    measure_id: int
    number: str
    figures: Figures
    next_due: object  # deadlines.DueDate or None
    due_dates: list  # deadlines.DueDate of the reports counted in figures.due, oldest first
    measure: Measure | None = None  # loaded by attach_measures

    def urgency(self):
        f = self.figures
        next_date = self.next_due.date if self.next_due else FAR_FUTURE
        return (-f.overdue_days, -f.overdue, -f.due, next_date, self.number)


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


def report_counts(measures):
    """{measure id: (sent and not returned, returned)} in one query (the state: the latest review step)."""
    counts = defaultdict(lambda: [0, 0])
    rows = (
        Report.objects.with_state().filter(measure_id__in=measures.values("pk"))
        .order_by().values("measure_id", "state").annotate(n=Count("pk")).values_list("measure_id", "state", "n")
    )
    for measure_id, state, n in rows:
        counts[measure_id][state == ReviewState.RETURNED] += n
    return counts


def status_counts(measures):
    """{measure id: {status: participants}} in one grouped query over the (measure, status) index."""
    counts = defaultdict(dict)
    rows = (
        Participant.objects.filter(measure_id__in=measures.values("pk"))
        .order_by().values("measure_id", "status").annotate(n=Count("pk")).values_list("measure_id", "status", "n")
    )
    for measure_id, status, n in rows:
        counts[measure_id][status] = n
    return counts


def build_board(measures, today=None):
    """The board over `measures` (a queryset, e.g. from `board_measures`): grant recipients sorted by
    urgency (most days overdue, then most overdue and due reports first), each with its measures sorted
    the same way, and the totals. The rows carry no Measure instances yet: see `attach_measures`."""
    today = today or timezone.localdate()
    summaries = deadline_summaries(measures, today)
    reports = report_counts(measures)
    statuses = status_counts(measures)
    facts = measures.order_by().values_list("pk", "number", "grant_recipient_id", "planned_participants")
    by_recipient = defaultdict(list)
    totals = Figures()
    for pk, number, grant_recipient_id, planned in facts:
        summary = summaries[pk]
        submitted, returned = reports.get(pk, (0, 0))
        status = statuses.get(pk, {})
        figures = Figures(
            due=len(summary.due), overdue=len(summary.overdue), overdue_days=summary.overdue_days,
            submitted=submitted, returned=returned, red=status.get(ParticipantStatus.RED, 0),
            yellow=status.get(ParticipantStatus.YELLOW, 0), green=status.get(ParticipantStatus.GREEN, 0),
            planned=planned or 0, measures=1,
        )
        by_recipient[grant_recipient_id].append(MeasureRow(pk, number, figures, summary.next_due, summary.due))
    organisations = Organisation.objects.in_bulk(list(by_recipient))
    recipients = []
    for grant_recipient_id, rows in by_recipient.items():
        recipient = RecipientRow(organisations[grant_recipient_id], sorted(rows, key=MeasureRow.urgency))
        for row in rows:
            recipient.figures.add(row.figures)
        totals.add(recipient.figures)
        recipients.append(recipient)
    return Board(sorted(recipients, key=RecipientRow.urgency), totals, today)


def attach_measures(recipients, measures):
    """Loads the Measure (with type, programme line and provider) of every row of the given recipient
    rows, in one query, from the board's queryset `measures`."""
    loaded = measures.filter(grant_recipient_id__in=[recipient.grant_recipient.pk for recipient in recipients])
    by_pk = {measure.pk: measure for measure in loaded.select_related("measure_type", "programme_line", "provider")}
    for recipient in recipients:
        for row in recipient.measures:
            row.measure = by_pk[row.measure_id]
    return recipients
