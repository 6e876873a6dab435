"""Invitations (issue 13): the mail, the one-time link valid 72 hours, the page for a new link, one-time passwords."""

import datetime
import re
from unittest import mock

import pytest
from django.urls import reverse

from aqb_monitoring.models import SecurityEvent, SecurityEventKind, User
from aqb_monitoring.services import accounts
from aqb_monitoring.services.common import ServiceError
from aqb_monitoring.users import invitations

VALID = "Gut##Pass12xy"
CSRF = re.compile(r'"CSRF_TOKEN": "[^"]+"')
LINK = re.compile(r"https?://[^/\s\"]+(/konto/einladung/[^/\s\"]+/[^/\s\"]+/)")


@pytest.fixture
def invite(ze_kassel, provider_org_a, mailoutbox, django_capture_on_commit_callbacks):
    """Create a provider login through the service and return (user, path of the mailed link)."""

    def invite(email="neu@example.org", actor=None):
        with django_capture_on_commit_callbacks(execute=True):
            user = accounts.do_create_user(actor or ze_kassel, {
                "first_name": "Nina", "last_name": "Neu", "email": email, "organisation": provider_org_a})
        return user, LINK.search(mailoutbox[-1].body).group(1)

    return invite


def later(monkeypatch, hours):
    now = datetime.datetime.now() + datetime.timedelta(hours=hours)
    monkeypatch.setattr(invitations.invitation_token, "_now", lambda: now)


def choose(client, link, password, repeat=None):
    """Follow the link (Django moves the token into the session) and post the form."""
    response = client.get(link)
    if response.status_code != 302:
        return response
    return client.post(response["Location"], {"new_password1": password, "new_password2": repeat or password})


def test_the_invitation_mail_is_german_with_text_html_and_the_absolute_link(invite, mailoutbox, settings):
    user, link = invite()
    mail = mailoutbox[0]
    assert mail.to == ["neu@example.org"]
    assert mail.subject == "Ihr Zugang zum AQB-Portal: bitte Passwort festlegen"
    assert "Guten Tag" in mail.body and "72 Stunden" in mail.body and "Bildungswerk Nordhessen" in mail.body
    html, mimetype = mail.alternatives[0]
    assert mimetype == "text/html"
    assert settings.WAGTAILADMIN_BASE_URL.rstrip("/") + link in mail.body
    assert link in html
    assert "Wagtail" not in mail.body + html


def test_the_link_lets_the_user_choose_a_password_and_logs_them_in(client, invite):
    user, link = invite()
    response = choose(client, link, VALID)
    assert response.status_code == 302 and response["Location"] == reverse("aqb_monitoring:dashboard")
    user.refresh_from_db()
    assert user.check_password(VALID) and not user.must_change_password
    assert int(client.session["_auth_user_id"]) == user.pk
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.PASSWORD_CHANGED, user=user,
                                        detail__via="invitation").exists()


def test_a_password_against_the_policy_is_refused_with_german_reasons(client, invite):
    user, link = invite()
    response = choose(client, link, "kurz1")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Es fehlen: mindestens 8 Zeichen, mindestens zwei Ziffern" in page
    assert "mindestens zwei Großbuchstaben" in page
    response = client.post(response.wsgi_request.path, {"new_password1": VALID, "new_password2": VALID + "x"})
    assert "Die beiden Passwörter sind nicht identisch." in response.content.decode()
    user.refresh_from_db()
    assert not user.has_usable_password()


def test_the_link_works_once(client, invite):
    user, link = invite()
    choose(client, link, VALID)
    client.logout()
    response = client.get(link, follow=True)
    page = response.content.decode()
    assert "Dieser Link gilt nicht mehr" in page
    assert reverse("aqb_invitation:request") in page
    user.refresh_from_db()
    assert user.check_password(VALID)


def test_the_link_is_valid_72_hours(client, invite, monkeypatch):
    user, link = invite()
    later(monkeypatch, 71)
    assert "Passwort festlegen" in client.get(link, follow=True).content.decode()
    later(monkeypatch, 73)
    client.cookies.clear()
    response = choose(client, link, VALID)
    assert "Dieser Link gilt nicht mehr" in response.content.decode()
    user.refresh_from_db()
    assert not user.has_usable_password()


def test_the_validity_is_a_setting(client, invite, monkeypatch, settings):
    settings.AQB_INVITATION_VALID_HOURS = 24
    user, link = invite()
    later(monkeypatch, 25)
    assert "Dieser Link gilt nicht mehr" in client.get(link, follow=True).content.decode()


def test_a_new_invitation_ends_the_older_link(client, invite, ze_kassel, mailoutbox, django_capture_on_commit_callbacks):
    from django.utils import timezone

    user, first = invite()
    two_minutes_later = timezone.now() + datetime.timedelta(minutes=2)
    client.force_login(ze_kassel)
    with mock.patch("aqb_monitoring.services.accounts.timezone.now", return_value=two_minutes_later), \
            django_capture_on_commit_callbacks(execute=True):
        assert client.post(reverse("aqb_users:invite", args=[user.pk])).status_code == 302
    client.logout()
    second = LINK.search(mailoutbox[-1].body).group(1)
    assert first != second
    assert "Dieser Link gilt nicht mehr" in client.get(first, follow=True).content.decode()
    assert choose(client, second, VALID).status_code == 302


def test_a_deactivated_users_link_is_dead(client, invite, ze_kassel):
    user, link = invite()
    accounts.do_deactivate_user(ze_kassel, user)
    assert "Dieser Link gilt nicht mehr" in client.get(link, follow=True).content.decode()


def test_no_second_invitation_once_the_user_has_logged_in(client, invite, ze_kassel):
    user, link = invite()
    choose(client, link, VALID)
    client.logout()
    client.force_login(ze_kassel)
    response = client.post(reverse("aqb_users:invite", args=[user.pk]))
    assert "bereits angemeldet" in response.content.decode()
    assert "Einladung erneut senden" not in client.get(reverse("aqb_users:index")).content.decode()


# --- the page for a new link ----------------------------------------------------------------------


def ask_for_new_link(client, email):
    return client.post(reverse("aqb_invitation:request"), {"email": email})


def test_new_link_page_gives_the_same_answer_whether_or_not_the_address_exists(
        client, invite, provider_a, mailoutbox, django_capture_on_commit_callbacks):
    user, _link = invite()
    User.objects.filter(pk=user.pk).update(invited_at=user.invited_at - datetime.timedelta(hours=80))
    User.objects.filter(pk=provider_a.pk).update(last_login=user.invited_at)  # has logged in: no new link
    mailoutbox.clear()
    answers = []
    with django_capture_on_commit_callbacks(execute=True):
        for email in ("Neu@Example.org", "niemand@example.org", provider_a.email):
            response = ask_for_new_link(client, email)
            answers.append((response.status_code, CSRF.sub("", response.content.decode())))
    assert answers[0] == answers[1] == answers[2]
    assert answers[0][0] == 200 and "Wenn zu dieser Adresse ein Konto besteht" in answers[0][1]
    assert [mail.to for mail in mailoutbox] == [["neu@example.org"]]
    assert choose(client, LINK.search(mailoutbox[0].body).group(1), VALID).status_code == 302


def test_new_link_requests_are_not_a_mail_cannon(client, invite, mailoutbox, django_capture_on_commit_callbacks):
    invite()
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(3):
            ask_for_new_link(client, "neu@example.org")
    assert mailoutbox == []  # invited a moment ago: the same answer, no further mail


def test_the_new_link_page_is_german_and_needs_no_login(client, db):
    page = client.get(reverse("aqb_invitation:request")).content.decode()
    assert "Neuen Link anfordern" in page and "E-Mail-Adresse" in page


# --- one-time passwords ---------------------------------------------------------------------------


def test_generated_one_time_passwords_meet_the_policy():
    from aqb_monitoring.passwords import HandbookPasswordValidator

    for _ in range(200):
        HandbookPasswordValidator().validate(accounts.generate_one_time_password())
    assert len({accounts.generate_one_time_password() for _ in range(20)}) == 20


def test_a_one_time_password_must_be_changed_and_ends_the_invitation(client, invite, ze_kassel):
    user, link = invite()
    password = accounts.do_set_one_time_password(ze_kassel, user)
    user.refresh_from_db()
    assert user.check_password(password) and user.must_change_password
    assert "Dieser Link gilt nicht mehr" in client.get(link, follow=True).content.decode()
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.PASSWORD_RESET, user=user,
                                        detail__one_time_password=True).exists()


def test_a_chosen_one_time_password_must_meet_the_policy_too(invite, ze_kassel):
    user, _link = invite()
    with pytest.raises(ServiceError) as refused:
        accounts.do_set_one_time_password(ze_kassel, user, "einfach")
    assert "Es fehlen" in refused.value.messages[0]


def test_the_one_time_password_page_from_the_list(client, provider_a, ze_kassel, ze_fulda):
    url = reverse("aqb_users:one_time_password", args=[provider_a.pk])
    client.force_login(ze_fulda)
    assert client.post(url).status_code == 404
    client.force_login(ze_kassel)
    assert "Einmal-Passwort erzeugen" in client.get(url).content.decode()
    response = client.post(url)
    provider_a.refresh_from_db()
    assert provider_a.check_password(response.context["password"]) and provider_a.must_change_password


def test_new_link_requests_from_one_address_are_limited(client, ze_kassel, provider_org_a, mailoutbox,
                                                        django_capture_on_commit_callbacks, monkeypatch):
    from aqb_monitoring.users import views

    monkeypatch.setattr(views, "REQUESTS_PER_ADDRESS_AND_HOUR", 2)
    for number in range(3):
        accounts.do_create_user(ze_kassel, {"email": f"n{number}@example.org", "organisation": provider_org_a},
                                invite=False)
    with django_capture_on_commit_callbacks(execute=True):
        answers = {ask_for_new_link(client, f"n{number}@example.org").status_code for number in range(3)}
    assert answers == {200}
    assert [mail.to for mail in mailoutbox] == [["n0@example.org"], ["n1@example.org"]]
