"""Export of participants into the template's layout ("Excel-Datei herunterladen").

Participants and answers are read as plain tuples (two queries for any number of
rows), because building 10,000 model instances and 280,000 answers would cost more
than writing the workbook itself.
"""

from collections import defaultdict

from django.utils.translation import gettext as _

from ..models import Answer, Participant
from .layout import KIND_BOOL, KIND_CHOICE, MEASURE_NUMBER, Layout
from .template import ParticipantWorkbook


def participant_fields(layout):
    """Model fields read from the database, in layout order (answers come from their own query)."""
    return [c.key for c in layout.columns if not c.is_answer and c.key != MEASURE_NUMBER]


def participant_rows(layout, participants):
    """Rows of cell values in layout order for a queryset of participants (ordered by measure and ID)."""
    yes, no = _("ja"), _("nein")
    fields = participant_fields(layout)
    field_names = [f"{name}_id" if layout.by_key[name].kind == KIND_CHOICE else name for name in fields]
    rows = list(participants.order_by("measure__number", "pseudonym").values_list("pk", "measure__number", *field_names))
    answers = defaultdict(dict)
    answer_qs = Answer.objects.filter(participant__in=participants.values("pk"))
    for participant_id, code, phase, value in answer_qs.values_list("participant_id", "question__code", "phase", "value"):
        answers[participant_id][f"{phase}__{code}"] = value

    positions = {name: index + 2 for index, name in enumerate(fields)}
    plan = []
    for index, column in enumerate(layout.columns):
        if column.key == MEASURE_NUMBER:
            plan.append((index, "measure", None, None))
        elif column.is_answer:
            plan.append((index, "answer", column.key, None))
        elif column.kind == KIND_CHOICE:
            plan.append((index, "choice", positions[column.key], column.by_id))
        else:
            plan.append((index, "bool" if column.kind == KIND_BOOL else "plain", positions[column.key], None))

    for row in rows:
        own_answers = answers.get(row[0], {})
        values = [None] * len(plan)
        for index, kind, source, table in plan:
            if kind == "measure":
                values[index] = row[1]
            elif kind == "answer":
                value = own_answers.get(source)
                values[index] = None if value is None else (yes if value else no)
            else:
                value = row[source]
                if value is None or value == "":
                    continue
                if kind == "choice":
                    values[index] = table.get(value)
                elif kind == "bool":
                    values[index] = yes if value else no
                else:
                    values[index] = value
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
