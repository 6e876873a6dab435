"""The participant form: German fields, the rules on the fields, saving through the service."""

import datetime

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from aqb_monitoring.forms import ParticipantForm
from aqb_monitoring.models import (
    Answer,
    AuditAction,
    AuditEntry,
    Destination,
    ExitReason,
    Gender,
    Participant,
    ParticipantGoal,
    ParticipantStatus,
)
from aqb_monitoring.services import save_participant
from aqb_monitoring.services.common import not_allowed
from aqb_monitoring.validation import NON_FIELD
from tests.conftest import make_measure
from tests.participant_values import all_answers, entry_values, exit_values

pytestmark = pytest.mark.django_db


@pytest.fixture
def m1(kassel, provider_org_a):
    return make_measure("AQB26-KS-M1-01", kassel, provider_org_a)


@pytest.fixture
def m2(kassel, provider_org_a):
    return make_measure("AQB26-KS-M2-01", kassel, provider_org_a, type_code="M2")


@pytest.fixture
def m3(kassel, provider_org_a):
    return make_measure("AQB26-KS-M3-01", kassel, provider_org_a, type_code="M3")


def post_data(values):
    """Form data as a browser sends it: TT.MM.JJJJ dates, pks, "True"/"False", answer fields."""
    data = {}
    for name, value in values.items():
        if name in ("entry_answers", "exit_answers"):
            phase = name.split("_")[0]
            data.update({f"{phase}__{code}": "" if answer is None else str(answer) for code, answer in value.items()})
        elif value is None:
            data[name] = ""
        elif isinstance(value, datetime.date):
            data[name] = value.strftime("%d.%m.%Y")
        elif hasattr(value, "pk"):
            data[name] = str(value.pk)
        else:
            data[name] = str(value)
    return data


def submit(user, measure, values, instance=None):
    return ParticipantForm(data=post_data(values), instance=instance, measure=measure, for_user=user)


def test_fields_follow_the_measure_type(ze_kassel, m1, m2, m3):
    m1_form = ParticipantForm(measure=m1, for_user=ze_kassel)
    assert "goal" in m1_form.fields and "exam_passed" not in m1_form.fields
    assert "entry__ausbildungsreife-basiskenntnisse" in m1_form.fields
    m2_form = ParticipantForm(measure=m2, for_user=ze_kassel)
    assert "goal" not in m2_form.fields and "exam_passed" in m2_form.fields
    assert not any(name.startswith("entry__") for name in m2_form.fields)
    m3_form = ParticipantForm(measure=m3, for_user=ze_kassel)
    assert "exit__rahmenbedingungen-mobilitaet" in m3_form.fields


def test_labels_help_and_empty_choice_are_german(ze_kassel, m1):
    form = ParticipantForm(measure=m1, for_user=ze_kassel)
    assert form.fields["entry_date"].label == "Eintrittsdatum"
    assert "TT.MM.JJJJ" in form.fields["entry_date"].help_text
    assert "Bindestrich" in form.fields["pseudonym"].help_text
    assert list(form.fields["migration_background"].choices) == [("", "Auswählen"), ("True", "ja"), ("False", "nein")]
    assert list(form.fields["gender"].choices)[0][1] == "Auswählen"
    assert all(field.help_text for name, field in form.fields.items() if not name.startswith(("entry__", "exit__")))


def test_inactive_catalogue_entries_are_offered_only_when_stored(ze_kassel, m1):
    divers = Gender.objects.get(code="divers")
    participant, _ = save_participant(ze_kassel, m1, entry_values(m1, gender=divers))
    Gender.objects.filter(pk=divers.pk).update(is_active=False)
    new_form = ParticipantForm(measure=m1, for_user=ze_kassel)
    assert divers not in new_form.fields["gender"].queryset
    edit_form = ParticipantForm(instance=participant, measure=m1, for_user=ze_kassel)
    assert divers in edit_form.fields["gender"].queryset


def test_incomplete_record_is_saved_and_shows_what_is_missing(ze_kassel, m1):
    form = submit(ze_kassel, m1, {"pseudonym": "TN-1", "entry_date": datetime.date(2026, 2, 1)})
    assert form.is_valid(), form.errors
    participant = form.save()
    assert participant.status == ParticipantStatus.RED
    summary = form.status_summary()
    assert summary["status"] == ParticipantStatus.RED
    assert "Geschlecht" in summary["missing_entry"] and "TN-Ziel" in summary["missing_entry"]


def test_entry_before_measure_start_is_a_field_error(ze_kassel, m1):
    form = submit(ze_kassel, m1, entry_values(m1, entry_date=datetime.date(2025, 12, 31)))
    assert not form.is_valid()
    assert form.errors["entry_date"] == ["Das Eintrittsdatum darf nicht vor dem Beginn der Maßnahme (01.01.2026) liegen."]
    assert not Participant.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"pseudonym": "Max Müller"}, "pseudonym", "nur Buchstaben"),  # V2
        ({"birth_year": 2020}, "birth_year", "mindestens 10 und höchstens 70 Jahre"),  # V3
        ({"birth_year": 95}, "birth_year", "vierstellig"),  # V3
        ({"entry_date": datetime.date(2027, 1, 1)}, "entry_date", "nicht nach dem Ende der Maßnahme"),  # V4
    ],
)
def test_entry_rules_on_the_fields(ze_kassel, m1, overrides, field, message):
    form = submit(ze_kassel, m1, entry_values(m1, **overrides))
    assert not form.is_valid()
    assert message in " ".join(form.errors[field])


def test_duplicate_pseudonym_on_the_field(ze_kassel, m1):
    save_participant(ze_kassel, m1, entry_values(m1))
    form = submit(ze_kassel, m1, entry_values(m1))
    assert not form.is_valid()
    assert "erhält eine neue ID" in form.errors["pseudonym"][0]


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"exit_date": datetime.date(2026, 1, 15)}, "exit_date", "nicht vor dem Eintrittsdatum (01.02.2026)"),  # V5
        ({"exit_date": datetime.date(2027, 1, 1)}, "exit_date", "nicht nach dem Ende der Maßnahme (31.12.2026)"),  # V6
        ({"exit_date": None}, "exit_date", "ohne Austritt werden keine Austrittsangaben gespeichert"),  # V9
    ],
)
def test_exit_rules_on_the_fields(ze_kassel, m1, overrides, field, message):
    values = {**entry_values(m1, entry_date=datetime.date(2026, 2, 1)), **exit_values(m1), **overrides}
    form = submit(ze_kassel, m1, values)
    assert not form.is_valid()
    assert message in " ".join(form.errors[field])


def test_carry_over_destination_requires_measure_end_as_exit(ze_kassel, m1):  # V8
    values = {**entry_values(m1), **exit_values(m1, destination=Destination.objects.get(is_carry_over=True))}
    form = submit(ze_kassel, m1, values)
    assert not form.is_valid()
    assert "ist das Austrittsdatum das Ende der Maßnahme (31.12.2026)" in form.errors["exit_date"][0]


def test_exit_reason_and_free_text(ze_kassel, m1):
    not_working = Destination.objects.get(code="nicht-erwerbstaetig")
    other = ExitReason.objects.get(code="sonstiger-grund")
    values = {**entry_values(m1), **exit_values(m1, destination=not_working, exit_reason=other)}
    form = submit(ze_kassel, m1, values)
    assert form.is_valid(), form.errors
    participant = form.save()
    assert participant.status == ParticipantStatus.YELLOW
    summary = form.status_summary()
    assert summary["exit_incomplete"] == "Austrittsangaben unvollständig: Sonstiger Austrittsgrund"
    assert summary["exit_requests"] == [("Sonstiger Austrittsgrund", "Bitte den sonstigen Grund beschreiben.")]
    values["exit_reason_other"] = "Auslandsaufenthalt"
    form = submit(ze_kassel, m1, values, participant)
    assert form.is_valid(), form.errors
    assert form.save().status == ParticipantStatus.GREEN


def test_clerk_records_the_exit_date_on_the_day_and_the_rest_later(client, ze_kassel, m2):
    """V9: the Verbleib is known only up to four weeks after the exit, so the date is saved alone."""
    participant, _result = save_participant(ze_kassel, m2, entry_values(m2))
    url = reverse("aqb_monitoring:participant_edit", args=[m2.pk, participant.pk])
    client.force_login(ze_kassel)

    response = client.post(url, post_data({**entry_values(m2), "exit_date": datetime.date(2026, 6, 30)}))
    assert response.status_code == 302
    participant.refresh_from_db()
    assert participant.exit_date == datetime.date(2026, 6, 30)
    assert participant.status == ParticipantStatus.YELLOW
    page = client.get(url).content.decode()
    assert (
        "Austrittsangaben unvollständig: Verbleib nach Austritt, Maßnahme vollständig durchlaufen?, "
        "Hauptziel der Maßnahme erreicht?, Prüfung bestanden?" in page
    )
    assert "Verbleib nach Austritt: Bitte den Verbleib bis vier Wochen nach dem Austritt auswählen." in page
    assert "Prüfung bestanden?: Bitte angeben, ob die Prüfung bestanden wurde." in page
    assert "Der Datensatz wurde nicht gespeichert" not in page

    response = client.post(url, post_data({**entry_values(m2), **exit_values(m2, exit_date=datetime.date(2026, 6, 30))}))
    assert response.status_code == 302
    participant.refresh_from_db()
    assert participant.status == ParticipantStatus.GREEN
    assert "Austrittsangaben unvollständig" not in client.get(url).content.decode()


def test_red_yellow_green_and_back_through_the_form(ze_kassel, m1):
    goal = ParticipantGoal.objects.get(code="ausbildungsreife")
    values = entry_values(m1, goal=goal)
    form = submit(ze_kassel, m1, values)
    assert form.is_valid()
    participant = form.save()
    assert participant.status == ParticipantStatus.RED  # block answers missing
    values["entry_answers"] = all_answers(m1, goal)
    form = submit(ze_kassel, m1, values, participant)
    assert form.is_valid(), form.errors
    assert form.save().status == ParticipantStatus.YELLOW
    values.update(exit_values(m1), exit_answers=all_answers(m1, goal, value=False))
    form = submit(ze_kassel, m1, values, Participant.objects.get())
    assert form.is_valid(), form.errors
    assert form.save().status == ParticipantStatus.GREEN
    values["entry_answers"]["ausbildungsreife-berufswahl"] = None  # withdrawn with "Auswählen"
    form = submit(ze_kassel, m1, values, Participant.objects.get())
    assert form.is_valid(), form.errors
    assert form.save().status == ParticipantStatus.RED


def test_answers_of_a_block_that_no_longer_applies_are_not_kept(ze_kassel, m1):
    goal = ParticipantGoal.objects.get(code="ausbildungsreife")
    values = entry_values(m1, goal=goal, entry_answers=all_answers(m1, goal))
    form = submit(ze_kassel, m1, values)
    assert form.is_valid()
    participant = form.save()
    assert Answer.objects.filter(participant=participant).count() == 6
    values["goal"] = ParticipantGoal.objects.get(code="vermittlung-ausbildung")  # the browser still sends the answers
    form = submit(ze_kassel, m1, values, participant)
    assert form.is_valid(), form.errors
    form.save()
    assert not Answer.objects.filter(participant=participant).exists()


def test_editing_writes_an_audit_entry(ze_kassel, m1):
    participant, _ = save_participant(ze_kassel, m1, entry_values(m1, entry_date=datetime.date(2026, 2, 1)))
    form = submit(ze_kassel, m1, entry_values(m1, entry_date=datetime.date(2026, 2, 3)), participant)
    assert form.is_valid(), form.errors
    form.save()
    assert AuditEntry.objects.get(action=AuditAction.CHANGE).changes == {"Eintrittsdatum": ["01.02.2026", "03.02.2026"]}


def test_closed_measure_refuses_the_form(ze_kassel, m1):  # V10
    participant, _ = save_participant(ze_kassel, m1, entry_values(m1))
    m1.closed_at = timezone.now()
    m1.save()
    form = submit(ze_kassel, m1, entry_values(m1, birth_year=2000), participant)
    assert not form.is_valid()
    assert "Die Maßnahme ist abgeschlossen" in form.non_field_errors()[0]


def test_the_form_refuses_what_the_service_would_refuse_before_saving(ze_kassel, ze_fulda, m1, m2):
    """The form validates through services.validate_save_participant: the same refusals as the save."""
    participant, _ = save_participant(ze_kassel, m1, entry_values(m1))
    foreign = submit(ze_fulda, m1, entry_values(m1, birth_year=2000), participant)
    assert not foreign.is_valid()
    assert foreign.non_field_errors() == [str(not_allowed()[NON_FIELD][0])]
    other_measure = submit(ze_kassel, m2, entry_values(m2, birth_year=2000), participant)
    assert not other_measure.is_valid()
    assert other_measure.non_field_errors() == ["Die/der Teilnehmende gehört nicht zu dieser Maßnahme."]
    own = submit(ze_kassel, m1, entry_values(m1, birth_year=2000), participant)
    assert own.is_valid(), own.errors


def test_form_shows_stored_values(ze_kassel, m3):
    values = {**entry_values(m3, migration_background=True), "entry_answers": all_answers(m3, value=False)}
    participant, _ = save_participant(ze_kassel, m3, values)
    form = ParticipantForm(instance=participant, measure=m3, for_user=ze_kassel)
    assert form["migration_background"].value() is True
    assert form["entry__rahmenbedingungen-sucht"].value() is False
    assert form["exit__rahmenbedingungen-sucht"].value() is None
    assert 'value="01.02.2026"' in str(form["entry_date"])
    assert form.status_summary()["status"] == ParticipantStatus.YELLOW


def test_rendered_groups_carry_block_mapping_from_the_catalogue(ze_kassel, m1):
    form = ParticipantForm(measure=m1, for_user=ze_kassel)
    html = render_to_string("aqb_monitoring/widgets/participant_fields.html", {"form": form})
    goal = ParticipantGoal.objects.get(code="stabilisierung")
    assert f'data-aqb-block="rahmenbedingungen" data-aqb-always="false" data-aqb-goals="{goal.pk}"' in html
    assert "Detailangaben bei Eintritt" in html and "Detailangaben bei Austritt" in html
    assert "data-requires-exit-reason" in html and "data-requires-free-text" in html
    assert [group["label"] for group in form.panel_groups()] == [
        "Eintritt", "Detailangaben bei Eintritt", "Austritt", "Detailangaben bei Austritt"
    ]
    assert "aqb_monitoring/js/participant_form.js" in str(form.media)


def test_building_the_form_takes_constant_queries(ze_kassel, m3, django_assert_max_num_queries):
    values = {**entry_values(m3), "entry_answers": all_answers(m3), **exit_values(m3), "exit_answers": all_answers(m3)}
    participant, _ = save_participant(ze_kassel, m3, values)
    participant = Participant.objects.select_related("measure__measure_type").get(pk=participant.pk)
    with django_assert_max_num_queries(15):
        form = ParticipantForm(instance=participant, measure=participant.measure, for_user=ze_kassel)
        render_to_string("aqb_monitoring/widgets/participant_fields.html", {"form": form})
        form.status_summary()


# --- the form in steps, the live status box, the marks (issue 10 items 11–15) ---------------------------


def page_of(client, user, url, data=None):
    client.force_login(user)
    return (client.post(url, data) if data is not None else client.get(url)).content.decode()


def test_the_form_comes_in_three_steps_that_link_to_their_sections(client, ze_kassel, m1):
    html = page_of(client, ze_kassel, reverse("aqb_monitoring:participant_add", args=[m1.pk]))
    links = [f'href="#schritt-{key}"' for key in ("eintritt", "fragen-eintritt", "austritt")]
    positions = [html.index(link) for link in links]
    assert positions == sorted(positions)
    assert "1. Eintritt" in html and "2. Fragen bei Eintritt" in html and "3. Austritt" in html
    for key in ("eintritt", "fragen-eintritt", "austritt"):
        assert f'<section class="aqb-step" id="schritt-{key}"' in html
    # The exit questions belong to the exit step.
    exit_step = html[html.index('id="schritt-austritt"'):]
    assert "Detailangaben bei Austritt" in exit_step and "Detailangaben bei Eintritt" not in exit_step


def test_the_step_holding_a_refused_entry_is_marked(client, ze_kassel, m1):
    values = {**entry_values(m1), "exit_date": m1.start_date - datetime.timedelta(days=1)}
    html = page_of(client, ze_kassel, reverse("aqb_monitoring:participant_add", args=[m1.pk]), post_data(values))
    assert "Der Datensatz wurde nicht gespeichert" in html
    assert 'data-aqb-step="austritt" data-aqb-step-errors="true"' in html
    assert 'data-aqb-step="eintritt" data-aqb-step-errors' not in html
    start = html.index('href="#schritt-austritt"')
    exit_link = html[start - 120:html.index("</li>", start)]
    assert "aqb-steps__link--error" in exit_link and "bitte prüfen" in exit_link


def test_a_measure_type_without_question_blocks_has_no_question_step(ze_kassel, kassel, provider_org_a):
    measure = make_measure("AQB26-KS-M3-09", kassel, provider_org_a, type_code="M3")
    form = ParticipantForm(measure=measure, for_user=ze_kassel)
    keys = [step["key"] for step in form.steps()]
    blocks = [group for group in form.panel_groups() if group["key"] == "entry_answers"]
    assert keys == (["eintritt", "fragen-eintritt", "austritt"] if blocks else ["eintritt", "austritt"])


def test_the_status_box_follows_what_is_typed_without_saving(client, ze_kassel, m1):
    url = reverse("aqb_monitoring:participant_summary_new", args=[m1.pk])
    client.force_login(ze_kassel)
    box = client.post(url, post_data({"pseudonym": "LIVE-1"})).content.decode()
    assert 'data-status="red"' in box and "Geschlecht" in box and "Geburtsjahr" in box
    assert "Verbleib" not in box  # the exit data only once there is an exit date
    box = client.post(url, post_data(entry_values(m1, pseudonym="LIVE-1"))).content.decode()
    assert 'data-status="yellow"' in box and "Es fehlt noch" not in box
    values = {**entry_values(m1, pseudonym="LIVE-1")}
    values["exit_date"] = values["entry_date"]
    box = client.post(url, post_data(values)).content.decode()
    assert "Verbleib nach Austritt: Bitte den Verbleib bis vier Wochen nach dem Austritt auswählen." in box
    assert not Participant.objects.filter(pseudonym="LIVE-1").exists()
    assert client.get(url).status_code == 405


def test_the_status_box_of_a_stored_record_follows_the_typed_change(client, ze_kassel, m1):
    participant, _ = save_participant(ze_kassel, m1, entry_values(m1))
    url = reverse("aqb_monitoring:participant_summary", args=[m1.pk, participant.pk])
    client.force_login(ze_kassel)
    values = {**entry_values(m1), "gender": None, "version": ""}
    box = client.post(url, post_data(values)).content.decode()
    assert 'data-status="red"' in box and "Geschlecht" in box
    participant.refresh_from_db()
    assert participant.gender is not None and participant.status == ParticipantStatus.YELLOW


def test_a_closed_measure_answers_no_status_box(client, ze_kassel, m1):
    m1.closed_at = timezone.now()
    m1.save()
    url = reverse("aqb_monitoring:participant_summary_new", args=[m1.pk])
    client.force_login(ze_kassel)
    assert client.post(url, post_data({"pseudonym": "LIVE-2"})).status_code == 403


def test_conditionally_required_exit_fields_carry_the_mark(ze_kassel, m1):
    form = ParticipantForm(measure=m1, for_user=ze_kassel)
    assert form.fields["exit_reason"].required and form.fields["exit_reason_other"].required
    html = render_to_string("aqb_monitoring/widgets/participant_fields.html", {"form": form})
    label = html[html.index('for="id_exit_reason"'):]
    assert label.index('w-required-mark') < label.index("</label>")


def test_dates_are_typed_without_a_picker_and_the_form_can_be_left(client, ze_kassel, m1):
    html = page_of(client, ze_kassel, reverse("aqb_monitoring:participant_add", args=[m1.pk]))
    entry_date = html[html.index('name="entry_date"') - 200:html.index('name="entry_date"') + 200]
    assert 'type="text"' in entry_date and "TT.MM.JJJJ" in entry_date
    assert "data-controller=\"w-date" not in html and "initDateChooser" not in html
    cancel = html[html.index("data-aqb-cancel") - 200:html.index("data-aqb-cancel")]
    assert reverse("aqb_monitoring:measure", args=[m1.pk]) in cancel and "Abbrechen" in html
    assert "Ihre Änderungen sind noch nicht gespeichert" in html
