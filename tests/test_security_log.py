"""The security log: every account event with who, when and from where; the RP reads and filters it, nobody edits it."""

import datetime
import re

import pytest
from axes.models import AccessAttempt
from django.test import Client, TestCase
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from aqb_monitoring.models import ImmutableError, SecurityEvent, SecurityEventKind
from aqb_monitoring.security_log import record_security_event

from .conftest import PASSWORD
from .test_sessions import NEW_PASSWORD, account_form_data, logged_in_client

LOG_URL = "/admin/sicherheit/"


@pytest.fixture(autouse=True)
def _no_attempts(db):
    AccessAttempt.objects.all().delete()


@pytest.fixture
def clerk(ze_kassel):
    from django.contrib.auth.models import Permission

    ze_kassel.user_permissions.add(Permission.objects.get(codename="access_admin"))
    return ze_kassel


def events(kind):
    return list(SecurityEvent.objects.filter(kind=kind).order_by("at", "id"))


# --- what is recorded ---------------------------------------------------------------------------


def test_log_in_is_recorded_with_who_when_and_from_where(clerk):
    before = timezone.now()
    logged_in_client(clerk, ip="192.0.2.61")

    (event,) = events(SecurityEventKind.LOGIN)
    assert (event.actor, event.user, event.email, event.ip_address) == (clerk, clerk, clerk.email, "192.0.2.61")
    assert before <= event.at <= timezone.now()


def test_failed_log_in_keeps_the_address_lower_cased_and_never_the_password(client, ze_kassel):
    client.post("/admin/login/", {"username": "ZE.Kassel@Example.org", "password": "Geheim#!Falsch99"},
                REMOTE_ADDR="192.0.2.62")
    client.post("/admin/login/", {"username": "Niemand@Example.org", "password": "Geheim#!Falsch99"},
                REMOTE_ADDR="192.0.2.62")

    known, unknown = events(SecurityEventKind.LOGIN_FAILED)
    assert (known.email, known.user, known.actor, known.ip_address) == (ze_kassel.email, ze_kassel, None, "192.0.2.62")
    assert (unknown.email, unknown.user) == ("niemand@example.org", None)
    for event in (known, unknown):
        assert "Falsch99" not in repr(event.detail) + str(event)


def test_the_lock_is_recorded_once_when_it_begins(client, ze_kassel):
    for number in range(1, 9):
        client.post("/admin/login/", {"username": ze_kassel.email, "password": "falsch"}, REMOTE_ADDR=f"198.51.100.{number}")

    (locked,) = events(SecurityEventKind.LOCKED)
    assert (locked.user, locked.email, locked.ip_address, locked.detail) == (
        ze_kassel, ze_kassel.email, "198.51.100.6", {"scope": "account"})
    failed = events(SecurityEventKind.LOGIN_FAILED)
    assert len(failed) == 8
    assert [bool(event.detail.get("refused_while_locked")) for event in failed] == [False] * 6 + [True] * 2


def test_log_out_is_recorded(clerk):
    client = logged_in_client(clerk, ip="192.0.2.63")
    client.post("/admin/logout/", REMOTE_ADDR="192.0.2.63")

    (event,) = events(SecurityEventKind.LOGOUT)
    assert (event.actor, event.user, event.ip_address) == (clerk, clerk, "192.0.2.63")


def test_password_change_by_the_user_is_recorded(clerk):
    client = logged_in_client(clerk, ip="192.0.2.64")
    data = account_form_data(client)
    data.update({"password-old_password": PASSWORD, "password-new_password1": NEW_PASSWORD,
                 "password-new_password2": NEW_PASSWORD})
    assert client.post("/admin/account/", data, REMOTE_ADDR="192.0.2.64").status_code == 302

    (event,) = events(SecurityEventKind.PASSWORD_CHANGED)
    assert (event.actor, event.user, event.ip_address, event.detail) == (clerk, clerk, "192.0.2.64", {})


def test_saving_the_account_page_without_a_new_password_records_no_change(clerk):
    client = logged_in_client(clerk)
    assert client.post("/admin/account/", account_form_data(client)).status_code == 302

    assert events(SecurityEventKind.PASSWORD_CHANGED) == []


def test_password_set_on_the_server_is_recorded_without_address(ze_kassel):
    ze_kassel.set_password(NEW_PASSWORD)
    ze_kassel.save()

    (event,) = events(SecurityEventKind.PASSWORD_CHANGED)
    assert (event.actor, event.user, event.ip_address, event.detail) == (None, ze_kassel, None, {"via": "system"})


def test_password_reset_request_and_completion_are_recorded(ze_kassel, mailoutbox):
    client = Client(REMOTE_ADDR="192.0.2.65")
    with TestCase.captureOnCommitCallbacks(execute=True):  # the mail is sent by a task after the commit
        client.post("/admin/password_reset/", {"email": ze_kassel.email})
    link = re.search(r"https?://[^/\s]+(/admin/password_reset/confirm/\S+/)", mailoutbox[0].body).group(1)
    form_url = client.get(link)["Location"]
    response = client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.status_code == 302

    (requested,) = events(SecurityEventKind.PASSWORD_RESET_REQUESTED)
    (reset,) = events(SecurityEventKind.PASSWORD_RESET)
    assert (requested.user, requested.ip_address) == (ze_kassel, "192.0.2.65")
    assert (reset.user, reset.actor, reset.ip_address) == (ze_kassel, None, "192.0.2.65")
    assert events(SecurityEventKind.PASSWORD_CHANGED) == []


# --- the RP's page --------------------------------------------------------------------------------


@pytest.fixture
def logbook(ze_kassel, ze_fulda, provider_a, rp_editor):
    """A few events of several accounts, kinds, days and addresses."""

    rows = [
        (SecurityEventKind.LOGIN, ze_kassel, "192.0.2.1", 0),
        (SecurityEventKind.LOGIN_FAILED, ze_fulda, "192.0.2.2", 1),
        (SecurityEventKind.LOCKED, ze_fulda, "10.1.2.3", 2),
        (SecurityEventKind.PASSWORD_CHANGED, provider_a, "192.0.2.4", 10),
    ]
    for kind, user, ip, days_ago in rows:
        SecurityEvent.objects.create(kind=kind, user=user, actor=user, email=user.email, ip_address=ip,
                                     at=timezone.now() - datetime.timedelta(days=days_ago))
    return rows


def listed_emails(response):
    assert response.status_code == 200
    return [event.email for event in response.context["object_list"]]


def test_rp_sees_the_log_newest_first(client, rp_editor, logbook, ze_kassel, ze_fulda, provider_a):
    client.force_login(rp_editor)  # logs a log-in of the RP user too, left out below

    response = client.get(LOG_URL)
    page = response.content.decode()

    shown = [email for email in listed_emails(response) if email != rp_editor.email]
    assert shown == [ze_kassel.email, ze_fulda.email, ze_fulda.email, provider_a.email]
    assert "Sicherheitsprotokoll" in page
    assert "Konto gesperrt" in page and "10.1.2.3" in page and "Landkreis Fulda" in page


@pytest.mark.parametrize("query,expected", [
    ({"kind": "locked"}, ["ze.fulda@example.org"]),
    ({"account": "FULDA"}, ["ze.fulda@example.org", "ze.fulda@example.org"]),
    ({"ip_address": "10.1."}, ["ze.fulda@example.org"]),
])
def test_rp_filters_by_kind_account_and_address(client, rp_editor, logbook, query, expected):
    client.force_login(rp_editor)
    assert listed_emails(client.get(LOG_URL, query)) == expected


def test_rp_filters_by_organisation(client, rp_editor, logbook, fulda):
    client.force_login(rp_editor)
    assert listed_emails(client.get(LOG_URL, {"organisation": fulda.pk})) == ["ze.fulda@example.org"] * 2


def test_rp_filters_by_dates_given_as_tt_mm_jjjj(client, rp_editor, logbook):
    client.force_login(rp_editor)
    today = timezone.localdate()
    query = {"date_from": (today - datetime.timedelta(days=11)).strftime("%d.%m.%Y"),
             "date_to": (today - datetime.timedelta(days=1)).strftime("%d.%m.%Y")}

    assert listed_emails(client.get(LOG_URL, query)) == [
        "ze.fulda@example.org", "ze.fulda@example.org", "traeger.a@example.org"]


def test_the_filtered_results_fragment_answers_too(client, rp_editor, logbook):
    client.force_login(rp_editor)
    response = client.get(reverse("aqb_security:list_results"), {"kind": "locked"})
    assert listed_emails(response) == ["ze.fulda@example.org"]


def test_the_log_is_paginated_with_a_bounded_number_of_queries(client, rp_editor, ze_kassel, django_assert_max_num_queries):
    client.force_login(rp_editor)
    SecurityEvent.objects.bulk_create([
        SecurityEvent(kind=SecurityEventKind.LOGIN, user=ze_kassel, actor=ze_kassel, email=ze_kassel.email,
                      ip_address="192.0.2.9") for _ in range(120)
    ])

    with django_assert_max_num_queries(25):
        first = client.get(LOG_URL)
    with django_assert_max_num_queries(25):
        third = client.get(LOG_URL, {"p": 3})

    assert len(first.context["object_list"]) == 50
    assert first.context["paginator"].count == 121
    assert len(third.context["object_list"]) == 21


@pytest.mark.parametrize("role", ["ze_kassel", "ze_fulda", "provider_a", "provider_b"])
def test_ze_and_providers_get_404_on_every_url_of_the_log(client, logbook, role, request):
    client.force_login(request.getfixturevalue(role))
    for url in (LOG_URL, reverse("aqb_security:list_results"), reverse("aqb_security:locked"),
                reverse("aqb_security:unlock")):
        assert client.get(url).status_code == 404, url
        assert client.post(url, {"kind": "locked"}).status_code == 404, url


def test_the_log_is_in_the_rps_settings_menu_only(client, rp_editor, clerk):
    from django.contrib.auth.models import Permission

    rp_editor.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(rp_editor)
    assert LOG_URL in client.get("/admin/").content.decode()
    client.force_login(clerk)
    assert LOG_URL not in client.get("/admin/").content.decode()


# --- nobody changes or deletes an entry ----------------------------------------------------------


def test_the_log_offers_no_edit_delete_or_history_view():
    for name in ("add", "edit", "delete", "history", "inspect"):
        with pytest.raises(NoReverseMatch):
            reverse(f"aqb_security:{name}", args=[1])


def test_entries_cannot_be_changed_or_deleted(ze_kassel):
    event = record_security_event(SecurityEventKind.LOGIN, user=ze_kassel)

    event.email = "jemand@example.org"
    with pytest.raises(ImmutableError):
        event.save()
    with pytest.raises(ImmutableError):
        event.delete()
    with pytest.raises(ImmutableError):
        SecurityEvent.objects.filter(pk=event.pk).update(email="jemand@example.org")
    with pytest.raises(ImmutableError):
        SecurityEvent.objects.all().delete()
    assert SecurityEvent.objects.get(pk=event.pk).email == ze_kassel.email


def test_posting_to_the_log_changes_nothing(client, rp_editor, logbook):
    client.force_login(rp_editor)
    before = list(SecurityEvent.objects.values_list("id", "kind", "email"))

    client.post(LOG_URL, {"kind": "login", "email": "x@example.org"})

    assert list(SecurityEvent.objects.values_list("id", "kind", "email")) == before


def test_the_rps_security_pages_speak_german_only(client, rp_editor, logbook, ze_kassel):
    from .test_admin_no_english import leftovers, visible_text

    for number in range(1, 7):
        client.post("/admin/login/", {"username": ze_kassel.email, "password": "falsch"}, REMOTE_ADDR=f"198.51.100.{number}")
    client.force_login(rp_editor)
    for url in (LOG_URL, f"{LOG_URL}?kind=locked&date_from=01.01.2026", reverse("aqb_security:locked"),
                f"{reverse('aqb_security:unlock')}?konto={ze_kassel.email}"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert leftovers(visible_text(response.content.decode())) == [], url


def run_through_middleware(rf, user, view):
    from aqb_monitoring.security_signals import CurrentRequestMiddleware

    request = rf.post("/admin/irgendwo/", REMOTE_ADDR="192.0.2.70")
    request.user = user
    return CurrentRequestMiddleware(view)(request)


def test_a_password_change_its_code_logs_itself_is_logged_once(rf, ze_kassel):
    from django.http import HttpResponse

    def view(request):
        ze_kassel.set_password(NEW_PASSWORD)
        ze_kassel.save()
        record_security_event(SecurityEventKind.PASSWORD_CHANGED, request=request, actor=ze_kassel, user=ze_kassel,
                              via="invitation")
        return HttpResponse()

    run_through_middleware(rf, ze_kassel, view)

    (event,) = events(SecurityEventKind.PASSWORD_CHANGED)
    assert (event.detail, event.ip_address) == ({"via": "invitation"}, "192.0.2.70")


def test_a_password_change_that_was_rolled_back_is_not_logged(rf, ze_kassel):
    from django.db import transaction
    from django.http import HttpResponse

    def view(request):
        try:
            with transaction.atomic():
                ze_kassel.set_password(NEW_PASSWORD)
                ze_kassel.save()
                raise RuntimeError("Speichern abgebrochen")
        except RuntimeError:
            pass
        return HttpResponse()

    run_through_middleware(rf, ze_kassel, view)

    assert events(SecurityEventKind.PASSWORD_CHANGED) == []


@pytest.mark.parametrize("detail,text", [
    ({"scope": "address"}, "Sperre der IP-Adresse"),
    ({"refused_while_locked": True}, "abgewiesen, Sperre aktiv"),
    ({"throttled": True}, "keine E-Mail: Höchstzahl erreicht"),
    ({"one_time_password": True}, "Einmal-Passwort vergeben"),
    ({"via": "invitation"}, "über die Einladung"),
    ({"before": "Landkreis Kassel", "after": "Landkreis Fulda"}, "von „Landkreis Kassel“ zu „Landkreis Fulda“"),
    ({"changes": {"email": ["alt@example.org", "neu@example.org"]}}, "E-Mail-Adresse: alt@example.org → neu@example.org"),
    ({"some_internal_key": "x"}, ""),
])
def test_details_are_shown_in_german(detail, text):
    from aqb_monitoring.security_admin import describe_detail

    assert describe_detail(SecurityEvent(kind=SecurityEventKind.LOGIN, detail=detail)) == text
