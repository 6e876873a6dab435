"""The rules V1-V10 (DOMAIN §6) as pure functions, and V9 through every entry point: each test fails when its rule is removed."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from aqb_monitoring.excel.importer import do_import, read_rows, validate_rows
from aqb_monitoring.excel.layout import Layout
from aqb_monitoring.models import Destination, Participant, ParticipantGoal, ParticipantStatus, Question
from aqb_monitoring.validation import (
    NON_FIELD,
    RuleContext,
    missing_entry_fields,
    missing_exit_fields,
    validate_participant,
)
from tests.conftest import make_measure, make_participant
from tests.excel_files import workbook_bytes
from tests.participant_values import all_answers, entry_values, exit_values, not_working_reason
from tests.test_participant_form import post_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def m1(kassel):
    return make_measure("AQB26-KS-M1-01", kassel)


@pytest.fixture
def m2(kassel):
    return make_measure("AQB26-KS-M2-01", kassel, type_code="M2")


@pytest.fixture
def m3(kassel):
    return make_measure("AQB26-KS-M3-01", kassel, type_code="M3")


def validate(measure, values, **kwargs):
    return validate_participant(values, context=RuleContext.for_measure(measure), **kwargs)


def only_messages(result, field):
    return " ".join(result.errors.get(field, []))


# V1 -------------------------------------------------------------------------


def test_missing_entry_fields_are_reported_not_blocking(m1):
    result = validate(m1, {"pseudonym": "TN-1"})
    assert result.is_valid
    assert result.status == ParticipantStatus.RED
    assert "Eintrittsdatum" in result.missing_labels
    assert "TN-Ziel" in result.missing_labels
    assert result.missing["gender"] == ["Pflichtangabe: bitte ausfüllen."]


def test_record_cannot_be_saved_without_pseudonym(m1):
    result = validate(m1, entry_values(m1, pseudonym=""))
    assert "Ohne Teilnehmenden-ID" in only_messages(result, "pseudonym")


def test_goal_is_required_only_in_m1(m1, m2):
    assert "goal" in missing_entry_fields({}, RuleContext.for_measure(m1))
    assert "goal" not in missing_entry_fields({}, RuleContext.for_measure(m2))


def test_exam_is_asked_only_in_m2(m1, m2):
    assert "exam_passed" in missing_exit_fields({}, RuleContext.for_measure(m2))
    assert "exam_passed" not in missing_exit_fields({}, RuleContext.for_measure(m1))
    result = validate(m1, {**entry_values(m1), **exit_values(m1), "exam_passed": True})
    assert "nur bei Maßnahmen der Art M2" in only_messages(result, "exam_passed")


def test_goal_switches_on_its_question_block_in_m1(m1):
    goal = ParticipantGoal.objects.get(code="ausbildungsreife")
    result = validate(m1, entry_values(m1, goal=goal))
    assert result.status == ParticipantStatus.RED
    assert "entry__ausbildungsreife-basiskenntnisse" in result.missing
    assert not any(key.startswith("entry__rahmenbedingungen") for key in result.missing)
    result = validate(m1, {**entry_values(m1, goal=goal), "entry_answers": all_answers(m1, goal)})
    assert result.status == ParticipantStatus.YELLOW


def test_both_blocks_apply_always_in_m3(m3):
    missing = missing_entry_fields(entry_values(m3), RuleContext.for_measure(m3))
    assert "entry__ausbildungsreife-basiskenntnisse" in missing
    assert "entry__rahmenbedingungen-wohnsituation" in missing


def test_the_blocks_of_a_measure_type_come_in_catalogue_order_with_their_questions(m2):
    """load_blocks: active blocks of the type (or switched on by a goal where the type asks for one), ordered by
    position then label, each question with id, code, label, help text and whether it is still asked."""
    from aqb_monitoring.models import MeasureType, QuestionBlock
    from aqb_monitoring.validation import BlockInfo, QuestionInfo, load_blocks

    m2_type = MeasureType.objects.get(code="M2")

    def block(code, label, sort_order, *, is_active=True, of_type=True):
        created = QuestionBlock.objects.create(code=code, label=label, sort_order=sort_order, is_active=is_active)
        if of_type:
            created.measure_types.add(m2_type)
        return created

    block("inaktiv", "Abgeschaltet", 1, is_active=False)  # first, so a loop that stopped at it would lose the rest
    by_goal = block("nur-mit-ziel", "Nur mit Ziel", 2, of_type=False)
    by_goal.participant_goals.add(ParticipantGoal.objects.first())  # M2 asks for no goal: never switched on
    late = block("spaet", "Z-Block", 3)
    second = block("zweiter", "B-Block", 5)  # created before "A-Block": the label decides, not the creation
    first = block("erster", "A-Block", 5)
    asked_last = Question.objects.create(block=first, code="q-zuletzt", label="Frage A", sort_order=2, help_text="Hilfe A")
    asked_first = Question.objects.create(block=first, code="q-zuerst", label="Frage B", sort_order=1)
    retired = Question.objects.create(block=first, code="q-alt", label="Frage C", sort_order=3, is_active=False)

    assert load_blocks(m2_type) == (
        BlockInfo(late.pk, "spaet", "Z-Block", True, frozenset(), ()),
        BlockInfo(first.pk, "erster", "A-Block", True, frozenset(), (
            QuestionInfo(asked_first.pk, "q-zuerst", "Frage B", "", True),
            QuestionInfo(asked_last.pk, "q-zuletzt", "Frage A", "Hilfe A", True),
            QuestionInfo(retired.pk, "q-alt", "Frage C", "", False),
        )),
        BlockInfo(second.pk, "zweiter", "B-Block", True, frozenset(), ()),
    )


def test_loading_the_blocks_costs_four_queries_however_many_blocks_and_questions(m3, django_assert_num_queries):
    """One for the blocks, one each for their measure types, goals and questions (RuleContext.for_measure)."""
    from aqb_monitoring.models import QuestionBlock
    from aqb_monitoring.validation import load_blocks

    assert QuestionBlock.objects.count() >= 2 and Question.objects.count() >= 10
    with django_assert_num_queries(4):
        blocks = load_blocks(m3.measure_type)
    assert [block.code for block in blocks] == ["ausbildungsreife", "rahmenbedingungen"]


def test_answers_of_a_block_that_does_not_apply_are_dropped(m1):
    goal = ParticipantGoal.objects.get(code="vermittlung-ausbildung")
    answers = all_answers(m1, ParticipantGoal.objects.get(code="stabilisierung"))
    result = validate(m1, entry_values(m1, goal=goal, entry_answers=answers))
    assert result.is_valid
    assert result.values["entry_answers"] == {}


def test_deactivated_question_is_no_longer_required(m3):
    Question.objects.filter(code="ausbildungsreife-basiskenntnisse").update(is_active=False)
    missing = missing_entry_fields(entry_values(m3), RuleContext.for_measure(m3))
    assert "entry__ausbildungsreife-basiskenntnisse" not in missing
    assert "entry__ausbildungsreife-berufswahl" in missing


def test_codes_are_resolved_and_unknown_codes_rejected(m1):
    values = entry_values(m1, gender="divers", benefit="gibt-es-nicht")
    result = validate(m1, values)
    assert result.values["gender"].code == "divers"
    assert "kein gültiger Eintrag für Leistungsbezug bei Eintritt" in only_messages(result, "benefit")


def test_inactive_catalogue_entry_only_when_already_stored(m1):
    values = entry_values(m1)
    values["gender"].is_active = False
    values["gender"].save()
    assert "nicht mehr angeboten" in only_messages(validate(m1, values), "gender")
    assert validate(m1, values, previous={"gender": values["gender"]}).is_valid


# V2 -------------------------------------------------------------------------


@pytest.mark.parametrize("pseudonym", ["TN 01", "Müller", "TN_01", "TN.01", "a/b"])
def test_pseudonym_allows_only_letters_digits_hyphen(m1, pseudonym):
    result = validate(m1, entry_values(m1, pseudonym=pseudonym))
    assert "nur Buchstaben (A–Z, a–z, ohne Umlaute), Ziffern und den Bindestrich" in only_messages(result, "pseudonym")


def test_pseudonym_is_unique_within_the_measure(m1):
    other = make_participant(m1, "TN-001")
    result = validate(m1, entry_values(m1, pseudonym="TN-001"))
    message = only_messages(result, "pseudonym")
    assert "bereits vergeben" in message
    assert "wer austritt und wieder eintritt, erhält eine neue ID" in message
    assert validate(m1, entry_values(m1, pseudonym="TN-001"), participant_id=other.pk).is_valid


def test_same_pseudonym_in_another_measure_is_fine(m1, m3):
    make_participant(m3, "TN-001")
    assert "pseudonym" not in validate(m1, entry_values(m1)).errors


# V3 -------------------------------------------------------------------------


@pytest.mark.parametrize(("age", "ok"), [(9, False), (10, True), (70, True), (71, False)])
def test_age_at_entry_between_10_and_70(m1, age, ok):
    values = entry_values(m1)
    values["birth_year"] = values["entry_date"].year - age
    result = validate(m1, values)
    assert ("birth_year" not in result.errors) is ok
    if not ok:
        assert "mindestens 10 und höchstens 70 Jahre" in only_messages(result, "birth_year")


def test_birth_year_has_four_digits(m1):
    result = validate(m1, entry_values(m1, birth_year=98))
    assert "vierstellig" in only_messages(result, "birth_year")


# V4 -------------------------------------------------------------------------


def test_entry_not_before_measure_start(m1):
    result = validate(m1, entry_values(m1, entry_date=m1.start_date - datetime.timedelta(days=1)))
    assert only_messages(result, "entry_date") == "Das Eintrittsdatum darf nicht vor dem Beginn der Maßnahme (01.01.2026) liegen."
    assert validate(m1, entry_values(m1, entry_date=m1.start_date)).is_valid


def test_entry_not_after_measure_end(m1):
    result = validate(m1, entry_values(m1, entry_date=m1.end_date + datetime.timedelta(days=1)))
    assert "nicht nach dem Ende der Maßnahme (31.12.2026)" in only_messages(result, "entry_date")


# V5 / V6 ----------------------------------------------------------------------


def test_exit_not_before_entry(m1):
    values = {**entry_values(m1), **exit_values(m1)}
    values["exit_date"] = values["entry_date"] - datetime.timedelta(days=1)
    result = validate(m1, values)
    assert "Das Austrittsdatum darf nicht vor dem Eintrittsdatum" in only_messages(result, "exit_date")


def test_exit_on_entry_day_is_fine(m1):
    values = {**entry_values(m1), **exit_values(m1)}
    values["exit_date"] = values["entry_date"]
    assert validate(m1, values).status == ParticipantStatus.GREEN


def test_exit_not_after_measure_end(m1):
    values = {**entry_values(m1), **exit_values(m1, exit_date=m1.end_date + datetime.timedelta(days=1))}
    result = validate(m1, values)
    assert "Das Austrittsdatum darf nicht nach dem Ende der Maßnahme (31.12.2026) liegen." in result.errors["exit_date"]


# V7 / V8 ----------------------------------------------------------------------


def test_carried_over_participant_enters_on_measure_start(m1):
    values = entry_values(m1, carried_over=True)
    result = validate(m1, values)
    assert "Beginn der Maßnahme (01.01.2026)" in only_messages(result, "entry_date")
    assert validate(m1, entry_values(m1, carried_over=True, entry_date=m1.start_date)).is_valid


def test_carry_over_destination_leaves_on_measure_end(m1):
    carry_over = Destination.objects.get(is_carry_over=True)
    values = {**entry_values(m1), **exit_values(m1, destination=carry_over)}
    result = validate(m1, values)
    assert "ist das Austrittsdatum das Ende der Maßnahme (31.12.2026)" in only_messages(result, "exit_date")
    values["exit_date"] = m1.end_date
    assert validate(m1, values).status == ParticipantStatus.GREEN


# V9 and the conditional exit fields ------------------------------------------


def test_exit_date_may_be_saved_alone_and_the_record_stays_yellow(m2):
    values = {**entry_values(m2), "exit_date": m2.end_date}
    result = validate(m2, values)
    assert result.is_valid
    assert result.status == ParticipantStatus.YELLOW
    assert result.exit_incomplete == (
        "Austrittsangaben unvollständig: Verbleib nach Austritt, Maßnahme vollständig durchlaufen?, "
        "Hauptziel der Maßnahme erreicht?, Prüfung bestanden?"
    )


def test_each_missing_exit_field_says_what_it_needs(m2):
    destination, other = not_working_reason()
    values = {**entry_values(m2), "exit_date": m2.end_date, "destination": destination, "exit_reason": other}
    result = validate(m2, values)
    assert result.is_valid
    assert result.missing["exit_reason_other"] == ["Bitte den sonstigen Grund beschreiben."]
    assert result.missing["completed_measure"] == ["Bitte angeben, ob die Maßnahme vollständig durchlaufen wurde."]
    assert result.missing["main_goal_reached"] == ["Bitte angeben, ob das Hauptziel der Maßnahme erreicht wurde."]
    assert result.missing["exam_passed"] == ["Bitte angeben, ob die Prüfung bestanden wurde."]
    exit_messages = [result.missing[name][0] for name in result.missing_exit]
    assert len(set(exit_messages)) == len(exit_messages)


def test_a_missing_exit_reason_asks_for_the_reason(m1):
    destination, _reason = not_working_reason()
    result = validate(m1, {**entry_values(m1), **exit_values(m1, destination=destination)})
    assert result.is_valid
    assert result.missing["exit_reason"] == [
        "Bitte den Austrittsgrund auswählen; der Verbleib „nicht erwerbstätig, …“ verlangt ihn."
    ]
    assert result.exit_incomplete == "Austrittsangaben unvollständig: Austrittsgrund"


def test_complete_exit_is_green_and_no_longer_incomplete(m2):
    result = validate(m2, {**entry_values(m2), **exit_values(m2)})
    assert result.status == ParticipantStatus.GREEN
    assert result.exit_incomplete == ""


def test_without_exit_date_the_record_is_yellow_but_not_an_incomplete_exit(m1):
    result = validate(m1, entry_values(m1))
    assert result.status == ParticipantStatus.YELLOW
    assert result.exit_incomplete == ""


def test_exit_fields_without_exit_date_are_rejected_on_the_exit_date(m1):
    values = {**entry_values(m1), "completed_measure": True, "main_goal_reached": False}
    result = validate(m1, values)
    assert result.errors["exit_date"] == [
        "Bitte das Austrittsdatum eintragen: ohne Austritt werden keine Austrittsangaben gespeichert "
        "(Maßnahme vollständig durchlaufen?, Hauptziel der Maßnahme erreicht?)."
    ]
    assert "completed_measure" not in result.errors


def test_exit_answers_without_exit_date_are_rejected(m3):
    values = {**entry_values(m3), "entry_answers": all_answers(m3), "exit_answers": {"rahmenbedingungen-mobilitaet": True}}
    result = validate(m3, values)
    assert "Mobilität gegeben (bei Austritt)" in only_messages(result, "exit_date")


def test_exit_answers_are_needed_for_green_but_not_for_saving(m3):
    values = {**entry_values(m3), "entry_answers": all_answers(m3), **exit_values(m3)}
    result = validate(m3, values)
    assert result.is_valid
    assert result.status == ParticipantStatus.YELLOW
    assert result.missing["exit__rahmenbedingungen-mobilitaet"] == [
        "Bitte mit „ja“ oder „nein“ beantworten, wie es bei Austritt ist."
    ]
    assert "Rahmenbedingungen" in result.exit_incomplete
    values["exit_answers"] = all_answers(m3, value=False)
    assert validate(m3, values).status == ParticipantStatus.GREEN


def test_exit_reason_needed_for_not_working_and_free_text_for_other_reason(m1):
    destination, other = not_working_reason()
    values = {**entry_values(m1), **exit_values(m1, destination=destination)}
    assert "exit_reason" in validate(m1, values).missing_exit
    values["exit_reason"] = other
    result = validate(m1, values)
    assert list(result.missing_exit) == ["exit_reason_other"]
    assert result.status == ParticipantStatus.YELLOW
    values["exit_reason_other"] = "Umzug ins Ausland"
    assert validate(m1, values).status == ParticipantStatus.GREEN


def test_exit_reason_only_for_not_working(m1):
    _destination, reason = not_working_reason("pflege")
    values = {**entry_values(m1), **exit_values(m1, exit_reason=reason)}
    assert "nur beim Verbleib „nicht erwerbstätig, …“" in only_messages(validate(m1, values), "exit_reason")


def test_free_text_only_with_other_reason(m1):
    destination, reason = not_working_reason("pflege")
    values = {**entry_values(m1), **exit_values(m1, destination=destination, exit_reason=reason, exit_reason_other="x")}
    assert "nur bei „sonstiger Grund“" in only_messages(validate(m1, values), "exit_reason_other")


# V9 through every entry point: the participant form and the Excel import -------------------


def through_form(client, user, measure, values):
    """Save with the admin form as a clerk does; returns the stored record and the page the clerk reads."""
    client.force_login(user)
    response = client.post(reverse("aqb_monitoring:participant_add", args=[measure.pk]), post_data(values))
    stored = Participant.objects.filter(measure=measure, pseudonym=values["pseudonym"]).first()
    if response.status_code == 302:
        response = client.get(reverse("aqb_monitoring:participant_edit", args=[measure.pk, stored.pk]))
    return stored, response.content.decode()


def through_excel_import(client, user, measure, values):
    """Import one row of the template; returns the stored record and the preview's messages for the row."""
    layout = Layout()
    row = {layout.by_key[name].header: excel_cell(value) for name, value in values.items()}
    content = workbook_bytes([row])
    preview_row = validate_rows(read_rows(content), measure).rows[0]
    do_import(content, measure, user)
    messages = [message for found in (preview_row.errors, preview_row.warnings) for key in found for message in found[key]]
    stored = Participant.objects.filter(measure=measure, pseudonym=values["pseudonym"]).first()
    return stored, " ".join(messages)


def excel_cell(value):
    if isinstance(value, bool):
        return "ja" if value else "nein"
    if hasattr(value, "label"):
        return value.label
    return value


ENTRY_POINTS = [pytest.param(through_form, id="form"), pytest.param(through_excel_import, id="excel-import")]


@pytest.mark.parametrize("record", ENTRY_POINTS)
def test_exit_date_alone_is_saved_yellow_with_one_request_per_missing_exit_field(record, client, ze_kassel, measure_a):
    exit_date = datetime.date(2026, 6, 30)
    stored, shown = record(client, ze_kassel, measure_a, {**entry_values(measure_a), "exit_date": exit_date})
    assert stored is not None and stored.exit_date == exit_date
    assert stored.status == ParticipantStatus.YELLOW
    for request in (
        "Bitte den Verbleib bis vier Wochen nach dem Austritt auswählen.",
        "Bitte angeben, ob die Maßnahme vollständig durchlaufen wurde.",
        "Bitte angeben, ob das Hauptziel der Maßnahme erreicht wurde.",
    ):
        assert request in shown
    assert "Mit dem Austrittsdatum sind alle Austrittsangaben auszufüllen" not in shown


@pytest.mark.parametrize("record", ENTRY_POINTS)
def test_missing_free_text_of_other_reason_asks_for_it_and_keeps_the_record_yellow(record, client, ze_kassel, measure_a):
    destination, other = not_working_reason()
    values = {**entry_values(measure_a), **exit_values(measure_a, destination=destination, exit_reason=other)}
    stored, shown = record(client, ze_kassel, measure_a, values)
    assert stored.status == ParticipantStatus.YELLOW
    assert "Bitte den sonstigen Grund beschreiben." in shown


@pytest.mark.parametrize("record", ENTRY_POINTS)
def test_exit_data_without_exit_date_are_not_saved(record, client, ze_kassel, measure_a):
    values = {**entry_values(measure_a), "destination": Destination.objects.get(code="betriebliche-ausbildung")}
    stored, shown = record(client, ze_kassel, measure_a, values)
    assert stored is None
    assert "Bitte das Austrittsdatum eintragen: ohne Austritt werden keine Austrittsangaben gespeichert" in shown


# V10 and M4 --------------------------------------------------------------------


def test_closed_measure_refuses_every_change(m1):
    m1.closed_at = timezone.now()
    m1.save()
    result = validate(m1, entry_values(m1))
    assert "Die Maßnahme ist abgeschlossen" in " ".join(result.errors[NON_FIELD])


def test_m4_records_no_participants(kassel):
    m4 = make_measure("AQB26-KS-M4-01", kassel, type_code="M4")
    result = validate(m4, entry_values(m4))
    assert "keine Teilnehmenden erfasst" in " ".join(result.errors[NON_FIELD])


def test_ten_thousand_rows_validate_without_queries(m3, django_assert_max_num_queries):
    context = RuleContext.for_measure(m3, with_pseudonyms={})
    values = {**entry_values(m3), "entry_answers": all_answers(m3)}
    rows = [{**values, "pseudonym": f"TN-{i}", "gender": "weiblich"} for i in range(10_000)]
    context.catalogue_by_code  # noqa: B018  (loaded once, before the rows)
    with django_assert_max_num_queries(0):
        results = [validate_participant(row, context=context) for row in rows]
    assert all(result.status == ParticipantStatus.YELLOW for result in results)


# Boundaries and limits (found by mutation testing, docs/mutation-testing.md) ---------------


def test_exit_on_the_entry_day_raises_no_error(m1):
    values = {**entry_values(m1), **exit_values(m1)}
    values["exit_date"] = values["entry_date"]
    result = validate(m1, values)
    assert result.is_valid
    assert "exit_date" not in result.errors


def test_entry_and_exit_on_the_measure_end_day_are_fine(m1):
    values = {**entry_values(m1, entry_date=m1.end_date), **exit_values(m1, exit_date=m1.end_date)}
    result = validate(m1, values)
    assert result.errors == {}
    assert result.status == ParticipantStatus.GREEN


def test_carried_over_participant_on_the_measure_start_leaving_on_its_end_is_valid(m1):
    carry_over = Destination.objects.get(is_carry_over=True)
    values = {**entry_values(m1, carried_over=True, entry_date=m1.start_date),
              **exit_values(m1, destination=carry_over, exit_date=m1.end_date)}
    result = validate(m1, values)
    assert result.errors == {}
    assert result.values["carried_over"] is True


def test_free_text_of_the_other_reason_may_have_300_characters_but_not_301(m1):
    destination, other = not_working_reason()
    values = {**entry_values(m1), **exit_values(m1, destination=destination, exit_reason=other)}
    assert validate(m1, {**values, "exit_reason_other": "x" * 300}).errors == {}
    result = validate(m1, {**values, "exit_reason_other": "x" * 301})
    assert result.errors == {"exit_reason_other": ["Höchstens 300 Zeichen."]}


def test_participant_id_may_have_40_characters_but_not_41(m1):
    assert validate(m1, entry_values(m1, pseudonym="A" * 40)).errors == {}
    result = validate(m1, entry_values(m1, pseudonym="A" * 41))
    assert result.errors == {"pseudonym": ["Die Teilnehmenden-ID darf höchstens 40 Zeichen lang sein."]}


def test_a_free_text_reason_without_any_exit_reason_is_refused(m1):
    destination, _reason = not_working_reason()
    values = {**entry_values(m1), **exit_values(m1, destination=destination, exit_reason_other="Umzug")}
    result = validate(m1, values)
    assert result.errors["exit_reason_other"] == ["Der sonstige Austrittsgrund wird nur bei „sonstiger Grund“ angegeben."]


def test_an_exit_reason_without_destination_is_refused(m1):
    _destination, reason = not_working_reason("pflege")
    values = {**entry_values(m1), "exit_date": m1.end_date, "exit_reason": reason}
    result = validate(m1, values)
    assert result.errors["exit_reason"] == ["Ein Austrittsgrund wird nur beim Verbleib „nicht erwerbstätig, …“ angegeben."]


@pytest.mark.parametrize("birth_year", [999, 10000, True, "2005", 2005.0])
def test_a_birth_year_that_is_no_four_digit_number_is_refused(m1, birth_year):
    result = validate(m1, entry_values(m1, birth_year=birth_year))
    assert result.errors["birth_year"] == ["Bitte das Geburtsjahr vierstellig angeben, z. B. 2005."]


@pytest.mark.parametrize("birth_year", [1000, 9999])
def test_the_smallest_and_largest_four_digit_years_are_checked_for_age_only(m1, birth_year):
    result = validate(m1, entry_values(m1, birth_year=birth_year))
    age = m1.start_date.year - birth_year
    assert result.errors["birth_year"] == [
        "Teilnehmende müssen bei Eintritt mindestens 10 und höchstens 70 Jahre alt sein "
        f"(Eintrittsjahr minus Geburtsjahr ergibt {age})."
    ]


def test_a_birth_year_without_entry_date_is_not_checked_for_age(m1):
    result = validate(m1, entry_values(m1, birth_year=1900, entry_date=None))
    assert "birth_year" not in result.errors
    assert "entry_date" in result.missing_entry


def test_a_carried_over_participant_gets_the_full_message_on_another_entry_date(m1):
    result = validate(m1, entry_values(m1, carried_over=True))
    assert result.errors["entry_date"] == [
        "Aus dem vorangegangenen Budget übernommene Teilnehmende erhalten als Eintrittsdatum den Beginn der Maßnahme (01.01.2026)."
    ]


def test_carry_over_exit_message_names_the_destination_and_the_end(m1):
    carry_over = Destination.objects.get(is_carry_over=True)
    result = validate(m1, {**entry_values(m1), **exit_values(m1, destination=carry_over)})
    assert result.errors["exit_date"] == [
        f"Bei Verbleib „{carry_over}“ ist das Austrittsdatum das Ende der Maßnahme (31.12.2026)."
    ]


def test_messages_of_exit_before_entry_and_entry_after_end_are_complete(m1):
    values = {**entry_values(m1), **exit_values(m1, exit_date=m1.start_date)}
    assert validate(m1, values).errors["exit_date"] == ["Das Austrittsdatum darf nicht vor dem Eintrittsdatum (01.02.2026) liegen."]
    late = validate(m1, entry_values(m1, entry_date=m1.end_date + datetime.timedelta(days=1)))
    assert late.errors["entry_date"] == ["Das Eintrittsdatum darf nicht nach dem Ende der Maßnahme (31.12.2026) liegen."]


def test_text_is_trimmed_and_blank_text_means_not_given(m1):
    result = validate(m1, entry_values(m1, pseudonym="  TN-7  ", benefit="  ", gender=" divers "))
    assert result.values["pseudonym"] == "TN-7"
    assert result.values["benefit"] is None
    assert result.values["gender"].code == "divers"
    assert result.values["exit_reason_other"] == ""
    assert result.values["carried_over"] is False
    assert "benefit" in result.missing_entry
    assert result.errors == {}
    blank = validate(m1, {**entry_values(m1), "single_parent": "", "entry_date": " ", "exit_date": ""})
    assert blank.errors == {}
    assert {"single_parent", "entry_date"} <= blank.missing_entry.keys()


def test_values_of_the_wrong_kind_are_refused_with_what_is_expected(m1):
    result = validate(m1, entry_values(m1, single_parent="ja", entry_date="01.02.2026"))
    assert result.errors["single_parent"] == ["Bitte „ja“ oder „nein“ auswählen."]
    assert result.errors["entry_date"] == ["Bitte ein Datum im Format TT.MM.JJJJ angeben."]
    assert result.values["single_parent"] is None and result.values["entry_date"] is None


def test_the_full_message_for_an_unknown_or_withdrawn_catalogue_entry(m1):
    result = validate(m1, entry_values(m1, benefit="gibt-es-nicht"))
    assert result.errors["benefit"] == ["„gibt-es-nicht“ ist kein gültiger Eintrag für Leistungsbezug bei Eintritt."]
    values = entry_values(m1)
    values["gender"].is_active = False
    values["gender"].save()
    assert validate(m1, values).errors["gender"] == [
        f"„{values['gender']}“ wird nicht mehr angeboten. Bitte einen anderen Eintrag auswählen."
    ]
    other = type(values["gender"]).objects.exclude(pk=values["gender"].pk).first()
    assert "gender" in validate(m1, values, previous={"gender": other}).errors


def test_answers_to_unknown_questions_or_not_yes_no_are_refused_and_blank_answers_ignored(m3):
    answers = {**all_answers(m3), "gibt-es-nicht": True, "ausbildungsreife-berufswahl": "ja",
               "ausbildungsreife-basiskenntnisse": "", "rahmenbedingungen-sucht": None}
    result = validate(m3, entry_values(m3, entry_answers=answers))
    assert "entry__ausbildungsreife-basiskenntnisse" not in result.errors
    assert "entry__rahmenbedingungen-wohnen" not in result.errors
    assert result.errors["entry__gibt-es-nicht"] == ["Unbekannte Frage „gibt-es-nicht“."]
    assert result.errors["entry__ausbildungsreife-berufswahl"] == ["Bitte „ja“ oder „nein“ auswählen."]
    assert "ausbildungsreife-basiskenntnisse" not in result.values["entry_answers"]
    assert result.values["entry_answers"]["rahmenbedingungen-mobilitaet"] is True


def test_a_missing_entry_answer_is_named_with_its_block_and_phase(m3):
    result = validate(m3, entry_values(m3))
    assert result.missing_entry["entry__rahmenbedingungen-mobilitaet"].endswith("Mobilität gegeben (bei Eintritt)")
    assert result.missing["entry__rahmenbedingungen-mobilitaet"] == ["Pflichtangabe: bitte ausfüllen."]
    assert "pseudonym" not in result.missing


def test_a_goal_outside_m1_is_refused(m2):
    goal = ParticipantGoal.objects.get(code="vermittlung-ausbildung")
    result = validate(m2, entry_values(m2, goal=goal))
    assert result.errors["goal"] == ["Ein TN-Ziel wird nur bei Maßnahmen der Art M1 erfasst."]
    assert result.errors.keys() == {"goal"}


def test_an_unsaved_measure_has_no_pseudonyms_to_clash_with(m1):
    make_participant(m1, "TN-001")
    context = RuleContext.for_measure(m1)
    context.measure_id = None
    assert context.pseudonyms == {}
    assert RuleContext.for_measure(m1).pseudonyms == {"TN-001": Participant.objects.get().pk}


def test_users_read_values_as_dates_yes_no_and_labels():
    from aqb_monitoring.formatting import display_value, format_date

    assert display_value(None) == "" and display_value("") == ""
    assert display_value(True) == "ja" and display_value(False) == "nein"
    assert display_value(datetime.date(2026, 3, 4)) == "04.03.2026"
    assert display_value(0) == "0"
    assert format_date(None) == ""


# W1: where the "name plus date" heuristic draws its lines (validation._contains_date) -------


@pytest.mark.parametrize(("pseudonym", "looks_like_a_name"), [
    ("Anna 01.01.1900", True),  # the first and the last year that count
    ("Anna 31.12.2099", True),
    ("Anna 01.01.2100", False),
    ("Anna 01.01.0100", False),  # a four-digit year below 1900 is no birth date
    ("Anna 29.02.96", True),  # two-digit years above 30 are 19xx: 1996 was a leap year
    ("Anna 29.02.00", True),  # … up to 30 they are 20xx: 2000 was a leap year
    ("Anna 29.02.01", False),
    ("Anna 31.02.1990 04.03.1990", True),  # an impossible date does not hide a real one after it
])
def test_a_name_with_a_real_calendar_date_is_warned_about(pseudonym, looks_like_a_name):
    from aqb_monitoring.validation import pseudonym_looks_like_name

    assert pseudonym_looks_like_name(pseudonym) is looks_like_a_name


def test_answers_after_a_refused_one_are_still_read(m3):
    answers = {"gibt-es-nicht": True, "ausbildungsreife-berufswahl": "ja", **all_answers(m3)}
    result = validate(m3, entry_values(m3, entry_answers=answers))
    assert result.values["entry_answers"] == all_answers(m3)


# V3-V10 word for word, at both sides of each boundary, and silent without their precondition ---------
# (mutation survivors of check_* and validate_participant, docs/mutation-testing.md)

AGE_MESSAGE = (
    "Teilnehmende müssen bei Eintritt mindestens 10 und höchstens 70 Jahre alt sein "
    "(Eintrittsjahr minus Geburtsjahr ergibt {age})."
)


@pytest.mark.parametrize("age", [9, 71])
def test_an_age_just_outside_10_to_70_is_refused_with_the_age_computed(m1, age):
    result = validate(m1, entry_values(m1, birth_year=m1.start_date.year - age))
    assert result.errors == {"birth_year": [AGE_MESSAGE.format(age=age)]}


def test_the_age_counts_from_the_year_of_entry_not_of_the_measure_start(kassel):
    measure = make_measure("AQB26-KS-M1-09", kassel, end_date=datetime.date(2027, 6, 30))
    values = entry_values(measure, entry_date=datetime.date(2027, 1, 4), birth_year=2017)
    assert validate(measure, values).errors == {}
    result = validate(measure, {**values, "entry_date": datetime.date(2026, 12, 31)})
    assert result.errors == {"birth_year": [AGE_MESSAGE.format(age=9)]}


def test_an_entry_on_the_measure_start_or_end_day_is_fine_and_a_day_outside_is_refused_word_for_word(m1):
    for day in (m1.start_date, m1.end_date):
        assert validate(m1, entry_values(m1, entry_date=day)).errors == {}
    early = validate(m1, entry_values(m1, entry_date=datetime.date(2025, 12, 31)))
    assert early.errors == {"entry_date": ["Das Eintrittsdatum darf nicht vor dem Beginn der Maßnahme (01.01.2026) liegen."]}
    late = validate(m1, entry_values(m1, entry_date=datetime.date(2027, 1, 1)))
    assert late.errors == {"entry_date": ["Das Eintrittsdatum darf nicht nach dem Ende der Maßnahme (31.12.2026) liegen."]}


def test_an_exit_one_day_before_the_entry_is_refused_on_the_exit_date_naming_the_entry_date(m1):
    values = {**entry_values(m1, entry_date=datetime.date(2026, 3, 2)), **exit_values(m1, exit_date=datetime.date(2026, 3, 1))}
    result = validate(m1, values)
    assert result.errors == {"exit_date": ["Das Austrittsdatum darf nicht vor dem Eintrittsdatum (02.03.2026) liegen."]}


def test_an_exit_date_without_entry_date_is_not_compared_with_the_entry(m1):
    values = {**entry_values(m1, entry_date=None), **exit_values(m1, exit_date=m1.start_date)}
    result = validate(m1, values)
    assert result.errors == {}
    assert result.status == ParticipantStatus.RED
    assert "entry_date" in result.missing_entry


def test_an_exit_one_day_after_the_measure_end_is_refused_word_for_word(m1):
    result = validate(m1, {**entry_values(m1), **exit_values(m1, exit_date=datetime.date(2027, 1, 1))})
    assert result.errors == {"exit_date": ["Das Austrittsdatum darf nicht nach dem Ende der Maßnahme (31.12.2026) liegen."]}


def test_a_carried_over_participant_entering_a_day_after_the_start_is_refused(m1):
    result = validate(m1, entry_values(m1, carried_over=True, entry_date=datetime.date(2026, 1, 2)))
    assert result.errors == {"entry_date": [
        "Aus dem vorangegangenen Budget übernommene Teilnehmende erhalten als Eintrittsdatum den Beginn der Maßnahme (01.01.2026)."
    ]}


def test_a_carried_over_participant_without_entry_date_is_incomplete_not_refused(m1):
    result = validate(m1, entry_values(m1, carried_over=True, entry_date=None))
    assert result.errors == {}
    assert result.missing["entry_date"] == ["Pflichtangabe: bitte ausfüllen."]


def test_whether_a_record_was_carried_over_comes_from_the_stored_record_not_the_input(m1):
    later = datetime.date(2026, 2, 1)
    claimed = validate(m1, entry_values(m1, carried_over=True, entry_date=later), previous={"carried_over": False})
    assert claimed.errors == {}
    assert claimed.values["carried_over"] is False
    stored = validate(m1, entry_values(m1, carried_over=False, entry_date=later), previous={"carried_over": True})
    assert stored.values["carried_over"] is True
    assert stored.errors == {"entry_date": [
        "Aus dem vorangegangenen Budget übernommene Teilnehmende erhalten als Eintrittsdatum den Beginn der Maßnahme (01.01.2026)."
    ]}


def test_a_carry_over_destination_one_day_before_the_measure_end_is_refused_word_for_word(m1):
    carry_over = Destination.objects.get(is_carry_over=True)
    values = {**entry_values(m1), **exit_values(m1, destination=carry_over, exit_date=datetime.date(2026, 12, 30))}
    assert validate(m1, values).errors == {"exit_date": [
        f"Bei Verbleib „{carry_over.label}“ ist das Austrittsdatum das Ende der Maßnahme (31.12.2026)."
    ]}


def test_a_carry_over_destination_without_exit_date_asks_only_for_the_exit_date(m1):
    carry_over = Destination.objects.get(is_carry_over=True)
    result = validate(m1, {**entry_values(m1), "destination": carry_over})
    assert result.errors == {"exit_date": [
        "Bitte das Austrittsdatum eintragen: ohne Austritt werden keine Austrittsangaben gespeichert (Verbleib nach Austritt)."
    ]}


def test_exit_fields_and_exit_answers_without_exit_date_are_all_named_in_one_message(m3):
    values = {**entry_values(m3), "entry_answers": all_answers(m3),
              "destination": Destination.objects.get(code="betriebliche-ausbildung"),
              "exit_answers": {"rahmenbedingungen-mobilitaet": False}}
    result = validate(m3, values)
    assert result.errors == {"exit_date": [
        "Bitte das Austrittsdatum eintragen: ohne Austritt werden keine Austrittsangaben gespeichert "
        "(Verbleib nach Austritt, Mobilität gegeben (bei Austritt))."
    ]}


def test_an_exit_reason_with_a_destination_that_needs_none_is_refused_word_for_word(m1):
    _destination, reason = not_working_reason("pflege")
    result = validate(m1, {**entry_values(m1), **exit_values(m1, exit_reason=reason)})
    assert result.errors == {"exit_reason": ["Ein Austrittsgrund wird nur beim Verbleib „nicht erwerbstätig, …“ angegeben."]}


def test_a_free_text_with_a_reason_other_than_other_is_refused_word_for_word(m1):
    destination, reason = not_working_reason("pflege")
    values = {**entry_values(m1), **exit_values(m1, destination=destination, exit_reason=reason, exit_reason_other="Umzug")}
    assert validate(m1, values).errors == {
        "exit_reason_other": ["Der sonstige Austrittsgrund wird nur bei „sonstiger Grund“ angegeben."]
    }


def test_a_complete_m2_record_without_goal_and_with_the_exam_has_no_error(m2):
    result = validate(m2, {**entry_values(m2), **exit_values(m2, exam_passed=False)})
    assert result.errors == {}
    assert result.values["exam_passed"] is False
    assert result.status == ParticipantStatus.GREEN


@pytest.mark.parametrize("exam_passed", [True, False])
def test_an_exam_answer_outside_m2_is_refused_word_for_word_even_when_no(m1, exam_passed):
    result = validate(m1, {**entry_values(m1), **exit_values(m1, exam_passed=exam_passed)})
    assert result.errors == {"exam_passed": ["„Prüfung bestanden?“ wird nur bei Maßnahmen der Art M2 erfasst."]}


def test_a_goal_in_m1_is_no_error(m1):
    result = validate(m1, entry_values(m1))
    assert result.values["goal"].code == "vermittlung-ausbildung"
    assert result.errors == {}


def test_a_closed_measure_refuses_every_change_word_for_word(m1):
    m1.closed_at = timezone.now()
    m1.save()
    result = validate(m1, entry_values(m1))
    assert result.errors == {NON_FIELD: [
        "Die Maßnahme ist abgeschlossen; Teilnehmende können nicht mehr geändert oder gelöscht werden."
    ]}


def test_an_m4_measure_refuses_participants_word_for_word(kassel):
    m4 = make_measure("AQB26-KS-M4-02", kassel, type_code="M4")
    result = validate(m4, entry_values(m4))
    assert result.errors == {NON_FIELD: ["Für diese Maßnahmeart werden keine Teilnehmenden erfasst."]}


def test_a_closed_m4_measure_gives_both_reasons(kassel):
    m4 = make_measure("AQB26-KS-M4-03", kassel, type_code="M4", closed_at=timezone.now())
    assert validate(m4, entry_values(m4)).errors == {NON_FIELD: [
        "Die Maßnahme ist abgeschlossen; Teilnehmende können nicht mehr geändert oder gelöscht werden.",
        "Für diese Maßnahmeart werden keine Teilnehmenden erfasst.",
    ]}


def test_without_participant_id_the_refusal_is_the_only_word_about_the_id(m1):
    result = validate(m1, entry_values(m1, pseudonym=" "))
    assert result.errors == {"pseudonym": ["Ohne Teilnehmenden-ID kann der Datensatz nicht gespeichert werden."]}
    assert "pseudonym" not in result.missing
    assert result.missing_entry["pseudonym"] == "Teilnehmenden-ID"
    assert result.status == ParticipantStatus.RED


def test_a_name_like_participant_id_is_warned_about_but_saved_with_its_status(m1):
    result = validate(m1, entry_values(m1, pseudonym="AnnaSchmidt"))
    assert result.errors == {}
    assert result.warnings == {"pseudonym": [
        "Die Teilnehmenden-ID „AnnaSchmidt“ sieht aus wie ein Name oder ein Name mit Geburtsdatum. "
        "Teilnehmenden-IDs sind Pseudonyme: bitte keine Namen oder Geburtsdaten verwenden, sondern "
        "eine Kennung wie „KS-2026-017“. Der Datensatz wird trotzdem gespeichert."
    ]}
    assert result.status == ParticipantStatus.YELLOW
    assert validate(m1, entry_values(m1)).warnings == {}


def test_the_result_holds_what_is_missing_at_entry_and_at_exit_with_one_request_each(m2):
    values = {**entry_values(m2, benefit=None), "exit_date": m2.end_date, "completed_measure": True}
    result = validate(m2, values)
    assert result.errors == {}
    assert result.missing_entry == {"benefit": "Leistungsbezug bei Eintritt"}
    assert list(result.missing_exit) == ["destination", "main_goal_reached", "exam_passed"]
    assert result.missing == {
        "benefit": ["Pflichtangabe: bitte ausfüllen."],
        "destination": ["Bitte den Verbleib bis vier Wochen nach dem Austritt auswählen."],
        "main_goal_reached": ["Bitte angeben, ob das Hauptziel der Maßnahme erreicht wurde."],
        "exam_passed": ["Bitte angeben, ob die Prüfung bestanden wurde."],
    }
    assert result.status == ParticipantStatus.RED
    assert result.values["exit_date"] == m2.end_date and result.values["completed_measure"] is True
