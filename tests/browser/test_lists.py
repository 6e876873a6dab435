"""The measure list fits the screen (issue 10, item 8): at 1366 px every column is visible without
sideways scrolling for every role; at 390 px each measure is a card and nothing scrolls sideways."""

import pytest

from tests.conftest import login_in_browser, make_measure, make_participant

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OVERFLOW = """() => {
    const region = document.querySelector('.aqb-table-scroll');
    return {region: region.scrollWidth - region.clientWidth,
            page: document.documentElement.scrollWidth - document.documentElement.clientWidth,
            numberLines: Math.round(document.querySelector('table.aqb-measures td a').getBoundingClientRect().height
                                    / parseFloat(getComputedStyle(document.querySelector('table.aqb-measures td a')).lineHeight))};
}"""


@pytest.fixture
def long_measures(kassel, fulda, provider_org_a, provider_org_b):
    """Measures with the longest names the demo has, of both grant recipients, with participants."""
    for number, grant_recipient, provider in (("AQB26-KS-M1-01", kassel, provider_org_a),
                                              ("AQB26-FD-M3-01", fulda, provider_org_b)):
        measure = make_measure(number, grant_recipient, provider,
                               title="Berufsorientierung und Ausbildungsreife im Landkreis mit Standort Hünfeld")
        for i in range(12):
            make_participant(measure, f"BWN-{i:04d}", status=("red", "yellow", "green")[i % 3])


@pytest.mark.parametrize("user_fixture", ["rp_editor", "ze_kassel", "provider_a"])
def test_measure_list_fits_1366_px_and_becomes_cards_at_390_px(browser, live_server, request, long_measures, user_fixture):
    user = request.getfixturevalue(user_fixture)
    context = browser.new_context(locale="de-DE", viewport={"width": 1366, "height": 900})
    page = context.new_page()
    login_in_browser(page, live_server, user)
    page.goto(f"{live_server.url}/admin/monitoring/")
    wide = page.evaluate(OVERFLOW)
    assert wide["region"] <= 0 and wide["page"] <= 0, wide
    assert wide["numberLines"] == 1, wide  # the measure number on one line
    for header in ("Nummer", "Laufzeit", "Teilnehmende", "Nächste Frist", "Status"):
        assert page.locator("table.aqb-measures th", has_text=header).first.is_visible()
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    narrow = page.evaluate(OVERFLOW)
    assert narrow["region"] <= 0 and narrow["page"] <= 0, narrow
    cell = page.locator("table.aqb-measures td[data-label='Nächste Frist']").first
    assert cell.is_visible()
    assert "Nächste Frist" in cell.evaluate("el => getComputedStyle(el, '::before').content")
    context.close()
