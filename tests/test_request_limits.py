"""Large and anonymous request bodies are refused from their headers, before anything reads them (issue 14)."""

import io

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from aqb_monitoring.excel.importer import MAX_UPLOAD_BYTES

MB = 1024 * 1024


class ExplodingInput(io.RawIOBase):
    """A WSGI input that fails the test if anything reads the body."""

    def read(self, *args, **kwargs):
        raise AssertionError("the request body was read")

    readline = readinto = read


def unread_post(client, path, length, content_type="multipart/form-data; boundary=xyz", **extra):
    return client.generic("POST", path, b"", CONTENT_TYPE=content_type, CONTENT_LENGTH=str(length),
                          **{"wsgi.input": ExplodingInput(), **extra})


def test_the_limit_is_the_imports_100_mb_plus_the_form_around_it():
    assert MAX_UPLOAD_BYTES < settings.AQB_MAX_REQUEST_BYTES <= MAX_UPLOAD_BYTES + 2 * MB
    assert settings.MIDDLEWARE[0] == "aqb_site.request_limits.RequestBodyLimitMiddleware"


@pytest.mark.parametrize("path", ["/suche/", "/admin/login/", "/admin/excel/massnahmen/1/import/", "/gibt-es-nicht/"])
def test_a_body_above_the_limit_gets_a_german_413_without_being_read(client, db, path):
    response = unread_post(client, path, 150 * MB)
    page = response.content.decode()
    assert response.status_code == 413
    assert "<title>Anfrage zu groß – AQB-Portal</title>" in page and "101 MB" in page
    assert response["Content-Security-Policy"].startswith("default-src 'none'")


def test_signed_in_users_meet_the_same_limit_unread(client, ze_kassel, measure_a):
    client.force_login(ze_kassel)
    response = unread_post(client, reverse("aqb_excel:measure_import", args=[measure_a.pk]), 150 * MB)
    assert response.status_code == 413 and "höchstens 100 MB" in response.content.decode()


def test_a_body_without_a_declared_length_is_refused_unread(client, db):
    response = client.generic("POST", "/admin/login/", b"", HTTP_TRANSFER_ENCODING="chunked",
                              **{"wsgi.input": ExplodingInput()})
    assert response.status_code == 411
    assert "<title>Länge der Anfrage fehlt – AQB-Portal</title>" in response.content.decode()


def test_a_nonsense_length_is_a_german_400(client, db):
    response = unread_post(client, "/suche/", "viel")
    assert response.status_code == 400 and "Ungültige Anfrage" in response.content.decode()


@pytest.mark.parametrize("path", ["/suche/", "/", "/konto/einladung/neu/", "/admin/password_reset/", "/admin/login/"])
def test_anonymous_visitors_cannot_upload_a_file_anywhere(client, db, path):
    response = unread_post(client, path, 2 * MB)
    assert response.status_code == 413
    assert "Dateien können nur nach der Anmeldung hochgeladen werden" in response.content.decode()


def test_file_parts_of_a_small_anonymous_form_are_dropped_unstored(rf, db):
    from django.contrib.auth.models import AnonymousUser
    from django.core.files.uploadedfile import SimpleUploadedFile

    from aqb_site.request_limits import AnonymousUploadMiddleware

    request = rf.post("/admin/password_reset/", {"email": "a@example.org", "file": SimpleUploadedFile("a.txt", b"x")})
    request.user = AnonymousUser()
    seen = AnonymousUploadMiddleware(lambda request: (dict(request.POST), dict(request.FILES)))(request)
    assert seen == ({"email": ["a@example.org"]}, {})


def test_anonymous_bodies_above_the_form_limit_are_refused_unread(client, db):
    response = unread_post(client, "/admin/login/", settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1,
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code == 413 and "Anfrage zu groß" in response.content.decode()


def test_the_admin_log_in_still_works_as_a_form(db, ze_kassel):
    client = Client()
    response = client.post("/admin/login/", {"username": ze_kassel.email, "password": "falsch"})
    assert response.status_code == 200 and "Anmelden" in response.content.decode()


def test_a_signed_in_user_still_uploads_a_workbook(client, ze_kassel, measure_a):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(ze_kassel)
    url = reverse("aqb_excel:measure_import", args=[measure_a.pk])
    response = client.post(url, {"file": SimpleUploadedFile("x.xlsx", b"kein Excel")})
    assert response.status_code in (200, 302)
    assert "Dateien können nur nach der Anmeldung" not in response.content.decode()
