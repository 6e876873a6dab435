"""Record status red / yellow / green (docs/domain-rules.md §7).

- red: required entry data missing (no report possible),
- yellow: entry data complete, exit data missing (annual and interim report possible),
- green: complete (closing report possible too).

The status is stored on Participant (indexed, so lists filter and count by it); every
write path sets it through `compute_status()`, and `recompute_for_measure()` refreshes a
measure's records after its dates/type or a catalogue changed.
"""

from django.db import transaction

from .models import Answer, Participant, ParticipantStatus
from .validation import (
    CATALOGUE_FIELDS,
    RuleContext,
    exit_incomplete_message,
    missing_entry_fields,
    missing_exit_fields,
    missing_message,
    status_from_missing,
    values_from_participant,
)

__all__ = ["ParticipantStatus", "compute_status", "status_of_participant", "recompute_for_measure", "missing_summary"]


def compute_status(values, context):
    """The status of a values dict (see validation.py for its shape)."""
    return status_from_missing(
        missing_entry_fields(values, context), missing_exit_fields(values, context), values.get("exit_date")
    )


def missing_summary(values, context):
    """Status and the German labels of what is still missing, for the form's status box.

    Once an exit date is recorded, `exit_incomplete` names the missing exit fields (V9) and
    `exit_requests` says per field what it needs, as (label, message) pairs."""
    missing_entry = missing_entry_fields(values, context)
    missing_exit = missing_exit_fields(values, context)
    exit_date = values.get("exit_date")
    exit_incomplete = exit_incomplete_message(missing_exit, exit_date)
    return {
        "status": status_from_missing(missing_entry, missing_exit, exit_date),
        "missing_entry": list(missing_entry.values()),
        # What the current step needs (issue 10 item 12): the exit data only once an exit date is
        # recorded; before that the status text says that they follow with the exit.
        "missing_exit": list(missing_exit.values()) if exit_date else [],
        "exit_incomplete": exit_incomplete,
        "exit_requests": [(label, missing_message(name)) for name, label in missing_exit.items()] if exit_incomplete else [],
    }


def status_of_participant(participant, context=None):
    """Status of a stored participant (uses its prefetched answers when present)."""
    context = context or RuleContext.for_measure(participant.measure)
    return compute_status(values_from_participant(participant), context)


def recompute_for_measure(measure):
    """Recompute and store the status of every participant of a measure.

    A fixed number of queries (context, participants, answers) plus one bulk update of the
    records whose status changed. Returns the number of changed records.
    """
    context = RuleContext.for_measure(measure, with_pseudonyms={})
    participants = list(Participant.objects.filter(measure=measure).select_related(*CATALOGUE_FIELDS))
    answers_by_participant = {}
    for answer in Answer.objects.filter(participant__measure=measure).select_related("question"):
        answers_by_participant.setdefault(answer.participant_id, []).append(answer)
    changed = []
    for participant in participants:
        values = values_from_participant(participant, answers_by_participant.get(participant.pk, []))
        status = compute_status(values, context)
        if status != participant.status:
            participant.status = status
            changed.append(participant)
    with transaction.atomic():
        Participant.objects.bulk_update(changed, ["status"], batch_size=1000)
    return len(changed)
