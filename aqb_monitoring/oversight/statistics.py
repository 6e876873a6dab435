"""The RP's statistics: participant counts and entry-to-exit progress, aggregated in the database.

Only aggregates leave this module, never a single record. Every table is built by one
GROUP BY query (``values(...).annotate(Count(...))``), so the page costs the same number of
queries for 100 participants as for 100,000.

Small cells (no re-identification through small counts):

* A count below `THRESHOLD` (5), zero included, is shown as "< 5"; its share is not shown.
* Secondary suppression inside each table: the total is shown, so if the suppressed cells
  together hold fewer than 5 participants (one suppressed cell is always recoverable as
  total minus the others), the smallest shown cells are hidden as well ("•") until the hidden
  cells together hold at least 5 or every cell is hidden. "Total minus the shown cells" then
  gives a number of at least 5 spread over at least two cells.
* A share (percentage) whose base is below 5 participants is not shown ("–"); in the
  question-block tables the base is the number of participants with both answers.
* Not prevented: differences between two filter settings (e.g. all grant recipients minus
  all but one) and combinations across tables. The RP's own staff are the only readers; the
  page and its Excel file say so nowhere else.

Age groups: only the birth year is recorded, so the age is the one a participant reaches in
the measure's budget year (budget year minus birth year, i.e. the age on 31.12. of the
budget year).
"""

from dataclasses import dataclass, field

from django.db.models import Count, F, FilteredRelation, IntegerField, Q, Value
from django.db.models.expressions import Case, ExpressionWrapper, When
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..models import (
    Answer,
    AnswerPhase,
    Destination,
    ExitReason,
    Gender,
    MeasureType,
    Participant,
    ParticipantStatus,
    Question,
)

THRESHOLD = 5
SMALL = "< 5"  # a count below the threshold
HIDDEN = "•"  # a count hidden so that a small one cannot be computed from the total
NO_SHARE = "–"  # a share whose base is below the threshold (or whose count is hidden)

NOT_RECORDED = gettext_lazy("nicht erfasst")

# (key, label, lowest age, highest age); None = open end
AGE_GROUPS = [
    ("unter-18", gettext_lazy("unter 18"), None, 17),
    ("18-20", gettext_lazy("18–20"), 18, 20),
    ("21-24", gettext_lazy("21–24"), 21, 24),
    ("ab-25", gettext_lazy("25 und älter"), 25, None),
]
AGE_UNKNOWN = "ohne"
AGE_RULE = gettext_lazy(
    "Alter = Budgetjahr der Maßnahme minus Geburtsjahr, also das Alter, das die Person am 31.12. des "
    "Budgetjahrs erreicht (erfasst wird nur das Geburtsjahr)."
)


# ---------------------------------------------------------------------------
# Suppression and formatting
# ---------------------------------------------------------------------------


def suppression(counts):
    """For each count: "shown", "small" (below 5) or "hidden" (secondary: total minus the rest)."""
    states = ["small" if count < THRESHOLD else "shown" for count in counts]
    while True:
        suppressed = [count for count, state in zip(counts, states, strict=True) if state != "shown"]
        shown = [index for index, state in enumerate(states) if state == "shown"]
        if not suppressed or not shown or (len(suppressed) > 1 and sum(suppressed) >= THRESHOLD):
            return states
        states[min(shown, key=lambda index: (counts[index], index))] = "hidden"


def format_count(count, state="shown"):
    if state == "small" or (state == "shown" and count < THRESHOLD):
        return SMALL
    if state == "hidden":
        return HIDDEN
    return f"{count:,}".replace(",", ".")


def share(part, base):
    """`part` / `base` as a fraction, or None when the base is below the threshold."""
    if base < THRESHOLD:
        return None
    return part / base


def _or_mark(fraction):
    """A share for Excel: the fraction to 0.01 % (shown as 0.0 %), or the mark for "not shown"."""
    return NO_SHARE if fraction is None else round(fraction, 4)


def format_share(fraction):
    if fraction is None:
        return NO_SHARE
    return f"{fraction * 100:.1f} %".replace(".", ",")


# ---------------------------------------------------------------------------
# Result structures
# ---------------------------------------------------------------------------


@dataclass
class CountRow:
    label: str
    count: int
    state: str = "shown"

    @property
    def is_shown(self):
        return self.state == "shown"

    @property
    def display(self):
        return format_count(self.count, self.state)


@dataclass
class CountTable:
    """Participants per category: label, count and share of the total, with the small cells suppressed."""

    key: str
    title: str
    category: str  # header of the label column
    rows: list
    total: int
    note: str = ""
    kind: str = "counts"
    first_number = 1  # columns from here on are numbers (right-aligned)

    def __post_init__(self):
        for row, state in zip(self.rows, suppression([row.count for row in self.rows]), strict=True):
            row.state = state

    @property
    def total_display(self):
        return format_count(self.total)

    def share_of(self, row):
        return share(row.count, self.total) if row.is_shown else None

    @property
    def headers(self):
        return [self.category, _("Anzahl"), _("Anteil")]

    @property
    def display_rows(self):
        """Rows as the page and the Excel file show them (texts, never a suppressed number)."""
        return [[row.label, row.display, format_share(self.share_of(row))] for row in self.rows]

    @property
    def total_row(self):
        return [_("Insgesamt"), self.total_display, format_share(1.0 if self.total >= THRESHOLD else None)]

    # For Excel: shown numbers as numbers (a share as a fraction), suppressed ones as the same marks.
    excel_formats = [None, "#,##0", "0.0%"]

    @property
    def excel_rows(self):
        return [[row.label, row.count if row.is_shown else row.display, _or_mark(self.share_of(row))]
                for row in self.rows]

    @property
    def excel_total_row(self):
        if self.total < THRESHOLD:
            return [_("Insgesamt"), SMALL, NO_SHARE]
        return [_("Insgesamt"), self.total, 1.0]

    @property
    def bars(self):
        """(label, value or None, text) for the chart: a suppressed cell has no bar."""
        return [(row.label, row.count if row.is_shown else None, row.display) for row in self.rows]


@dataclass
class ProgressRow:
    block: str
    question: str
    pairs: int  # participants with an entry and an exit answer
    entry_yes: int
    exit_yes: int

    @property
    def entry_share(self):
        return share(self.entry_yes, self.pairs)

    @property
    def exit_share(self):
        return share(self.exit_yes, self.pairs)

    @property
    def change(self):
        if self.entry_share is None:
            return None
        return self.exit_share - self.entry_share


def format_change(change):
    if change is None:
        return NO_SHARE
    points = change * 100
    sign = "+" if points > 0.05 else ("−" if points < -0.05 else "±")
    return f"{sign}{abs(points):.1f}".replace(".", ",")


@dataclass
class ProgressTable:
    """Share of "ja" at entry and at exit per question, for one measure type."""

    key: str
    title: str
    rows: list
    note: str = ""
    kind: str = "progress"
    first_number = 2

    @property
    def headers(self):
        return [_("Fragenblock"), _("Frage"), _("Teilnehmende mit beiden Antworten"), _("„Ja“ bei Eintritt"),
                _("„Ja“ bei Austritt"), _("Veränderung (Prozentpunkte)")]

    @property
    def display_rows(self):
        return [
            [row.block, row.question, format_count(row.pairs), format_share(row.entry_share),
             format_share(row.exit_share), format_change(row.change)]
            for row in self.rows
        ]

    @property
    def total_row(self):
        return None

    excel_formats = [None, None, "#,##0", "0.0%", "0.0%", "+0.0;-0.0;0.0"]
    excel_total_row = None

    @property
    def excel_rows(self):
        return [
            [row.block, row.question, row.pairs if row.pairs >= THRESHOLD else SMALL, _or_mark(row.entry_share),
             _or_mark(row.exit_share), NO_SHARE if row.change is None else round(row.change * 100, 1)]
            for row in self.rows
        ]

    @property
    def bars(self):
        """(label, entry fraction or None, exit fraction or None) for the grouped chart."""
        return [(row.question, row.entry_share, row.exit_share) for row in self.rows]


@dataclass
class Statistics:
    participants: int
    tables: list = field(default_factory=list)

    @property
    def participants_display(self):
        return format_count(self.participants)

    def table(self, key):
        return next((table for table in self.tables if table.key == key), None)


# ---------------------------------------------------------------------------
# Aggregation
# ---------------------------------------------------------------------------


def participant_lookups(*, budget_year=None, grant_recipient=None, measure_type=None, programme_line=None):
    """The filters as lookups on Participant (none given: all participants)."""
    lookups = {}
    if budget_year:
        lookups["measure__budget_year"] = budget_year
    if grant_recipient:
        lookups["measure__grant_recipient"] = grant_recipient
    if measure_type:
        lookups["measure__measure_type"] = measure_type
    if programme_line:
        lookups["measure__programme_line"] = programme_line
    return lookups


def participants_for(**filters):
    """The participants the filters select (all of them for the RP; callers check the role)."""
    return Participant.objects.filter(**participant_lookups(**filters))


def _counts(queryset, key):
    """{value of `key`: participants} in one GROUP BY query."""
    return {row[key]: row["n"] for row in queryset.order_by().values(key).annotate(n=Count("id"))}


def _catalogue_rows(entries, counts, *, with_unrecorded):
    """One row per catalogue entry (inactive ones only while they still count), then 'nicht erfasst'."""
    rows = [CountRow(str(entry.label), counts.get(entry.pk, 0)) for entry in entries
            if entry.is_active or counts.get(entry.pk)]
    if with_unrecorded:
        rows.append(CountRow(str(NOT_RECORDED), counts.get(None, 0)))
    return rows


def age_group_expression():
    age = ExpressionWrapper(F("measure__budget_year") - F("birth_year"), output_field=IntegerField())
    whens = [When(birth_year__isnull=True, then=Value(AGE_UNKNOWN))]
    for key, _label, low, high in AGE_GROUPS:
        condition = Q()
        if low is not None:
            condition &= Q(age__gte=low)
        if high is not None:
            condition &= Q(age__lte=high)
        whens.append(When(condition, then=Value(key)))
    return age, Case(*whens, default=Value(AGE_UNKNOWN))


def _progress_tables(lookups, measure_types):
    """One table per measure type: per question the share of 'ja' at entry and at exit among the
    participants with both answers (one query for the numbers, one for the questions).

    Each entry answer is joined to the same participant's exit answer to the same question
    (unique per participant, question and phase); entry answers without one drop out."""
    numbers = (
        Answer.objects.filter(phase=AnswerPhase.ENTRY, **{f"participant__{key}": value for key, value in lookups.items()})
        .annotate(exit_answer=FilteredRelation("participant__answers", condition=Q(
            participant__answers__phase=AnswerPhase.EXIT, participant__answers__question=F("question"))))
        .filter(exit_answer__isnull=False)
        .order_by()
        .values("participant__measure__measure_type", "question")
        .annotate(
            pairs=Count("id"),
            entry_yes=Count("id", filter=Q(value=True)),
            exit_yes=Count("id", filter=Q(exit_answer__value=True)),
        )
    )
    by_type = {}
    for row in numbers:
        by_type.setdefault(row["participant__measure__measure_type"], {})[row["question"]] = row
    if not by_type:
        return []
    questions = list(Question.objects.select_related("block").filter(
        pk__in={question for rows in by_type.values() for question in rows}))
    tables = []
    for measure_type in measure_types:
        rows = by_type.get(measure_type.pk)
        if not rows:
            continue
        table_rows = [
            ProgressRow(str(question.block.label), str(question.label), rows[question.pk]["pairs"],
                        rows[question.pk]["entry_yes"], rows[question.pk]["exit_yes"])
            for question in questions if question.pk in rows
        ]
        tables.append(ProgressTable(
            key=f"fortschritt-{measure_type.code.lower()}",
            title=_("Fragenblöcke %(type)s: „Ja“ bei Eintritt und bei Austritt") % {"type": measure_type.code},
            rows=table_rows,
            note=_("Nur Teilnehmende, die eine Frage bei Eintritt und bei Austritt beantwortet haben; Anteile erst ab "
                   "5 solchen Teilnehmenden. Maßnahmeart: %(label)s.") % {"label": measure_type.label},
        ))
    return tables


def compute(**filters):
    """All tables for the filters (see `participants_for`) in a fixed number of queries."""
    lookups = participant_lookups(**filters)
    participants = Participant.objects.filter(**lookups)
    statuses = _counts(participants, "status")
    total = sum(statuses.values())
    stats = Statistics(participants=total)

    by_type = _counts(participants, "measure__measure_type")
    measure_types = [entry for entry in MeasureType.objects.all()
                     if entry.has_participant_monitoring or by_type.get(entry.pk)]
    stats.tables.append(CountTable(
        "massnahmeart", _("Teilnehmende nach Maßnahmeart"), _("Maßnahmeart"),
        [CountRow(str(entry.label), by_type.get(entry.pk, 0)) for entry in measure_types], total))

    stats.tables.append(CountTable(
        "status", _("Teilnehmende nach Status des Datensatzes"), _("Status"),
        [CountRow(str(label), statuses.get(value, 0)) for value, label in ParticipantStatus.choices], total))

    genders = _counts(participants, "gender")
    stats.tables.append(CountTable(
        "geschlecht", _("Teilnehmende nach Geschlecht"), _("Geschlecht"),
        _catalogue_rows(Gender.objects.all(), genders, with_unrecorded=True), total))

    age, group = age_group_expression()
    ages = _counts(participants.alias(age=age).annotate(age_group=group), "age_group")
    stats.tables.append(CountTable(
        "altersgruppe", _("Teilnehmende nach Altersgruppe"), _("Altersgruppe"),
        [CountRow(str(label), ages.get(key, 0)) for key, label, _low, _high in AGE_GROUPS]
        + [CountRow(_("Geburtsjahr nicht erfasst"), ages.get(AGE_UNKNOWN, 0))],
        total, note=str(AGE_RULE)))

    years = _counts(participants, "measure__budget_year")
    stats.tables.append(CountTable(
        "budgetjahr", _("Teilnehmende nach Budgetjahr"), _("Budgetjahr"),
        [CountRow(str(year), years[year]) for year in sorted(years)], total,
        note=_("Wer ins Folgebudget übernommen wurde, zählt in jedem Budgetjahr einmal.")))

    destinations = _counts(participants.filter(destination__isnull=False), "destination")
    stats.tables.append(CountTable(
        "verbleib", _("Verbleib nach Austritt"), _("Verbleib"),
        _catalogue_rows(Destination.objects.all(), destinations, with_unrecorded=False),
        sum(destinations.values()), note=_("Nur Teilnehmende mit erfasstem Verbleib.")))

    reasons = _counts(participants.filter(exit_reason__isnull=False), "exit_reason")
    stats.tables.append(CountTable(
        "austrittsgrund", _("Austrittsgründe"), _("Austrittsgrund"),
        _catalogue_rows(ExitReason.objects.all(), reasons, with_unrecorded=False),
        sum(reasons.values()),
        note=_("Nur Teilnehmende mit erfasstem Austrittsgrund (bei Verbleib „nicht erwerbstätig, …“).")))

    stats.tables.extend(_progress_tables(lookups, measure_types))
    return stats
