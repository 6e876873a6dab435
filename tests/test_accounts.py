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


# --- services.accounts: who manages whom, what each step stores and logs (issue 11, mutation testing) ---------------

NOT_ALLOWED = {"__all__": ["Diesen Benutzer dürfen Sie nicht verwalten."]}


def _accounts():
    from aqb_monitoring.services import accounts

    return accounts


def _events(kind, user=None):
    from aqb_monitoring.models import SecurityEvent

    events = SecurityEvent.objects.filter(kind=kind)
    return list(events.filter(user=user) if user is not None else events)


def _request(user=None, address="203.0.113.7"):
    from django.test import RequestFactory

    request = RequestFactory().post("/", REMOTE_ADDR=address)
    request.user = user
    return request


def _refused(call):
    from aqb_monitoring.services import ServiceError

    with pytest.raises(ServiceError) as caught:
        call()
    return caught.value.errors


@pytest.fixture
def administrator(authority):
    from .conftest import make_user

    return make_user("admin@example.org", authority, is_superuser=True, is_staff=True)


def test_each_role_manages_exactly_its_organisations(rp_editor, ze_kassel, provider_a, provider_org_a, provider_org_a2,
                                                     provider_org_b, kassel, fulda, authority):
    accounts = _accounts()
    assert set(accounts.manageable_organisations(rp_editor)) == {
        authority, kassel, fulda, provider_org_a, provider_org_a2, provider_org_b}
    assert set(accounts.manageable_organisations(ze_kassel)) == {kassel, provider_org_a, provider_org_a2}
    assert list(accounts.manageable_organisations(provider_a)) == []
    assert [accounts.can_manage_users(user) for user in (rp_editor, ze_kassel, provider_a)] == [True, True, False]


def test_administrators_see_every_account_but_the_guardian_user_and_clerks_see_no_administrator(
        rp_editor, administrator, ze_kassel, ze_fulda, provider_a, provider_b):
    from aqb_monitoring.models import User

    accounts = _accounts()
    if not User.objects.filter(email__iexact="AnonymousUser").exists():  # older databases hold it
        User.objects.create(email="AnonymousUser", organisation=None)
    everyone = {rp_editor, administrator, ze_kassel, ze_fulda, provider_a, provider_b}
    assert set(accounts.manageable_users(administrator)) == everyone
    assert set(accounts.manageable_users(rp_editor)) == everyone - {administrator}
    assert set(accounts.manageable_users(ze_kassel)) == {ze_kassel, provider_a}
    assert list(accounts.manageable_users(provider_a)) == []
    administrator.is_active = False  # a deactivated administrator manages nobody
    assert list(accounts.manageable_users(administrator)) == []


def test_a_provider_may_create_nobody(provider_a, provider_org_a):
    assert _accounts().check_create_user(provider_a, {"organisation": provider_org_a, "email": "neu@example.org"}) == {
        "__all__": ["Sie dürfen keine Benutzer anlegen."]}


def test_creating_a_user_names_every_missing_or_foreign_value(ze_kassel, provider_b, provider_org_b):
    accounts = _accounts()
    assert accounts.check_create_user(ze_kassel, {"email": "  "}) == {
        "organisation": ["Bitte wählen Sie die Organisation des Benutzers."],
        "email": ["Bitte geben Sie die E-Mail-Adresse an."]}
    assert accounts.check_create_user(ze_kassel, {"organisation": provider_org_b, "email": "Traeger.B@Example.org "}) == {
        "organisation": ["Benutzer dieser Organisation dürfen Sie nicht anlegen oder verwalten."],
        "email": ["Zu dieser E-Mail-Adresse gibt es bereits ein Konto."]}


def test_a_created_user_belongs_to_exactly_its_organisations_group_and_is_logged(
        ze_kassel, provider_org_a, django_capture_on_commit_callbacks, mailoutbox):
    from aqb_monitoring.models import SecurityEventKind

    with django_capture_on_commit_callbacks(execute=True):
        user = _accounts().do_create_user(
            ze_kassel, {"organisation": provider_org_a, "email": "  Nina.Neu@Example.ORG ", "first_name": " Nina ",
                        "last_name": " Neu "}, invite=False, request=_request(ze_kassel))
    user.refresh_from_db()
    assert (user.email, user.first_name, user.last_name, user.organisation) == (
        "nina.neu@example.org", "Nina", "Neu", provider_org_a)
    assert user.is_active and not user.is_staff and not user.is_superuser and not user.has_usable_password()
    assert list(user.groups.all()) == [provider_org_a.group]
    [event] = _events(SecurityEventKind.USER_CREATED, user)
    assert (event.actor, event.email, event.ip_address, event.detail) == (
        ze_kassel, "nina.neu@example.org", "203.0.113.7", {"organisation": "Bildungswerk Nordhessen"})
    assert _events(SecurityEventKind.INVITATION_SENT) == [] and user.invited_at is None and mailoutbox == []


def test_a_created_user_without_names_gets_empty_names_and_an_invitation_by_default(
        ze_kassel, provider_org_a, django_capture_on_commit_callbacks, mailoutbox):
    from aqb_monitoring.models import SecurityEventKind

    with django_capture_on_commit_callbacks(execute=True):
        user = _accounts().do_create_user(ze_kassel, {"organisation": provider_org_a, "email": "neu@example.org"})
    user.refresh_from_db()
    assert (user.first_name, user.last_name) == ("", "")
    assert user.invited_at is not None
    [event] = _events(SecurityEventKind.INVITATION_SENT, user)
    assert event.actor == ze_kassel and event.detail == {"requested_by_user": False}
    assert [mail.to for mail in mailoutbox] == [["neu@example.org"]]


def test_a_refused_creation_stores_nothing(ze_kassel, provider_org_b):
    from aqb_monitoring.models import SecurityEvent, User

    errors = _refused(lambda: _accounts().do_create_user(ze_kassel, {"organisation": provider_org_b, "email": "x@example.org"}))
    assert errors == {"organisation": ["Benutzer dieser Organisation dürfen Sie nicht anlegen oder verwalten."]}
    assert not User.objects.filter(email="x@example.org").exists() and not SecurityEvent.objects.exists()


def test_an_address_taken_by_a_second_click_at_the_same_moment_is_refused_in_german(
        ze_kassel, provider_a, provider_org_a, monkeypatch):
    from aqb_monitoring.models import User

    accounts = _accounts()
    monkeypatch.setattr(accounts, "check_create_user", lambda actor, values: {})  # the other click passed it too
    errors = _refused(lambda: accounts.do_create_user(ze_kassel, {"organisation": provider_org_a,
                                                                  "email": provider_a.email}, invite=False))
    assert errors == {"email": ["Zu dieser E-Mail-Adresse gibt es bereits ein Konto."]}
    assert User.objects.filter(email=provider_a.email).count() == 1


def test_an_update_outside_the_scope_is_refused_and_changes_nothing(ze_kassel, provider_b, fulda):
    from aqb_monitoring.models import SecurityEvent

    values = {"organisation": fulda, "email": "neu.b@example.org", "first_name": "X"}
    assert _accounts().check_update_user(ze_kassel, provider_b, values) == NOT_ALLOWED
    assert _refused(lambda: _accounts().do_update_user(ze_kassel, provider_b, values)) == NOT_ALLOWED
    provider_b.refresh_from_db()
    assert provider_b.email == "traeger.b@example.org" and provider_b.first_name == ""
    assert not SecurityEvent.objects.exists()


def test_nobody_changes_their_own_organisation_but_may_keep_it(ze_kassel, kassel, provider_org_a):
    accounts = _accounts()
    assert accounts.check_update_user(ze_kassel, ze_kassel, {"organisation": provider_org_a, "email": ze_kassel.email}) == {
        "organisation": ["Ihre eigene Organisation können Sie nicht ändern."]}
    assert accounts.check_update_user(ze_kassel, ze_kassel, {"organisation": kassel, "email": ze_kassel.email}) == {}


def test_an_update_logs_each_changed_field_with_old_and_new_value(ze_kassel, provider_a, provider_org_a):
    from aqb_monitoring.models import SecurityEventKind

    _accounts().do_update_user(ze_kassel, provider_a, {"organisation": provider_org_a, "email": " Neu.A@Example.org",
                                                       "first_name": " Anna ", "last_name": ""},
                               request=_request(ze_kassel))
    provider_a.refresh_from_db()
    assert (provider_a.email, provider_a.first_name, provider_a.last_name) == ("neu.a@example.org", "Anna", "")
    [event] = _events(SecurityEventKind.USER_CHANGED, provider_a)
    assert event.actor == ze_kassel and event.ip_address == "203.0.113.7"
    assert event.detail == {"changes": {"first_name": ["", "Anna"], "email": ["traeger.a@example.org", "neu.a@example.org"]}}
    assert _events(SecurityEventKind.ORGANISATION_CHANGED) == []
    assert list(provider_a.groups.all()) == [provider_org_a.group]


def test_an_unchanged_update_logs_nothing(ze_kassel, provider_a, provider_org_a):
    from aqb_monitoring.models import SecurityEvent

    _accounts().do_update_user(ze_kassel, provider_a, {"organisation": provider_org_a, "email": provider_a.email})
    assert not SecurityEvent.objects.exists()


def test_moving_a_user_to_another_provider_swaps_the_group_and_logs_both_names(
        ze_kassel, provider_a, provider_org_a2):
    from aqb_monitoring.models import SecurityEventKind

    _accounts().do_update_user(ze_kassel, provider_a, {"organisation": provider_org_a2, "email": provider_a.email},
                               request=_request(ze_kassel))
    provider_a.refresh_from_db()
    assert provider_a.organisation == provider_org_a2
    assert list(provider_a.groups.all()) == [provider_org_a2.group]
    [event] = _events(SecurityEventKind.ORGANISATION_CHANGED, provider_a)
    assert (event.actor, event.ip_address) == (ze_kassel, "203.0.113.7")
    assert event.detail == {"before": "Bildungswerk Nordhessen", "after": "Jugendwerkstatt Kassel"}
    assert _events(SecurityEventKind.USER_CHANGED) == []


def test_a_user_without_organisation_gets_one_and_its_group(administrator, kassel):
    from aqb_monitoring.models import SecurityEventKind, User

    orphan = User.objects.create_user(email="ohne@example.org", password=PASSWORD, organisation=None)
    _accounts().do_update_user(administrator, orphan, {"organisation": kassel, "email": orphan.email})
    orphan.refresh_from_db()
    assert orphan.organisation == kassel and list(orphan.groups.all()) == [kassel.group]
    [event] = _events(SecurityEventKind.ORGANISATION_CHANGED, orphan)
    assert event.detail == {"before": "", "after": "Landkreis Kassel"}


def test_deactivation_is_refused_outside_the_scope_for_oneself_and_twice(ze_kassel, provider_a, provider_b):
    from aqb_monitoring.models import SecurityEvent

    accounts = _accounts()
    assert _refused(lambda: accounts.do_deactivate_user(ze_kassel, provider_b)) == NOT_ALLOWED
    assert accounts.check_deactivate_user(ze_kassel, ze_kassel) == {
        "__all__": ["Ihr eigenes Konto können Sie nicht deaktivieren."]}
    provider_b.refresh_from_db()
    assert provider_b.is_active and not SecurityEvent.objects.exists()
    accounts.do_deactivate_user(ze_kassel, provider_a)
    provider_a.refresh_from_db()
    assert accounts.check_deactivate_user(ze_kassel, provider_a) == {"__all__": ["Das Konto ist bereits deaktiviert."]}


def test_deactivation_and_reactivation_are_stored_and_logged(ze_kassel, provider_a):
    from aqb_monitoring.models import SecurityEventKind

    accounts = _accounts()
    assert accounts.check_reactivate_user(ze_kassel, provider_a) == {"__all__": ["Das Konto ist bereits aktiv."]}
    accounts.do_deactivate_user(ze_kassel, provider_a, request=_request(ze_kassel))
    provider_a.refresh_from_db()
    assert not provider_a.is_active
    [event] = _events(SecurityEventKind.USER_DEACTIVATED, provider_a)
    assert (event.actor, event.ip_address, event.detail) == (ze_kassel, "203.0.113.7", {})
    accounts.do_reactivate_user(ze_kassel, provider_a, request=_request(ze_kassel, "198.51.100.2"))
    provider_a.refresh_from_db()
    assert provider_a.is_active
    [event] = _events(SecurityEventKind.USER_REACTIVATED, provider_a)
    assert (event.actor, event.ip_address) == (ze_kassel, "198.51.100.2")


def test_reactivation_outside_the_scope_is_refused_and_changes_nothing(ze_kassel, provider_b):
    from aqb_monitoring.models import User

    User.objects.filter(pk=provider_b.pk).update(is_active=False)
    assert _refused(lambda: _accounts().do_reactivate_user(ze_kassel, provider_b)) == NOT_ALLOWED
    provider_b.refresh_from_db()
    assert not provider_b.is_active


def test_an_invitation_goes_only_to_active_users_who_never_logged_in(ze_kassel, provider_a, provider_b):
    from django.utils import timezone

    accounts = _accounts()
    assert accounts.check_send_invitation(ze_kassel, provider_b) == NOT_ALLOWED
    assert accounts.check_send_invitation(None, provider_b) == {}  # asked for on the public page: no scope
    assert accounts.check_send_invitation(ze_kassel, provider_a) == {}
    provider_a.last_login = timezone.now()
    assert accounts.check_send_invitation(ze_kassel, provider_a) == {"__all__": [
        "Der Benutzer hat sich bereits angemeldet; er kann „Passwort vergessen?“ nutzen."]}
    provider_a.is_active = False
    assert accounts.check_send_invitation(None, provider_a) == {"__all__": [
        "Deaktivierte Benutzer erhalten keine Einladung."]}


def test_an_invitation_is_noted_logged_and_mailed_after_the_commit(
        provider_a, django_capture_on_commit_callbacks, mailoutbox):
    from aqb_monitoring.models import SecurityEventKind

    with django_capture_on_commit_callbacks(execute=True):
        _accounts().do_send_invitation(None, provider_a, request=_request(None, "192.0.2.9"))
        assert mailoutbox == []
    provider_a.refresh_from_db()
    assert provider_a.invited_at is not None
    [event] = _events(SecurityEventKind.INVITATION_SENT, provider_a)
    assert (event.actor, event.ip_address, event.detail) == (None, "192.0.2.9", {"requested_by_user": True})
    assert [mail.to for mail in mailoutbox] == [["traeger.a@example.org"]]


def test_a_refused_invitation_notes_and_sends_nothing(ze_kassel, provider_b, django_capture_on_commit_callbacks,
                                                      mailoutbox):
    from aqb_monitoring.models import SecurityEvent

    with django_capture_on_commit_callbacks(execute=True):
        assert _refused(lambda: _accounts().do_send_invitation(ze_kassel, provider_b)) == NOT_ALLOWED
    provider_b.refresh_from_db()
    assert provider_b.invited_at is None and mailoutbox == [] and not SecurityEvent.objects.exists()


@pytest.mark.parametrize("length", [14, 20])
def test_a_generated_one_time_password_meets_the_policy_and_has_the_asked_length(db, length):
    from django.contrib.auth.password_validation import validate_password

    accounts = _accounts()
    passwords = [accounts.generate_one_time_password(length) for _ in range(30)]
    for password in passwords:
        validate_password(password)
        assert len(password) == length and "'" not in password
    assert len(set(passwords)) == 30
    assert len(accounts.generate_one_time_password()) == 14
    assert len(accounts.generate_one_time_password(4)) == 8  # never shorter than its two of each kind


def test_a_one_time_password_is_refused_outside_the_scope_for_a_deactivated_user_or_against_the_policy(
        ze_kassel, provider_a, provider_b):
    accounts = _accounts()
    assert accounts.check_set_one_time_password(ze_kassel, provider_b, "Ab12!!cdEF") == NOT_ALLOWED
    assert accounts.check_set_one_time_password(ze_kassel, provider_a, "abc") == {"password": [
        "Das Passwort erfüllt die Regeln nicht. Es fehlen: mindestens 8 Zeichen, mindestens zwei Ziffern, mindestens "
        "zwei Großbuchstaben, mindestens zwei dieser Sonderzeichen: ! $ ' # %."]}
    provider_a.is_active = False
    assert accounts.check_set_one_time_password(ze_kassel, provider_a, "Ab12!!cdEF") == {"__all__": [
        "Das Konto ist deaktiviert."]}


def test_a_one_time_password_must_be_changed_at_the_first_log_in_and_is_logged(ze_kassel, provider_a):
    from aqb_monitoring.models import SecurityEventKind

    password = _accounts().do_set_one_time_password(ze_kassel, provider_a, request=_request(ze_kassel))
    provider_a.refresh_from_db()
    assert len(password) == 14 and provider_a.check_password(password) and provider_a.must_change_password
    [event] = _events(SecurityEventKind.PASSWORD_RESET, provider_a)
    assert (event.actor, event.ip_address, event.detail) == (ze_kassel, "203.0.113.7", {"one_time_password": True})
    assert _accounts().do_set_one_time_password(ze_kassel, provider_a, "Xy34$$abCD") == "Xy34$$abCD"
    provider_a.refresh_from_db()
    assert provider_a.check_password("Xy34$$abCD") and provider_a.must_change_password


def test_a_refused_one_time_password_changes_nothing(ze_kassel, provider_b):
    from aqb_monitoring.models import SecurityEvent

    assert _refused(lambda: _accounts().do_set_one_time_password(ze_kassel, provider_b, "Xy34$$abCD")) == NOT_ALLOWED
    provider_b.refresh_from_db()
    assert provider_b.check_password(PASSWORD) and not provider_b.must_change_password
    assert not SecurityEvent.objects.exists()


@pytest.mark.parametrize("via", ["invitation", None])
def test_a_password_chosen_by_the_user_ends_the_obligation_and_is_logged(provider_a, via):
    from django.contrib.auth.forms import SetPasswordForm
    from django.contrib.auth.models import AnonymousUser

    from aqb_monitoring.models import SecurityEventKind, User

    User.objects.filter(pk=provider_a.pk).update(must_change_password=True)
    provider_a.refresh_from_db()
    form = SetPasswordForm(provider_a, {"new_password1": "Neu56##pqRS", "new_password2": "Neu56##pqRS"})
    assert form.is_valid(), form.errors
    kwargs = {"via": via} if via else {}
    # the invitation link is opened without a log-in; the forced change happens logged in
    request = _request(AnonymousUser() if via == "invitation" else provider_a)
    _accounts().do_choose_password(provider_a, form, request=request, **kwargs)
    provider_a.refresh_from_db()
    assert provider_a.check_password("Neu56##pqRS") and not provider_a.must_change_password
    # (the password signal logs the change outside a request as well, without an address)
    [event] = [event for event in _events(SecurityEventKind.PASSWORD_CHANGED, provider_a) if event.ip_address]
    assert (event.actor, event.ip_address, event.detail) == (provider_a, "203.0.113.7", {"via": via or "change"})


def test_nobody_is_manageable_without_a_user(ze_kassel):
    assert list(_accounts().manageable_users(None)) == []


def test_a_user_created_without_a_name_or_address_is_refused_for_the_missing_address(ze_kassel, provider_org_a):
    assert _accounts().check_create_user(ze_kassel, {"organisation": provider_org_a}) == {
        "email": ["Bitte geben Sie die E-Mail-Adresse an."]}


def test_a_user_moved_to_an_organisation_without_a_group_keeps_no_group_of_the_old_one(
        ze_kassel, provider_a, provider_org_a2):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from aqb_monitoring.models import Organisation

    Organisation.objects.filter(pk=provider_org_a2.pk).update(group=None)  # data from before the groups
    provider_org_a2.refresh_from_db()
    with CaptureQueriesContext(connection) as queries:
        _accounts().do_update_user(ze_kassel, provider_a, {"organisation": provider_org_a2, "email": provider_a.email})
    provider_a.refresh_from_db()
    assert provider_a.organisation == provider_org_a2 and list(provider_a.groups.all()) == []
    # no membership without a group is even attempted (PostgreSQL refuses it, SQLite would drop it silently)
    memberships = provider_a.groups.through._meta.db_table
    assert not [query for query in queries if query["sql"].startswith("INSERT") and memberships in query["sql"]]


def test_the_invitation_sent_on_creation_names_the_creators_address(
        ze_kassel, provider_org_a, django_capture_on_commit_callbacks, mailoutbox):
    from aqb_monitoring.models import SecurityEventKind

    with django_capture_on_commit_callbacks(execute=True):
        user = _accounts().do_create_user(ze_kassel, {"organisation": provider_org_a, "email": "neu@example.org"},
                                          request=_request(ze_kassel))
    [event] = _events(SecurityEventKind.INVITATION_SENT, user)
    assert (event.actor, event.ip_address) == (ze_kassel, "203.0.113.7")
    assert [mail.to for mail in mailoutbox] == [["neu@example.org"]]


def test_account_changes_made_outside_a_request_still_name_who_made_them(ze_kassel, provider_a, provider_org_a):
    """Demo data and the shell call the services without a request: no address, but always the acting user."""
    from aqb_monitoring.models import SecurityEvent, SecurityEventKind

    accounts = _accounts()
    created = accounts.do_create_user(ze_kassel, {"organisation": provider_org_a, "email": "neu@example.org"},
                                      invite=False)
    accounts.do_update_user(ze_kassel, provider_a, {"organisation": provider_org_a, "email": provider_a.email,
                                                    "first_name": "Anna"})
    accounts.do_deactivate_user(ze_kassel, provider_a)
    accounts.do_reactivate_user(ze_kassel, provider_a)
    accounts.do_set_one_time_password(ze_kassel, created)
    # (setting a password also logs PASSWORD_CHANGED through the password signal, tested elsewhere)
    events = SecurityEvent.objects.exclude(kind=SecurityEventKind.PASSWORD_CHANGED).order_by("pk")
    assert [(event.kind, event.user, event.actor, event.ip_address) for event in events] == [
        (SecurityEventKind.USER_CREATED, created, ze_kassel, None),
        (SecurityEventKind.USER_CHANGED, provider_a, ze_kassel, None),
        (SecurityEventKind.USER_DEACTIVATED, provider_a, ze_kassel, None),
        (SecurityEventKind.USER_REACTIVATED, provider_a, ze_kassel, None),
        (SecurityEventKind.PASSWORD_RESET, created, ze_kassel, None),
    ]


def test_an_invitation_does_not_undo_a_change_saved_meanwhile(ze_kassel, provider_a):
    from aqb_monitoring.models import User

    shown = User.objects.get(pk=provider_a.pk)  # the page with the button was loaded before the change
    User.objects.filter(pk=provider_a.pk).update(first_name="Anna", must_change_password=True)
    _accounts().do_send_invitation(ze_kassel, shown)
    provider_a.refresh_from_db()
    assert provider_a.invited_at is not None
    assert (provider_a.first_name, provider_a.must_change_password) == ("Anna", True)


def test_an_invitation_stays_noted_when_its_mail_cannot_be_queued(
        ze_kassel, provider_a, monkeypatch, django_capture_on_commit_callbacks, mailoutbox):
    from django.db import DatabaseError

    from aqb_monitoring.models import SecurityEventKind
    from aqb_monitoring.users import invitations

    class UnreachableQueue:
        def enqueue(self, user_id):
            raise DatabaseError("Warteschlange nicht erreichbar")

    monkeypatch.setattr(invitations, "send_invitation_mail", UnreachableQueue())
    with django_capture_on_commit_callbacks(execute=True):  # the error is logged, the request does not fail
        _accounts().do_send_invitation(ze_kassel, provider_a)
    provider_a.refresh_from_db()
    assert provider_a.invited_at is not None and mailoutbox == []
    assert len(_events(SecurityEventKind.INVITATION_SENT, provider_a)) == 1


def test_a_one_time_password_draws_each_kind_from_that_kind_alone_every_character_equally_likely(monkeypatch):
    import random
    import string

    from aqb_monitoring.passwords import SPECIAL_CHARACTERS

    pools = []

    class WatchedRandom(random.SystemRandom):
        def choice(self, seq):
            pools.append(seq)
            return super().choice(seq)

    accounts = _accounts()
    monkeypatch.setattr(accounts.secrets, "SystemRandom", WatchedRandom)
    accounts.generate_one_time_password(10)
    kinds = [string.ascii_lowercase] * 2 + [string.ascii_uppercase] * 2 + [string.digits] * 2 + [SPECIAL_CHARACTERS] * 2
    assert len(pools) == 10
    for pool, kind in zip(pools, kinds + [string.ascii_letters + string.digits] * 2, strict=True):
        assert set(pool) <= set(kind) and len(set(pool)) == len(pool)  # no character drawn more often than another
        assert not set(pool) & set("0O1lI'")  # no look-alikes to misread when the password is passed on


def test_a_one_time_password_like_the_users_address_is_refused(ze_kassel, provider_a):
    errors = _accounts().check_set_one_time_password(ze_kassel, provider_a, "TRaeger12!!")
    assert errors == {"password": ["Das Passwort ist zu ähnlich zu E-Mail-Adresse."]}
