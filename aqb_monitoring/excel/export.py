"""Export of participants into the template's layout ("Excel-Datei herunterladen").

Participants and answers are read as plain tuples (two queries for any number of
rows), because building 10,000 model instances and 280,000 answers would cost more
than writing the workbook itself. The "Status" column says red/yellow/green and why, in the
words of the participant form's status box; the reasons come from the rules (validation.py)
over the same tuples, with one rule context per measure whose question blocks are loaded once
per measure type, so the queries do not grow with rows or measures.
"""

from collections import defaultdict

from django.db import connection
from django.utils.translation import gettext as _

from ..models import Answer, Measure, Participant, ParticipantStatus
from ..validation import (
    RuleContext,
    exit_incomplete_message,
    load_blocks,
    missing_entry_fields,
    missing_exit_fields,
)
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


class StatusTexts:
    """The status column's text of a stored record: its colour word and what is missing (docs/domain-rules.md §7)."""

    def __init__(self, layout, participants):
        self.words = {ParticipantStatus.RED: _("rot"), ParticipantStatus.YELLOW: _("gelb"),
                      ParticipantStatus.GREEN: _("grün")}
        # Translated once: a green row's text never varies (gettext per row cost a tenth of a 10,000-row export).
        self.complete = (ParticipantStatus.GREEN, _("%(status)s – vollständig") % {"status": self.words[ParticipantStatus.GREEN]})
        self.red_reason = _("Eintrittsdaten unvollständig")
        self.yellow_reason = _("Eintrittsdaten vollständig, Austrittsdaten fehlen")
        self.entries = {model: {entry.pk: entry for entry in entries} for model, entries in layout.entries.items()}
        self.choice_fields = {column.key: column.model for column in layout.columns if column.kind == KIND_CHOICE}
        self.contexts = {}
        blocks = {}
        measures = Measure.objects.filter(pk__in=participants.values("measure_id")).select_related("measure_type")
        for measure in measures:
            measure_type = measure.measure_type
            if measure_type.pk not in blocks:
                blocks[measure_type.pk] = load_blocks(measure_type)
            self.contexts[measure.pk] = RuleContext.for_measure(measure, with_pseudonyms={}, blocks=blocks[measure_type.pk])

    def values(self, fields, raw, answers):
        """The rules' values dict from a row's stored values (catalogue ids) and its answers {phase: {code: bool}}."""
        values = {}
        for name, value in zip(fields, raw, strict=True):
            model = self.choice_fields.get(name)
            values[name] = self.entries[model].get(value) if model is not None and value is not None else value
        values["entry_answers"] = answers.get("entry", {})
        values["exit_answers"] = answers.get("exit", {})
        return values

    def text(self, status, measure_id, values_of):
        """(status, German text); `values_of()` builds the values only where a reason must be worked out."""
        word = self.words.get(status)
        if word is None:
            return "", ""
        if status == ParticipantStatus.GREEN:
            return self.complete
        context = self.contexts[measure_id]
        values = values_of()
        if status == ParticipantStatus.RED:
            missing = missing_entry_fields(values, context)
            reason = self.red_reason
            if missing:
                reason = _("Eintrittsdaten unvollständig, es fehlt noch: %(fields)s") % {
                    "fields": ", ".join(missing.values())}
            return status, f"{word} – {reason}"
        reason = exit_incomplete_message(missing_exit_fields(values, context), values.get("exit_date"))
        return status, f"{word} – {reason or self.yellow_reason}"


def participant_rows(layout, participants, status_texts=None):
    """Rows of cell values in layout order for a queryset of participants (ordered by measure and ID).

    With `status_texts` (a StatusTexts), each row comes as (values, (status, text)) for the status column."""
    yes_no = {True: _("ja"), False: _("nein")}
    fields = participant_fields(layout)
    columns = [layout.by_key[name] for name in fields]
    field_names = [f"{c.key}_id" if c.kind == KIND_CHOICE else c.key for c in columns]
    positions = {column.key: index for index, column in enumerate(layout.columns)}
    answer_positions = {(c.question_id, c.phase): positions[c.key] for c in layout.columns if c.is_answer}
    answer_codes = {positions[c.key]: (c.phase, c.question_code) for c in layout.columns if c.is_answer}
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
    extra = ("measure_id", "status") if status_texts is not None else ()
    rows = participants.order_by("measure__number", "pseudonym").values_list(
        "pk", "measure__number", *field_names, *extra)
    stored = slice(2, 2 + len(fields))
    for row in rows.iterator(chunk_size=5000):
        values = [None] * width
        values[measure_position] = row[1]
        for position, offset, table in plan:
            value = row[offset]
            if value is None or value == "":
                continue
            values[position] = value if table is None else table.get(value)
        given = answers.pop(row[0], ())
        for position, text in given:
            values[position] = text
        if status_texts is None:
            yield values
            continue

        def values_of(row=row, given=given):
            by_phase = defaultdict(dict)
            for position, text in given:
                phase, code = answer_codes[position]
                by_phase[phase][code] = text == yes_no[True]
            return status_texts.values(fields, row[stored], by_phase)

        yield values, status_texts.text(row[-1], row[-2], values_of)


def export_participants(participants, measure_number="", layout=None):
    """The workbook (bytes) for the given participants; `measure_number` goes to the Info sheet."""
    layout = layout or Layout()
    workbook = ParticipantWorkbook(layout, measure_number=measure_number, with_status=True)
    for values, status in participant_rows(layout, participants, StatusTexts(layout, participants)):
        workbook.append(values, status)
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
