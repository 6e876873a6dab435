"""Export of participants into the template's layout ("Excel-Datei herunterladen").

Participants and answers are read as plain tuples (two queries for any number of
rows), because building 10,000 model instances and 280,000 answers would cost more
than writing the workbook itself.
"""

from collections import defaultdict

from django.db import connection
from django.utils.translation import gettext as _

from ..models import Answer, Participant
from .layout import KIND_BOOL, KIND_CHOICE, MEASURE_NUMBER, Layout
from .template import ParticipantWorkbook


def participant_fields(layout):
    """Model fields read from the database, in layout order (answers come from their own query)."""
    return [c.key for c in layout.columns if not c.is_answer and c.key != MEASURE_NUMBER]


def _answer_tuples(participants):
    """(participant id, question id, phase, value) of the participants' answers, straight from the cursor.

    Django's values_list costs more per row than the whole SQL for 280,000 answers.
    """
    query = Answer.objects.filter(participant__in=participants.values("pk")).values_list(
        "participant_id", "question_id", "phase", "value")
    sql, params = query.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while chunk := cursor.fetchmany(20_000):
            yield from chunk


def participant_rows(layout, participants):
    """Rows of cell values in layout order for a queryset of participants (ordered by measure and ID)."""
    yes_no = {True: _("ja"), False: _("nein")}
    fields = participant_fields(layout)
    columns = [layout.by_key[name] for name in fields]
    field_names = [f"{c.key}_id" if c.kind == KIND_CHOICE else c.key for c in columns]
    positions = {column.key: index for index, column in enumerate(layout.columns)}
    answer_positions = {(c.question_id, c.phase): positions[c.key] for c in layout.columns if c.is_answer}
    answers = defaultdict(list)
    for participant_id, question_id, phase, value in _answer_tuples(participants):
        position = answer_positions.get((question_id, phase))
        if position is not None:
            answers[participant_id].append((position, yes_no[bool(value)]))
    plan = []
    for offset, column in enumerate(columns, start=2):
        table = column.by_id if column.kind == KIND_CHOICE else yes_no if column.kind == KIND_BOOL else None
        plan.append((positions[column.key], offset, table))
    width = len(layout.columns)
    measure_position = positions[MEASURE_NUMBER]
    rows = participants.order_by("measure__number", "pseudonym").values_list("pk", "measure__number", *field_names)
    for row in rows.iterator(chunk_size=5000):
        values = [None] * width
        values[measure_position] = row[1]
        for position, offset, table in plan:
            value = row[offset]
            if value is None or value == "":
                continue
            values[position] = value if table is None else table.get(value)
        for position, text in answers.pop(row[0], ()):
            values[position] = text
        yield values


def export_participants(participants, measure_number="", layout=None):
    """The workbook (bytes) for the given participants; `measure_number` goes to the Info sheet."""
    layout = layout or Layout()
    workbook = ParticipantWorkbook(layout, measure_number=measure_number)
    for values in participant_rows(layout, participants):
        workbook.append(values)
    return workbook.save()


def export_measure(measure, layout=None):
    """All participants of one measure."""
    return export_participants(Participant.objects.filter(measure=measure), measure.number, layout)


def export_measures(measures, layout=None):
    """Participants of several measures in one workbook (RP); the measure number column tells them apart."""
    number = measures[0].number if len(measures) == 1 else ""
    return export_participants(Participant.objects.filter(measure__in=measures), number, layout)


def export_filename(measure=None):
    """A file name that says what it holds, e.g. teilnehmende-AQB26-KS-M1-01.xlsx."""
    return f"teilnehmende-{measure.number}.xlsx" if measure is not None else "teilnehmende-export.xlsx"
