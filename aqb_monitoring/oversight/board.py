"""The RP's completeness board ("Vollständigkeit"): per grant recipient and measure, which reports
have fallen due and are not sent, how long overdue, what was sent and returned, the red/yellow/green
records and planned against recorded participants; most urgent first, with totals for the programme.

Domain queries only (the page and the Excel file are `board_views.py`). Every deadline comes from
`deadlines.py`. The grant recipients' figures, their order and the programme's totals are counted by
the database in queries grouped per grant recipient (`build_board`); measure rows, which take a step
in Python each, are built only for the grant recipients asked for (`add_measures`: the page's ten),
so a page costs little more whether the programme has 2,700 or 27,000 measures.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, F, Func, OuterRef, Subquery, Sum
from django.utils import timezone

from ..deadlines import DueTotals, deadline_summaries, due_totals
from ..models import (
    Measure,
    MeasureType,
    Organisation,
    Participant,
    ParticipantStatus,
    ProgrammeLine,
    Report,
    ReviewState,
)

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
    measure: Measure | None = None

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


def report_counts(measures, key="measure_id"):
    """{value of `key` (a Report field, e.g. measure__grant_recipient_id): [sent and not returned, returned]}
    in one grouped query (the state: the latest review step)."""
    counts = defaultdict(lambda: [0, 0])
    rows = (
        Report.objects.with_state().filter(measure_id__in=measures.values("pk"))
        .order_by().values(key, "state").annotate(n=Count("pk")).values_list(key, "state", "n")
    )
    for group, state, n in rows:
        counts[group][state == ReviewState.RETURNED] += n
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


def status_totals(measures, key="grant_recipient_id"):
    """{value of the Measure field `key`: {status: participants}} in one query: per measure a count over
    the (measure, status) index for each status, summed per group (SQLite's GROUP BY over a join of
    all participants to their measures costs several times as much)."""
    def count(status):  # (SELECT COUNT(*) …): a function, not an aggregate, so no GROUP BY inside
        return Subquery(Participant.objects.filter(measure=OuterRef("pk"), status=status).order_by()
                        .annotate(n=Func(F("pk"), function="COUNT")).values("n"))

    statuses = list(ParticipantStatus.values)
    rows = measures.order_by().values(key).annotate(**{status: Sum(count(status)) for status in statuses})
    return {row[key]: {status: int(row[status] or 0) for status in statuses} for row in rows}  # PostgreSQL: Decimal


def _figures(due, reports, statuses, planned, measures, today):
    """Figures from the grouped answers of one measure or one grant recipient."""
    submitted, returned = reports
    return Figures(
        due=due.due, overdue=due.overdue, overdue_days=due.overdue_days(today), submitted=submitted,
        returned=returned, red=statuses.get(ParticipantStatus.RED, 0), yellow=statuses.get(ParticipantStatus.YELLOW, 0),
        green=statuses.get(ParticipantStatus.GREEN, 0), planned=planned or 0, measures=measures,
    )


def build_board(measures, today=None, with_measures=True):
    """The board over `measures` (a queryset, e.g. from `board_measures`): grant recipients sorted by
    urgency (most days overdue, then most overdue and due reports first) and the programme's totals.

    A grant recipient's figures are counted by the database per grant recipient (grouped queries,
    `deadlines.due_totals`): no step per measure, so the order and the totals cost little more for
    27,000 measures than for 2,700. With `with_measures` every recipient row also gets its measure
    rows (`add_measures`: a step per measure); the page asks only for the recipients it shows.
    """
    today = today or timezone.localdate()
    key = "grant_recipient_id"
    due = due_totals(measures, key, today)
    reports = report_counts(measures, "measure__grant_recipient_id")
    statuses = status_totals(measures, key)
    facts = measures.order_by().values(key).annotate(n=Count("pk"), planned=Sum("planned_participants"))
    organisations = Organisation.objects.in_bulk([row[key] for row in facts])
    totals = Figures()
    recipients = []
    for row in facts:
        group = row[key]
        figures = _figures(due.get(group, DueTotals()), reports.get(group, (0, 0)), statuses.get(group, {}),
                           row["planned"], row["n"], today)
        totals.add(figures)
        recipients.append(RecipientRow(organisations[group], figures=figures))
    board = Board(sorted(recipients, key=RecipientRow.urgency), totals, today)
    if with_measures:
        add_measures(board.recipients, measures, today)
    return board


def add_measures(recipients, measures, today):
    """Gives each of the grant-recipient rows its measure rows, most urgent first, with the Measure
    (type and programme line) loaded: a constant number of queries for all of them."""
    shown = measures.filter(grant_recipient_id__in=[recipient.grant_recipient.pk for recipient in recipients])
    reports = report_counts(shown)
    statuses = status_counts(shown)
    # The few types and programme lines once, rather than joined and built again for every measure.
    types, lines = MeasureType.objects.in_bulk(), ProgrammeLine.objects.in_bulk()
    instances = {}
    for measure in shown.order_by():
        measure.measure_type, measure.programme_line = types[measure.measure_type_id], lines[measure.programme_line_id]
        instances[measure.pk] = measure
    by_recipient = defaultdict(list)
    for pk, summary in deadline_summaries(shown, today).items():
        measure = instances[pk]
        due = DueTotals(len(summary.due), len(summary.overdue), summary.due[0].date if summary.due else None)
        figures = _figures(due, reports.get(pk, (0, 0)), statuses.get(pk, {}), measure.planned_participants, 1, today)
        by_recipient[measure.grant_recipient_id].append(
            MeasureRow(pk, measure.number, figures, summary.next_due, summary.due, measure))
    for recipient in recipients:
        recipient.measures = sorted(by_recipient[recipient.grant_recipient.pk], key=MeasureRow.urgency)
    return recipients
