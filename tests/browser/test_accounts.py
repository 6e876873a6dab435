"""A grant recipient gives a provider a login, end to end in the browser (issue 13): the ZE creates the user,
the invitation mail goes out, the provider follows the link, is refused a weak password with the German
reasons, chooses a valid one and lands on "Meine Maßnahmen" with only its own measures."""

import re

import pytest

from aqb_monitoring.models import User
from tests.conftest import login_in_browser, make_measure

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LINK = re.compile(r"https?://[^/\s\"]+(/konto/einladung/[^/\s\"]+/[^/\s\"]+/)")


def test_grant_recipient_gives_a_provider_a_login_by_invitation(
        browser, live_server, kassel, fulda, provider_org_a, provider_org_a2, provider_org_b, ze_kassel, mailoutbox):
    own = make_measure("AQB26-KS-M1-01", kassel, provider_org_a)
    sibling = make_measure("AQB26-KS-M3-01", kassel, provider_org_a2, type_code="M3")
    foreign = make_measure("AQB26-FD-M1-01", fulda, provider_org_b)

    # The ZE: menu "Benutzer", "Benutzer hinzufügen"; only its own organisation and providers are offered.
    context = browser.new_context(locale="de-DE", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    login_in_browser(page, live_server, ze_kassel)
    page.goto(f"{live_server.url}/admin/benutzer/")
    page.click("text=Benutzer hinzufügen")
    page.wait_for_url(f"{live_server.url}/admin/benutzer/neu/")
    page.wait_for_selector("select[name=organisation] option >> nth=1", state="attached")
    options = page.locator("select[name=organisation] option").all_inner_texts()
    assert any("Bildungswerk Nordhessen" in option for option in options)
    assert not any("Fulda" in option for option in options)
    page.fill("input[name=first_name]", "Bernd")
    page.fill("input[name=last_name]", "Werkmann")
    page.fill("input[name=email]", "bernd.werkmann@example.org")
    page.select_option("select[name=organisation]", str(provider_org_a.pk))
    page.click("button:has-text('Benutzer anlegen')")
    page.wait_for_selector("#aqb-users")
    row = page.locator("#aqb-users tr", has_text="bernd.werkmann@example.org").inner_text()
    assert "offen" in row and "noch nie" in row
    context.close()

    # The invitation is in the outbox, with the link to the exact page.
    assert [mail.to for mail in mailoutbox] == [["bernd.werkmann@example.org"]]
    link = LINK.search(mailoutbox[0].body).group(1)

    # The provider: a password against the policy is refused with the reasons, a valid one logs in.
    context = browser.new_context(locale="de-DE", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(live_server.url + link)
    page.fill("input[name=new_password1]", "werkmann1")
    page.fill("input[name=new_password2]", "werkmann1")
    page.click("button:has-text('Passwort speichern und anmelden')")
    error = page.locator("main").inner_text()
    assert "Das Passwort erfüllt die Regeln nicht" in error and "mindestens zwei Großbuchstaben" in error
    page.fill("input[name=new_password1]", "Sonne##Tag42")
    page.fill("input[name=new_password2]", "Sonne##Tag42")
    page.click("button:has-text('Passwort speichern und anmelden')")
    page.wait_for_url(f"{live_server.url}/admin/monitoring/")
    main = page.locator("main").inner_text()
    assert "Meine Maßnahmen" in page.content()
    assert own.number in main
    assert sibling.number not in main and foreign.number not in main
    context.close()

    user = User.objects.get(email="bernd.werkmann@example.org")
    assert user.check_password("Sonne##Tag42") and user.last_login is not None
