"""Sessions end after 8 hours without activity and at log-out; a password change ends the other sessions."""

import datetime

import pytest
from axes.models import AccessAttempt
from django import forms
from django.contrib.auth.models import Permission
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from .conftest import PASSWORD

NEW_PASSWORD = "NEUes#!pass2027"


@pytest.fixture(autouse=True)
def _no_attempts(db):
    AccessAttempt.objects.all().delete()


@pytest.fixture
def clerk(ze_kassel):
    ze_kassel.user_permissions.add(Permission.objects.get(codename="access_admin"))
    return ze_kassel


def logged_in_client(user, ip="192.0.2.50"):
    """A browser that logged in through the real log-in form (as a person would)."""
    client = Client(REMOTE_ADDR=ip)
    response = client.post("/admin/login/", {"username": user.email, "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:500]
    return client


def stored_session(client):
    return Session.objects.get(session_key=client.cookies["sessionid"].value)


def test_idle_timeout_is_eight_hours(settings):
    assert settings.SESSION_COOKIE_AGE == 8 * 3600
    assert settings.AQB_SESSION_REFRESH_SECONDS == 300


def test_idle_timeout_comes_from_the_environment():
    import os
    import subprocess
    import sys
    from pathlib import Path

    code = "import django; django.setup(); from django.conf import settings; print(settings.SESSION_COOKIE_AGE)"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=Path(__file__).resolve().parent.parent, capture_output=True, text=True,
        timeout=120, env={**os.environ, "DJANGO_SETTINGS_MODULE": "aqb_site.settings", "SESSION_IDLE_HOURS": "2"},
    )
    assert result.stdout.strip() == "7200", result.stderr


def test_a_request_pushes_the_end_of_the_session_back(clerk, settings):
    client = logged_in_client(clerk)
    settings.AQB_SESSION_REFRESH_SECONDS = 0
    Session.objects.filter(pk=stored_session(client).pk).update(expire_date=timezone.now() + datetime.timedelta(hours=1))

    assert client.get("/admin/").status_code == 200

    remaining = stored_session(client).expire_date - timezone.now()
    assert datetime.timedelta(hours=7, minutes=59) < remaining <= datetime.timedelta(hours=8)


def test_the_session_is_written_at_most_every_five_minutes(clerk):
    client = logged_in_client(clerk)
    an_hour_left = timezone.now() + datetime.timedelta(hours=1)
    Session.objects.filter(pk=stored_session(client).pk).update(expire_date=an_hour_left)

    for _ in range(3):
        assert client.get("/admin/").status_code == 200

    assert stored_session(client).expire_date == an_hour_left


def test_the_first_request_after_five_minutes_pushes_the_end_back(clerk, monkeypatch):
    import time

    client = logged_in_client(clerk)
    Session.objects.filter(pk=stored_session(client).pk).update(expire_date=timezone.now() + datetime.timedelta(hours=1))
    later = time.time() + 301
    monkeypatch.setattr(time, "time", lambda: later)

    assert client.get("/admin/").status_code == 200

    remaining = stored_session(client).expire_date - timezone.now()
    assert remaining > datetime.timedelta(hours=7, minutes=59)


def test_a_session_idle_for_eight_hours_has_ended(clerk):
    client = logged_in_client(clerk)
    Session.objects.filter(pk=stored_session(client).pk).update(expire_date=timezone.now() - datetime.timedelta(seconds=1))

    response = client.get("/admin/")

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_log_out_ends_the_session_on_the_server(clerk):
    client = logged_in_client(clerk)
    key = client.cookies["sessionid"].value

    client.post("/admin/logout/")

    assert not Session.objects.filter(session_key=key).exists()
    stale = Client()
    stale.cookies["sessionid"] = key
    assert stale.get("/admin/").status_code == 302


def account_form_data(client):
    """Every field of the account page as it stands (Wagtail posts all its panels together)."""
    page = client.get("/admin/account/")
    data = {}
    for panels in page.context["panels_by_tab"].values():
        for panel in panels:
            form = panel.get_form()
            for name, field in form.fields.items():
                if isinstance(field, forms.FileField):
                    continue
                value = form.initial.get(name, field.initial)
                if value is not None:
                    data[form.add_prefix(name)] = value
    data.update({"name_email-first_name": "Erika", "name_email-last_name": "Muster"})
    return data


def test_changing_the_password_ends_the_other_sessions_but_keeps_this_one(clerk):
    office = logged_in_client(clerk, ip="192.0.2.51")
    laptop = logged_in_client(clerk, ip="192.0.2.52")
    assert laptop.get("/admin/").status_code == 200

    data = account_form_data(office)
    data.update({"password-old_password": PASSWORD, "password-new_password1": NEW_PASSWORD,
                 "password-new_password2": NEW_PASSWORD})
    response = office.post("/admin/account/", data)
    assert response.status_code == 302, response.context and [
        panel.get_form().errors for panels in response.context["panels_by_tab"].values() for panel in panels]
    clerk.refresh_from_db()
    assert clerk.check_password(NEW_PASSWORD)

    assert office.get("/admin/").status_code == 200
    ended = laptop.get("/admin/")
    assert ended.status_code == 302
    assert ended["Location"].startswith("/admin/login/")
