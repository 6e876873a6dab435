"""The admin is the AQB-Portal's, not Wagtail's (issue 10, item 4)."""

import re

from django.urls import reverse


def visible_text(html):
    """The page without scripts and Wagtail's no-JavaScript notice (outside any template block)."""
    return re.sub(r"<(script|noscript).*?</\1>", "", html, flags=re.S)


def test_login_page_shows_the_portal_name_and_mark(client, db):
    html = client.get(reverse("wagtailadmin_login")).content.decode()

    assert "<title>" in html
    assert re.search(r"<title>[^<]*AQB-Portal\s*</title>", html)
    assert "Anmeldung im AQB-Portal" in html
    assert "aqb/aqb-mark.svg" in html
    assert "Wagtail" not in visible_text(html)


def test_admin_404_page_shows_the_portal_not_wagtail(client, ze_kassel):
    client.force_login(ze_kassel)
    response = client.get("/admin/gibt-es-nicht/")

    assert response.status_code == 404
    html = response.content.decode()
    assert "Zur Startseite der Verwaltung" in html
    assert "aqb/aqb-mark.svg" in html
    assert "Wagtail" not in visible_text(html)


def test_sidebar_and_tab_title_show_the_portal(client, ze_kassel):
    client.force_login(ze_kassel)
    html = client.get(reverse("wagtailadmin_home")).content.decode()

    assert re.search(r"<title>[^<]*AQB-Portal\s*</title>", html)
    assert "aqb/aqb-mark.svg" in html


def test_login_form_is_german_and_its_error_grammatical(client, ze_kassel):
    response = client.post(
        reverse("wagtailadmin_login"), {"username": ze_kassel.email, "password": "falsch"}
    )
    html = response.content.decode()

    labels = [
        " ".join(re.sub(r"<[^>]+>|\*", " ", label).split())
        for label in re.findall(r"<label[^>]*>.*?</label>", html, flags=re.S)
    ]
    assert "E-Mail-Adresse" in labels
    assert "Passwort" in labels
    assert "Ihre E-Mail-Adresse oder Ihr Passwort wurde nicht erkannt." in html
    assert "Password" not in visible_text(html)
