"""Stored statuses follow the rules when what the rules read changes (measure or catalogue)."""

from aqb_monitoring import services
from aqb_monitoring.models import MeasureType, Participant, ParticipantStatus, Question, QuestionBlock
from tests.conftest import make_measure
from tests.participant_values import all_answers, entry_values


def save(user, measure, values):
    participant, _result = services.save_participant(user, measure, values)
    return Participant.objects.get(pk=participant.pk)


def test_changing_a_measure_type_recomputes_its_participants(rp_editor, kassel):
    measure = make_measure("AQB26-KS-M2-01", kassel, type_code="M2")
    participant = save(rp_editor, measure, entry_values(measure))
    assert participant.status == ParticipantStatus.YELLOW

    # M3 asks both question blocks at entry: the record now lacks answers.
    measure.measure_type = MeasureType.objects.get(code="M3")
    measure.save()

    participant.refresh_from_db()
    assert participant.status == ParticipantStatus.RED


def test_saving_a_measure_without_rule_changes_keeps_statuses(rp_editor, kassel, django_assert_max_num_queries):
    measure = make_measure("AQB26-KS-M2-02", kassel, type_code="M2")
    save(rp_editor, measure, entry_values(measure))
    measure.title = "Neuer Titel"
    with django_assert_max_num_queries(12):
        measure.save()
    assert Participant.objects.get(measure=measure).status == ParticipantStatus.YELLOW


def test_a_new_question_in_a_block_makes_complete_records_incomplete(
    rp_editor, kassel, django_capture_on_commit_callbacks
):
    measure = make_measure("AQB26-KS-M3-01", kassel, type_code="M3")
    participant = save(rp_editor, measure, {**entry_values(measure), "entry_answers": all_answers(measure)})
    assert participant.status == ParticipantStatus.YELLOW

    with django_capture_on_commit_callbacks(execute=True):
        Question.objects.create(
            block=QuestionBlock.objects.get(code="ausbildungsreife"),
            code="ausbildungsreife-neu",
            label="Neue Frage",
            sort_order=999,
        )

    participant.refresh_from_db()
    assert participant.status == ParticipantStatus.RED


def test_a_block_no_longer_asked_in_a_measure_type_completes_records(
    rp_editor, kassel, django_capture_on_commit_callbacks
):
    measure = make_measure("AQB26-KS-M3-02", kassel, type_code="M3")
    participant = save(rp_editor, measure, entry_values(measure))
    assert participant.status == ParticipantStatus.RED

    m3 = MeasureType.objects.get(code="M3")
    with django_capture_on_commit_callbacks(execute=True):
        for block in QuestionBlock.objects.all():
            block.measure_types.remove(m3)

    participant.refresh_from_db()
    assert participant.status == ParticipantStatus.YELLOW
