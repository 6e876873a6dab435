"""Record status red -> yellow -> green and back (DOMAIN §7)."""

import pytest

from aqb_monitoring.models import Answer, AnswerPhase, ParticipantGoal, ParticipantStatus, Question
from aqb_monitoring.status import compute_status, missing_summary, recompute_for_measure, status_of_participant
from aqb_monitoring.validation import RuleContext
from tests.conftest import make_measure, make_participant
from tests.participant_values import all_answers, entry_values, exit_values

pytestmark = pytest.mark.django_db


@pytest.fixture
def m1(kassel):
    return make_measure("AQB26-KS-M1-01", kassel)


@pytest.fixture
def m3(kassel):
    return make_measure("AQB26-KS-M3-01", kassel, type_code="M3")


def test_status_goes_red_yellow_green_and_back(m1):
    context = RuleContext.for_measure(m1)
    values = {"pseudonym": "TN-1"}
    assert compute_status(values, context) == ParticipantStatus.RED
    values.update(entry_values(m1))
    assert compute_status(values, context) == ParticipantStatus.YELLOW
    values.update(exit_values(m1))
    assert compute_status(values, context) == ParticipantStatus.GREEN
    values["main_goal_reached"] = None
    assert compute_status(values, context) == ParticipantStatus.YELLOW
    values["gender"] = None
    assert compute_status(values, context) == ParticipantStatus.RED


def test_someone_who_has_not_left_is_yellow_and_no_exit_field_is_listed_as_missing_yet(m1):
    summary = missing_summary(entry_values(m1), RuleContext.for_measure(m1))
    assert summary["status"] == ParticipantStatus.YELLOW
    assert summary["missing_entry"] == []
    assert summary["missing_exit"] == []


def test_once_an_exit_date_is_given_the_missing_exit_fields_are_listed(m1):
    values = entry_values(m1)
    values["exit_date"] = values["entry_date"]
    summary = missing_summary(values, RuleContext.for_measure(m1))
    assert summary["status"] == ParticipantStatus.YELLOW
    assert "Verbleib nach Austritt" in summary["missing_exit"]
    assert "Austrittsdatum" not in summary["missing_exit"]


def test_a_red_record_lists_only_the_entry_data(m1):
    summary = missing_summary({"pseudonym": "TN-1"}, RuleContext.for_measure(m1))
    assert summary["status"] == ParticipantStatus.RED
    assert "Geschlecht" in summary["missing_entry"]
    assert summary["missing_exit"] == []


def test_missing_answers_say_whether_they_are_asked_at_entry_or_at_exit(m1):
    context = RuleContext.for_measure(m1)
    goal = ParticipantGoal.objects.get(code="stabilisierung")
    values = entry_values(m1, goal=goal)
    values["exit_date"] = values["entry_date"]
    summary = missing_summary(values, context)
    assert "Lebenswesentliche Rahmenbedingungen: Mobilität gegeben (bei Eintritt)" in summary["missing_entry"]
    assert "Lebenswesentliche Rahmenbedingungen: Mobilität gegeben (bei Austritt)" in summary["missing_exit"]


def test_choosing_a_goal_with_a_block_makes_the_record_red_until_answered(m1):
    context = RuleContext.for_measure(m1)
    goal = ParticipantGoal.objects.get(code="stabilisierung")
    values = entry_values(m1, goal=goal)
    summary = missing_summary(values, context)
    assert summary["status"] == ParticipantStatus.RED
    assert "Lebenswesentliche Rahmenbedingungen: Mobilität gegeben (bei Eintritt)" in summary["missing_entry"]
    values["entry_answers"] = all_answers(m1, goal)
    assert compute_status(values, context) == ParticipantStatus.YELLOW


def test_status_of_a_stored_participant_reads_its_answers(m3):
    values = entry_values(m3)
    participant = make_participant(m3, "TN-1", **{k: v for k, v in values.items() if k != "pseudonym"})
    assert status_of_participant(participant) == ParticipantStatus.RED
    Answer.objects.bulk_create(
        Answer(participant=participant, question=Question.objects.get(code=code), phase=AnswerPhase.ENTRY, value=value)
        for code, value in all_answers(m3).items()
    )
    assert status_of_participant(participant) == ParticipantStatus.YELLOW


def test_recompute_for_measure_after_a_catalogue_change(m3, django_assert_max_num_queries):
    values = {k: v for k, v in entry_values(m3).items() if k != "pseudonym"}
    participants = [make_participant(m3, f"TN-{i}", status=ParticipantStatus.YELLOW, **values) for i in range(5)]
    with django_assert_max_num_queries(10):
        assert recompute_for_measure(m3) == 5  # no answers: red
    assert {p.status for p in type(participants[0]).objects.filter(measure=m3)} == {ParticipantStatus.RED}
    Question.objects.filter(block__code__in=["ausbildungsreife", "rahmenbedingungen"]).update(is_active=False)
    assert recompute_for_measure(m3) == 5  # nothing left to answer: yellow
    assert recompute_for_measure(m3) == 0


def test_a_complete_record_is_green_in_the_status_box_with_nothing_to_ask(m1):
    summary = missing_summary({**entry_values(m1), **exit_values(m1)}, RuleContext.for_measure(m1))
    assert summary == {
        "status": ParticipantStatus.GREEN, "missing_entry": [], "missing_exit": [], "exit_incomplete": "", "exit_requests": [],
    }


def test_an_exit_date_alone_asks_for_each_missing_exit_field_in_the_status_box(m1):
    values = {**entry_values(m1), "exit_date": m1.end_date}
    summary = missing_summary(values, RuleContext.for_measure(m1))
    assert summary["status"] == ParticipantStatus.YELLOW
    assert summary["missing_exit"] == ["Verbleib nach Austritt", "Maßnahme vollständig durchlaufen?", "Hauptziel der Maßnahme erreicht?"]
    assert summary["exit_incomplete"] == (
        "Austrittsangaben unvollständig: Verbleib nach Austritt, Maßnahme vollständig durchlaufen?, Hauptziel der Maßnahme erreicht?"
    )
    assert summary["exit_requests"] == [
        ("Verbleib nach Austritt", "Bitte den Verbleib bis vier Wochen nach dem Austritt auswählen."),
        ("Maßnahme vollständig durchlaufen?", "Bitte angeben, ob die Maßnahme vollständig durchlaufen wurde."),
        ("Hauptziel der Maßnahme erreicht?", "Bitte angeben, ob das Hauptziel der Maßnahme erreicht wurde."),
    ]


def test_a_red_record_with_an_exit_date_is_red_in_the_status_box(m1):
    values = {"pseudonym": "TN-1", "exit_date": m1.end_date}
    summary = missing_summary(values, RuleContext.for_measure(m1))
    assert summary["status"] == ParticipantStatus.RED
    assert "Verbleib nach Austritt" in summary["missing_exit"]


def test_recompute_stores_only_the_changed_statuses(m1):
    values = {k: v for k, v in entry_values(m1).items() if k != "pseudonym"}
    stale = make_participant(m1, "TN-1", status=ParticipantStatus.GREEN, **values)
    right = make_participant(m1, "TN-2", status=ParticipantStatus.YELLOW, **values)
    assert recompute_for_measure(m1) == 1
    stale.refresh_from_db()
    right.refresh_from_db()
    assert (stale.status, right.status) == (ParticipantStatus.YELLOW, ParticipantStatus.YELLOW)


def test_the_status_of_a_participant_uses_the_given_context(m1, m3):
    values = {k: v for k, v in entry_values(m1).items() if k != "pseudonym"}
    participant = make_participant(m1, "TN-1", **values)
    assert status_of_participant(participant) == ParticipantStatus.YELLOW
    assert status_of_participant(participant, RuleContext.for_measure(m3)) == ParticipantStatus.RED


def test_recompute_reads_each_participants_own_answers_in_a_fixed_number_of_queries(m3, django_assert_max_num_queries):
    values = {k: v for k, v in entry_values(m3).items() if k != "pseudonym"}
    answered = [make_participant(m3, f"TN-{i}", status=ParticipantStatus.RED, **values) for i in range(3)]
    unanswered = make_participant(m3, "TN-9", status=ParticipantStatus.YELLOW, **values)
    Answer.objects.bulk_create(
        Answer(participant=participant, question=Question.objects.get(code=code), phase=AnswerPhase.ENTRY, value=value)
        for participant in answered
        for code, value in all_answers(m3).items()
    )
    with django_assert_max_num_queries(10):
        assert recompute_for_measure(m3) == 4
    statuses = dict(type(unanswered).objects.filter(measure=m3).values_list("pseudonym", "status"))
    assert statuses == {"TN-0": ParticipantStatus.YELLOW, "TN-1": ParticipantStatus.YELLOW, "TN-2": ParticipantStatus.YELLOW,
                        "TN-9": ParticipantStatus.RED}


def test_before_the_exit_the_status_box_asks_for_no_exit_field(m1):
    summary = missing_summary(entry_values(m1), RuleContext.for_measure(m1))
    assert (summary["exit_incomplete"], summary["exit_requests"]) == ("", [])
