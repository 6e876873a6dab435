"""The participant rules V1-V10 (docs/domain-rules.md §6) as functions over plain values.

One place for the rules, used by every write path: the admin form (forms.py), the
services (services.py) and the Excel import (excel/importer.py).

Interface
---------
``values`` is a plain dict keyed by Participant field names (see ENTRY_FIELDS and
EXIT_FIELDS) plus ``entry_answers`` / ``exit_answers`` (dicts question code -> bool) and
the optional flag ``carried_over`` (True for a record taken over from the previous
budget, V7). Catalogue values may be model instances or their codes; ``None`` (or "")
means "Auswählen", i.e. not given. Dates are ``datetime.date``, the birth year an int.

``context = RuleContext.for_measure(measure)`` precomputes everything a rule needs about
the measure (dates, type flags, question blocks, existing pseudonyms, catalogue lookup
by code), so that the importer validates 10,000 rows without a query per row::

    context = RuleContext.for_measure(measure)
    result = validate_participant(values, context=context, participant_id=None)
    result.errors    # blocking: {field: [German message, ...]}, never saved
    result.missing   # incomplete: {field: [German message]}, saved, makes the status red/yellow
    result.exit_incomplete  # V9: "Austrittsangaben unvollständig: …" while an exit lacks fields, else ""
    result.warnings  # not blocking, status unchanged: {field: [German message]} (the pseudonym looks like a name)
    result.status    # ParticipantStatus (only meaningful when not result.errors)
    result.values    # normalised values: codes resolved, answers of non-applicable blocks dropped

Error keys are field names, ``entry__<question code>`` / ``exit__<question code>`` for
answers (the form's field names), and ``NON_FIELD`` ("__all__") for record-wide rules.

Saving an incomplete record is allowed; invalid values never are (docs/domain-rules.md §7): hence V1
(required fields) is reported in ``missing``, all other rules in ``errors``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property, lru_cache

from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from .formatting import format_date
from .models import (
    BOOLEAN_FIELDS,
    CATALOGUE_FIELDS,
    DATE_FIELDS,
    ENTRY_FIELDS,
    EXIT_FIELDS,
    PSEUDONYM_PATTERN,
    Participant,
    ParticipantStatus,
    QuestionBlock,
)

NON_FIELD = "__all__"

MIN_AGE = 10
MAX_AGE = 70

ANSWER_KEYS = {"entry": "entry_answers", "exit": "exit_answers"}


_PSEUDONYM_RE = re.compile(PSEUDONYM_PATTERN)
_PSEUDONYM_MAX_LENGTH = Participant._meta.get_field("pseudonym").max_length
_EXIT_REASON_OTHER_MAX_LENGTH = Participant._meta.get_field("exit_reason_other").max_length


def field_label(name):
    """The German label of a participant field, as the form and the audit trail show it."""
    return _field_label(name, get_language())


@lru_cache(maxsize=256)
def _field_label(name, language):
    return str(Participant._meta.get_field(name).verbose_name)


def answer_field_name(phase, question_code):
    """Form field name (and error key) of one answer: ``entry__<code>`` or ``exit__<code>``."""
    return f"{phase}__{question_code}"


def is_given(value):
    return value is not None and value != ""


# ---------------------------------------------------------------------------
# Context: what the rules need to know about the measure, computed once
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class QuestionInfo:
    id: int
    code: str
    label: str
    help_text: str
    is_active: bool


@dataclass(frozen=True)
class BlockInfo:
    """A question block as the rules see it: when it applies and what it asks."""

    id: int
    code: str
    label: str
    always: bool  # the measure's type is in block.measure_types
    goal_ids: frozenset  # participant goals that switch the block on
    questions: tuple  # of QuestionInfo, in catalogue order, active and inactive

    @property
    def active_questions(self):
        return tuple(question for question in self.questions if question.is_active)

    def applies_to(self, goal_id):
        """docs/domain-rules.md §5: always for the measure type (M3), else when the TN-Ziel switches it on (M1)."""
        return self.always or (goal_id is not None and goal_id in self.goal_ids)


@dataclass
class RuleContext:
    """Everything the rules need about one measure; build it once per form or import."""

    measure_id: int | None
    start_date: date
    end_date: date
    is_closed: bool
    has_participant_monitoring: bool
    requires_participant_goal: bool
    asks_exam_passed: bool
    blocks: tuple = ()  # BlockInfo that can apply in this measure (always or by goal)
    _pseudonyms: dict | None = field(default=None, repr=False)

    @classmethod
    def for_measure(cls, measure, *, with_pseudonyms=None, blocks=None):
        """Four queries for the blocks (blocks, their measure types, goals and questions; none when `blocks`
        is given), one more for the pseudonyms when first used.

        ``with_pseudonyms`` may be a prebuilt dict pseudonym -> participant id; otherwise
        it is loaded on first use. ``blocks`` may be the measure type's `load_blocks`, loaded once
        for many measures of one type.
        """
        measure_type = measure.measure_type
        return cls(
            measure_id=measure.pk,
            start_date=measure.start_date,
            end_date=measure.end_date,
            is_closed=measure.closed_at is not None,
            has_participant_monitoring=measure_type.has_participant_monitoring,
            requires_participant_goal=measure_type.requires_participant_goal,
            asks_exam_passed=measure_type.asks_exam_passed,
            blocks=load_blocks(measure_type) if blocks is None else blocks,
            _pseudonyms=with_pseudonyms,
        )

    @property
    def pseudonyms(self):
        """Pseudonym -> participant id of the measure's existing records (V2), loaded once."""
        if self._pseudonyms is None:
            self._pseudonyms = {}
            if self.measure_id is not None:
                rows = Participant.objects.filter(measure_id=self.measure_id).values_list("pseudonym", "pk")
                self._pseudonyms = dict(rows)
        return self._pseudonyms

    @cached_property
    def catalogue_by_code(self):
        """field name -> {code: catalogue entry}, loaded on first use (the importer passes codes)."""
        return {name: {entry.code: entry for entry in model.objects.all()} for name, model in CATALOGUE_FIELDS.items()}

    @cached_property
    def questions_by_code(self):
        return {question.code: (block, question) for block in self.blocks for question in block.questions}

    def applicable_blocks(self, goal):
        goal_id = goal.pk if goal is not None else None
        return tuple(block for block in self.blocks if block.applies_to(goal_id))


def load_blocks(measure_type):
    """The question blocks that can apply in a measure of this type, with their questions."""
    blocks = (
        QuestionBlock.objects.prefetch_related("measure_types", "participant_goals", "questions")
        .order_by("sort_order", "label")
    )
    result = []
    for block in blocks:
        always = any(item.pk == measure_type.pk for item in block.measure_types.all())
        goal_ids = frozenset(goal.pk for goal in block.participant_goals.all())
        if not (block.is_active and (always or (measure_type.requires_participant_goal and goal_ids))):
            continue
        questions = tuple(
            QuestionInfo(question.pk, question.code, question.label, question.help_text, question.is_active)
            for question in sorted(block.questions.all(), key=lambda q: (q.sort_order, q.label))
        )
        result.append(BlockInfo(block.pk, block.code, block.label, always, goal_ids, questions))
    return tuple(result)


# ---------------------------------------------------------------------------
# Result
# ---------------------------------------------------------------------------


@dataclass
class ValidationResult:
    values: dict
    errors: dict = field(default_factory=dict)
    missing: dict = field(default_factory=dict)
    missing_entry: dict = field(default_factory=dict)  # field -> label
    missing_exit: dict = field(default_factory=dict)  # field -> label
    warnings: dict = field(default_factory=dict)  # field -> [German message]: shown, never blocking, status unchanged

    @property
    def is_valid(self):
        """No blocking error: the record may be saved (it may still be incomplete)."""
        return not self.errors

    @property
    def status(self):
        return status_from_missing(self.missing_entry, self.missing_exit, self.values.get("exit_date"))

    @property
    def missing_labels(self):
        """What is still missing, as the form's status box lists it."""
        return list(self.missing_entry.values()) + list(self.missing_exit.values())

    @property
    def exit_incomplete(self):
        return exit_incomplete_message(self.missing_exit, self.values.get("exit_date"))


def status_from_missing(missing_entry, missing_exit, exit_date):
    """docs/domain-rules.md §7: red without complete entry data; yellow until the exit is recorded; else green."""
    if missing_entry:
        return ParticipantStatus.RED
    if exit_date is None or missing_exit:
        return ParticipantStatus.YELLOW
    return ParticipantStatus.GREEN


def add(errors, key, message):
    errors.setdefault(key, []).append(message)


def merge(target, *sources):
    for source in sources:
        for key, messages in source.items():
            target.setdefault(key, []).extend(messages)
    return target


# ---------------------------------------------------------------------------
# Normalising the values
# ---------------------------------------------------------------------------


def normalise(values, context, previous=None):
    """Resolve codes, blank strings to None, and catch values of the wrong kind.

    Returns (values, errors). A catalogue entry that is inactive is accepted only when it
    is the value already stored (catalogue changes never rewrite stored data, docs/domain-rules.md §4).
    """
    previous = previous or {}
    errors = {}
    result = {}
    for name in ENTRY_FIELDS + EXIT_FIELDS:
        value = values.get(name)
        if isinstance(value, str):
            value = value.strip()
        if value == "":
            value = None
        if name in CATALOGUE_FIELDS and value is not None:
            value = resolve_catalogue(name, value, context, previous.get(name), errors)
        elif name in BOOLEAN_FIELDS and value is not None and not isinstance(value, bool):
            add(errors, name, _("Bitte „ja“ oder „nein“ auswählen."))
            value = None
        elif name in DATE_FIELDS and value is not None and not isinstance(value, date):
            add(errors, name, _("Bitte ein Datum im Format TT.MM.JJJJ angeben."))
            value = None
        result[name] = value
    result["exit_reason_other"] = result["exit_reason_other"] or ""
    result["carried_over"] = bool(values.get("carried_over"))
    for phase, key in ANSWER_KEYS.items():
        result[key] = normalise_answers(phase, values.get(key) or {}, context, errors)
    return result, errors


def resolve_catalogue(name, value, context, previous, errors):
    model = CATALOGUE_FIELDS[name]
    if not isinstance(value, model):
        entry = context.catalogue_by_code[name].get(str(value))
        if entry is None:
            add(errors, name, _("„%(value)s“ ist kein gültiger Eintrag für %(label)s.") % {"value": value, "label": field_label(name)})
            return None
        value = entry
    if not value.is_active and (previous is None or previous.pk != value.pk):
        add(errors, name, _("„%(value)s“ wird nicht mehr angeboten. Bitte einen anderen Eintrag auswählen.") % {"value": value})
        return None
    return value


def normalise_answers(phase, answers, context, errors):
    """Answers keyed by question code; unknown questions and non-yes/no values are errors."""
    result = {}
    for code, value in answers.items():
        if value is None or value == "":
            continue
        if code not in context.questions_by_code:
            add(errors, answer_field_name(phase, code), _("Unbekannte Frage „%(code)s“.") % {"code": code})
            continue
        if not isinstance(value, bool):
            add(errors, answer_field_name(phase, code), _("Bitte „ja“ oder „nein“ auswählen."))
            continue
        result[code] = value
    return result


def drop_inapplicable_answers(values, context):
    """Answers of a block that does not apply are neither required nor kept (docs/domain-rules.md §5)."""
    applicable_codes = {
        question.code for block in context.applicable_blocks(values.get("goal")) for question in block.questions
    }
    for key in ANSWER_KEYS.values():
        values[key] = {code: value for code, value in values[key].items() if code in applicable_codes}


# ---------------------------------------------------------------------------
# V1: required fields (incomplete, not invalid)
# ---------------------------------------------------------------------------


def entry_fields_for(context):
    """The entry fields of §3 asked in this measure: the TN-Ziel only where the type needs it (M1)."""
    return tuple(name for name in ENTRY_FIELDS if name != "goal" or context.requires_participant_goal)


def exit_fields_for(context, values):
    """The exit fields asked for this record: Austrittsgrund only for "nicht erwerbstätig, …",
    the free text only for "sonstiger Grund", "Prüfung bestanden?" only where the type asks it (M2)."""
    names = ["exit_date", "destination"]
    destination = values.get("destination")
    if destination is not None and destination.requires_exit_reason:
        names.append("exit_reason")
        exit_reason = values.get("exit_reason")
        if exit_reason is not None and exit_reason.requires_free_text:
            names.append("exit_reason_other")
    names += ["completed_measure", "main_goal_reached"]
    if context.asks_exam_passed:
        names.append("exam_passed")
    return tuple(names)


# The same questions are asked at entry and at exit: a missing answer says which one it is.
PHASE_SUFFIX = {"entry": gettext_lazy("(bei Eintritt)"), "exit": gettext_lazy("(bei Austritt)")}


def missing_answers(phase, values, context):
    answers = values.get(ANSWER_KEYS[phase]) or {}
    missing = {}
    for block in context.applicable_blocks(values.get("goal")):
        for question in block.active_questions:
            if question.code not in answers:
                missing[answer_field_name(phase, question.code)] = f"{block.label}: {question.label} {PHASE_SUFFIX[phase]}"
    return missing


def missing_entry_fields(values, context):
    """V1 at entry: every §3 field not marked "exit", the TN-Ziel for M1 and the entry answers
    of the applicable blocks. Returns field -> German label; a non-empty result means red."""
    missing = {name: field_label(name) for name in entry_fields_for(context) if not is_given(values.get(name))}
    missing.update(missing_answers("entry", values, context))
    return missing


def missing_exit_fields(values, context):
    """V1 at exit: the exit fields and exit answers still missing (field -> label)."""
    missing = {name: field_label(name) for name in exit_fields_for(context, values) if not is_given(values.get(name))}
    missing.update(missing_answers("exit", values, context))
    return missing


MISSING_EXIT_MESSAGES = {
    "exit_date": gettext_lazy("Bitte das Austrittsdatum eintragen, sobald die Person austritt."),
    "destination": gettext_lazy("Bitte den Verbleib bis vier Wochen nach dem Austritt auswählen."),
    "exit_reason": gettext_lazy("Bitte den Austrittsgrund auswählen; der Verbleib „nicht erwerbstätig, …“ verlangt ihn."),
    "exit_reason_other": gettext_lazy("Bitte den sonstigen Grund beschreiben."),
    "completed_measure": gettext_lazy("Bitte angeben, ob die Maßnahme vollständig durchlaufen wurde."),
    "main_goal_reached": gettext_lazy("Bitte angeben, ob das Hauptziel der Maßnahme erreicht wurde."),
    "exam_passed": gettext_lazy("Bitte angeben, ob die Prüfung bestanden wurde."),
}


def missing_message(name):
    """What a missing field needs, in one sentence: each exit field its own (V9), entry fields the V1 note."""
    if name in MISSING_EXIT_MESSAGES:
        return str(MISSING_EXIT_MESSAGES[name])
    if name.startswith("exit__"):
        return _("Bitte mit „ja“ oder „nein“ beantworten, wie es bei Austritt ist.")
    return _("Pflichtangabe: bitte ausfüllen.")


def missing_messages(missing):
    return {name: [missing_message(name)] for name in missing}


def exit_incomplete_message(missing_exit, exit_date):
    """V9 [ours]: an exit date may be saved alone (the Verbleib is known only up to four weeks later);
    until every exit field is filled the record stays yellow, and this names what is missing."""
    if exit_date is None or not missing_exit:
        return ""
    return _("Austrittsangaben unvollständig: %(fields)s") % {"fields": ", ".join(missing_exit.values())}


# ---------------------------------------------------------------------------
# V2-V10 and the conditional exit fields (blocking)
# ---------------------------------------------------------------------------


def check_pseudonym(values, context, participant_id=None):
    """V2: letters, digits and hyphen only, unique within the measure (docs/domain-rules.md §6 V2: a person
    who leaves and re-enters the same measure gets a new ID, so an ID is never reused)."""
    errors = {}
    pseudonym = values.get("pseudonym")
    if not is_given(pseudonym):
        return errors
    if not _PSEUDONYM_RE.match(pseudonym):
        add(
            errors,
            "pseudonym",
            _(
                "Die Teilnehmenden-ID darf nur Buchstaben (A–Z, a–z, ohne Umlaute), Ziffern und den "
                "Bindestrich enthalten, keine Leerzeichen oder anderen Sonderzeichen."
            ),
        )
    elif len(pseudonym) > _PSEUDONYM_MAX_LENGTH:
        add(errors, "pseudonym", _("Die Teilnehmenden-ID darf höchstens %(max)d Zeichen lang sein.") % {"max": _PSEUDONYM_MAX_LENGTH})
    else:
        owner = context.pseudonyms.get(pseudonym)
        if owner is not None and owner != participant_id:
            add(
                errors,
                "pseudonym",
                _(
                    "Die Teilnehmenden-ID „%(id)s“ ist in dieser Maßnahme bereits vergeben. Jede ID ist pro "
                    "Maßnahme nur einmal zulässig; wer austritt und wieder eintritt, erhält eine neue ID."
                )
                % {"id": pseudonym},
            )
    return errors


# ---------------------------------------------------------------------------
# Warnings (not blocking): the participant ID must be a pseudonym, not a name
# ---------------------------------------------------------------------------

# A word for the heuristic: a run of letters; "AnnaSchmidt" is split where a lower-case letter
# is followed by a capital ("Anna", "Schmidt").
_WORD_RE = re.compile(r"[^\W\d_]+")
_CAMEL_RE = re.compile(r"(?<=[^\W\d_])(?=[A-ZÄÖÜ][a-zäöüß])")
_VOWELS = set("aeiouyäöüAEIOUYÄÖÜ")
# Dates inside an ID: 4.3.1990 / 04-03-90 / 04/03/1990, 1990-03-04, and digit runs of exactly
# 8 (04031990, 19900304) or 6 digits (040390) that read as a real calendar date.
_DATE_PATTERNS = (
    (re.compile(r"(?<!\d)(\d{1,2})[.\-/](\d{1,2})[.\-/](\d{4}|\d{2})(?!\d)"), "dmy"),
    (re.compile(r"(?<!\d)(\d{4})[.\-/](\d{1,2})[.\-/](\d{1,2})(?!\d)"), "ymd"),
    (re.compile(r"(?<!\d)(\d{2})(\d{2})(\d{4})(?!\d)"), "dmy"),
    (re.compile(r"(?<!\d)(\d{4})(\d{2})(\d{2})(?!\d)"), "ymd"),
    (re.compile(r"(?<!\d)(\d{2})(\d{2})(\d{2})(?!\d)"), "dmy"),
)


def _name_like_words(text):
    """The capitalised words of `text` that could be a first or last name: a capital followed by
    lower-case letters only ("Anna", "Schmidt", "Müller"), at least two letters, at least one vowel.
    Abbreviations in capitals ("BWN", "KS", "TN") and vowel-less words ("Tn", "Nr") are not names."""
    words = []
    for run in _WORD_RE.findall(text):
        for word in _CAMEL_RE.split(run):
            if len(word) >= 2 and word[0].isupper() and word[1:].islower() and _VOWELS & set(word):
                words.append(word)
    return words


def _contains_date(text):
    """Whether `text` holds a real calendar date (see _DATE_PATTERNS); two-digit years count as 19xx/20xx."""
    for pattern, order in _DATE_PATTERNS:
        for match in pattern.finditer(text):
            first, second, third = match.groups()
            year, month, day = (third, second, first) if order == "dmy" else (first, second, third)
            year = int(year)
            if year < 100:
                year += 1900 if year > 30 else 2000
            try:
                date(year, int(month), int(day))
            except ValueError:
                continue
            if 1900 <= year <= 2099:
                return True
    return False


def pseudonym_looks_like_name(pseudonym):
    """Whether a participant ID looks like a personal name rather than a pseudonym (docs/domain-rules.md §6, W1).

    The heuristic, chosen so that the pseudonyms clerks use stay silent ("BWN-0004",
    "KS-2026-017", "TN12", "P-1", "TN-Kassel-01"):

    - two or more name-like words: "Anna Schmidt", "AnnaSchmidt", "Anna-Schmidt", "SchmidtAnna";
    - or one name-like word plus a calendar date: "Mueller1990-03-04", "Anna 04.03.1990",
      "Mueller04031990", "Anna-040390".

    A name-like word is a capital followed by lower-case letters, at least two letters and a
    vowel (see _name_like_words). Not caught on purpose, because real pseudonyms look the same:
    a single word ("Mueller", "Kurs3"), a word with a bare year ("Mueller1990"), names in
    capitals or lower case ("MUELLER", "anna-schmidt"). The warning asks, it never blocks.
    """
    if not is_given(pseudonym):
        return False
    text = str(pseudonym)
    words = _name_like_words(text)
    return len(words) >= 2 or (len(words) == 1 and _contains_date(text))


def participant_warnings(values):
    """W1: the warnings of a record, {field: [German message]}. Not blocking, the status is unchanged:
    the record is saved and imported as it is; the clerk is asked to use a pseudonym instead."""
    warnings = {}
    pseudonym = values.get("pseudonym")
    if pseudonym_looks_like_name(pseudonym):
        add(
            warnings,
            "pseudonym",
            _(
                "Die Teilnehmenden-ID „%(id)s“ sieht aus wie ein Name oder ein Name mit Geburtsdatum. "
                "Teilnehmenden-IDs sind Pseudonyme: bitte keine Namen oder Geburtsdaten verwenden, sondern "
                "eine Kennung wie „KS-2026-017“. Der Datensatz wird trotzdem gespeichert."
            )
            % {"id": pseudonym},
        )
    return warnings


def check_birth_year(values, context):
    """V3: a four-digit year, and the age at entry (entry year − birth year) between 10 and 70."""
    errors = {}
    birth_year = values.get("birth_year")
    if birth_year is None:
        return errors
    if isinstance(birth_year, bool) or not isinstance(birth_year, int) or not 1000 <= birth_year <= 9999:
        add(errors, "birth_year", _("Bitte das Geburtsjahr vierstellig angeben, z. B. 2005."))
        return errors
    entry_date = values.get("entry_date")
    if entry_date is not None:
        age = entry_date.year - birth_year
        if not MIN_AGE <= age <= MAX_AGE:
            add(
                errors,
                "birth_year",
                _(
                    "Teilnehmende müssen bei Eintritt mindestens %(min)d und höchstens %(max)d Jahre alt sein "
                    "(Eintrittsjahr minus Geburtsjahr ergibt %(age)d)."
                )
                % {"min": MIN_AGE, "max": MAX_AGE, "age": age},
            )
    return errors


def check_entry_date(values, context):
    """V4: entry not before the measure's start (also for carried-over participants), and not
    after its end [ours]."""
    errors = {}
    entry_date = values.get("entry_date")
    if entry_date is None:
        return errors
    if entry_date < context.start_date:
        add(
            errors,
            "entry_date",
            _("Das Eintrittsdatum darf nicht vor dem Beginn der Maßnahme (%(date)s) liegen.") % {"date": format_date(context.start_date)},
        )
    elif entry_date > context.end_date:
        add(
            errors,
            "entry_date",
            _("Das Eintrittsdatum darf nicht nach dem Ende der Maßnahme (%(date)s) liegen.") % {"date": format_date(context.end_date)},
        )
    return errors


def check_exit_after_entry(values, context):
    """V5: the exit date may not precede the entry date."""
    errors = {}
    entry_date, exit_date = values.get("entry_date"), values.get("exit_date")
    if entry_date is not None and exit_date is not None and exit_date < entry_date:
        add(
            errors,
            "exit_date",
            _("Das Austrittsdatum darf nicht vor dem Eintrittsdatum (%(date)s) liegen.") % {"date": format_date(entry_date)},
        )
    return errors


def check_exit_before_measure_end(values, context):
    """V6: the exit is the actual leaving date, at the latest the measure's end date."""
    errors = {}
    exit_date = values.get("exit_date")
    if exit_date is not None and exit_date > context.end_date:
        add(
            errors,
            "exit_date",
            _("Das Austrittsdatum darf nicht nach dem Ende der Maßnahme (%(date)s) liegen.") % {"date": format_date(context.end_date)},
        )
    return errors


def check_carried_over_entry(values, context):
    """V7: participants carried over from the previous budget enter on the new measure's start date."""
    errors = {}
    entry_date = values.get("entry_date")
    if values.get("carried_over") and entry_date is not None and entry_date != context.start_date:
        add(
            errors,
            "entry_date",
            _(
                "Aus dem vorangegangenen Budget übernommene Teilnehmende erhalten als Eintrittsdatum den "
                "Beginn der Maßnahme (%(date)s)."
            )
            % {"date": format_date(context.start_date)},
        )
    return errors


def check_carry_over_exit(values, context):
    """V8: whoever continues in the following budget leaves this measure on its end date."""
    errors = {}
    destination, exit_date = values.get("destination"), values.get("exit_date")
    if destination is not None and destination.is_carry_over and exit_date is not None and exit_date != context.end_date:
        add(
            errors,
            "exit_date",
            _(
                "Bei Verbleib „%(destination)s“ ist das Austrittsdatum das Ende der Maßnahme (%(date)s)."
            )
            % {"destination": destination, "date": format_date(context.end_date)},
        )
    return errors


def check_exit_data_need_exit_date(values, context):
    """V9 [ours]: exit data belong to an exit, so without an exit date none is stored. The other way
    round is allowed: an exit date alone is saved, and the missing exit fields only keep the record
    yellow (see exit_incomplete_message)."""
    errors = {}
    if values.get("exit_date") is not None:
        return errors
    given = [field_label(name) for name in EXIT_FIELDS if name != "exit_date" and is_given(values.get(name))]
    for code in values.get("exit_answers") or {}:
        _block, question = context.questions_by_code[code]
        given.append(_("%(question)s (bei Austritt)") % {"question": question.label})
    if given:
        add(
            errors,
            "exit_date",
            _("Bitte das Austrittsdatum eintragen: ohne Austritt werden keine Austrittsangaben gespeichert (%(fields)s).")
            % {"fields": ", ".join(given)},
        )
    return errors


def check_conditional_exit_fields(values, context):
    """Austrittsgrund only for a Verbleib that requires it ("nicht erwerbstätig, …"); the free text
    only with "sonstiger Grund" (docs/domain-rules.md §3.2)."""
    errors = {}
    destination, exit_reason = values.get("destination"), values.get("exit_reason")
    if exit_reason is not None and (destination is None or not destination.requires_exit_reason):
        add(errors, "exit_reason", _("Ein Austrittsgrund wird nur beim Verbleib „nicht erwerbstätig, …“ angegeben."))
    if values.get("exit_reason_other") and (exit_reason is None or not exit_reason.requires_free_text):
        add(errors, "exit_reason_other", _("Der sonstige Austrittsgrund wird nur bei „sonstiger Grund“ angegeben."))
    if len(values.get("exit_reason_other") or "") > _EXIT_REASON_OTHER_MAX_LENGTH:
        add(errors, "exit_reason_other", _("Höchstens %(max)d Zeichen.") % {"max": _EXIT_REASON_OTHER_MAX_LENGTH})
    return errors


def check_fields_of_measure_type(values, context):
    """Fields the measure type does not ask are not stored: TN-Ziel only in M1, exam only in M2."""
    errors = {}
    if values.get("goal") is not None and not context.requires_participant_goal:
        add(errors, "goal", _("Ein TN-Ziel wird nur bei Maßnahmen der Art M1 erfasst."))
    if values.get("exam_passed") is not None and not context.asks_exam_passed:
        add(errors, "exam_passed", _("„Prüfung bestanden?“ wird nur bei Maßnahmen der Art M2 erfasst."))
    return errors


def check_measure_open(context):
    """V10: after the closing report the measure's participants cannot be changed or deleted.

    Takes a RuleContext or a Measure (both have `is_closed`)."""
    if context.is_closed:
        return {NON_FIELD: [_("Die Maßnahme ist abgeschlossen; Teilnehmende können nicht mehr geändert oder gelöscht werden.")]}
    return {}


def check_measure_has_monitoring(context):
    """M4 (Weiterbildung für Personal der GK) records no participants [ours]."""
    if not context.has_participant_monitoring:
        return {NON_FIELD: [_("Für diese Maßnahmeart werden keine Teilnehmenden erfasst.")]}
    return {}


# ---------------------------------------------------------------------------
# All rules together
# ---------------------------------------------------------------------------


def validate_participant(values, *, context, participant_id=None, previous=None):
    """Run V1-V10 on one record. ``previous`` holds the stored values of an existing record
    (inactive catalogue entries stay allowed when they are already stored; whether it was carried over
    from the previous budget is the stored record's property, never the input's: V7)."""
    if previous is not None and "carried_over" in previous:
        values = {**values, "carried_over": previous["carried_over"]}
    values, errors = normalise(values, context, previous)
    drop_inapplicable_answers(values, context)
    merge(errors, check_measure_open(context), check_measure_has_monitoring(context))
    if not is_given(values.get("pseudonym")):
        add(errors, "pseudonym", _("Ohne Teilnehmenden-ID kann der Datensatz nicht gespeichert werden."))
    merge(
        errors,
        check_pseudonym(values, context, participant_id),
        check_birth_year(values, context),
        check_entry_date(values, context),
        check_exit_after_entry(values, context),
        check_exit_before_measure_end(values, context),
        check_carried_over_entry(values, context),
        check_carry_over_exit(values, context),
        check_exit_data_need_exit_date(values, context),
        check_conditional_exit_fields(values, context),
        check_fields_of_measure_type(values, context),
    )
    missing_entry = missing_entry_fields(values, context)
    missing_exit = missing_exit_fields(values, context)
    missing = missing_messages({**missing_entry, **missing_exit})
    missing.pop("pseudonym", None)  # reported as a blocking error above
    return ValidationResult(
        values=values,
        errors={key: messages for key, messages in errors.items() if messages},
        missing=missing,
        missing_entry=missing_entry,
        missing_exit=missing_exit,
        warnings=participant_warnings(values),
    )


def values_from_participant(participant, answers=None):
    """The values dict of a stored participant. ``answers`` is an iterable of Answer with
    ``question`` loaded; by default the participant's prefetched ``answers``."""
    values = {name: getattr(participant, name) for name in ENTRY_FIELDS + EXIT_FIELDS}
    values["carried_over"] = participant.carried_over_from_id is not None
    values["entry_answers"], values["exit_answers"] = {}, {}
    if participant.pk is not None:
        for answer in participant.answers.all() if answers is None else answers:
            values[ANSWER_KEYS[answer.phase]][answer.question.code] = answer.value
    return values
