"""Log-in by e-mail address and the lockout after repeated wrong passwords (DOMAIN §10)."""

import pytest
from django.test import override_settings

from .conftest import PASSWORD

LOGIN_URL = "/admin/login/"


@pytest.fixture(autouse=True)
def _reset_axes(db):
    from axes.models import AccessAttempt

    AccessAttempt.objects.all().delete()


def post_login(client, email, password):
    return client.post(LOGIN_URL, {"username": email, "password": password})


def test_login_form_asks_for_the_email_address(client, db):
    response = client.get(LOGIN_URL)
    assert response.status_code == 200
    assert "E-Mail-Adresse" in response.content.decode()


def test_user_logs_in_with_email_address_in_any_case(client, ze_kassel):
    response = post_login(client, "ZE.Kassel@Example.org", PASSWORD)
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == ze_kassel.pk


def test_wrong_password_is_refused_in_german(client, ze_kassel):
    response = post_login(client, ze_kassel.email, "falsch")
    assert response.status_code == 200
    assert "E-Mail-Adresse" in response.content.decode()
    assert "_auth_user_id" not in client.session


@override_settings(AXES_FAILURE_LIMIT=3)
def test_account_is_locked_after_repeated_wrong_passwords(client, ze_kassel):
    for _ in range(3):
        post_login(client, ze_kassel.email, "falsch")
    response = post_login(client, ze_kassel.email, PASSWORD)
    assert response.status_code == 429
    assert "gesperrt" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_createsuperuser_asks_for_email_and_password_only(db, monkeypatch):
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "AQBdemo#!2026")
    call_command("createsuperuser", interactive=False, email="Admin@Example.org", verbosity=0)
    user = get_user_model().objects.get(email="admin@example.org")
    assert user.is_superuser and user.is_staff
    assert user.check_password("AQBdemo#!2026")
    assert get_user_model().REQUIRED_FIELDS == []


def test_users_cannot_change_their_login_email_themselves(client, ze_kassel):
    from django.contrib.auth.models import Permission

    ze_kassel.groups.first().permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(ze_kassel)
    page = client.get("/admin/account/").content.decode()
    assert 'name="name_email-email"' not in page
