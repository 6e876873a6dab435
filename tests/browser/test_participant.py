"""A provider records a participant of an M1 measure in the browser: red → yellow → green."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from aqb_monitoring.models import Participant, ParticipantGoal, ParticipantStatus
from tests.conftest import login_in_browser, make_measure, open_step_of
from tests.participant_values import all_answers, entry_values, exit_values

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def fill(page, values, answers_prefix=None, answers=None):
    """Type dates and numbers, choose catalogue entries and ja/nein like a user."""
    for name, value in values.items():
        if name in ("pseudonym", "goal", "entry_answers", "exit_answers") or value is None:
            continue
        selector = f"[name='{name}']"
        open_step_of(page, name)
        if hasattr(value, "pk"):
            page.select_option(selector, str(value.pk))
        elif isinstance(value, bool):
            page.select_option(selector, str(value))
        elif hasattr(value, "strftime"):
            page.fill(selector, value.strftime("%d.%m.%Y"))
            close_date_pickers(page)
        else:
            page.fill(selector, str(value))
    for code, value in (answers or {}).items():
        open_step_of(page, f"{answers_prefix}__{code}")
        page.select_option(f"[name='{answers_prefix}__{code}']", str(value))


def close_date_pickers(page):
    """Dates are typed: no picker opens that could cover "Speichern" (issue 10 item 15)."""
    assert page.locator(".xdsoft_datetimepicker").count() == 0


def status_box(page):
    return page.locator("section.aqb-summary")


def test_provider_records_a_participant_from_red_to_green(
    page, live_server, kassel, provider_org_a, provider_a
):
    measure = make_measure("AQB26-KS-M1-01", kassel, provider_org_a)
    login_in_browser(page, live_server, provider_a)

    page.goto(f"{live_server.url}/admin/monitoring/")
    page.click(f"text={measure.number}")
    page.click("text=Teilnehmende(n) erfassen")

    page.fill("[name=pseudonym]", "BWN-0001")
    page.fill("[name=entry_date]", "02.02.2026")
    close_date_pickers(page)
    goal = ParticipantGoal.objects.get(code="ausbildungsreife")
    block_question = page.locator("[name='entry__ausbildungsreife-basiskenntnisse']")
    assert not block_question.is_visible()
    page.select_option("[name=goal]", str(goal.pk))
    assert open_step_of(page, "entry__ausbildungsreife-basiskenntnisse") and block_question.is_visible()

    page.click("button[name=save]")
    page.wait_for_url("**/teilnehmende/*/")
    assert status_box(page).get_attribute("data-status") == "red"
    missing = page.locator("ul.aqb-missing").inner_text()
    assert "Geschlecht" in missing and "Geburtsjahr" in missing and "Berufswahlentscheidung" in missing
    assert Participant.objects.get(pseudonym="BWN-0001").status == ParticipantStatus.RED

    values = entry_values(measure, goal=goal)
    values.pop("entry_date")
    fill(page, values, "entry", all_answers(measure, goal))
    page.click("button[name=save]")
    page.wait_for_load_state()
    assert status_box(page).get_attribute("data-status") == "yellow"
    assert Participant.objects.get(pseudonym="BWN-0001").status == ParticipantStatus.YELLOW

    fill(page, exit_values(measure), "exit", all_answers(measure, goal))
    page.click("button[name=save]")
    page.wait_for_load_state()
    assert status_box(page).get_attribute("data-status") == "green"
    assert "Grün" in status_box(page).inner_text()
    assert Participant.objects.get(pseudonym="BWN-0001").status == ParticipantStatus.GREEN

    page.click(f"text={measure.number}")
    row = page.locator("table.aqb-participants tr", has_text="BWN-0001")
    assert "Grün" in row.inner_text()


def test_clerk_records_an_exit_on_the_day_and_the_verbleib_weeks_later(page, live_server, kassel, provider_org_a, ze_kassel):
    """V9: the exit date is saved alone; the record stays yellow and says per field what the exit still needs."""
    from aqb_monitoring.services import save_participant

    measure = make_measure("AQB26-KS-M2-01", kassel, provider_org_a, type_code="M2")
    participant, _result = save_participant(ze_kassel, measure, entry_values(measure, pseudonym="BWN-0002"))
    login_in_browser(page, live_server, ze_kassel)
    page.goto(live_server.url + reverse("aqb_monitoring:participant_edit", args=[measure.pk, participant.pk]))

    open_step_of(page, "exit_date")
    page.fill("[name=exit_date]", "30.06.2026")
    close_date_pickers(page)
    page.click("button[name=save]")
    page.wait_for_load_state()
    box = status_box(page).inner_text()
    assert status_box(page).get_attribute("data-status") == "yellow"
    assert "Austrittsangaben unvollständig: Verbleib nach Austritt" in box
    assert "Bitte den Verbleib bis vier Wochen nach dem Austritt auswählen." in box
    assert "Bitte angeben, ob die Prüfung bestanden wurde." in box
    assert "Der Datensatz wurde nicht gespeichert" not in page.content()

    fill(page, exit_values(measure, exit_date=None))
    page.click("button[name=save]")
    page.wait_for_load_state()
    assert status_box(page).get_attribute("data-status") == "green"
    participant.refresh_from_db()
    assert participant.status == ParticipantStatus.GREEN and str(participant.exit_date) == "2026-06-30"


def test_the_form_in_tabs_with_a_live_status_box_and_no_accidental_loss(page, live_server, kassel, provider_org_a,
                                                                         ze_kassel):
    """Issue 10 items 11, 12 and 14: tabs, "Es fehlt noch" while typing, Enter does not save, Abbrechen asks."""
    measure = make_measure("AQB26-KS-M1-01", kassel, provider_org_a)
    login_in_browser(page, live_server, ze_kassel)
    page.goto(live_server.url + reverse("aqb_monitoring:participant_add", args=[measure.pk]))

    # One step at a time; the tab with the exit data opens the exit fields.
    assert page.locator("[name=pseudonym]").is_visible()
    assert not page.locator("[name=exit_date]").is_visible()
    page.click("[data-aqb-step-link=austritt]")
    assert page.locator("[name=exit_date]").is_visible() and not page.locator("[name=pseudonym]").is_visible()
    assert page.get_attribute("[data-aqb-step-link=austritt]", "aria-selected") == "true"
    page.click("[data-aqb-step-link=eintritt]")

    # The box lists the entry data still missing and follows the typing, without saving.
    assert "Geschlecht" in status_box(page).inner_text()
    assert "Verbleib" not in status_box(page).inner_text()
    page.fill("[name=pseudonym]", "LIVE-0001")
    page.select_option("[name=gender]", str(entry_values(measure)["gender"].pk))
    expect(status_box(page).locator("ul.aqb-missing")).not_to_contain_text("Geschlecht")
    assert not Participant.objects.filter(pseudonym="LIVE-0001").exists()

    # Enter in a text field does not save the record.
    page.press("[name=pseudonym]", "Enter")
    page.wait_for_timeout(300)
    assert "/neu/" in page.url and not Participant.objects.filter(pseudonym="LIVE-0001").exists()

    # Abbrechen with unsaved changes asks first; declining keeps the page and its input.
    questions = []

    def decline(dialog):
        questions.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", decline)
    page.click("[data-aqb-cancel]")
    assert questions and "nicht gespeichert" in questions[0]
    assert "/neu/" in page.url and page.input_value("[name=pseudonym]") == "LIVE-0001"
