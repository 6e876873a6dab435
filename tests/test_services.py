"""Services: saving, deleting, closing, reopening and carrying over (one transaction each)."""

import datetime

import pytest
from django.utils import timezone

from aqb_monitoring import services
from aqb_monitoring.models import (
    Answer,
    AuditAction,
    AuditEntry,
    Destination,
    Participant,
    ParticipantGoal,
    ParticipantStatus,
    Question,
    ReportKind,
)
from aqb_monitoring.services import ServiceError
from aqb_monitoring.services.reports import check_submit_report, do_submit_report
from tests.conftest import make_measure, make_participant
from tests.participant_values import all_answers, entry_values, exit_values

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2027, 1, 15)


@pytest.fixture
def m1(kassel, provider_org_a):
    return make_measure("AQB26-KS-M1-01", kassel, provider_org_a)


@pytest.fixture
def m3(kassel, provider_org_a):
    return make_measure("AQB26-KS-M3-01", kassel, provider_org_a, type_code="M3")


def test_incomplete_record_is_saved_red(ze_kassel, m1):
    participant, result = services.save_participant(ze_kassel, m1, {"pseudonym": "TN-1"})
    assert participant.pk and participant.status == ParticipantStatus.RED
    assert "Eintrittsdatum" in result.missing_labels


def test_invalid_values_are_never_saved(ze_kassel, m1):
    values = entry_values(m1, entry_date=m1.start_date - datetime.timedelta(days=1))
    with pytest.raises(ServiceError) as raised:
        services.save_participant(ze_kassel, m1, values)
    assert raised.value.errors["entry_date"] == ["Das Eintrittsdatum darf nicht vor dem Beginn der Maßnahme (01.01.2026) liegen."]
    assert not Participant.objects.exists()
    assert services.check_save_participant(ze_kassel, m1, values)["entry_date"]


def test_status_is_stored_on_every_save(provider_a, m1):
    participant, _ = services.save_participant(provider_a, m1, entry_values(m1))
    assert participant.status == ParticipantStatus.YELLOW
    participant, _ = services.save_participant(provider_a, m1, {**entry_values(m1), **exit_values(m1)}, participant)
    participant.refresh_from_db()
    assert participant.status == ParticipantStatus.GREEN
    participant, _ = services.save_participant(provider_a, m1, entry_values(m1, gender=None), participant)
    participant.refresh_from_db()
    assert participant.status == ParticipantStatus.RED


def test_audit_records_old_and_new_display_values(ze_kassel, m1):
    participant, _ = services.save_participant(ze_kassel, m1, entry_values(m1, entry_date=datetime.date(2026, 2, 1)))
    created = AuditEntry.objects.get(action=AuditAction.CREATE)
    assert created.user == ze_kassel and created.pseudonym == "TN-001"
    assert created.changes["Geschlecht"] == ["", "weiblich"]
    services.save_participant(
        ze_kassel, m1, entry_values(m1, entry_date=datetime.date(2026, 2, 3), migration_background=True), participant
    )
    change = AuditEntry.objects.get(action=AuditAction.CHANGE)
    assert change.changes == {
        "Eintrittsdatum": ["01.02.2026", "03.02.2026"],
        "Migrationshintergrund": ["nein", "ja"],
    }


def test_saving_without_changes_writes_no_audit_entry(ze_kassel, m1):
    participant, _ = services.save_participant(ze_kassel, m1, entry_values(m1))
    services.save_participant(ze_kassel, m1, entry_values(m1), participant)
    assert AuditEntry.objects.count() == 1


def test_answers_of_a_block_that_no_longer_applies_are_deleted(ze_kassel, m1):
    stabilisation = ParticipantGoal.objects.get(code="stabilisierung")
    values = entry_values(m1, goal=stabilisation, entry_answers=all_answers(m1, stabilisation))
    participant, _ = services.save_participant(ze_kassel, m1, values)
    assert Answer.objects.filter(participant=participant).count() == 8
    values["goal"] = ParticipantGoal.objects.get(code="vermittlung-ausbildung")
    services.save_participant(ze_kassel, m1, values, participant)
    assert not Answer.objects.filter(participant=participant).exists()
    change = AuditEntry.objects.get(action=AuditAction.CHANGE)
    assert change.changes["Lebenswesentliche Rahmenbedingungen: Mobilität gegeben (bei Eintritt)"] == ["ja", ""]


def test_answers_to_deactivated_questions_are_kept(ze_kassel, m3):
    values = entry_values(m3, entry_answers=all_answers(m3))
    participant, _ = services.save_participant(ze_kassel, m3, values)
    Question.objects.filter(code="rahmenbedingungen-mobilitaet").update(is_active=False)
    values["entry_answers"] = all_answers(m3)  # no longer contains the deactivated question
    participant, _ = services.save_participant(ze_kassel, m3, values, participant)
    assert Answer.objects.filter(participant=participant, question__code="rahmenbedingungen-mobilitaet").exists()
    assert participant.status == ParticipantStatus.YELLOW


def test_withdrawn_answer_is_deleted_and_record_turns_red(ze_kassel, m3):
    values = entry_values(m3, entry_answers=all_answers(m3))
    participant, _ = services.save_participant(ze_kassel, m3, values)
    del values["entry_answers"]["rahmenbedingungen-sucht"]
    participant, _ = services.save_participant(ze_kassel, m3, values, participant)
    assert participant.status == ParticipantStatus.RED
    assert not Answer.objects.filter(participant=participant, question__code="rahmenbedingungen-sucht").exists()


def test_other_tenant_cannot_save(ze_fulda, m1):
    with pytest.raises(ServiceError) as raised:
        services.save_participant(ze_fulda, m1, entry_values(m1))
    assert "nicht bearbeiten" in str(raised.value)


def test_closed_measure_refuses_save_and_delete(ze_kassel, m1):
    participant, _ = services.save_participant(ze_kassel, m1, entry_values(m1))
    m1.closed_at = timezone.now()
    m1.save()
    with pytest.raises(ServiceError, match="Die Maßnahme ist abgeschlossen"):
        services.save_participant(ze_kassel, m1, entry_values(m1, birth_year=2001), participant)
    with pytest.raises(ServiceError, match="Die Maßnahme ist abgeschlossen"):
        services.delete_participant(ze_kassel, participant)
    assert services.check_delete_participant(ze_kassel, participant)
    assert Participant.objects.filter(pk=participant.pk).exists()


def test_delete_writes_audit_entry_with_pseudonym(provider_a, m1):
    participant, _ = services.save_participant(provider_a, m1, entry_values(m1))
    assert services.check_delete_participant(provider_a, participant) == []
    entry = services.delete_participant(provider_a, participant)
    assert not Participant.objects.exists()
    assert entry.action == AuditAction.DELETE and entry.pseudonym == "TN-001" and entry.participant is None
    assert entry.changes["Eintrittsdatum"] == ["01.02.2026", ""]


def close(user, measure, today=None):
    return do_submit_report(user, measure, ReportKind.CLOSING, today=today or TODAY)


def closing_reasons(user, measure, today=None):
    return [str(reason) for reason in check_submit_report(user, measure, ReportKind.CLOSING, today=today or TODAY)]


def test_close_needs_every_participant_green(ze_kassel, m1):
    yellow, _ = services.save_participant(ze_kassel, m1, entry_values(m1))
    assert closing_reasons(ze_kassel, m1) == ["1 Teilnehmende mit Status gelb: TN-001"]
    with pytest.raises(ServiceError):
        close(ze_kassel, m1)
    services.save_participant(ze_kassel, m1, {**entry_values(m1), **exit_values(m1)}, yellow)
    close(ze_kassel, m1)
    m1.refresh_from_db()
    assert m1.is_closed and m1.closed_by == ze_kassel
    assert AuditEntry.objects.filter(action=AuditAction.CLOSE, measure=m1).exists()


def test_close_is_refused_while_an_exit_lacks_its_verbleib(ze_kassel, m1):
    """V9: an exit date saved alone keeps the record yellow, and the closing report needs green."""
    participant, _ = services.save_participant(ze_kassel, m1, {**entry_values(m1), "exit_date": m1.end_date})
    assert participant.status == ParticipantStatus.YELLOW
    assert closing_reasons(ze_kassel, m1) == ["1 Teilnehmende mit Status gelb: TN-001"]
    services.save_participant(ze_kassel, m1, {**entry_values(m1), **exit_values(m1, exit_date=m1.end_date)}, participant)
    assert closing_reasons(ze_kassel, m1) == []


def test_a_measure_without_participant_monitoring_has_no_closing_report(ze_kassel, kassel):
    m4 = make_measure("AQB26-KS-M4-01", kassel, type_code="M4")
    assert closing_reasons(ze_kassel, m4) == [
        "Für Maßnahmen dieser Art werden keine Teilnehmenden erfasst und keine Meldungen abgegeben."
    ]


def test_close_not_before_the_measure_ends_and_not_by_provider(provider_a, ze_kassel, m1):
    services.save_participant(ze_kassel, m1, {**entry_values(m1), **exit_values(m1)})
    assert "endet erst am 31.12.2026" in closing_reasons(ze_kassel, m1, today=datetime.date(2026, 6, 1))[0]
    assert "sendet der Zuwendungsempfänger" in closing_reasons(provider_a, m1)[0]


def test_reopen_needs_rp_and_a_reason(rp_editor, ze_kassel, m1):
    services.save_participant(ze_kassel, m1, {**entry_values(m1), **exit_values(m1)})
    close(ze_kassel, m1)
    assert "Nur das Regierungspräsidium" in services.check_reopen_measure(ze_kassel, m1, "Korrektur")[0]
    with pytest.raises(ServiceError, match="Grund"):
        services.do_reopen_measure(rp_editor, m1, "  ")
    services.do_reopen_measure(rp_editor, m1, "Geburtsjahr falsch erfasst")
    m1.refresh_from_db()
    assert not m1.is_closed
    entry = AuditEntry.objects.get(action=AuditAction.REOPEN)
    assert entry.note == "Geburtsjahr falsch erfasst" and entry.user == rp_editor


# Carry-over -------------------------------------------------------------------


@pytest.fixture
def successor(kassel, provider_org_a, m1):
    new = make_measure("AQB27-KS-M1-01", kassel, provider_org_a, budget_year=2027)
    m1.successor = new
    m1.save()
    return new


def carried(measure, user, pseudonym, **overrides):
    carry_over = Destination.objects.get(is_carry_over=True)
    values = {**entry_values(measure, pseudonym=pseudonym), **exit_values(measure, destination=carry_over, exit_date=measure.end_date)}
    values.update(overrides)
    return services.save_participant(user, measure, values)[0]


def test_carry_over_takes_continuing_participants_once(ze_kassel, m1, successor):
    old = carried(m1, ze_kassel, "TN-1")
    services.save_participant(ze_kassel, m1, {**entry_values(m1, pseudonym="TN-2"), **exit_values(m1)})
    assert services.check_carry_over(ze_kassel, m1) == []
    created = services.do_carry_over(ze_kassel, m1)
    assert [p.pseudonym for p in created] == ["TN-1"]
    new = created[0]
    assert new.measure == successor and new.carried_over_from == old
    assert new.entry_date == successor.start_date  # V7
    assert new.exit_date is None and new.destination is None
    assert new.status == ParticipantStatus.YELLOW
    assert AuditEntry.objects.filter(action=AuditAction.CARRY_OVER, measure=successor).count() == 1
    # a second run creates nothing twice
    assert "Keine (weiteren) Teilnehmenden" in services.check_carry_over(ze_kassel, m1)[0]
    with pytest.raises(ServiceError):
        services.do_carry_over(ze_kassel, m1)
    assert Participant.objects.filter(measure=successor).count() == 1


def test_carry_over_keeps_entry_answers(ze_kassel, m1, successor):
    goal = ParticipantGoal.objects.get(code="ausbildungsreife")
    carried(m1, ze_kassel, "TN-1", goal=goal, entry_answers=all_answers(m1, goal), exit_answers=all_answers(m1, goal))
    new = services.do_carry_over(ze_kassel, m1)[0]
    assert Answer.objects.filter(participant=new, phase="entry").count() == 6
    assert not Answer.objects.filter(participant=new, phase="exit").exists()


def test_carried_over_participant_keeps_v7_on_later_edits(ze_kassel, m1, successor):
    carried(m1, ze_kassel, "TN-1")
    new = services.do_carry_over(ze_kassel, m1)[0]
    values = entry_values(successor, pseudonym="TN-1", entry_date=successor.start_date + datetime.timedelta(days=3))
    with pytest.raises(ServiceError) as raised:
        services.save_participant(ze_kassel, successor, values, new)
    assert "Beginn der Maßnahme (01.01.2027)" in raised.value.errors["entry_date"][0]


def test_carry_over_reasons(ze_kassel, ze_fulda, m1, successor):
    assert "keine Folgemaßnahme" in services.check_carry_over(ze_kassel, successor)[0]
    carried(m1, ze_kassel, "TN-1")
    services.save_participant(ze_kassel, successor, entry_values(successor, pseudonym="TN-1"))
    reasons = services.check_carry_over(ze_kassel, m1)
    assert any("TN-1: Die Teilnehmenden-ID „TN-1“ ist in dieser Maßnahme bereits vergeben" in r for r in reasons)
    assert services.check_carry_over(ze_fulda, m1)
    successor.closed_at = timezone.now()
    successor.save()
    assert "Folgemaßnahme AQB27-KS-M1-01: Die Maßnahme ist abgeschlossen" in services.check_carry_over(ze_kassel, m1)[0]


# What every service shares (services/common.py) -------------------------------------------


def test_a_refusal_reads_the_same_from_a_sentence_a_list_or_a_field_map():
    assert ServiceError("Nein.").errors == {"__all__": ["Nein."]}
    assert ServiceError(["Eins.", "Zwei."]).errors == {"__all__": ["Eins.", "Zwei."]}
    assert ServiceError(("Eins.",)).errors == {"__all__": ["Eins."]}
    error = ServiceError({"pseudonym": ["A."], "__all__": ["B.", "C."]})
    assert error.messages == ["A.", "B.", "C."]
    assert str(error) == "A. B. C."


def test_manage_py_acts_as_the_rp_and_is_recorded_without_a_user(m1):
    from aqb_monitoring import permissions
    from aqb_monitoring.services.common import SHELL, audit

    assert str(SHELL) == "manage.py"
    assert permissions.is_authority(SHELL)
    entry = audit(SHELL, m1, None, AuditAction.CHANGE, note="Testlauf")
    entry.refresh_from_db()
    assert (entry.user, entry.pseudonym, entry.changes, entry.note) == (None, "", {}, "Testlauf")


def test_an_audit_entry_names_the_clerk_and_the_participant(ze_kassel, m1):
    from aqb_monitoring.services.common import audit

    participant = make_participant(m1, "TN-1")
    entry = audit(ze_kassel, m1, participant, AuditAction.CHANGE, {"gender": ["", "weiblich"]})
    entry.refresh_from_db()
    assert (entry.user, entry.measure, entry.participant, entry.pseudonym) == (ze_kassel, m1, participant, "TN-1")
    assert entry.changes == {"gender": ["", "weiblich"]}


def test_a_closed_measure_is_refused_with_its_own_reason_before_the_permission(ze_fulda, ze_kassel, m1):
    from aqb_monitoring.services.common import edit_refusal

    assert edit_refusal(ze_kassel, m1) == {}
    assert edit_refusal(ze_fulda, m1) == {"__all__": ["Sie dürfen die Teilnehmenden dieser Maßnahme nicht bearbeiten."]}
    m1.closed_at = timezone.now()
    m1.save()
    closed = ["Die Maßnahme ist abgeschlossen; Teilnehmende können nicht mehr geändert oder gelöscht werden."]
    assert edit_refusal(ze_fulda, m1) == {"__all__": closed}
    assert edit_refusal(ze_kassel, m1) == {"__all__": closed}


def test_carried_over_count_counts_who_was_taken_over_already(ze_kassel, m1, successor):
    carried(m1, ze_kassel, "TN-1")
    carried(m1, ze_kassel, "TN-2")
    assert services.carried_over_count(m1) == 0
    services.do_carry_over(ze_kassel, m1)
    assert services.carried_over_count(m1) == 2
    assert services.carried_over_count(successor) == 0  # counted on the measure they left


# Catalogue choices of a decision (return and rejection reasons) -------------------------------------------------


def test_active_choices_are_the_chosen_active_entries_or_none_when_one_is_gone():
    from aqb_monitoring.models import ReturnReason
    from aqb_monitoring.services.common import active_choices

    first = ReturnReason.objects.create(code="t1", label="Angaben fehlen", sort_order=901)
    second = ReturnReason.objects.create(code="t2", label="Zeitraum falsch", sort_order=902)
    assert active_choices(ReturnReason, [str(first.pk), str(second.pk), str(first.pk), "x"]) == [first, second]
    assert active_choices(ReturnReason, []) == []
    second.is_active = False
    second.save()
    assert active_choices(ReturnReason, [str(first.pk), str(second.pk)]) is None  # deactivated since the form
    assert active_choices(ReturnReason, [str(second.pk + 1000)]) is None  # unknown
