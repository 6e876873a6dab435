"""The forced change after a one-time password (issue 13): every admin URL leads to the change form first.

The walk takes every admin URL pattern from Django's resolver (Wagtail's and ours, parameters filled
with the ids of real objects where they fit), so a page added later is covered without a list here.
"""

import re

import pytest
from django.urls import get_resolver, reverse

from aqb_monitoring.models import Participant, SecurityEvent, SecurityEventKind
from aqb_monitoring.services import accounts

from .conftest import make_participant
from .test_admin_scope import walk

NEW_PASSWORD = "Eigen##Pw42ab"
CHANGE_FORM = "/admin/konto/passwort-festlegen/"
# Reachable with a one-time password: the change form, the log-out, and what the log-in page itself loads.
STILL_OPEN = {CHANGE_FORM, "/admin/logout/", "/admin/login/", "/admin/sprite/", "/admin/jsi18n/"}


@pytest.fixture
def one_time(client, provider_a, ze_kassel):
    """Provider A received a one-time password from its ZE and logs in with it through the log-in form."""
    password = accounts.do_set_one_time_password(ze_kassel, provider_a)
    response = client.post("/admin/login/", {"username": provider_a.email, "password": password})
    assert response.status_code == 302
    return password


def admin_urls(measure, participant):
    """Every admin route, its parameters filled in (the measure and participant ids, else 1 or "x")."""
    values = {"measure_pk": measure.pk, "pk": participant.pk}
    urls = set()
    for route, _name, _callback, _kwargs in walk(get_resolver().url_patterns):
        if not route.startswith("admin/") or "^" in route or "(?P" in route or "\\" in route:
            continue

        def fill(match):
            converter, name = match.group(1) or "str", match.group(2)
            if name in values:
                return str(values[name])
            return "1" if converter == "int" else "x"

        urls.add("/" + re.sub(r"<(?:(\w+):)?(\w+)>", fill, route))
    return sorted(urls)


def test_the_walk_covers_the_pages_a_user_works_with(measure_a, participant_a):
    urls = admin_urls(measure_a, participant_a)
    assert len(urls) > 300
    for expected in ("/admin/", "/admin/account/", f"/admin/monitoring/massnahmen/{measure_a.pk}/",
                     f"/admin/monitoring/massnahmen/{measure_a.pk}/teilnehmende/neu/",
                     f"/admin/monitoring/massnahmen/{measure_a.pk}/teilnehmende/{participant_a.pk}/",
                     "/admin/monitoring/", "/admin/benutzer/", "/admin/pages/", "/admin/users/"):
        assert expected in urls, expected


def test_every_admin_url_leads_to_the_change_form_until_a_new_password_is_chosen(
        client, one_time, measure_a, participant_a):
    for url in admin_urls(measure_a, participant_a):
        if url in STILL_OPEN:
            continue
        response = client.get(url)
        assert response.status_code == 302 and response["Location"] == CHANGE_FORM, (url, response.status_code)
    assert client.get(CHANGE_FORM).status_code == 200


def test_nothing_can_be_written_before_the_change(client, one_time, measure_a):
    url = reverse("aqb_monitoring:participant_add", args=[measure_a.pk])
    response = client.post(url, {"pseudonym": "BWN-0099", "entry_date": "01.02.2026"})
    assert response["Location"] == CHANGE_FORM
    assert not Participant.objects.filter(pseudonym="BWN-0099").exists()


def test_the_change_form_asks_in_german_and_applies_the_policy(client, one_time, provider_a):
    page = client.get(CHANGE_FORM).content.decode()
    assert "Einmal-Passwort" in page and "Bisheriges Passwort" in page
    response = client.post(CHANGE_FORM, {"old_password": "falsch", "new_password1": NEW_PASSWORD,
                                         "new_password2": NEW_PASSWORD})
    assert response.status_code == 200
    response = client.post(CHANGE_FORM, {"old_password": one_time, "new_password1": "nurklein",
                                         "new_password2": "nurklein"})
    assert "Es fehlen: mindestens zwei Ziffern" in response.content.decode()
    response = client.post(CHANGE_FORM, {"old_password": one_time, "new_password1": one_time,
                                         "new_password2": one_time})
    assert "anderes als das bisherige Passwort" in response.content.decode()
    provider_a.refresh_from_db()
    assert provider_a.must_change_password and provider_a.check_password(one_time)


def test_after_the_change_the_admin_opens_and_the_session_stays(client, one_time, provider_a, measure_a,
                                                                 participant_a):
    response = client.post(CHANGE_FORM, {"old_password": one_time, "new_password1": NEW_PASSWORD,
                                         "new_password2": NEW_PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("aqb_monitoring:dashboard")
    provider_a.refresh_from_db()
    assert not provider_a.must_change_password and provider_a.check_password(NEW_PASSWORD)
    for url in ("/admin/", reverse("aqb_monitoring:dashboard"), reverse("aqb_monitoring:measure", args=[measure_a.pk]),
                reverse("aqb_monitoring:participant_edit", args=[measure_a.pk, participant_a.pk]), "/admin/account/"):
        assert client.get(url).status_code == 200, url
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.PASSWORD_CHANGED, user=provider_a,
                                        detail__via="first_login").exists()


def test_the_log_out_stays_reachable(client, one_time):
    response = client.post("/admin/logout/")
    assert response.status_code == 302 and response["Location"] != CHANGE_FORM
    assert "_auth_user_id" not in client.session


def test_users_without_the_obligation_are_not_redirected(client, provider_a, measure_a, participant_a):
    client.force_login(provider_a)
    assert client.get(reverse("aqb_monitoring:dashboard")).status_code == 200
    make_participant(measure_a, "BWN-0002")
    assert client.get(reverse("aqb_monitoring:measure", args=[measure_a.pk])).status_code == 200


def test_a_password_chosen_through_password_reset_ends_the_obligation_too(client, provider_a, ze_kassel):
    from django.contrib.auth.forms import SetPasswordForm

    accounts.do_set_one_time_password(ze_kassel, provider_a)
    provider_a.refresh_from_db()
    assert provider_a.must_change_password
    form = SetPasswordForm(provider_a, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert form.is_valid()
    form.save()  # what Wagtail's "Passwort vergessen?" confirmation does
    provider_a.refresh_from_db()
    assert not provider_a.must_change_password
    accounts.do_set_one_time_password(ze_kassel, provider_a)
    provider_a.refresh_from_db()
    provider_a.set_password("Noch##Eins77ab")
    provider_a.save(update_fields=["password"])  # a save naming only the password clears it as well
    provider_a.refresh_from_db()
    assert not provider_a.must_change_password and provider_a.check_password("Noch##Eins77ab")
