"""Mail never blocks or leaks (issue 14): every mail is stored and sent by a task after the commit,
with a timeout, retries and failures listed for the RP; the reset answer is the same for every address."""

import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.urls import reverse

from aqb_monitoring.models import Notification
from aqb_monitoring.services import accounts

RESET_URL = "/admin/password_reset/"
SENT = []


class SlowBackend(BaseEmailBackend):
    """A mail server that takes five seconds to accept (what a request must never wait for)."""

    def send_messages(self, messages):
        time.sleep(5)
        SENT.extend(messages)
        return len(messages)


class RefusingBackend(BaseEmailBackend):
    def send_messages(self, messages):
        raise ConnectionRefusedError("Verbindung zum Mailserver abgelehnt")


def timed_post(client, data):
    started = time.monotonic()
    response = client.post(RESET_URL, data, REMOTE_ADDR="192.0.2.77")
    return response, time.monotonic() - started


@pytest.mark.parametrize("backend", ["SlowBackend", "RefusingBackend"])
def test_the_reset_request_answers_at_once_and_alike_whatever_the_mail_server_does(
        client, ze_kassel, settings, backend, django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = f"tests.test_mail_delivery.{backend}"
    SENT.clear()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        known, known_seconds = timed_post(client, {"email": ze_kassel.email})
        unknown, unknown_seconds = timed_post(client, {"email": "niemand@example.org"})
    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"]) == (
        302, reverse("wagtailadmin_password_reset_done"))
    assert known_seconds < 1 and unknown_seconds < 1
    assert SENT == [] and not Notification.objects.exists()  # nothing sent or written in the request
    assert len(callbacks) == 2  # one task per request, known or not


def test_a_refused_reset_mail_is_recorded_for_the_rp_without_its_link(
        client, ze_kassel, rp_editor, settings, django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = "tests.test_mail_delivery.RefusingBackend"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(RESET_URL, {"email": ze_kassel.email})
    notification = Notification.objects.get()
    assert notification.recipients == [ze_kassel.email] and notification.measure is None
    assert notification.sent_at is None and notification.attempts == 1
    assert "Verbindung zum Mailserver abgelehnt" in notification.last_error
    assert notification.body_text == notification.body_html == ""  # given up: the link is not kept
    client.force_login(rp_editor)
    page = client.get(reverse("aqb_reports:inbox")).content.decode()
    assert "1 E-Mail wurde nicht zugestellt" in page and notification.subject in page and ze_kassel.email in page


def test_a_delivered_reset_mail_keeps_who_and_when_but_not_the_link(
        client, ze_kassel, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(RESET_URL, {"email": ze_kassel.email})
    assert len(mailoutbox) == 1 and "/admin/password_reset/confirm/" in mailoutbox[0].body
    notification = Notification.objects.get()
    assert notification.sent_at is not None and notification.subject == mailoutbox[0].subject
    assert notification.body_text == notification.body_html == ""


def test_a_reset_for_an_unknown_address_stores_and_sends_nothing(client, db, mailoutbox,
                                                                   django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(RESET_URL, {"email": "niemand@example.org"})
    assert mailoutbox == [] and not Notification.objects.exists()


def test_a_refused_invitation_is_listed_for_the_rp_and_the_user_is_created(
        client, ze_kassel, provider_org_a, rp_editor, settings, django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = "tests.test_mail_delivery.RefusingBackend"
    with django_capture_on_commit_callbacks(execute=True):
        user = accounts.do_create_user(ze_kassel, {
            "first_name": "Nina", "last_name": "Neu", "email": "neu@example.org", "organisation": provider_org_a})
    assert user.pk is not None
    notification = Notification.objects.get()
    assert notification.recipients == ["neu@example.org"] and notification.failed_at is not None
    assert "/konto/einladung/" not in notification.body_text
    client.force_login(rp_editor)
    assert "neu@example.org" in client.get(reverse("aqb_reports:inbox")).content.decode()


def test_a_delivered_invitation_leaves_no_link_in_the_database(
        ze_kassel, provider_org_a, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        accounts.do_create_user(ze_kassel, {
            "first_name": "Nina", "last_name": "Neu", "email": "neu@example.org", "organisation": provider_org_a})
    assert "/konto/einladung/" in mailoutbox[0].body
    notification = Notification.objects.get()
    assert notification.sent_at is not None and notification.body_text == notification.body_html == ""


@pytest.fixture
def silent_smtp_server():
    """A local SMTP server that accepts connections and never says a word."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(5)
    accepted = []
    stop = threading.Event()

    def accept():
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    thread.join(timeout=2)
    for connection in accepted:
        connection.close()
    server.close()


def test_a_mail_server_that_never_answers_costs_one_timeout_and_is_recorded(
        client, ze_kassel, settings, silent_smtp_server, django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", silent_smtp_server, 1
    settings.EMAIL_USE_TLS = False
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response, seconds = timed_post(client, {"email": ze_kassel.email})
    assert response.status_code == 302 and seconds < 1
    started = time.monotonic()
    for callback in callbacks:  # what the worker does after the commit
        callback()
    assert time.monotonic() - started < 5
    notification = Notification.objects.get()
    assert notification.sent_at is None and "timed out" in notification.last_error.lower()
    assert mail.outbox == []


def test_the_mail_timeout_is_ten_seconds_unless_the_environment_says_otherwise(settings):
    assert settings.EMAIL_TIMEOUT == 10
    code = "import django; django.setup(); from django.conf import settings; print(settings.EMAIL_TIMEOUT)"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=Path(__file__).resolve().parent.parent, capture_output=True, text=True,
        timeout=120, env={**os.environ, "DJANGO_SETTINGS_MODULE": "aqb_site.settings", "EMAIL_TIMEOUT": "3"},
    )
    assert result.stdout.split() == ["3"], result.stderr


def test_the_delivery_state_of_a_stored_mail_reads_as_the_rp_needs_it(db):
    from django.utils import timezone

    from aqb_monitoring.notifications import delivery_state

    notification = Notification(recipients=["ze@example.org"], subject="Erinnerung")
    assert delivery_state(None) == "unbekannt"
    assert delivery_state(notification) == "wartet auf Versand"
    notification.failed_at, notification.last_error = timezone.now(), "Verbindung abgelehnt"
    assert delivery_state(notification) == "nicht zugestellt: Verbindung abgelehnt"
    notification.sent_at = timezone.now()  # delivered on a later attempt
    assert delivery_state(notification) == "zugestellt"
