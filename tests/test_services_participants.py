"""`services.participants` in detail: the check before a save, the version and the stale message, the
carry-over's refusals word for word, and the answers a bulk import inserts. The rules every entry point
shares are in test_participant_write_paths.py."""

import datetime

import pytest
from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from aqb_monitoring import services
from aqb_monitoring.formatting import display_value
from aqb_monitoring.models import (
    Answer,
    AuditAction,
    AuditEntry,
    Destination,
    Participant,
    ParticipantGoal,
    Question,
    QuestionBlock,
)
from aqb_monitoring.services import participants as participants_service
from aqb_monitoring.services.participants import (
    ImportRow,
    _stale_form_message,
    check_carry_over,
    check_save_participant,
    version_of,
)
from aqb_monitoring.validation import (
    NON_FIELD,
    RuleContext,
    field_label,
    validate_participant,
)

from .conftest import make_measure, make_participant
from .participant_values import all_answers, entry_values, exit_values, import_row

pytestmark = pytest.mark.django_db


@pytest.fixture
def measure(kassel, provider_org_a):
    return make_measure("AQB26-KS-M1-21", kassel, provider_org_a)


@pytest.fixture
def successor(kassel, provider_org_a, measure):
    later = make_measure("AQB27-KS-M1-21", kassel, provider_org_a, budget_year=2027)
    measure.successor = later
    measure.save()
    return later


# --- the check before a save -------------------------------------------------------------------------


def test_the_check_refuses_a_participant_of_another_measure(ze_kassel, kassel, provider_org_a, measure):
    other = make_measure("AQB26-KS-M1-22", kassel, provider_org_a)
    stranger = make_participant(other, "TN-9")
    assert check_save_participant(ze_kassel, measure, {"pseudonym": "TN-9"}, stranger) == {
        NON_FIELD: ["Die/der Teilnehmende gehört nicht zu dieser Maßnahme."]}


def test_the_check_refuses_a_closed_measure_and_another_grant_recipient(ze_kassel, ze_fulda, measure):
    assert "abgeschlossen" not in str(check_save_participant(ze_kassel, measure, entry_values(measure)))
    assert check_save_participant(ze_fulda, measure, entry_values(measure))[NON_FIELD]
    measure.closed_at = timezone.now()
    measure.save()
    assert "abgeschlossen" in check_save_participant(ze_kassel, measure, entry_values(measure))[NON_FIELD][0]


def test_the_check_uses_the_given_context_an_id_taken_earlier_in_the_same_run_is_refused(ze_kassel, measure):
    """A bulk run checks row after row against one context; an ID the context holds for another record is taken,
    whether or not the database has it yet."""
    values = entry_values(measure, pseudonym="TN-7")
    assert check_save_participant(ze_kassel, measure, values) == {}
    context = RuleContext.for_measure(measure, with_pseudonyms={"TN-7": 999_999})
    assert check_save_participant(ze_kassel, measure, values, context=context) == {"pseudonym": [TAKEN.format("TN-7")]}


def test_a_refused_check_keeps_the_values_it_was_given(ze_fulda, measure):
    values = entry_values(measure, pseudonym="TN-7")
    result = services.validate_save_participant(ze_fulda, measure, values)
    assert result.errors[NON_FIELD] and result.values == values


def test_the_check_lets_a_record_keep_its_own_id(ze_kassel, measure):
    participant, _ = services.save_participant(ze_kassel, measure, entry_values(measure, pseudonym="TN-1"))
    assert check_save_participant(ze_kassel, measure, entry_values(measure, pseudonym="TN-1"), participant) == {}
    assert "pseudonym" in check_save_participant(ze_kassel, measure, entry_values(measure, pseudonym="TN-1"))


def test_the_check_reads_the_carried_over_property_from_the_stored_record(ze_kassel, kassel, provider_org_a, measure):
    """V7 holds for a record taken over from the previous budget, whatever the input says about it."""
    earlier = make_measure("AQB25-KS-M1-21", kassel, provider_org_a, budget_year=2025)
    origin = make_participant(earlier, "TN-1")
    taken = make_participant(measure, "TN-1", entry_date=measure.start_date, carried_over_from=origin)
    later = entry_values(measure, pseudonym="TN-1", entry_date=measure.start_date + datetime.timedelta(days=3))
    assert "entry_date" in check_save_participant(ze_kassel, measure, {**later, "carried_over": False}, taken)
    assert "entry_date" not in check_save_participant(ze_kassel, measure, later, None)


def test_the_check_keeps_a_deactivated_entry_the_record_already_has(ze_kassel, measure):
    destination = Destination.objects.filter(is_carry_over=False).first()
    values = {**entry_values(measure, pseudonym="TN-1"), **exit_values(measure, destination=destination)}
    participant, _ = services.save_participant(ze_kassel, measure, values)
    Destination.objects.filter(pk=destination.pk).update(is_active=False)
    destination.refresh_from_db()
    assert check_save_participant(ze_kassel, measure, {**values, "destination": destination}, participant) == {}
    assert "destination" in check_save_participant(ze_kassel, measure, {**values, "pseudonym": "TN-2",
                                                                        "destination": destination})


def test_a_save_refuses_a_participant_of_another_measure_and_changes_nothing(ze_kassel, kassel, provider_org_a,
                                                                            measure):
    other = make_measure("AQB26-KS-M1-22", kassel, provider_org_a)
    stranger = make_participant(other, "TN-9", birth_year=2000)
    with pytest.raises(services.ServiceError) as refused:
        services.save_participant(ze_kassel, measure, entry_values(measure, pseudonym="TN-9"), stranger)
    assert refused.value.errors == {NON_FIELD: ["Die/der Teilnehmende gehört nicht zu dieser Maßnahme."]}
    stranger.refresh_from_db()
    assert stranger.birth_year == 2000 and stranger.measure == other
    assert not AuditEntry.objects.exists()


def test_a_rule_context_used_for_a_save_knows_the_saved_id_for_the_next_check(ze_kassel, measure):
    """V2 with one context for several records: after a save it knows the new ID, after a rename only the new one."""
    context = RuleContext.for_measure(measure)
    values = entry_values(measure, pseudonym="TN-1")
    participant, _ = services.save_participant(ze_kassel, measure, values, context=context)
    assert context.pseudonyms == {"TN-1": participant.pk}
    assert check_save_participant(ze_kassel, measure, values, context=context) == {"pseudonym": [TAKEN.format("TN-1")]}
    services.save_participant(ze_kassel, measure, {**values, "pseudonym": "TN-2"}, participant, context=context)
    assert context.pseudonyms == {"TN-2": participant.pk}
    assert check_save_participant(ze_kassel, measure, values, context=context) == {}


def test_a_save_with_a_note_keeps_it_in_the_audit_entry(ze_kassel, measure):
    participant, _ = services.save_participant(ze_kassel, measure, entry_values(measure, pseudonym="TN-1"),
                                               note="laut Änderungsanfrage vom 02.03.2026")
    assert AuditEntry.objects.get(participant=participant).note == "laut Änderungsanfrage vom 02.03.2026"


# --- version and stale message ----------------------------------------------------------------------------


def test_the_version_is_the_last_change_and_empty_without_one(measure):
    participant = make_participant(measure, "TN-1")
    assert version_of(participant) == participant.updated_at.isoformat()
    assert version_of(participant.updated_at) == participant.updated_at.isoformat()
    assert version_of(None) == ""
    assert version_of(Participant()) == ""


def test_the_stale_message_names_who_changed_the_record_when_and_what(ze_kassel, measure):
    participant, _ = services.save_participant(ze_kassel, measure, entry_values(measure, pseudonym="TN-1"))
    services.save_participant(ze_kassel, measure, {**entry_values(measure, pseudonym="TN-1"), "birth_year": 2001},
                              participant)
    entry = AuditEntry.objects.filter(participant=participant, action=AuditAction.CHANGE).get()
    when = timezone.localtime(entry.timestamp).strftime("%d.%m.%Y %H:%M")
    assert _stale_form_message(participant) == (
        f"Der Datensatz wurde inzwischen geändert, von {ze_kassel.email} am {when} (Geburtsjahr). Ihre Eingaben "
        "wurden nicht gespeichert und stehen unten noch im Formular: bitte mit dem aktuellen Stand abgleichen und "
        "erneut speichern.")


def test_a_stale_save_is_refused_with_the_version_the_record_has_now(ze_kassel, measure):
    values = entry_values(measure, pseudonym="TN-1")
    participant, _ = services.save_participant(ze_kassel, measure, values)
    read = version_of(participant)
    changed, _ = services.save_participant(ze_kassel, measure, {**values, "birth_year": 2001}, participant, version=read)
    with pytest.raises(services.participants.StaleRecord) as refused:
        services.save_participant(ze_kassel, measure, {**values, "birth_year": 2002}, participant, version=read)
    assert refused.value.version == version_of(changed) != read
    participant.refresh_from_db()
    assert participant.birth_year == 2001


# --- carry-over refusals, word for word ---------------------------------------------------------------------


def test_without_a_successor_the_carry_over_says_so(ze_kassel, measure):
    assert check_carry_over(ze_kassel, measure) == [
        "Für diese Maßnahme ist keine Folgemaßnahme im nächsten Budget hinterlegt."]


def test_a_user_who_sees_neither_measure_gets_both_reasons(ze_fulda, measure, successor):
    assert check_carry_over(ze_fulda, measure) == [
        "Sie dürfen die Teilnehmenden dieser Maßnahme nicht sehen.",
        f"Folgemaßnahme {successor.number}: Sie dürfen die Teilnehmenden dieser Maßnahme nicht bearbeiten.",
    ]


def test_without_continuing_participants_there_is_nothing_to_take(ze_kassel, measure, successor):
    assert check_carry_over(ze_kassel, measure) == [
        "Keine (weiteren) Teilnehmenden mit dem Verbleib „setzt die Maßnahme im folgenden Budget fort“."]


def test_a_continuing_participant_who_left_early_is_named(ze_kassel, measure, successor):
    carry_over = Destination.objects.get(is_carry_over=True)
    make_participant(measure, "TN-1", exit_date=measure.end_date - datetime.timedelta(days=1), destination=carry_over)
    assert check_carry_over(ze_kassel, measure) == ["TN-1: Das Austrittsdatum muss das Ende der Maßnahme (31.12.2026) sein."]


# --- the bulk service inserts the answers -------------------------------------------------------------------


def test_a_bulk_import_stores_the_answers_of_new_records(ze_kassel, measure):
    goal = ParticipantGoal.objects.get(code="ausbildungsreife")
    goal_answers = all_answers(measure, goal)
    values = entry_values(measure, pseudonym="TN-1", goal=goal, entry_answers=goal_answers)
    result = validate_participant(values, context=RuleContext.for_measure(measure))
    assert not result.errors
    services.import_participants(ze_kassel, measure, [ImportRow(values=result.values, status=str(result.status))])
    stored = Participant.objects.get(measure=measure, pseudonym="TN-1")
    assert Answer.objects.filter(participant=stored).count() == len(goal_answers) > 0


def new_row(measure, pseudonym, **overrides):
    result = validate_participant(entry_values(measure, pseudonym=pseudonym, **overrides),
                                  context=RuleContext.for_measure(measure))
    assert not result.errors
    return ImportRow(values=result.values, status=str(result.status))


def test_an_import_creates_the_new_rows_after_a_changed_one_and_records_who_imported(ze_kassel, measure):
    stored, _ = services.save_participant(ze_kassel, measure, entry_values(measure, pseudonym="TN-1"))
    result = services.import_participants(ze_kassel, measure, [
        import_row(measure, stored, birth_year=2001), new_row(measure, "TN-2"), new_row(measure, "TN-3")])
    assert [row.values["pseudonym"] for row in result.created] == ["TN-2", "TN-3"]
    assert [row.participant_id for row in result.updated] == [stored.pk]
    assert sorted(Participant.objects.filter(measure=measure).values_list("pseudonym", flat=True)) == [
        "TN-1", "TN-2", "TN-3"]
    entries = AuditEntry.objects.filter(action__in=[AuditAction.IMPORT_CREATE, AuditAction.IMPORT_CHANGE])
    assert sorted((entry.pseudonym, entry.action, entry.user) for entry in entries) == [
        ("TN-1", AuditAction.IMPORT_CHANGE, ze_kassel), ("TN-2", AuditAction.IMPORT_CREATE, ze_kassel),
        ("TN-3", AuditAction.IMPORT_CREATE, ze_kassel)]


def test_an_import_row_of_a_record_deleted_since_the_preview_is_left_out_with_the_reason(ze_kassel, measure):
    gone = new_row(measure, "TN-1")
    gone.version = "2026-03-02T10:15:00+00:00"
    result = services.import_participants(ze_kassel, measure, [gone])
    assert result.stale == [(gone, "Der Datensatz wurde seit der Vorschau gelöscht. Die Zeile wurde nicht übernommen; "
                                   "bitte die Datei neu hochladen, wenn er wieder angelegt werden soll.")]
    assert result.created == [] and not Participant.objects.filter(measure=measure).exists()


def test_an_import_larger_than_one_write_chunk_reports_every_row(monkeypatch, ze_kassel, measure):
    """The rows are written in chunks (2,000 each; 2 here): the result and the records cover all chunks."""
    monkeypatch.setattr(participants_service, "WRITE_CHUNK", 2)
    stored = [services.save_participant(ze_kassel, measure, entry_values(measure, pseudonym=f"TN-{number}"))[0]
              for number in range(4)]
    rows = [new_row(measure, f"TN-NEU-{number}") for number in range(3)]
    changes = [import_row(measure, participant, birth_year=2001) for participant in stored]
    for changed_meanwhile in (stored[0], stored[3]):  # one in each chunk of changes
        services.save_participant(ze_kassel, measure, entry_values(measure, pseudonym=changed_meanwhile.pseudonym,
                                                                   birth_year=1999), changed_meanwhile)
    result = services.import_participants(ze_kassel, measure, rows + changes)
    assert [row.values["pseudonym"] for row in result.created] == ["TN-NEU-0", "TN-NEU-1", "TN-NEU-2"]
    assert result.updated == changes[1:3]
    assert [row for row, _reason in result.stale] == [changes[0], changes[3]]
    assert dict(Participant.objects.filter(measure=measure).values_list("pseudonym", "birth_year")) == {
        "TN-0": 1999, "TN-1": 2001, "TN-2": 2001, "TN-3": 1999, "TN-NEU-0": 2006, "TN-NEU-1": 2006, "TN-NEU-2": 2006}


def test_an_import_change_of_an_answer_is_audited_with_its_question(ze_kassel, measure):
    goal = ParticipantGoal.objects.get(code="ausbildungsreife")
    first, second = sorted(all_answers(measure, goal))[:2]
    participant, _ = services.save_participant(ze_kassel, measure, entry_values(
        measure, pseudonym="TN-1", goal=goal, entry_answers={first: True, second: True}))
    services.import_participants(ze_kassel, measure, [
        import_row(measure, participant, entry_answers={first: False})])
    change = AuditEntry.objects.get(participant=participant, action=AuditAction.IMPORT_CHANGE)
    assert change.changes == {answer_label(first, "bei Eintritt"): ["ja", "nein"],
                              answer_label(second, "bei Eintritt"): ["ja", ""]}
    assert dict(Answer.objects.filter(participant=participant).values_list("question__code", "value")) == {
        first: False}


# --- what the carry-over takes along ----------------------------------------------------------------------


def continuing(measure, user, pseudonym, **overrides):
    carry_over = Destination.objects.get(is_carry_over=True)
    values = {**entry_values(measure, pseudonym=pseudonym, **overrides),
              **exit_values(measure, destination=carry_over, exit_date=measure.end_date)}
    return services.save_participant(user, measure, values)[0]


def test_the_carry_over_takes_the_entry_answers_and_clears_the_exit(ze_kassel, measure, successor):
    goal = ParticipantGoal.objects.get(code="ausbildungsreife")
    answers = all_answers(measure, goal)
    continuing(measure, ze_kassel, "TN-1", goal=goal, entry_answers=answers)
    new = services.do_carry_over(ze_kassel, measure)[0]
    assert new.goal == goal and new.exit_date is None and new.destination is None and new.exit_reason_other == ""
    assert set(Answer.objects.filter(participant=new, phase="entry").values_list("question__code", flat=True)) == set(
        answers)
    assert not Answer.objects.filter(participant=new, phase="exit").exists()


def test_the_carry_over_is_audited_with_who_and_where_from(ze_kassel, measure, successor):
    continuing(measure, ze_kassel, "TN-1")
    new = services.do_carry_over(ze_kassel, measure)[0]
    entry = AuditEntry.objects.get(participant=new)
    assert (entry.action, entry.user, entry.measure, entry.note) == (
        AuditAction.CARRY_OVER, ze_kassel, successor, "aus AQB26-KS-M1-21")


def test_a_carry_over_without_a_successor_is_refused_with_the_reason(ze_kassel, measure):
    with pytest.raises(services.ServiceError) as refused:
        services.do_carry_over(ze_kassel, measure)
    assert refused.value.messages == ["Für diese Maßnahme ist keine Folgemaßnahme im nächsten Budget hinterlegt."]


def test_the_carry_over_leaves_out_the_answers_of_a_block_no_longer_asked(ze_kassel, measure, successor):
    goal = ParticipantGoal.objects.get(code="ausbildungsreife")
    answers = all_answers(measure, goal)
    continuing(measure, ze_kassel, "TN-1", goal=goal, entry_answers=answers)
    block = Question.objects.get(code=next(iter(answers))).block
    QuestionBlock.objects.filter(pk=block.pk).update(is_active=False)
    new = services.do_carry_over(ze_kassel, measure)[0]
    assert set(Answer.objects.filter(participant=new).values_list("question__code", flat=True)) == {
        code for code in answers if Question.objects.get(code=code).block_id != block.pk}


def test_the_carry_over_drops_the_goal_when_the_successor_asks_none(ze_kassel, kassel, provider_org_a, measure):
    successor = make_measure("AQB27-KS-M3-21", kassel, provider_org_a, budget_year=2027, type_code="M3")
    measure.successor = successor
    measure.save()
    continuing(measure, ze_kassel, "TN-1", goal=ParticipantGoal.objects.get(code="ausbildungsreife"))
    new = services.do_carry_over(ze_kassel, measure)[0]
    assert new.goal is None


def test_the_carry_over_takes_only_this_measures_participants(ze_kassel, kassel, provider_org_a, measure, successor):
    other = make_measure("AQB26-KS-M1-23", kassel, provider_org_a)
    continuing(other, ze_kassel, "TN-ANDERE")
    continuing(measure, ze_kassel, "TN-1")
    assert [p.pseudonym for p in services.do_carry_over(ze_kassel, measure)] == ["TN-1"]
    assert not Participant.objects.filter(measure=successor, pseudonym="TN-ANDERE").exists()


def test_a_changed_exit_answer_is_labelled_at_exit(ze_kassel, measure):
    goal = ParticipantGoal.objects.get(code="ausbildungsreife")
    values = {**entry_values(measure, pseudonym="TN-1", goal=goal), **exit_values(measure)}
    exit_codes = sorted(all_answers(measure, goal))
    participant, _ = services.save_participant(ze_kassel, measure, {**values, "exit_answers": {exit_codes[0]: True}})
    entry = AuditEntry.objects.filter(participant=participant).order_by("-pk").first()
    assert any(label.endswith("(bei Austritt)") for label in entry.changes)


# --- an ID taken between the check and the save (the unique constraint answers) ----------------------------

TAKEN = ("Die Teilnehmenden-ID „{}“ ist in dieser Maßnahme bereits vergeben. Jede ID ist pro Maßnahme nur einmal "
         "zulässig; wer austritt und wieder eintritt, erhält eine neue ID.")


def another_click_takes_the_id(monkeypatch, measure, pseudonym, *, gone_at_recheck=False):
    """A second request saves `pseudonym` right after this save's rule check (the lock did not cover it);
    with `gone_at_recheck` that record is deleted again before the service checks once more."""
    real = participants_service.validate_participant
    calls = []

    def validate(*args, **kwargs):
        calls.append(args)
        if len(calls) == 1:
            result = real(*args, **kwargs)
            make_participant(measure, pseudonym)
            return result
        if gone_at_recheck:
            Participant.objects.filter(measure=measure, pseudonym=pseudonym).delete()
        return real(*args, **kwargs)

    monkeypatch.setattr(participants_service, "validate_participant", validate)
    return calls


def test_an_id_another_click_took_meanwhile_is_refused_at_the_id_and_nothing_is_saved(monkeypatch, ze_kassel,
                                                                                       measure):
    calls = another_click_takes_the_id(monkeypatch, measure, "TN-1")
    with pytest.raises(services.ServiceError) as refused:
        services.save_participant(ze_kassel, measure, entry_values(measure, pseudonym="TN-1"))
    assert refused.value.errors == {"pseudonym": [TAKEN.format("TN-1")]}
    assert len(calls) == 2  # the rules ran again and named the ID
    assert not Participant.objects.filter(measure=measure).exists()
    assert not AuditEntry.objects.exists()


def test_a_renamed_record_whose_new_id_was_taken_meanwhile_is_refused_only_at_the_id(monkeypatch, ze_kassel,
                                                                                     measure):
    """The second check still knows the stored record: a deactivated entry it already has stays allowed."""
    destination = Destination.objects.filter(is_carry_over=False).first()
    values = {**entry_values(measure, pseudonym="TN-1"), **exit_values(measure, destination=destination)}
    participant, _ = services.save_participant(ze_kassel, measure, values)
    Destination.objects.filter(pk=destination.pk).update(is_active=False)
    destination.refresh_from_db()
    another_click_takes_the_id(monkeypatch, measure, "TN-2")
    with pytest.raises(services.ServiceError) as refused:
        services.save_participant(ze_kassel, measure, {**values, "pseudonym": "TN-2", "destination": destination},
                                  participant)
    assert refused.value.errors == {"pseudonym": [TAKEN.format("TN-2")]}
    participant.refresh_from_db()
    assert participant.pseudonym == "TN-1"
    assert list(Participant.objects.filter(measure=measure).values_list("pseudonym", flat=True)) == ["TN-1"]


def test_an_id_refused_by_the_database_but_free_again_at_the_recheck_is_still_refused(monkeypatch, ze_kassel,
                                                                                      measure):
    another_click_takes_the_id(monkeypatch, measure, "TN-1", gone_at_recheck=True)
    with pytest.raises(services.ServiceError) as refused:
        services.save_participant(ze_kassel, measure, entry_values(measure, pseudonym="TN-1"))
    assert refused.value.errors == {"pseudonym": ["Diese Teilnehmenden-ID ist in dieser Maßnahme bereits vergeben."]}
    assert not Participant.objects.filter(measure=measure).exists()


def test_another_database_refusal_is_not_passed_off_as_a_taken_id(measure):
    """Only the ID's unique constraint becomes a German message; any other IntegrityError is a bug to see."""
    context = RuleContext.for_measure(measure)
    incomplete = Participant(measure=measure, pseudonym="TN-1", entry_date=measure.start_date, status=None)
    with pytest.raises(IntegrityError, match="status"):
        participants_service._save_unique(incomplete, entry_values(measure, pseudonym="TN-1"), context, None)
    assert not Participant.objects.filter(measure=measure).exists()


# --- the answers of a single save ----------------------------------------------------------------------------


def answer_label(code, phase_label):
    question = Question.objects.select_related("block").get(code=code)
    return f"{question.block.label}: {question.label} ({phase_label})"


def test_a_changed_answer_is_stored_and_audited_with_old_and_new_value_at_entry(ze_kassel, measure):
    goal = ParticipantGoal.objects.get(code="ausbildungsreife")
    code = sorted(all_answers(measure, goal))[0]
    values = entry_values(measure, pseudonym="TN-1", goal=goal)
    participant, _ = services.save_participant(ze_kassel, measure, {**values, "entry_answers": {code: True}})
    services.save_participant(ze_kassel, measure, {**values, "entry_answers": {code: False}}, participant)
    assert list(Answer.objects.filter(participant=participant).values_list("question__code", "phase", "value")) == [
        (code, "entry", False)]
    change = AuditEntry.objects.get(participant=participant, action=AuditAction.CHANGE)
    assert change.changes == {answer_label(code, "bei Eintritt"): ["ja", "nein"]}


def test_withdrawn_answers_are_deleted_whichever_answer_stays(ze_kassel, measure):
    """Each answer in turn is the one kept, so one of them is the first the service reads."""
    goal = ParticipantGoal.objects.get(code="ausbildungsreife")
    answers = all_answers(measure, goal)
    for number, kept in enumerate(answers):
        values = entry_values(measure, pseudonym=f"TN-{number}", goal=goal)
        participant, _ = services.save_participant(ze_kassel, measure, {**values, "entry_answers": answers})
        services.save_participant(ze_kassel, measure, {**values, "entry_answers": {kept: True}}, participant)
        assert list(Answer.objects.filter(participant=participant).values_list("question__code", flat=True)) == [kept]
        change = AuditEntry.objects.get(participant=participant, action=AuditAction.CHANGE)
        assert change.changes == {answer_label(code, "bei Eintritt"): ["ja", ""] for code in answers if code != kept}


def test_an_unchanged_answer_does_not_stop_the_answers_given_after_it(ze_kassel, measure):
    goal = ParticipantGoal.objects.get(code="ausbildungsreife")
    first, second, third = sorted(all_answers(measure, goal))[:3]
    values = entry_values(measure, pseudonym="TN-1", goal=goal)
    participant, _ = services.save_participant(ze_kassel, measure,
                                               {**values, "entry_answers": {first: True, second: True}})
    services.save_participant(ze_kassel, measure, {**values, "entry_answers": {first: True, second: False, third: True}},
                              participant)
    assert dict(Answer.objects.filter(participant=participant).values_list("question__code", "value")) == {
        first: True, second: False, third: True}
    change = AuditEntry.objects.get(participant=participant, action=AuditAction.CHANGE)
    assert change.changes == {answer_label(second, "bei Eintritt"): ["ja", "nein"],
                              answer_label(third, "bei Eintritt"): ["", "ja"]}


def test_without_an_exit_date_no_exit_answer_is_kept_not_even_to_a_deactivated_question(ze_kassel, measure):
    """V9 outranks §5: the entry answer to a deactivated question stays, its exit answer goes with the exit."""
    goal = ParticipantGoal.objects.get(code="ausbildungsreife")
    code = sorted(all_answers(measure, goal))[0]
    entry = entry_values(measure, pseudonym="TN-1", goal=goal)
    participant, _ = services.save_participant(ze_kassel, measure, {
        **entry, **exit_values(measure), "entry_answers": {code: True}, "exit_answers": {code: False}})
    Question.objects.filter(code=code).update(is_active=False)
    services.save_participant(ze_kassel, measure, entry, participant)
    assert list(Answer.objects.filter(participant=participant).values_list("phase", "value")) == [("entry", True)]
    change = AuditEntry.objects.get(participant=participant, action=AuditAction.CHANGE)
    assert change.changes[answer_label(code, "bei Austritt")] == ["nein", ""]
    assert answer_label(code, "bei Eintritt") not in change.changes


def test_a_new_record_audits_exactly_the_fields_given(ze_kassel, measure):
    values = entry_values(measure, pseudonym="TN-1")
    participant, _ = services.save_participant(ze_kassel, measure, values)
    created = AuditEntry.objects.get(participant=participant, action=AuditAction.CREATE)
    assert created.changes == {field_label(name): ["", display_value(value)] for name, value in values.items()}
    assert created.note == ""


def test_saving_a_record_costs_the_same_queries_with_one_answer_as_with_many(ze_kassel, measure):
    goal = ParticipantGoal.objects.get(code="ausbildungsreife")
    answers = all_answers(measure, goal)
    assert len(answers) > 2
    counts = []
    for pseudonym, given in (("TN-1", dict(list(answers.items())[:1])), ("TN-2", answers)):
        values = entry_values(measure, pseudonym=pseudonym, goal=goal, entry_answers=given)
        participant, _ = services.save_participant(ze_kassel, measure, values)
        with CaptureQueriesContext(connection) as queries:
            services.save_participant(ze_kassel, measure, {**values, "birth_year": 2001}, participant)
        counts.append(len(queries))
    assert counts[0] == counts[1]


# --- what a bulk import reads of the stored records ----------------------------------------------------------




def test_an_import_change_audits_the_old_and_new_entry_by_name_and_keeps_the_exit_answers(ze_kassel, measure):
    goal = ParticipantGoal.objects.get(code="ausbildungsreife")
    answers = all_answers(measure, goal)
    old, new = Destination.objects.get(code="betriebliche-ausbildung"), Destination.objects.get(code="schulische-ausbildung")
    participant, _ = services.save_participant(ze_kassel, measure, {
        **entry_values(measure, pseudonym="TN-1", goal=goal), **exit_values(measure, destination=old),
        "entry_answers": answers, "exit_answers": answers})
    services.import_participants(ze_kassel, measure, [import_row(measure, participant, destination=new)])
    change = AuditEntry.objects.get(participant=participant, action=AuditAction.IMPORT_CHANGE)
    assert change.changes == {field_label("destination"): [str(old), str(new)]}
    assert Answer.objects.filter(participant=participant, phase="exit").count() == len(answers)


def test_the_stored_values_of_more_than_a_thousand_records_come_with_their_answers_in_a_query_of_fixed_size(
        measure):
    """Above 1,000 records the answers are selected by the measure, not by a list of every record's id."""
    Participant.objects.bulk_create(
        [Participant(measure=measure, pseudonym=f"TN-{number}", entry_date=measure.start_date) for number in range(1001)])
    last = Participant.objects.get(measure=measure, pseudonym="TN-1000")
    question = Question.objects.filter(is_active=True).first()
    Answer.objects.create(participant=last, question=question, phase="exit", value=True)
    context = RuleContext.for_measure(measure)
    with CaptureQueriesContext(connection) as queries:
        stored = services.participants.stored_values(context, Participant.objects.filter(measure=measure))
    assert len(stored) == 1001
    assert stored[last.pk][0]["exit_answers"] == {question.code: True}
    assert stored[last.pk][0]["entry_answers"] == {}
    answer_query = next(query["sql"] for query in queries if "aqb_monitoring_answer" in query["sql"])
    assert str(last.pk) not in answer_query


def test_the_carry_over_check_reads_the_answers_of_all_continuing_participants_at_once(ze_kassel, measure, successor):
    goal = ParticipantGoal.objects.get(code="ausbildungsreife")
    answers = all_answers(measure, goal)
    counts = []
    for pseudonyms in (["TN-1"], ["TN-2", "TN-3", "TN-4"]):
        for pseudonym in pseudonyms:
            continuing(measure, ze_kassel, pseudonym, goal=goal, entry_answers=answers)
        with CaptureQueriesContext(connection) as queries:
            assert check_carry_over(ze_kassel, measure) == []
        counts.append(len(queries))
    assert counts[0] == counts[1]
