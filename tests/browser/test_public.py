"""The public site in a real browser: navigation, search, keyboard use, no JavaScript, small screens."""

import pytest
from playwright.sync_api import expect

from aqb_content.demo import seed_content
from tests.conftest import RecordingReport

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def site_url(live_server):
    """The live server with the demo content of the public site."""
    seed_content(RecordingReport())
    return live_server.url


def main_nav(page):
    return page.get_by_role("navigation", name="Hauptnavigation")


def test_visitor_reaches_guidance_and_contact_through_the_main_navigation(page, site_url):
    page.goto(f"{site_url}/")
    expect(page.locator("h1")).to_have_text("Ausbildungs- und Qualifizierungsbudget (AQB)")

    main_nav(page).get_by_role("link", name="Hinweise zum Monitoring").click()
    expect(page).to_have_url(f"{site_url}/hinweise/")
    expect(page.locator("h1")).to_have_text("Hinweise zum Monitoring")
    page.locator("main").get_by_role("link", name="Excel: Vorlage, Export und Import").click()
    expect(page.locator("h1")).to_have_text("Excel: Vorlage, Export und Import")
    expect(page.get_by_role("navigation", name="Brotkrumennavigation")).to_contain_text("Hinweise zum Monitoring")

    main_nav(page).get_by_role("link", name="Kontakt und Support").click()
    expect(page).to_have_url(f"{site_url}/kontakt/")
    contact = page.locator("main .contact").first
    expect(contact).to_contain_text("AQBudget@rpks.hessen.de")
    expect(contact).to_contain_text("0561 106-4092")
    expect(page.locator("footer")).to_contain_text("Impressum")


def test_visitor_searches_from_the_header_and_opens_the_hit(page, site_url):
    page.goto(f"{site_url}/programm/")
    page.get_by_label("Website durchsuchen").fill("Bindestrich")
    page.get_by_label("Website durchsuchen").press("Enter")
    expect(page).to_have_url(f"{site_url}/suche/?q=Bindestrich")
    expect(page.get_by_role("status")).to_contain_text("1 Treffer")
    page.get_by_role("link", name="Teilnehmende erfassen").click()
    expect(page.locator("h1")).to_have_text("Teilnehmende erfassen")


def test_keyboard_user_skips_to_the_main_content(page, site_url):
    page.goto(f"{site_url}/hinweise/")
    page.keyboard.press("Tab")
    skip_link = page.get_by_role("link", name="Zum Inhalt springen")
    expect(skip_link).to_be_focused()
    expect(skip_link).to_be_in_viewport()
    assert skip_link.evaluate("el => getComputedStyle(el).outlineStyle") != "none"

    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('main') !== null")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Anmeldung und Passwort"  # the first link of the main content


def test_questions_open_without_javascript(browser, site_url):
    context = browser.new_context(java_script_enabled=False, locale="de-DE")
    try:
        page = context.new_page()
        page.goto(f"{site_url}/hinweise/teilnehmende-erfassen/")
        answer = page.get_by_text("mindestens 50 beträgt")
        expect(answer).to_be_hidden()
        page.get_by_text("Schwerbehindert", exact=True).click()
        expect(answer).to_be_visible()
    finally:
        context.close()


def test_pages_fit_a_small_screen_without_sideways_scrolling(page, site_url):
    page.set_viewport_size({"width": 360, "height": 740})
    for path in ["/", "/kontakt/", "/downloads/", "/aktuelles/zeitplan-2026/"]:
        page.goto(f"{site_url}{path}")
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, path


PHONE = {"width": 390, "height": 844}


def assert_menu_collapses_and_opens(page, site_url):
    page.goto(f"{site_url}/hinweise/")
    menu_link = main_nav(page).get_by_role("link", name="Kontakt und Support")
    expect(menu_link).to_be_hidden()
    heading_top = page.locator("h1").bounding_box()["y"]
    assert heading_top < PHONE["height"] - 100, heading_top  # the heading and a first line of content show
    page.locator("label.main-nav-button").click()
    expect(menu_link).to_be_visible()
    menu_link.click()
    expect(page.locator("h1")).to_have_text("Kontakt und Support")


def test_navigation_collapses_behind_a_menu_button_on_a_phone(page, site_url):
    page.set_viewport_size(PHONE)
    assert_menu_collapses_and_opens(page, site_url)


def test_menu_button_works_without_javascript(browser, site_url):
    context = browser.new_context(java_script_enabled=False, locale="de-DE", viewport=PHONE)
    try:
        assert_menu_collapses_and_opens(context.new_page(), site_url)
    finally:
        context.close()


def test_menu_button_is_hidden_on_a_wide_screen(page, site_url):
    page.set_viewport_size({"width": 1366, "height": 800})
    page.goto(f"{site_url}/")
    expect(page.get_by_text("Menü", exact=True)).to_be_hidden()
    expect(main_nav(page).get_by_role("link", name="Kontakt und Support")).to_be_visible()


def test_keyboard_user_opens_the_menu_on_a_phone(page, site_url):
    page.set_viewport_size(PHONE)
    page.goto(f"{site_url}/")
    page.locator("#main-nav-toggle").focus()
    page.keyboard.press("Space")
    expect(main_nav(page).get_by_role("link", name="Kontakt und Support")).to_be_visible()
