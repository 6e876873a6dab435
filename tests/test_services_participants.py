"""`services.participants` in detail: the check before a save, the version and the stale message, the
carry-over's refusals word for word, and the answers a bulk import inserts. The rules every entry point
shares are in test_participant_write_paths.py."""

import datetime

import pytest
from django.utils import timezone

from aqb_monitoring import services
from aqb_monitoring.models import Answer, AuditAction, AuditEntry, Destination, Participant, ParticipantGoal
from aqb_monitoring.services.participants import (
    ImportRow,
    _stale_form_message,
    check_carry_over,
    check_save_participant,
    version_of,
)
from aqb_monitoring.validation import NON_FIELD, RuleContext, validate_participant

from .conftest import make_measure, make_participant
from .participant_values import all_answers, entry_values, exit_values

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
