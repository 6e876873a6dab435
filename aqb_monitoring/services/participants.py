"""State changes of participants: save (create/change), delete, carry-over into the following budget.

Each `save_*`/`delete_*`/`do_*` function is one transaction, takes the acting `user`, checks
`permissions.can_edit` and the rules (validation.py), writes an AuditEntry and raises
`ServiceError` (German messages per field) when it refuses; each has a `check_*` sibling. The
measure row is locked (`select_for_update`) in every write, so a closing report and a
participant change cannot interleave (V10).
"""

from dataclasses import dataclass, field

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import permissions
from ..formatting import display_value, format_date, format_datetime
from ..models import Answer, AnswerPhase, AuditAction, AuditEntry, Participant, Question
from ..validation import (
    ANSWER_KEYS,
    CATALOGUE_FIELDS,
    EXIT_FIELDS,
    NON_FIELD,
    RuleContext,
    ValidationResult,
    field_label,
    validate_participant,
    values_from_participant,
)
from .common import STORED_FIELDS, ServiceError, audit, edit_refusal, locked_for_edit, locked_measure

# ---------------------------------------------------------------------------
# Versions: a save against a record changed since it was read is refused (no lost update)
# ---------------------------------------------------------------------------


def version_of(participant_or_timestamp):
    """The version a form or a preview read a record at: its `updated_at` as ISO text ("" for none)."""
    if participant_or_timestamp is None:
        return ""
    timestamp = getattr(participant_or_timestamp, "updated_at", participant_or_timestamp)
    return timestamp.isoformat() if timestamp else ""


class StaleRecord(ServiceError):
    """The record changed since the clerk read it; `version` is the one it has now."""

    def __init__(self, message, version):
        super().__init__(message)
        self.version = version


def changed_since(participant_id):
    """"von anna@… am 03.02.2026 14:05 (Geburtsjahr, Geschlecht)": who changed the record last, when, what."""
    entry = (
        AuditEntry.objects.filter(participant_id=participant_id).select_related("user").order_by("-timestamp", "-id").first()
    )
    if entry is None:
        return _("von einer anderen Stelle")
    who = (entry.user.email or entry.user.get_full_name()) if entry.user else _("einem Import oder Systemvorgang")
    text = _("von %(who)s am %(when)s") % {"who": who, "when": format_datetime(entry.timestamp)}
    if entry.changes:
        text += f" ({', '.join(entry.changes)})"
    return text


def _stale_form_message(participant):
    return _(
        "Der Datensatz wurde inzwischen geändert, %(changed)s. Ihre Eingaben wurden nicht gespeichert und stehen "
        "unten noch im Formular: bitte mit dem aktuellen Stand abgleichen und erneut speichern."
    ) % {"changed": changed_since(participant.pk)}


def stale_row_message(participant_id):
    """Why a row of an import is left out: its participant changed after the preview."""
    return _(
        "Der Datensatz wurde seit der Vorschau geändert, %(changed)s. Die Zeile wurde nicht übernommen, damit "
        "diese Änderung nicht überschrieben wird; bitte die Datei neu hochladen."
    ) % {"changed": changed_since(participant_id)}


# ---------------------------------------------------------------------------
# Saving and deleting a participant
# ---------------------------------------------------------------------------


def _stored_participant(participant):
    return (
        Participant.objects.select_for_update(of=("self",))
        .select_related(*[name for name in STORED_FIELDS if Participant._meta.get_field(name).is_relation])
        .get(pk=participant.pk)
    )


def _stored_answers(participant):
    if participant is None:
        return []
    return list(Answer.objects.filter(participant=participant).select_related("question__block"))


def validate_save_participant(user, measure, values, participant=None, *, context=None, previous=None):
    """What `save_participant` would answer, without saving: a ValidationResult whose errors hold the
    refusal (permission, closed measure, another measure's record) or V2-V10; the form shows it."""
    refusal = edit_refusal(user, measure)
    if not refusal and participant is not None and participant.measure_id != measure.pk:
        refusal = {NON_FIELD: [_("Die/der Teilnehmende gehört nicht zu dieser Maßnahme.")]}
    if refusal:
        return ValidationResult(values=values, errors=refusal)
    context = context or RuleContext.for_measure(measure)
    if previous is None and participant is not None:
        previous = values_from_participant(participant)
    return validate_participant(
        values, context=context, participant_id=participant.pk if participant else None, previous=previous
    )


def check_save_participant(user, measure, values, participant=None, *, context=None):
    """Blocking errors per field that `save_participant` would raise (missing data is not one)."""
    return validate_save_participant(user, measure, values, participant, context=context).errors


def save_participant(user, measure, values, participant=None, *, context=None, action=None, note="", version=None):
    """Create or change one participant: refuse invalid values (V2-V10), save incomplete ones.

    Stores the answers (dropping those of blocks that no longer apply), sets the status and
    writes an AuditEntry with the changed fields as {label: [old, new]}. `action` overrides
    the audit action. `version` (see `version_of`) is what the form read: a record changed
    since is refused with StaleRecord, never overwritten. Returns (participant, ValidationResult).
    """
    with transaction.atomic():
        measure = locked_for_edit(user, measure)
        context = context or RuleContext.for_measure(measure)
        context.is_closed = measure.is_closed  # as read under the lock
        # The IDs as they are now, under the lock: the form's context was read before it, and a second
        # click may have saved the same new ID meanwhile (V2 must see that record, issue 14).
        context._pseudonyms = None
        if participant is not None:
            if participant.measure_id != measure.pk:
                raise ServiceError(_("Die/der Teilnehmende gehört nicht zu dieser Maßnahme."))
            participant = _stored_participant(participant)
            if version is not None and version != version_of(participant):
                raise StaleRecord(_stale_form_message(participant), version_of(participant))
        answers = _stored_answers(participant)
        previous = values_from_participant(participant, answers) if participant is not None else None
        result = validate_participant(
            values, context=context, participant_id=participant.pk if participant else None, previous=previous
        )
        if result.errors:
            raise ServiceError(result.errors)

        created = participant is None
        if created:
            participant = Participant(measure=measure)
        clean = result.values
        for name in STORED_FIELDS:
            setattr(participant, name, clean[name])
        participant.status = result.status
        _save_unique(participant, values, context, previous)
        changes = _changes(previous or _empty_values(), clean)
        changes.update(_store_answers(participant, clean, answers, context))
        if context._pseudonyms is not None:
            context._pseudonyms[participant.pseudonym] = participant.pk
            if previous and previous["pseudonym"] != participant.pseudonym:
                context._pseudonyms.pop(previous["pseudonym"], None)
        if created or changes:
            if action is None:
                action = AuditAction.CREATE if created else AuditAction.CHANGE
            audit(user, measure, participant, action, changes, note)
        return participant, result


def _save_unique(participant, values, context, previous):
    """Save; should the ID's unique constraint still refuse it (a record the lock did not cover), answer
    with V2's German message instead of an error page."""
    try:
        with transaction.atomic():
            participant.save()
    except IntegrityError as error:
        if "pseudonym" not in str(error):
            raise
        context._pseudonyms = None
        errors = validate_participant(values, context=context, participant_id=participant.pk,
                                      previous=previous).errors
        raise ServiceError(errors or {"pseudonym": [_("Diese Teilnehmenden-ID ist in dieser Maßnahme bereits vergeben.")]}) from error


def _store_answers(participant, clean, stored_answers, context):
    """Write the given answers and delete withdrawn ones and those of blocks that do not apply.

    Answers to questions that were deactivated in the catalogue, or of blocks this context
    does not know (deactivated), stay as they are (a catalogue change never rewrites answers,
    docs/domain-rules.md §5), except that without an exit date no exit answer is kept (V9).
    Returns the answer changes for the audit trail.
    """
    known = context.questions_by_code
    applicable = {block.code for block in context.applicable_blocks(clean["goal"])}
    stored = {(answer.phase, answer.question.code): answer for answer in stored_answers}
    to_delete, to_update, to_create, changes = [], [], [], {}
    for (phase, code), answer in stored.items():
        given = clean[ANSWER_KEYS[phase]]
        if code in given:
            continue
        if _answer_dropped(phase, code, clean, known, applicable):
            to_delete.append(answer.pk)
            label = f"{answer.question.block.label}: {answer.question.label}"
            changes[_answer_label(label, phase)] = [display_value(answer.value), ""]
    for phase, key in ANSWER_KEYS.items():
        for code, value in clean[key].items():
            answer = stored.get((phase, code))
            old_value = None if answer is None else answer.value
            if old_value == value:
                continue
            block, question = known[code]
            if answer is None:
                to_create.append(Answer(participant=participant, question_id=question.id, phase=phase, value=value))
            else:
                answer.value = value
                to_update.append(answer)
            changes[_answer_label(f"{block.label}: {question.label}", phase)] = [display_value(old_value), display_value(value)]
    if to_delete:
        Answer.objects.filter(pk__in=to_delete).delete()
    Answer.objects.bulk_update(to_update, ["value"])
    Answer.objects.bulk_create(to_create)
    return changes


def _answer_dropped(phase, code, clean, known, applicable):
    """A stored answer the new values do not give: withdrawn (active question), void (block no longer
    applies, exit answer without exit date) or kept (question or block deactivated, §5)."""
    return (
        (phase == AnswerPhase.EXIT and clean["exit_date"] is None)
        or (code in known and known[code][0].code not in applicable)
        or (code in known and known[code][1].is_active)
    )


def _answer_label(label, phase):
    phase_label = _("bei Eintritt") if phase == AnswerPhase.ENTRY else _("bei Austritt")
    return f"{label} ({phase_label})"


def _empty_values():
    return {**{name: None for name in STORED_FIELDS}, "exit_reason_other": "", "entry_answers": {}, "exit_answers": {}}


def _changes(old, new, show=display_value, labels=None):
    """{German label: [old display value, new display value]} of every changed field."""
    changes = {}
    for name in STORED_FIELDS:
        if _comparable(old.get(name)) != _comparable(new.get(name)):
            label = labels[name] if labels else field_label(name)
            changes[label] = [show(old.get(name)), show(new.get(name))]
    return changes


class _Shown:
    """`display_value` memoised for one import: 10,000 rows share a few hundred values, and gettext is slow."""

    def __init__(self):
        self.cache = {}
        self.labels = {name: field_label(name) for name in STORED_FIELDS}

    def __call__(self, value):
        key = (type(value), value)
        try:
            return self.cache[key]
        except KeyError:
            shown = self.cache[key] = display_value(value)
            return shown
        except TypeError:  # unhashable
            return display_value(value)


def _comparable(value):
    if value == "":
        return None
    return getattr(value, "pk", value)


def check_delete_participant(user, participant):
    """Deleting is possible only before the closing report (docs/domain-rules.md §8.4, §6 V10)."""
    return edit_refusal(user, participant.measure).get(NON_FIELD, [])


def delete_participant(user, participant):
    """Delete one participant and its answers; the audit entry keeps the pseudonym."""
    with transaction.atomic():
        measure = locked_for_edit(user, participant.measure)
        participant = _stored_participant(participant)
        if participant.measure_id != measure.pk:
            raise ServiceError(_("Die/der Teilnehmende gehört nicht zu dieser Maßnahme."))
        old = values_from_participant(participant, _stored_answers(participant))
        changes = {
            field_label(name): [display_value(old[name]), ""] for name in STORED_FIELDS if display_value(old[name]) != ""
        }
        entry = audit(user, measure, participant, AuditAction.DELETE, changes)
        Participant.objects.filter(carried_over_from=participant).update(carried_over_from=None)
        participant.delete()
        entry.refresh_from_db()
        return entry


# ---------------------------------------------------------------------------
# Many participants at once (Excel import, `manage.py import_participants`)
# ---------------------------------------------------------------------------

WRITE_CHUNK = 2000


@dataclass
class ImportRow:
    """One row for `import_participants`: the values validation returned for it (`result.values`).

    `participant_id` None creates; `version` is the version the preview read the record at
    ("" when it did not exist, None when not known): a record changed since is left out.
    """

    values: dict
    status: str
    participant_id: int | None = None
    version: str | None = None
    note: str = ""
    key: object = None  # the caller's handle (row number)
    carried_over_from_id: int | None = None  # a new record taken over from the previous budget (V7)


@dataclass
class ImportResult:
    created: list = field(default_factory=list)  # ImportRow
    updated: list = field(default_factory=list)
    stale: list = field(default_factory=list)  # (ImportRow, German reason)


def stored_values(context, participants):
    """pk -> (values as `values_from_participant` gives them, version) of a queryset, in two queries."""
    return {pk: (values, version) for pk, (values, version, _answers) in _stored_rows(context, participants).items()}


def _stored_rows(context, participants, ids=None):
    by_id = {name: {entry.pk: entry for entry in entries.values()} for name, entries in context.catalogue_by_code.items()}
    field_names = [f"{name}_id" if name in CATALOGUE_FIELDS else name for name in STORED_FIELDS]
    records = {}
    for row in participants.values_list("pk", "updated_at", "carried_over_from_id", *field_names):
        values = {"carried_over": row[2] is not None, "entry_answers": {}, "exit_answers": {}}
        for name, value in zip(STORED_FIELDS, row[3:], strict=True):
            values[name] = by_id[name].get(value) if name in CATALOGUE_FIELDS else value
        records[row[0]] = (values, version_of(row[1]), {})
    answer_ids = list(records) if ids is not None or len(records) <= 1000 else participants.values("pk")
    answers = Answer.objects.filter(participant_id__in=answer_ids).values_list(
        "pk", "participant_id", "question_id", "question__code", "phase", "value")
    for pk, participant_id, question_id, code, phase, value in answers:
        values, _version, stored = records[participant_id]
        values[ANSWER_KEYS[phase]][code] = value
        stored[(phase, code)] = (pk, question_id)
    return records


def check_import_participants(user, measure):
    """Why `import_participants` would refuse this user and measure (V10, permission); empty: it would not."""
    return edit_refusal(user, measure)


def import_participants(user, measure, rows, *, context=None, create_action=AuditAction.IMPORT_CREATE):
    """Create and change many validated participants at once, in chunks of bulk statements.

    The same rules as `save_participant`: measure row lock, edit refusal (V10, permission),
    the answer-keeping policy (`_store_answers`), `updated_at` moved, one AuditEntry per row
    with {label: [old, new]} (`create_action` / IMPORT_CHANGE). Rows whose record changed since
    `row.version` are left out (`ImportResult.stale`), never overwritten.
    """
    with transaction.atomic():
        measure = locked_for_edit(user, measure)
        context = context or RuleContext.for_measure(measure)
        result = ImportResult()
        creates = []
        for row in rows:
            if row.participant_id is not None:
                continue
            if row.version:  # the preview read a record that is gone now
                result.stale.append((row, _(
                    "Der Datensatz wurde seit der Vorschau gelöscht. Die Zeile wurde nicht übernommen; bitte die Datei "
                    "neu hochladen, wenn er wieder angelegt werden soll.")))
            else:
                creates.append(row)
        updates = [row for row in rows if row.participant_id is not None]
        labels = _AnswerLabels(context)
        show = _Shown()
        for start in range(0, len(creates), WRITE_CHUNK):
            result.created += _create_chunk(user, measure, creates[start:start + WRITE_CHUNK], labels, show, create_action)
        for start in range(0, len(updates), WRITE_CHUNK):
            updated, stale = _update_chunk(user, measure, updates[start:start + WRITE_CHUNK], context, labels, show)
            result.updated += updated
            result.stale += stale
        return result


class _AnswerLabels:
    """"Block: Frage (bei Eintritt)" per answer, built once per import, not once per row."""

    def __init__(self, context):
        self.context = context
        self.labels = {}

    def __call__(self, phase, code, question_id=None):
        key = (phase, code)
        if key not in self.labels:
            known = self.context.questions_by_code.get(code)
            if known is not None:
                label = f"{known[0].label}: {known[1].label}"
            else:  # a block this measure no longer asks
                question = Question.objects.select_related("block").get(pk=question_id)
                label = f"{question.block.label}: {question.label}"
            self.labels[key] = _answer_label(label, phase)
        return self.labels[key]


def _participant(measure, values, status, instance=None):
    participant = instance or Participant(measure=measure)
    for name in STORED_FIELDS:
        setattr(participant, name, values.get(name))
    participant.exit_reason_other = participant.exit_reason_other or ""
    participant.status = status
    return participant


def _new_participants(measure, rows):
    """Unsaved participants for `rows`, their column values set directly (attname, a relation's pk):
    the relation descriptors cost more than the INSERT for 10,000 rows × 30 fields."""
    columns = [(field.attname, field.is_relation) for field in map(Participant._meta.get_field, STORED_FIELDS)]
    participants = []
    for row in rows:
        participant = Participant(measure=measure, status=row.status, carried_over_from_id=row.carried_over_from_id)
        state = participant.__dict__
        values = row.values
        for (attname, is_relation), name in zip(columns, STORED_FIELDS, strict=True):
            value = values.get(name)
            state[attname] = getattr(value, "pk", value) if is_relation else value
        participant.exit_reason_other = participant.exit_reason_other or ""
        participants.append(participant)
    return participants


def _create_chunk(user, measure, rows, labels, show, action):
    participants = Participant.objects.bulk_create(_new_participants(measure, rows))
    if participants and participants[0].pk is None:  # backends without RETURNING
        ids = dict(Participant.objects.filter(measure=measure, pseudonym__in=[p.pseudonym for p in participants])
                   .values_list("pseudonym", "pk"))
        for participant in participants:
            participant.pk = ids[participant.pseudonym]
    empty = _empty_values()
    answered = {}  # (phase, code, value) -> (question id, audit label, shown value), once per import chunk
    questions = labels.context.questions_by_code
    answers, entries = [], []
    for participant, row in zip(participants, rows, strict=True):
        # The new id only: 100,000 model instances kept to the end would cost a third of the import's memory.
        row.participant_id = pk = participant.pk
        changes = _changes(empty, row.values, show, show.labels)
        for phase, key in ANSWER_KEYS.items():
            for code, value in row.values.get(key, {}).items():
                known = answered.get((phase, code, value))
                if known is None:
                    known = answered[(phase, code, value)] = (questions[code][1].id, labels(phase, code), show(value))
                answers.append((pk, known[0], phase, value))
                changes[known[1]] = ["", known[2]]
        entries.append(_audit_entry(user, measure, participant, action, changes, row.note))
    _insert_answers(answers)
    AuditEntry.objects.bulk_create(entries, batch_size=WRITE_CHUNK)
    return rows


def _update_chunk(user, measure, rows, context, labels, show):
    ids = [row.participant_id for row in rows]
    stored = _stored_rows(context, Participant.objects.filter(measure=measure, pk__in=ids), ids=ids)
    if len(stored) != len(set(ids)):
        raise ServiceError(_("Die/der Teilnehmende gehört nicht zu dieser Maßnahme."))
    now = timezone.now()
    changed, updated, stale, entries = [], [], [], []
    answers_to_delete, answers_to_update, answers_to_create = [], [], []
    known = context.questions_by_code
    for row in rows:
        previous, version, stored_answers = stored[row.participant_id]
        if row.version is not None and row.version != version:
            stale.append((row, stale_row_message(row.participant_id)))
            continue
        clean = {**row.values, "carried_over": previous["carried_over"]}
        participant = _participant(measure, clean, row.status, Participant(pk=row.participant_id, measure=measure))
        participant.updated_at = now
        changes = _changes(previous, clean, show, show.labels)
        applicable = {block.code for block in context.applicable_blocks(clean["goal"])}
        for (phase, code), (answer_pk, question_id) in stored_answers.items():
            if code in clean[ANSWER_KEYS[phase]]:
                continue
            if _answer_dropped(phase, code, clean, known, applicable):
                answers_to_delete.append(answer_pk)
                old = previous[ANSWER_KEYS[phase]][code]
                changes[labels(phase, code, question_id)] = [show(old), ""]
        for phase, key in ANSWER_KEYS.items():
            for code, value in clean[key].items():
                old = previous[key].get(code)
                if (phase, code) in stored_answers:
                    if old == value:
                        continue
                    answers_to_update.append(Answer(pk=stored_answers[(phase, code)][0], value=value))
                else:
                    answers_to_create.append((row.participant_id, known[code][1].id, phase, value))
                changes[labels(phase, code)] = [show(old), show(value)]
        changed.append(participant)
        updated.append(row)
        entries.append(_audit_entry(user, measure, participant, AuditAction.IMPORT_CHANGE, changes, row.note))
    Participant.objects.bulk_update(changed, [*STORED_FIELDS, "status", "updated_at"], batch_size=1000)
    if answers_to_delete:
        Answer.objects.filter(pk__in=answers_to_delete).delete()
    Answer.objects.bulk_update(answers_to_update, ["value"], batch_size=1000)
    _insert_answers(answers_to_create)
    AuditEntry.objects.bulk_create(entries, batch_size=WRITE_CHUNK)
    return updated, stale


def _audit_entry(user, measure, participant, action, changes, note):
    return AuditEntry(user=user if getattr(user, "pk", None) else None, measure=measure, participant_id=participant.pk,
                      pseudonym=participant.pseudonym, action=action, changes=changes, note=note)


def _insert_answers(rows):
    """One executemany for all answers: 280,000 Answer instances would cost more than the whole read."""
    if not rows:
        return
    table = connection.ops.quote_name(Answer._meta.db_table)
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {table} (participant_id, question_id, phase, value) VALUES (%s, %s, %s, %s)", rows
        )


# ---------------------------------------------------------------------------
# Carry-over into the following budget (V7, V8; docs/domain-rules.md §2.3)
# ---------------------------------------------------------------------------


def carry_over_candidates(measure):
    """Participants of `measure` who continue in the following budget and are not taken over yet."""
    return list(
        Participant.objects.filter(measure=measure, destination__is_carry_over=True, carried_over_to__isnull=True)
        .select_related(*[name for name in STORED_FIELDS if Participant._meta.get_field(name).is_relation])
        .prefetch_related("answers__question")
        .order_by("pseudonym")
    )


def carried_over_count(measure):
    """How many participants of `measure` were already taken over into its successor (a second run skips them)."""
    return Participant.objects.filter(measure=measure, carried_over_to__isnull=False).count()


def _carried_values(participant, successor, context):
    """V7: entry date = the successor's start; exit data cleared; entry data and the entry
    answers the successor asks kept (docs/domain-rules.md §2.3)."""
    values = values_from_participant(participant)
    values["entry_answers"] = {
        code: value for code, value in values["entry_answers"].items() if code in context.questions_by_code
    }
    for name in EXIT_FIELDS:
        values[name] = None
    values["exit_answers"] = {}
    values["entry_date"] = successor.start_date
    values["carried_over"] = True
    if not successor.measure_type.requires_participant_goal:
        values["goal"] = None
    return values


def check_carry_over(user, measure):
    """Reasons why the carry-over from `measure` into its successor would fail (empty: it would work).

    A second run is not a failure: participants already taken over are skipped.
    """
    successor = measure.successor
    if successor is None:
        return [_("Für diese Maßnahme ist keine Folgemaßnahme im nächsten Budget hinterlegt.")]
    reasons = []
    if not permissions.can_view(user, measure):
        reasons.append(_("Sie dürfen die Teilnehmenden dieser Maßnahme nicht sehen."))
    reasons += [
        _("Folgemaßnahme %(number)s: %(message)s") % {"number": successor.number, "message": message}
        for message in edit_refusal(user, successor).get(NON_FIELD, [])
    ]
    if reasons:
        return reasons
    candidates = carry_over_candidates(measure)
    if not candidates:
        return [_("Keine (weiteren) Teilnehmenden mit dem Verbleib „setzt die Maßnahme im folgenden Budget fort“.")]
    context = RuleContext.for_measure(successor)
    for participant in candidates:
        if participant.exit_date != measure.end_date:
            reasons.append(
                _("%(id)s: Das Austrittsdatum muss das Ende der Maßnahme (%(date)s) sein.")
                % {"id": participant.pseudonym, "date": format_date(measure.end_date)}
            )
        result = validate_participant(_carried_values(participant, successor, context), context=context)
        reasons += [
            f"{participant.pseudonym}: {message}" for messages in result.errors.values() for message in messages
        ]
    return reasons


def do_carry_over(user, measure):
    """Take every participant of `measure` with Verbleib "setzt die Maßnahme im folgenden Budget
    fort" into the successor measure: entry date = its start (V7), exit data cleared, linked by
    `carried_over_from`. Idempotent: who was taken over once is skipped. Returns the new records."""
    with transaction.atomic():
        if measure.successor_id is None:
            raise ServiceError(check_carry_over(user, measure))
        locked_measure(measure)
        successor = locked_measure(measure.successor)
        measure.successor = successor
        reasons = check_carry_over(user, measure)
        if reasons:
            raise ServiceError(reasons)
        context = RuleContext.for_measure(successor)
        created = []
        for participant in carry_over_candidates(measure):
            result = validate_participant(_carried_values(participant, successor, context), context=context)
            new = Participant(measure=successor, carried_over_from=participant, status=result.status)
            for name in STORED_FIELDS:
                setattr(new, name, result.values[name])
            new.save()
            changes = _changes(_empty_values(), result.values)
            changes.update(_store_answers(new, result.values, [], context))
            context.pseudonyms[new.pseudonym] = new.pk
            audit(user, successor, new, AuditAction.CARRY_OVER, changes, note=_("aus %(number)s") % {"number": measure.number})
            created.append(new)
        return created
