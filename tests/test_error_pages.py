"""Error pages speak German, titles included, on the public site and in the admin (issue 14).

Django's own pages say "Bad Request (400)", "403 Forbidden" and "CSRF verification failed";
each page below is fetched the way a user meets it and scanned like the admin pages are
(tests/test_admin_no_english.py), plus the English of Django's and Wagtail's error pages.
"""

import re

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone, translation
from django.views import defaults

from tests.test_admin_no_english import leftovers, visible_text

ENGLISH = ["Bad Request", "Forbidden", "Not Found", "Page not found", "Server Error", "Error", "CSRF",
           "verification", "Sorry", "permission", "Request", "Too Large", "Length Required"]


def title(html):
    return " ".join(re.search(r"<title>(.*?)</title>", html, re.S).group(1).split())


def assert_german(response, status, expected_title):
    html = response.content.decode()
    assert response.status_code == status
    assert expected_title in title(html)
    text = visible_text(html)
    assert not leftovers(text), leftovers(text)
    assert not [word for word in ENGLISH if re.search(rf"(?<![\w-]){word}(?![\w-])", text)], text


def test_a_bad_request_gets_the_german_400_page(db):
    response = Client().get("/", HTTP_HOST="fremd.example.org")
    assert_german(response, 400, "Ungültige Anfrage – AQB-Portal")


def test_a_missing_form_token_gets_the_german_page_not_djangos_csrf_failure(db):
    response = Client(enforce_csrf_checks=True).post("/admin/login/", {"username": "a@example.org", "password": "x"})
    assert_german(response, 403, "Formular abgelaufen – AQB-Portal")
    assert "Seite neu" in response.content.decode()


def closed(measure):
    measure.closed_at = timezone.now()  # closed: no new participants (the view raises PermissionDenied)
    measure.save()
    return measure


def test_a_refusal_in_our_admin_views_gets_the_german_403_page_of_the_portal(client, provider_a, measure_a):
    """Wagtail turns PermissionDenied into a redirect to the dashboard; the portal answers 403 with its own page."""
    client.force_login(provider_a)
    response = client.get(reverse("aqb_monitoring:participant_add", args=[closed(measure_a).pk]))
    assert_german(response, 403, "Kein Zugriff - AQB-Portal")
    html = response.content.decode()
    assert "<h1" in html and "Kein Zugriff</h1>" in html
    assert f'href="{reverse("wagtailadmin_home")}"' in html and "Zur Startseite der Verwaltung" in html
    assert "aqb/aqb-mark.svg" in html and "wagtail" not in visible_text(html).lower()


def test_the_refusal_leaves_no_message_behind_on_the_next_page(client, provider_a, measure_a):
    client.force_login(provider_a)
    client.get(reverse("aqb_monitoring:participant_add", args=[closed(measure_a).pk]))
    assert "keinen Zugang" not in client.get(reverse("wagtailadmin_home")).content.decode()


def test_a_refusal_of_a_script_request_stays_a_plain_403(client, provider_a, measure_a):
    client.force_login(provider_a)
    response = client.get(reverse("aqb_monitoring:participant_add", args=[closed(measure_a).pk]),
                          HTTP_X_REQUESTED_WITH="XMLHttpRequest")
    assert response.status_code == 403 and "Kein Zugriff" in title(response.content.decode())


def test_other_redirects_to_the_dashboard_are_left_alone(client, provider_a, measure_a):
    """The middleware only replaces Wagtail's refusal, recognised by its message, not every redirect home."""
    client.force_login(provider_a)
    response = client.get("/admin/login/")  # a logged-in user is sent on to the dashboard
    assert response.status_code == 302


def test_a_foreign_measure_gets_the_admins_404_page_with_the_portal_name(client, ze_fulda, measure_a):
    """Our views answer a measure of another tenant with Http404; Wagtail renders wagtailadmin/404.html (ours)."""
    client.force_login(ze_fulda)
    response = client.get(reverse("aqb_monitoring:measure", args=[measure_a.pk]))
    assert_german(response, 404, "Seite nicht gefunden - AQB-Portal")
    html = response.content.decode()
    assert "Fehler 404</h1>" in html and "Zur Startseite der Verwaltung" in html
    assert f'href="{reverse("wagtailadmin_home")}"' in html and "wagtail" not in visible_text(html).lower()


def test_the_403_page_of_the_public_site_is_german(db):
    request = RequestFactory().get("/irgendwo/")
    response = defaults.permission_denied(request, PermissionDenied())
    assert_german(response, 403, "Kein Zugriff – AQB-Portal")


def test_the_public_404_page_is_german(db, public_site):
    assert_german(Client().get("/gibt-es-nicht/"), 404, "Seite nicht gefunden")


def test_the_admin_404_page_is_german(client, provider_a):
    client.force_login(provider_a)
    response = client.get("/admin/gibt-es-nicht/")
    assert_german(response, 404, "Seite nicht gefunden - AQB-Portal")
    assert "Zur Startseite der Verwaltung" in response.content.decode()


def test_the_500_page_is_german(db):
    response = defaults.server_error(RequestFactory().get("/"))
    assert_german(response, 500, "Fehler – AQB-Portal")


@pytest.mark.parametrize("headers, status, expected", [
    ({"CONTENT_LENGTH": str(200 * 1024 * 1024)}, 413, "Anfrage zu groß – AQB-Portal"),
    ({"HTTP_TRANSFER_ENCODING": "chunked"}, 411, "Länge der Anfrage fehlt – AQB-Portal"),
])
def test_the_refusals_of_large_requests_are_german(db, headers, status, expected):
    response = Client().generic("POST", "/suche/", b"", **headers)
    assert_german(response, status, expected)


def test_wagtails_no_permission_message_is_german():
    with translation.override("de"):
        message = translation.gettext("Sorry, you do not have permission to access this area.")
    assert message == "Sie haben leider keinen Zugang zu diesem Bereich."
