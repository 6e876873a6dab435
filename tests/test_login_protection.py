"""The lock after failed log-ins holds per account, an address is limited across accounts, the RP unlocks."""

import pytest
from axes.models import AccessAttempt
from django.test import override_settings
from django.urls import reverse

from aqb_monitoring.models import SecurityEvent, SecurityEventKind

from .conftest import PASSWORD

LOGIN_URL = "/admin/login/"


@pytest.fixture(autouse=True)
def _no_attempts(db):
    AccessAttempt.objects.all().delete()


def post_login(client, email, password, ip="192.0.2.10"):
    return client.post(LOGIN_URL, {"username": email, "password": password}, REMOTE_ADDR=ip)


def fail_from_six_addresses(client, email):
    for number in range(1, 7):
        response = post_login(client, email, "falsch", ip=f"198.51.100.{number}")
    return response


def test_six_failures_from_six_addresses_lock_the_account(client, ze_kassel):
    fail_from_six_addresses(client, ze_kassel.email)

    response = post_login(client, ze_kassel.email, PASSWORD, ip="203.0.113.99")

    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_five_failures_do_not_lock_the_account(client, ze_kassel):
    for number in range(1, 6):
        post_login(client, ze_kassel.email, "falsch", ip=f"198.51.100.{number}")

    response = post_login(client, ze_kassel.email, PASSWORD, ip="203.0.113.99")

    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == ze_kassel.pk


def test_capitalised_and_lower_case_addresses_count_as_one_account(client, ze_kassel):
    variants = ["ZE.Kassel@example.org", "ze.kassel@example.org", "Ze.Kassel@Example.org",
                "ZE.KASSEL@EXAMPLE.ORG", " ze.kassel@example.org", "ze.kassel@EXAMPLE.org"]
    for number, variant in enumerate(variants, start=1):
        post_login(client, variant, "falsch", ip=f"198.51.100.{number}")

    assert set(AccessAttempt.objects.values_list("username", flat=True)) == {"ze.kassel@example.org"}
    assert post_login(client, "ze.kassel@example.org", PASSWORD).status_code == 429


def test_the_lock_does_not_spill_over_to_another_account(client, ze_kassel, ze_fulda):
    fail_from_six_addresses(client, ze_kassel.email)

    response = post_login(client, ze_fulda.email, PASSWORD, ip="198.51.100.1")

    assert response.status_code == 302


def test_a_successful_log_in_clears_the_accounts_count(client, ze_kassel):
    for number in range(1, 6):
        post_login(client, ze_kassel.email, "falsch", ip=f"198.51.100.{number}")
    assert post_login(client, ze_kassel.email, PASSWORD).status_code == 302
    client.logout()

    for number in range(1, 6):
        post_login(client, ze_kassel.email, "falsch", ip=f"198.51.100.{number}")

    assert post_login(client, ze_kassel.email, PASSWORD).status_code == 302


@override_settings(AQB_IP_FAILURE_LIMIT=10)
def test_one_address_trying_many_accounts_is_refused_for_every_account(client, ze_kassel):
    for number in range(10):
        post_login(client, f"unbekannt{number}@example.org", "Sommer2026!", ip="192.0.2.66")

    refused = post_login(client, ze_kassel.email, PASSWORD, ip="192.0.2.66")
    elsewhere = post_login(client, ze_kassel.email, PASSWORD, ip="192.0.2.67")

    assert refused.status_code == 429
    assert "Netzwerk" in refused.content.decode()
    assert elsewhere.status_code == 302


@override_settings(AQB_IP_FAILURE_LIMIT=10)
def test_nine_failures_from_one_address_across_accounts_still_let_a_user_in(client, ze_kassel):
    for number in range(9):
        post_login(client, f"unbekannt{number}@example.org", "Sommer2026!", ip="192.0.2.66")

    assert post_login(client, ze_kassel.email, PASSWORD, ip="192.0.2.66").status_code == 302


def test_the_default_limits_are_the_handbooks(settings):
    assert settings.AXES_FAILURE_LIMIT == 6
    assert settings.AXES_COOLOFF_TIME == 0.5
    assert settings.AQB_IP_FAILURE_LIMIT == 30
    assert settings.AXES_LOCKOUT_PARAMETERS == ["username", "ip_address"]


def test_lock_page_is_german_and_says_how_long_and_whom_to_call(client, ze_kassel, authority):
    authority.contact_email = "aqb-team@rp.example.org"
    authority.save()
    fail_from_six_addresses(client, ze_kassel.email)

    response = post_login(client, ze_kassel.email, PASSWORD)
    page = response.content.decode()

    assert response.status_code == 429
    assert "Konto vorübergehend gesperrt" in page
    assert "Die Sperre dauert 30 Minuten" in page
    assert " Uhr" in page
    assert "aqb-team@rp.example.org" in page
    for english in ("Account locked", "too many", "Please", "Wagtail"):
        assert english not in page


def test_lock_page_names_the_public_sites_contact(client, ze_kassel):
    from wagtail.models import Site

    from aqb_content.models import Contact, FooterSettings

    contact = Contact.objects.create(name="AQB-Team", email="hotline@aqb.example.org")
    footer = FooterSettings.for_site(Site.objects.get(is_default_site=True))
    footer.footer_contact = contact
    footer.save()
    fail_from_six_addresses(client, ze_kassel.email)

    page = post_login(client, ze_kassel.email, PASSWORD).content.decode()

    assert "AQB-Team" in page
    assert "hotline@aqb.example.org" in page


def test_trying_during_the_lock_does_not_prolong_it(client, ze_kassel):
    fail_from_six_addresses(client, ze_kassel.email)
    first_end = AccessAttempt.objects.order_by("-attempt_time").values_list("attempt_time", flat=True).first()

    post_login(client, ze_kassel.email, "falsch", ip="203.0.113.5")

    assert AccessAttempt.objects.order_by("-attempt_time").values_list("attempt_time", flat=True).first() == first_end


# --- the RP's "Gesperrte Konten" --------------------------------------------------------------


def test_rp_sees_the_locked_account_and_unlocks_it_after_confirming(client, ze_kassel, rp_editor):
    fail_from_six_addresses(client, ze_kassel.email)
    client.force_login(rp_editor)

    listing = client.get(reverse("aqb_security:locked")).content.decode()
    assert ze_kassel.email in listing
    assert "Landkreis Kassel" in listing

    confirm = client.get(reverse("aqb_security:unlock"), {"konto": ze_kassel.email})
    assert confirm.status_code == 200
    assert "Sperre aufheben" in confirm.content.decode()
    assert AccessAttempt.objects.filter(username=ze_kassel.email).exists()  # a GET changes nothing

    response = client.post(reverse("aqb_security:unlock"), {"konto": ze_kassel.email})
    assert response.status_code == 302
    assert not AccessAttempt.objects.filter(username=ze_kassel.email).exists()
    event = SecurityEvent.objects.get(kind=SecurityEventKind.UNLOCKED)
    assert (event.actor, event.user, event.email) == (rp_editor, ze_kassel, ze_kassel.email)
    client.logout()

    assert post_login(client, ze_kassel.email, PASSWORD).status_code == 302


@override_settings(AQB_IP_FAILURE_LIMIT=10)
def test_rp_unlocks_a_refused_address(client, ze_kassel, rp_editor):
    for number in range(10):
        post_login(client, f"unbekannt{number}@example.org", "Sommer2026!", ip="192.0.2.66")
    client.force_login(rp_editor)

    assert "192.0.2.66" in client.get(reverse("aqb_security:locked")).content.decode()
    client.post(reverse("aqb_security:unlock"), {"adresse": "192.0.2.66"})
    client.logout()

    assert post_login(client, ze_kassel.email, PASSWORD, ip="192.0.2.66").status_code == 302
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.UNLOCKED, detail__scope="address").exists()


def test_unlocking_an_account_that_is_not_locked_changes_nothing(client, ze_kassel, rp_editor):
    post_login(client, ze_kassel.email, "falsch")
    client.force_login(rp_editor)

    response = client.post(reverse("aqb_security:unlock"), {"konto": ze_kassel.email})

    assert response.status_code == 302
    assert AccessAttempt.objects.filter(username=ze_kassel.email).exists()
    assert not SecurityEvent.objects.filter(kind=SecurityEventKind.UNLOCKED).exists()


@pytest.mark.parametrize("role", ["ze_kassel", "provider_a", "provider_b"])
def test_ze_and_providers_neither_see_locks_nor_unlock(client, ze_fulda, role, request):
    fail_from_six_addresses(client, ze_fulda.email)
    client.force_login(request.getfixturevalue(role))

    assert client.get(reverse("aqb_security:locked")).status_code == 404
    assert client.get(reverse("aqb_security:unlock"), {"konto": ze_fulda.email}).status_code == 404
    assert client.post(reverse("aqb_security:unlock"), {"konto": ze_fulda.email}).status_code == 404

    assert AccessAttempt.objects.filter(username=ze_fulda.email).exists()
    assert not SecurityEvent.objects.filter(kind=SecurityEventKind.UNLOCKED).exists()


def test_locked_accounts_page_is_in_the_rps_settings_menu_only(client, rp_editor, ze_kassel):
    from django.contrib.auth.models import Permission

    access_admin = Permission.objects.get(codename="access_admin")
    for user in (rp_editor, ze_kassel):
        user.user_permissions.add(access_admin)
    client.force_login(rp_editor)
    assert reverse("aqb_security:locked") in client.get("/admin/").content.decode()
    client.force_login(ze_kassel)
    assert reverse("aqb_security:locked") not in client.get("/admin/").content.decode()
