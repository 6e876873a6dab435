"""Password-reset requests are limited per address and per client address, and never tell whether an account exists."""

import re

from django.test import Client, TestCase, override_settings
from django.urls import reverse

from aqb_monitoring.models import SecurityEvent, SecurityEventKind

RESET_URL = "/admin/password_reset/"


def without_per_request_tokens(content):
    """The page with its CSRF token and CSP nonce blanked: they differ on every request, for every visitor."""
    return re.sub(rb'("CSRF_TOKEN": "|name="csrfmiddlewaretoken" value="|nonce=")[^"]+', rb"\1-", content)


def request_reset(client, email, ip="192.0.2.20"):
    """Post the form; the mail is rendered and sent by a task after the commit (issue 14)."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(RESET_URL, {"email": email}, REMOTE_ADDR=ip)


def test_reset_url_is_wagtails():
    assert reverse("wagtailadmin_password_reset") == RESET_URL


def test_known_and_unknown_addresses_get_identical_answers(ze_kassel, mailoutbox):
    known = request_reset(Client(), ze_kassel.email)
    unknown = request_reset(Client(), "niemand@example.org")

    assert (known.status_code, known["Location"], known.content) == (
        unknown.status_code, unknown["Location"], unknown.content)
    known_page, unknown_page = Client().get(known["Location"]), Client().get(unknown["Location"])
    assert known_page.status_code == unknown_page.status_code == 200
    assert without_per_request_tokens(known_page.content) == without_per_request_tokens(unknown_page.content)
    assert b"CSRF_TOKEN" in known_page.content  # the blanking above does find what it blanks
    assert [message.to for message in mailoutbox] == [[ze_kassel.email]]


def test_a_fourth_request_for_one_address_within_an_hour_sends_no_mail(client, ze_kassel, mailoutbox):
    answers = [request_reset(client, ze_kassel.email, ip=f"198.51.100.{number}") for number in range(1, 5)]

    assert len(mailoutbox) == 3
    assert len({(answer.status_code, answer["Location"], answer.content) for answer in answers}) == 1
    throttled = SecurityEvent.objects.filter(kind=SecurityEventKind.PASSWORD_RESET_REQUESTED, detail__throttled=True)
    assert throttled.count() == 1


def test_the_limit_counts_the_address_in_any_case(client, ze_kassel, mailoutbox):
    for variant in ("ZE.Kassel@example.org", "ze.kassel@EXAMPLE.org", "Ze.Kassel@Example.Org", "ze.kassel@example.org"):
        request_reset(client, variant)

    assert len(mailoutbox) == 3


def test_unknown_addresses_count_against_the_limit_too(client, mailoutbox, db):
    for _ in range(4):
        request_reset(client, "niemand@example.org")

    events = SecurityEvent.objects.filter(kind=SecurityEventKind.PASSWORD_RESET_REQUESTED, email="niemand@example.org")
    assert events.count() == 4
    assert events.filter(detail__throttled=True).count() == 1
    assert mailoutbox == []


@override_settings(AQB_PASSWORD_RESET_LIMIT_PER_IP=2)
def test_one_client_address_asking_for_many_accounts_is_limited(client, ze_kassel, ze_fulda, provider_a, mailoutbox):
    request_reset(client, "niemand@example.org", ip="192.0.2.30")
    request_reset(client, ze_kassel.email, ip="192.0.2.30")
    request_reset(client, ze_fulda.email, ip="192.0.2.30")
    request_reset(client, provider_a.email, ip="192.0.2.31")

    assert [message.to for message in mailoutbox] == [[ze_kassel.email], [provider_a.email]]


def test_the_limit_ends_after_the_window(client, ze_kassel, mailoutbox, monkeypatch):
    import datetime

    from django.utils import timezone

    for _ in range(3):
        request_reset(client, ze_kassel.email)
    later = timezone.now() + datetime.timedelta(minutes=61)
    monkeypatch.setattr(timezone, "now", lambda: later)

    request_reset(client, ze_kassel.email)

    assert len(mailoutbox) == 4


def test_each_request_is_logged_with_address_and_account(client, ze_kassel, mailoutbox):
    request_reset(client, ze_kassel.email.upper(), ip="192.0.2.44")

    event = SecurityEvent.objects.get(kind=SecurityEventKind.PASSWORD_RESET_REQUESTED)
    assert (event.user, event.email, event.ip_address, event.actor) == (ze_kassel, ze_kassel.email, "192.0.2.44", None)
    assert event.detail == {"throttled": False}


def test_limits_come_from_the_environment():
    import os
    import subprocess
    import sys
    from pathlib import Path

    names = ["AQB_PASSWORD_RESET_LIMIT_PER_ADDRESS", "AQB_PASSWORD_RESET_LIMIT_PER_IP", "AQB_PASSWORD_RESET_LIMIT_MINUTES"]
    code = "import django; django.setup(); from django.conf import settings; print(" + ", ".join(
        f"settings.{name}" for name in names) + ")"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=Path(__file__).resolve().parent.parent, capture_output=True, text=True,
        timeout=120, env={**os.environ, "DJANGO_SETTINGS_MODULE": "aqb_site.settings", **dict.fromkeys(names, "7")},
    )
    assert result.stdout.split() == ["7", "7", "7"], result.stderr
