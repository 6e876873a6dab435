"""The closing report end to end in the browser (issue 12): the provider signals completion, the ZE
sees the pre-check, fixes a red record and sends; the measure is locked; the RP returns it with a
reason; the ZE fixes and sends again and sees what changed; the RP accepts."""

import pytest

from aqb_monitoring.models import Participant, Report, ReturnReason, ReviewState
from aqb_monitoring.services import save_participant
from tests.conftest import login_in_browser, make_measure
from tests.participant_values import all_answers, entry_values, exit_values

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def complete(measure, pseudonym, **changes):
    goal_values = entry_values(measure, pseudonym=pseudonym)
    values = {**goal_values, **exit_values(measure), **changes}
    values["entry_answers"] = all_answers(measure, values.get("goal"))
    values["exit_answers"] = all_answers(measure, values.get("goal"))
    return values


def test_closing_report_sent_returned_fixed_and_accepted(
        browser, live_server, kassel, provider_org_a, provider_a, ze_kassel, rp_editor):
    measure = make_measure("AQB25-KS-M1-07", kassel, provider_org_a, budget_year=2025)
    save_participant(provider_a, measure, complete(measure, "BWN-0001"))
    red, _result = save_participant(provider_a, measure, {"pseudonym": "BWN-0002", "entry_date": measure.start_date})

    def session(user):
        context = browser.new_context(locale="de-DE", viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.set_default_timeout(15_000)
        login_in_browser(page, live_server, user)
        page.goto(f"{live_server.url}/admin/monitoring/massnahmen/{measure.pk}/")
        return context, page

    # The provider signals completion: the pre-check names the red record, nothing is sent.
    context, page = session(provider_a)
    page.click("text=Dateneingabe abgeschlossen")
    assert "Status rot: BWN-0002" in page.locator("#precheck").inner_text()
    context.close()

    # The ZE: pre-check of the closing report, the link opens the red record; once fixed, one confirmation.
    context, page = session(ze_kassel)
    page.click(".aqb-reports >> text=Maßnahmenabschluss")
    precheck_url = page.url
    assert "Status rot: BWN-0002" in page.locator("#precheck").inner_text()
    assert page.locator("button", has_text="Meldung absenden").count() == 0
    page.click("#precheck a:has-text('BWN-0002')")
    page.wait_for_selector("[name=pseudonym]")
    save_participant(ze_kassel, measure, complete(measure, "BWN-0002"), red)  # the form itself: browser/test_participant.py
    page.goto(precheck_url)
    page.click("button:has-text('Meldung absenden')")
    page.wait_for_selector("#report-facts")
    first = Report.objects.get()
    assert first.reference in page.locator("#report-facts").inner_text()
    measure.refresh_from_db()
    assert measure.is_closed
    page.goto(f"{live_server.url}/admin/monitoring/massnahmen/{measure.pk}/")
    assert "abgeschlossen" in page.inner_text("main")
    assert page.locator("text=Teilnehmende(n) erfassen").count() == 0
    context.close()

    # The RP returns it with a reason from the catalogue: the measure opens again.
    context, page = session(rp_editor)
    page.click("text=Meldungseingang")
    page.click(f"text={first.reference}")
    reason = ReturnReason.objects.get(code="daten-unplausibel")
    page.check(f"input[name=reasons][value='{reason.pk}']")
    page.fill("#aqb-review-note", "BWN-0001: Geburtsjahr prüfen")
    page.click(".aqb-review-return button[type=submit]")
    page.wait_for_selector("text=zurückgegeben")
    measure.refresh_from_db()
    assert not measure.is_closed
    context.close()

    # The ZE fixes the record and sends again; the report page shows the change against the returned one.
    participant = Participant.objects.get(pseudonym="BWN-0001")
    save_participant(ze_kassel, measure, complete(measure, "BWN-0001", birth_year=2004), participant)
    context, page = session(ze_kassel)
    page.click(".aqb-reports >> text=Maßnahmenabschluss")
    page.click("button:has-text('Meldung absenden')")
    page.wait_for_selector("#report-diff")
    diff = page.locator("#report-diff").inner_text()
    assert "BWN-0001" in diff and "2004" in diff
    context.close()

    # The RP accepts the new report.
    second = Report.objects.exclude(pk=first.pk).get()
    context, page = session(rp_editor)
    page.goto(f"{live_server.url}/admin/meldungen/{second.pk}/")
    page.click("button:has-text('Annehmen')")
    page.wait_for_selector("text=angenommen")
    assert second.reviews.get().state == ReviewState.ACCEPTED
    context.close()
