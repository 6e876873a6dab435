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


def test_a_refused_admin_page_leads_to_the_dashboard_with_a_german_message(client, provider_a, measure_a):
    """Wagtail answers PermissionDenied in the admin with its home page and a message, not with 403.html."""
    measure_a.closed_at = timezone.now()  # closed: no new participants
    measure_a.save()
    client.force_login(provider_a)
    response = client.get(reverse("aqb_monitoring:participant_add", args=[measure_a.pk]), follow=True)
    assert response.redirect_chain == [("/admin/", 302)]
    page = response.content.decode()
    assert "Sie haben leider keinen Zugang zu diesem Bereich." in page and "Sorry" not in page


def test_the_403_page_of_the_public_site_is_german(db):
    request = RequestFactory().get("/irgendwo/")
    response = defaults.permission_denied(request, PermissionDenied())
    assert_german(response, 403, "Kein Zugriff – AQB-Portal")


def test_the_public_404_page_is_german(db, public_site):
    assert_german(Client().get("/gibt-es-nicht/"), 404, "Seite nicht gefunden")


def test_the_admin_404_page_is_german(client, provider_a):
    client.force_login(provider_a)
    assert_german(client.get("/admin/gibt-es-nicht/"), 404, "Seite nicht gefunden")


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
