"""State changes of participants: save (create/change), delete, carry-over into the following budget.

Each `save_*`/`delete_*`/`do_*` function is one transaction, takes the acting `user`, checks
`permissions.can_edit` and the rules (validation.py), writes an AuditEntry and raises
`ServiceError` (German messages per field) when it refuses; each has a `check_*` sibling. The
measure row is locked (`select_for_update`) in every write, so a closing report and a
participant change cannot interleave (V10).
"""

from django.db import transaction
from django.utils.translation import gettext as _

from .. import permissions
from ..models import Answer, AnswerPhase, AuditAction, Participant
from ..validation import (
    ANSWER_KEYS,
    EXIT_FIELDS,
    NON_FIELD,
    RuleContext,
    display_value,
    field_label,
    validate_participant,
    values_from_participant,
)
from .common import STORED_FIELDS, ServiceError, audit, edit_refusal, locked_measure

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


def check_save_participant(user, measure, values, participant=None, *, context=None):
    """Blocking errors per field that `save_participant` would raise (missing data is not one)."""
    refusal = edit_refusal(user, measure)
    if refusal:
        return refusal
    if participant is not None and participant.measure_id != measure.pk:
        return {NON_FIELD: [_("Die/der Teilnehmende gehört nicht zu dieser Maßnahme.")]}
    context = context or RuleContext.for_measure(measure)
    previous = values_from_participant(participant) if participant is not None else None
    if previous is not None:
        values = {**values, "carried_over": previous["carried_over"]}
    return validate_participant(
        values, context=context, participant_id=participant.pk if participant else None, previous=previous
    ).errors


@transaction.atomic
def save_participant(user, measure, values, participant=None, *, context=None, action=None, note=""):
    """Create or change one participant: refuse invalid values (V2-V10), save incomplete ones.

    Stores the answers (dropping those of blocks that no longer apply), sets the status and
    writes an AuditEntry with the changed fields as {label: [old, new]}. `context` may be
    passed by bulk callers (importer); `action` overrides the audit action (IMPORT_*).
    Returns (participant, ValidationResult).
    """
    measure = locked_measure(measure)
    refusal = edit_refusal(user, measure)
    if refusal:
        raise ServiceError(refusal)
    context = context or RuleContext.for_measure(measure)
    context.is_closed = measure.is_closed  # as read under the lock
    if participant is not None:
        if participant.measure_id != measure.pk:
            raise ServiceError(_("Die/der Teilnehmende gehört nicht zu dieser Maßnahme."))
        participant = _stored_participant(participant)
    answers = _stored_answers(participant)
    previous = values_from_participant(participant, answers) if participant is not None else None
    if previous is not None:
        values = {**values, "carried_over": previous["carried_over"]}  # a property of the record (V7)
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
    participant.save()
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
        dropped = (
            (phase == AnswerPhase.EXIT and clean["exit_date"] is None)
            or (code in known and known[code][0].code not in applicable)
            or (code in known and known[code][1].is_active)
        )
        if dropped:
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


def _answer_label(label, phase):
    phase_label = _("bei Eintritt") if phase == AnswerPhase.ENTRY else _("bei Austritt")
    return f"{label} ({phase_label})"


def _empty_values():
    return {**{name: None for name in STORED_FIELDS}, "exit_reason_other": "", "entry_answers": {}, "exit_answers": {}}


def _changes(old, new):
    """{German label: [old display value, new display value]} of every changed field."""
    changes = {}
    for name in STORED_FIELDS:
        if _comparable(old.get(name)) != _comparable(new.get(name)):
            changes[field_label(name)] = [display_value(old.get(name)), display_value(new.get(name))]
    return changes


def _comparable(value):
    if value == "":
        return None
    return getattr(value, "pk", value)


def check_delete_participant(user, participant):
    """Deleting is possible only before the closing report (docs/domain-rules.md §8.4, §6 V10)."""
    return edit_refusal(user, participant.measure).get(NON_FIELD, [])


@transaction.atomic
def delete_participant(user, participant):
    """Delete one participant and its answers; the audit entry keeps the pseudonym."""
    measure = locked_measure(participant.measure)
    refusal = edit_refusal(user, measure)
    if refusal:
        raise ServiceError(refusal)
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
                % {"id": participant.pseudonym, "date": measure.end_date.strftime("%d.%m.%Y")}
            )
        result = validate_participant(_carried_values(participant, successor, context), context=context)
        reasons += [
            f"{participant.pseudonym}: {message}" for messages in result.errors.values() for message in messages
        ]
    return reasons


@transaction.atomic
def do_carry_over(user, measure):
    """Take every participant of `measure` with Verbleib "setzt die Maßnahme im folgenden Budget
    fort" into the successor measure: entry date = its start (V7), exit data cleared, linked by
    `carried_over_from`. Idempotent: who was taken over once is skipped. Returns the new records."""
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
