"""The password-reset e-mail speaks for the AQB-Portal, in German (issue 10, item 7)."""

from django.core import mail
from django.test import TestCase, override_settings
from django.urls import reverse


def request_reset(client, user):
    with TestCase.captureOnCommitCallbacks(execute=True):  # the mail is sent by a task after the commit
        response = client.post(reverse("wagtailadmin_password_reset"), {"email": user.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    return mail.outbox[0]


def test_password_reset_mail_names_the_portal_and_what_to_do(client, ze_kassel):
    message = request_reset(client, ze_kassel)

    assert message.subject == "Passwort für das AQB-Portal festlegen"
    assert message.to == [ze_kassel.email]
    body = message.body
    assert body.startswith("Guten Tag")
    assert "AQB-Portal" in body
    assert "/admin/password_reset/confirm/" in body
    assert "Der Link ist 3 Tage gültig" in body
    assert "Wenn Sie kein neues Passwort angefordert haben" in body
    assert "Wagtail" not in body
    assert "Please" not in body


@override_settings(PASSWORD_RESET_TIMEOUT=2 * 3600)
def test_password_reset_mail_states_a_validity_in_hours(client, ze_kassel):
    message = request_reset(client, ze_kassel)

    assert "Der Link ist 2 Stunden gültig" in message.body
