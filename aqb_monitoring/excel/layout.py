"""The one column layout shared by the template, the export and the importer.

Every column is derived from the participant model's field labels and the current
catalogues, so the template can never be older than the catalogues, and a file is read
back by the same headers it was written with. Order is stable: measure number, entry
fields, entry question answers, exit fields, exit question answers (docs/domain-rules.md §9.1).
"""

import hashlib
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from ..imports.sheets import normalise
from ..models import (
    BOOLEAN_FIELDS,
    CATALOGUE_FIELDS,
    DATE_FIELDS,
    AnswerPhase,
    Participant,
    Question,
    QuestionBlock,
)
from ..models import ENTRY_FIELDS as PARTICIPANT_ENTRY_FIELDS
from ..models import EXIT_FIELDS as PARTICIPANT_EXIT_FIELDS

SHEET_PARTICIPANTS = "Teilnehmende"
SHEET_GUIDE = "Ausfüllhinweise"
SHEET_INFO = "Info"
SHEET_LISTS = "Listen"

MEASURE_NUMBER = "measure_number"
PSEUDONYM = "pseudonym"
STATUS = "status"

REQUIRED_MARK = " *"  # after the header of a column that entry data always need (V1); the importer strips it

# Kinds of column: how a cell is written and parsed.
KIND_ID = "id"
KIND_TEXT = "text"
KIND_DATE = "date"
KIND_YEAR = "year"
KIND_BOOL = "bool"
KIND_CHOICE = "choice"



def _column_kind(name):
    """(kind, catalogue model) of a participant field's column, from the field lists next to the model."""
    if name in CATALOGUE_FIELDS:
        return KIND_CHOICE, CATALOGUE_FIELDS[name]
    if name in BOOLEAN_FIELDS:
        return KIND_BOOL, None
    if name in DATE_FIELDS:
        return KIND_DATE, None
    if name == "birth_year":
        return KIND_YEAR, None
    return KIND_TEXT, None


# Participant fields in file order (the ID has its own column); the catalogue model for choice columns.
ENTRY_FIELDS = [(name, *_column_kind(name)) for name in PARTICIPANT_ENTRY_FIELDS if name != PSEUDONYM]
EXIT_FIELDS = [(name, *_column_kind(name)) for name in PARTICIPANT_EXIT_FIELDS]
# Always required at entry (V1, validation.missing_entry_fields); the TN-Ziel only in M1, so not marked.
REQUIRED_AT_ENTRY = frozenset(name for name in PARTICIPANT_ENTRY_FIELDS if name != "goal")
CHOICE_MODELS = list(CATALOGUE_FIELDS.values())


def _hints():
    """What the guide sheet says about each field (the rules themselves live in validation.py)."""
    return {
        MEASURE_NUMBER: _("Optional. Leer lassen oder die Nummer der Maßnahme, in die importiert wird. "
                          "Zeilen mit einer anderen Maßnahmennummer werden abgelehnt."),
        PSEUDONYM: _("Pflicht. Frei gewählte ID aus Buchstaben, Ziffern und Bindestrich, eindeutig in der Maßnahme; "
                     "kein Vor- oder Nachname. Gleiche ID wie ein vorhandener Datensatz = Änderung."),
        "entry_date": _("Pflicht. TT.MM.JJJJ; nicht vor Beginn und nicht nach Ende der Maßnahme."),
        "birth_year": _("Pflicht. Vierstellig (JJJJ); Alter bei Eintritt 10 bis 70 Jahre."),
        "migration_background": _("Pflicht. ja/nein: keine deutsche Staatsangehörigkeit, im Ausland geboren "
                                  "oder mindestens ein Elternteil im Ausland geboren."),
        "severely_disabled": _("Pflicht. ja/nein: Grad der Behinderung mindestens 50 oder gleichgestellt."),
        "children_in_household": _("Pflicht. ja/nein."),
        "single_parent": _("Pflicht. ja/nein."),
        "goal": _("Pflicht bei M1, sonst leer lassen."),
        "exit_date": _("Bei Austritt. TT.MM.JJJJ; nicht vor dem Eintritt, nicht nach Ende der Maßnahme. "
                       "Darf allein stehen; bis alle Austrittsangaben ausgefüllt sind, bleibt die Zeile gelb."),
        "destination": _("Pflicht, sobald ein Austrittsdatum eingetragen ist. Verbleib bis 4 Wochen nach Austritt."),
        "exit_reason": _("Pflicht, sobald ein Austrittsdatum eingetragen ist, nur bei Verbleib „nicht erwerbstätig, …“."),
        "exit_reason_other": _("Nur bei Austrittsgrund „sonstiger Grund“: der Grund als Text, ohne Namen."),
        "completed_measure": _("Pflicht, sobald ein Austrittsdatum eingetragen ist. ja/nein."),
        "main_goal_reached": _("Pflicht, sobald ein Austrittsdatum eingetragen ist. ja/nein."),
        "exam_passed": _("Pflicht, sobald ein Austrittsdatum eingetragen ist, nur bei M2. ja/nein."),
        "entry_answer": _("ja/nein bei Eintritt. Pflicht, wenn der Fragenblock „%(block)s“ für die Person gilt "
                          "(%(when)s); sonst leer lassen."),
        "exit_answer": _("ja/nein bei Austritt. Pflicht, sobald ein Austrittsdatum eingetragen ist und der Fragenblock "
                         "„%(block)s“ für die Person gilt (%(when)s); sonst leer lassen."),
    }


@dataclass
class Column:
    key: str  # participant field name, MEASURE_NUMBER, or "<phase>__<question code>" (validation's error key)
    header: str
    kind: str
    hint: str = ""
    width: int = 18
    model: type | None = None
    phase: str = AnswerPhase.ENTRY  # entry data or exit data (docs/domain-rules.md §3)
    question_id: int | None = None
    question_code: str = ""
    required: bool = False  # always needed at entry (V1): the header carries REQUIRED_MARK
    block_index: int | None = None  # answers: position of the question block, for its colour
    note: str = ""  # answers: the header comment (block, and the TN-Ziele or measure types that ask it)
    allowed_labels: list = field(default_factory=list)  # active entries, for drop-downs and the guide
    by_id: dict = field(default_factory=dict)  # every entry (also inactive): id -> label, for exports
    lookup: dict = field(default_factory=dict)  # normalised label or code -> code, for imports

    @property
    def is_answer(self):
        return self.question_id is not None

    @property
    def sheet_header(self):
        """The header as written into a workbook: required columns end in " *" (read back without it)."""
        return f"{self.header}{REQUIRED_MARK}" if self.required else self.header

    @property
    def prompt(self):
        """The input message Excel shows on a selected cell (at most 255 characters; the guide has the rest)."""
        return self.hint if len(self.hint) <= 255 else self.hint[:254] + "…"


class Layout:
    """The columns of the participant sheet, built from the current catalogues (about 12 queries)."""

    def __init__(self):
        self.entries = {model: list(model.objects.order_by("sort_order", "label", "pk")) for model in CHOICE_MODELS}
        self.blocks = list(
            QuestionBlock.objects.filter(is_active=True).prefetch_related("participant_goals", "measure_types")
            .order_by("sort_order", "label")
        )
        self.questions = list(
            Question.objects.filter(is_active=True, block__is_active=True)
            .select_related("block")
            .order_by("block__sort_order", "block__label", "sort_order", "label")
        )
        self.columns = self._build_columns()
        self.by_key = {column.key: column for column in self.columns}
        self.by_header = {normalise(column.header): column for column in self.columns}

    # -- building ----------------------------------------------------------------------------

    def _field_column(self, name, kind, model, phase, hints):
        label = str(Participant._meta.get_field(name).verbose_name)
        column = Column(key=name, header=label, kind=kind, hint=hints.get(name, ""), phase=phase, model=model,
                        required=name in REQUIRED_AT_ENTRY)
        if model is not None:
            entries = self.entries[model]
            column.allowed_labels = [entry.label for entry in entries if entry.is_active]
            column.by_id = {entry.pk: entry.label for entry in entries}
            for entry in entries:
                column.lookup.setdefault(normalise(entry.code), entry.code)
            for entry in entries:  # labels win over codes, active entries over inactive ones
                if entry.is_active or normalise(entry.label) not in column.lookup:
                    column.lookup[normalise(entry.label)] = entry.code
            column.width = min(60, max(18, max((len(label) for label in column.allowed_labels), default=18) // 2))
            if not column.hint:
                column.hint = _("Pflicht. Auswahl aus der Liste.") if phase == AnswerPhase.ENTRY else _(
                    "Bei Austritt. Auswahl aus der Liste.")
        if kind == KIND_BOOL:
            column.allowed_labels = [_("ja"), _("nein")]
            column.width = 14
        if kind == KIND_DATE:
            column.width = 14
        return column

    def _answer_columns(self, phase, hints):
        counts = {}
        for question in self.questions:
            counts[question.label] = counts.get(question.label, 0) + 1
        prefix = _("Eintritt") if phase == AnswerPhase.ENTRY else _("Austritt")
        blocks = {block.pk: (index, block) for index, block in enumerate(self.blocks)}
        columns = []
        for question in self.questions:
            index, block = blocks[question.block_id]
            label = question.label if counts[question.label] == 1 else f"{question.label} [{question.block.label}]"
            when = block_condition(block)
            hint = hints[f"{phase}_answer"] % {"block": block.label, "when": when}
            if question.help_text:
                hint = f"{hint} {question.help_text}"
            note = _("Fragenblock „%(block)s“ (%(phase)s)\nPflicht, wenn er für die Person gilt: %(when)s.") % {
                "block": block.label, "phase": prefix, "when": when}
            columns.append(Column(
                key=f"{phase}__{question.code}", header=f"{prefix}: {label}", kind=KIND_BOOL, hint=hint,
                phase=phase, question_id=question.pk, question_code=question.code,
                allowed_labels=[_("ja"), _("nein")], width=16, block_index=index, note=note,
            ))
        return columns

    def _build_columns(self):
        hints = _hints()
        columns = [
            Column(key=MEASURE_NUMBER, header=_("Maßnahmennummer"), kind=KIND_TEXT, hint=hints[MEASURE_NUMBER], width=18),
            Column(key=PSEUDONYM, header=str(Participant._meta.get_field(PSEUDONYM).verbose_name), kind=KIND_ID,
                   hint=hints[PSEUDONYM], width=20, required=True),
        ]
        columns += [self._field_column(name, kind, model, AnswerPhase.ENTRY, hints) for name, kind, model in ENTRY_FIELDS]
        columns += self._answer_columns(AnswerPhase.ENTRY, hints)
        columns += [self._field_column(name, kind, model, AnswerPhase.EXIT, hints) for name, kind, model in EXIT_FIELDS]
        columns += self._answer_columns(AnswerPhase.EXIT, hints)
        return columns

    # -- use -----------------------------------------------------------------------------------

    @property
    def headers(self):
        """The plain headers (as files of older portal versions have them, and as messages name them)."""
        return [column.header for column in self.columns]

    @property
    def sheet_headers(self):
        """The headers written into a workbook, required columns marked with " *"."""
        return [column.sheet_header for column in self.columns]

    @property
    def required_columns(self):
        """Every column but the measure number must be in an uploaded file (same version as the template)."""
        return [column for column in self.columns if column.key != MEASURE_NUMBER]


def block_condition(block):
    """When a question block applies, in words: the TN-Ziele that switch it on, or the measure types that always ask it
    (docs/domain-rules.md §5)."""
    parts = []
    types = sorted(block.measure_types.all(), key=lambda item: (item.sort_order, item.label))
    goals = sorted(block.participant_goals.all(), key=lambda item: (item.sort_order, item.label))
    if types:
        parts.append(_("immer bei Maßnahmeart %(types)s") % {"types": ", ".join(item.code for item in types)})
    if goals:
        parts.append(_("bei TN-Ziel %(goals)s") % {"goals": "; ".join(f"„{item.label}“" for item in goals)})
    return _(" oder ").join(parts) if parts else _("derzeit bei keiner Maßnahme")


def catalogue_version():
    """(version hash, last change) of everything that shapes the workbook, for ETag and the Info sheet.

    A hash rather than max(updated_at) alone, so that deleting an entry changes the version too.
    """
    digest = hashlib.sha256()
    latest = None
    for model in [*CHOICE_MODELS, QuestionBlock, Question]:
        rows = model.objects.order_by("pk").values_list("pk", "code", "label", "sort_order", "is_active", "updated_at")
        for row in rows:
            digest.update(repr(row[:5]).encode())
            if latest is None or row[5] > latest:
                latest = row[5]
    for row in Question.objects.order_by("pk").values_list("pk", "block_id", "help_text"):
        digest.update(repr(row).encode())
    return digest.hexdigest()[:16], latest
