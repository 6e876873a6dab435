"""The "Benutzer" pages (issue 13): each role manages exactly the users of its scope, nobody widens access.

RP: every organisation; a grant recipient's users: their own organisation and its providers;
providers: nobody. Every other user's URL answers 404 and nothing is saved. Wagtail's own user
and group admin is left to superusers (the RP's administrators).
"""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from aqb_monitoring.models import Organisation, OrganisationKind, SecurityEvent, SecurityEventKind, User
from aqb_monitoring.services import accounts
from aqb_monitoring.services.common import ServiceError

from .conftest import make_user


@pytest.fixture
def everyone(rp_editor, ze_kassel, ze_fulda, provider_a, provider_a2, provider_b):
    return {"rp": rp_editor, "ze_kassel": ze_kassel, "ze_fulda": ze_fulda, "provider_a": provider_a,
            "provider_a2": provider_a2, "provider_b": provider_b}


# What the user pages record (log-ins and log-outs of the tests' sessions are recorded too).
ACCOUNT_KINDS = [SecurityEventKind.USER_CREATED, SecurityEventKind.USER_CHANGED, SecurityEventKind.USER_DEACTIVATED,
                 SecurityEventKind.USER_REACTIVATED, SecurityEventKind.ORGANISATION_CHANGED,
                 SecurityEventKind.INVITATION_SENT, SecurityEventKind.PASSWORD_RESET]


def as_user(client, user, url, method="get", data=None):
    client.force_login(user)
    response = getattr(client, method)(url, data or {})
    client.logout()
    return response


def new_user_data(organisation, email="neu@example.org", **extra):
    return {"first_name": "Nina", "last_name": "Neu", "email": email, "organisation": organisation.pk,
            "access": "invite", **extra}


# --- scope --------------------------------------------------------------------------------------


def test_grant_recipient_manages_its_own_organisation_and_its_providers_only(everyone, kassel, provider_org_a,
                                                                               provider_org_a2):
    ze = everyone["ze_kassel"]
    assert set(accounts.manageable_organisations(ze)) == {kassel, provider_org_a, provider_org_a2}
    assert set(accounts.manageable_users(ze)) == {ze, everyone["provider_a"], everyone["provider_a2"]}


def test_rp_manages_every_organisation_but_not_the_administrators(everyone):
    admin = User.objects.create_superuser(email="admin@example.org", password="x")
    managed = set(accounts.manageable_users(everyone["rp"]))
    assert set(everyone.values()) <= managed
    assert admin not in managed
    assert admin in set(accounts.manageable_users(admin))


def test_providers_manage_nobody(everyone):
    assert not accounts.manageable_organisations(everyone["provider_a"]).exists()
    assert not accounts.manageable_users(everyone["provider_a"]).exists()


def test_the_technical_guardian_user_is_never_listed(client, everyone, authority):
    User.objects.update_or_create(email="AnonymousUser", defaults={"organisation": authority})
    superuser = User.objects.create_superuser(email="admin@example.org", password="x")
    for viewer in (everyone["rp"], superuser):
        page = as_user(client, viewer, reverse("aqb_users:index")).content.decode()
        assert "AnonymousUser" not in page
        assert everyone["provider_b"].email in page


# --- the list -----------------------------------------------------------------------------------


def test_list_shows_each_user_only_the_users_they_may_manage(client, everyone):
    page = as_user(client, everyone["ze_kassel"], reverse("aqb_users:index")).content.decode()
    assert everyone["provider_a"].email in page and everyone["provider_a2"].email in page
    assert everyone["provider_b"].email not in page and everyone["ze_fulda"].email not in page
    assert everyone["rp"].email not in page
    page = as_user(client, everyone["rp"], reverse("aqb_users:index")).content.decode()
    assert all(user.email in page for user in everyone.values())


def test_list_shows_last_login_and_pending_or_expired_invitation(client, everyone, kassel, settings):
    import datetime

    from django.utils import timezone

    pending = accounts.do_create_user(everyone["ze_kassel"], {"email": "offen@example.org", "organisation": kassel})
    expired = accounts.do_create_user(everyone["ze_kassel"], {"email": "alt@example.org", "organisation": kassel})
    User.objects.filter(pk=expired.pk).update(invited_at=timezone.now() - datetime.timedelta(hours=73))
    User.objects.filter(pk=everyone["provider_a"].pk).update(last_login=timezone.make_aware(
        datetime.datetime(2026, 3, 4, 9, 30)))
    page = as_user(client, everyone["ze_kassel"], reverse("aqb_users:index")).content.decode()
    row = {user: page.split(f'data-user="{user.pk}"')[1].split("</tr>")[0] for user in (pending, expired)}
    assert "offen (gültig bis" in row[pending] and "noch nie" in row[pending]
    assert "abgelaufen" in row[expired]
    assert "04.03.2026" in page
    assert "Einladung erneut senden" in row[pending]


def test_list_needs_few_queries(client, everyone, kassel, django_assert_max_num_queries):
    for number in range(15):
        make_user(f"ks{number}@example.org", kassel)
    client.force_login(everyone["rp"])
    with django_assert_max_num_queries(25):
        assert client.get(reverse("aqb_users:index")).status_code == 200


def test_providers_have_no_user_pages_and_no_menu_entry(client, everyone, provider_org_a):
    provider = everyone["provider_a"]
    assert as_user(client, provider, reverse("aqb_users:index")).status_code == 404
    response = as_user(client, provider, reverse("aqb_users:add"), "post", new_user_data(provider_org_a))
    assert response.status_code == 404
    assert not User.objects.filter(email="neu@example.org").exists()
    assert as_user(client, provider, reverse("aqb_users:edit", args=[provider.pk])).status_code == 404
    assert '"/admin/benutzer/"' not in as_user(client, provider, "/admin/").content.decode()
    assert '"/admin/benutzer/"' in as_user(client, everyone["ze_kassel"], "/admin/").content.decode()


# --- create -------------------------------------------------------------------------------------


def test_grant_recipient_creates_a_provider_login_with_only_the_providers_group(
        client, everyone, provider_org_a, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = as_user(client, everyone["ze_kassel"], reverse("aqb_users:add"), "post",
                           new_user_data(provider_org_a, email="Neu@Example.org", is_superuser="on",
                                         is_staff="on", groups=[Group.objects.first().pk]))
    assert response.status_code == 302
    user = User.objects.get(email="neu@example.org")
    assert user.organisation == provider_org_a
    assert list(user.groups.all()) == [provider_org_a.group]
    assert not user.is_superuser and not user.is_staff and not user.has_usable_password()
    assert user.invited_at is not None
    assert [message.to for message in mailoutbox] == [["neu@example.org"]]
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.USER_CREATED, user=user,
                                        actor=everyone["ze_kassel"]).exists()
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.INVITATION_SENT, user=user).exists()


@pytest.mark.parametrize("target", ["fulda", "provider_org_b", "authority"])
def test_grant_recipient_cannot_create_users_of_another_organisation_or_the_rp(request, client, everyone, target):
    organisation = request.getfixturevalue(target)
    response = as_user(client, everyone["ze_kassel"], reverse("aqb_users:add"), "post", new_user_data(organisation))
    assert response.status_code == 200
    assert "Auswahl" in response.content.decode() or "nicht" in response.content.decode()
    assert not User.objects.filter(email="neu@example.org").exists()


def test_organisation_choices_are_only_the_manageable_ones(client, everyone):
    form = as_user(client, everyone["ze_kassel"], reverse("aqb_users:add")).context["form"]
    names = {organisation.name for organisation in form.fields["organisation"].queryset}
    assert names == {"Landkreis Kassel", "Bildungswerk Nordhessen", "Jugendwerkstatt Kassel"}
    assert set(form.fields) == {"first_name", "last_name", "email", "organisation", "access"}


def test_rp_creates_a_grant_recipient_user_and_never_a_superuser(client, everyone, fulda):
    response = as_user(client, everyone["rp"], reverse("aqb_users:add"), "post",
                       new_user_data(fulda, is_superuser="on"))
    assert response.status_code == 302
    user = User.objects.get(email="neu@example.org")
    assert not user.is_superuser and list(user.groups.all()) == [fulda.group]


def test_an_address_that_has_an_account_is_refused_in_any_case(client, everyone, kassel):
    response = as_user(client, everyone["ze_kassel"], reverse("aqb_users:add"), "post",
                       new_user_data(kassel, email="Traeger.A@example.org"))
    assert "Zu dieser E-Mail-Adresse gibt es bereits ein Konto." in response.content.decode()
    assert User.objects.filter(email__iexact="traeger.a@example.org").count() == 1


def test_create_with_a_one_time_password_shows_it_once(client, everyone, provider_org_a, mailoutbox,
                                                      django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = as_user(client, everyone["ze_kassel"], reverse("aqb_users:add"), "post",
                           new_user_data(provider_org_a, access="password"))
    assert response.status_code == 200
    password = response.context["password"]
    user = User.objects.get(email="neu@example.org")
    assert user.check_password(password) and user.must_change_password
    assert password in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    assert mailoutbox == []
    assert password not in as_user(client, everyone["ze_kassel"], reverse("aqb_users:index")).content.decode()


# --- edit ---------------------------------------------------------------------------------------


def edit_data(user, **changes):
    data = {"first_name": user.first_name or "Vor", "last_name": user.last_name or "Nach", "email": user.email,
            "organisation": user.organisation_id}
    data.update(changes)
    return data


def test_grant_recipient_edits_its_providers_user_and_moves_it_to_its_other_provider(client, everyone,
                                                                                   provider_org_a2):
    user = everyone["provider_a"]
    response = as_user(client, everyone["ze_kassel"], reverse("aqb_users:edit", args=[user.pk]), "post",
                       edit_data(user, last_name="Neuname", organisation=provider_org_a2.pk))
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.last_name == "Neuname" and user.organisation == provider_org_a2
    assert list(user.groups.all()) == [provider_org_a2.group]
    event = SecurityEvent.objects.get(kind=SecurityEventKind.ORGANISATION_CHANGED, user=user)
    assert event.detail == {"before": "Bildungswerk Nordhessen", "after": "Jugendwerkstatt Kassel"}
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.USER_CHANGED, user=user).exists()


def test_grant_recipient_cannot_give_a_user_another_grant_recipients_organisation(client, everyone, fulda,
                                                                                  provider_org_b):
    user = everyone["provider_a"]
    for organisation in (fulda, provider_org_b):
        response = as_user(client, everyone["ze_kassel"], reverse("aqb_users:edit", args=[user.pk]), "post",
                           edit_data(user, organisation=organisation.pk))
        assert response.status_code == 200
    user.refresh_from_db()
    assert user.organisation.name == "Bildungswerk Nordhessen"
    assert list(user.groups.all()) == [user.organisation.group]


def test_users_outside_the_scope_answer_404_and_stay_unchanged(client, everyone):
    stranger_cases = [("ze_kassel", "provider_b"), ("ze_kassel", "ze_fulda"), ("ze_kassel", "rp"),
                      ("ze_fulda", "provider_a"), ("provider_a", "provider_a2")]
    for viewer, target in stranger_cases:
        user = everyone[target]
        for name in ("edit", "deactivate", "reactivate", "invite", "one_time_password"):
            url = reverse(f"aqb_users:{name}", args=[user.pk])
            assert as_user(client, everyone[viewer], url).status_code == 404, (viewer, target, name)
            data = edit_data(user, email="evil@example.org")
            assert as_user(client, everyone[viewer], url, "post", data).status_code == 404, (viewer, target, name)
        user.refresh_from_db()
        assert user.email != "evil@example.org" and user.is_active and user.has_usable_password()
    assert not SecurityEvent.objects.filter(kind__in=ACCOUNT_KINDS).exists()


def test_grant_recipient_cannot_change_its_own_organisation_or_join_a_group(client, everyone, provider_org_a):
    ze = everyone["ze_kassel"]
    other = Group.objects.create(name="Editors-Test")
    response = as_user(client, ze, reverse("aqb_users:edit", args=[ze.pk]), "post",
                       edit_data(ze, organisation=provider_org_a.pk, groups=[other.pk], is_superuser="on"))
    assert response.status_code == 302  # the name is saved; the disabled organisation field keeps its value
    ze.refresh_from_db()
    assert ze.organisation.name == "Landkreis Kassel" and not ze.is_superuser
    assert list(ze.groups.all()) == [ze.organisation.group]
    with pytest.raises(ServiceError):
        accounts.do_update_user(ze, ze, {"email": ze.email, "organisation": provider_org_a})


def test_an_rp_clerk_cannot_touch_an_administrator(client, everyone, authority):
    admin = User.objects.create_superuser(email="admin@example.org", password="x", organisation=authority)
    assert as_user(client, everyone["rp"], reverse("aqb_users:edit", args=[admin.pk])).status_code == 404
    with pytest.raises(ServiceError):
        accounts.do_update_user(everyone["rp"], admin, {"email": "evil@example.org", "organisation": authority})


# --- deactivate and reactivate ------------------------------------------------------------------


def test_grant_recipient_deactivates_and_reactivates_its_providers_user(client, everyone):
    user = everyone["provider_a"]
    url = reverse("aqb_users:deactivate", args=[user.pk])
    page = as_user(client, everyone["ze_kassel"], url).content.decode()
    assert "Ja, deaktivieren" in page
    user.refresh_from_db()
    assert user.is_active  # the confirmation page changes nothing
    assert as_user(client, everyone["ze_kassel"], url, "post").status_code == 302
    user.refresh_from_db()
    assert not user.is_active and User.objects.filter(pk=user.pk).exists()
    client.force_login(user)
    assert client.get("/admin/").status_code == 302  # an inactive user's session no longer opens anything
    client.logout()
    assert as_user(client, everyone["ze_kassel"], reverse("aqb_users:reactivate", args=[user.pk]),
                   "post").status_code == 302
    user.refresh_from_db()
    assert user.is_active
    kinds = list(SecurityEvent.objects.filter(user=user, kind__in=ACCOUNT_KINDS).order_by("id").values_list("kind", flat=True))
    assert kinds == [SecurityEventKind.USER_DEACTIVATED, SecurityEventKind.USER_REACTIVATED]


def test_nobody_deactivates_their_own_account(client, everyone):
    ze = everyone["ze_kassel"]
    response = as_user(client, ze, reverse("aqb_users:deactivate", args=[ze.pk]), "post")
    assert "Ihr eigenes Konto können Sie nicht deaktivieren." in response.content.decode()
    ze.refresh_from_db()
    assert ze.is_active


def test_there_is_no_way_to_delete_a_user(client, everyone):
    from django.urls import NoReverseMatch

    with pytest.raises(NoReverseMatch):
        reverse("aqb_users:delete", args=[everyone["provider_a"].pk])


# --- Wagtail's own user and group admin ---------------------------------------------------------

WAGTAIL_USER_URLS = ["/admin/users/", "/admin/users/new/", "/admin/groups/", "/admin/groups/new/"]


@pytest.mark.parametrize("url", WAGTAIL_USER_URLS)
def test_wagtails_user_and_group_admin_is_404_for_everyone_but_administrators(client, everyone, url):
    for role in ("ze_kassel", "provider_a", "rp"):
        assert as_user(client, everyone[role], url).status_code == 404, (role, url)
        assert as_user(client, everyone[role], url, "post", {"name": "Hintertür"}).status_code == 404
    assert not Group.objects.filter(name="Hintertür").exists()
    admin = User.objects.create_superuser(email="admin@example.org", password="x")
    assert as_user(client, admin, url).status_code == 200


def test_wagtails_user_edit_and_group_edit_are_404_for_the_rp_clerk(client, everyone):
    target = everyone["provider_a"]
    group = target.organisation.group
    for url in (f"/admin/users/{target.pk}/", f"/admin/groups/edit/{group.pk}/", f"/admin/users/{target.pk}/delete/"):
        for role in ("rp", "ze_kassel"):
            assert as_user(client, everyone[role], url).status_code == 404
            assert as_user(client, everyone[role], url, "post", {"email": "evil@example.org",
                                                                   "is_superuser": "on"}).status_code == 404
    target.refresh_from_db()
    assert target.email == "traeger.a@example.org" and not target.is_superuser


@pytest.mark.parametrize("action", ["delete", "set_active_state", "assign_role"])
def test_wagtails_user_bulk_actions_change_nothing_for_the_rp_clerk(client, everyone, action):
    target = everyone["provider_a"]
    group = Group.objects.create(name="Mächtig")
    url = f"/admin/bulk/aqb_monitoring/user/{action}/?id={target.pk}&next=/admin/"
    for method in ("get", "post"):
        response = as_user(client, everyone["rp"], url, method, {"mark_as_active": "false", "role": group.pk})
        assert response.status_code in (403, 404), (method, response.status_code)
    target.refresh_from_db()
    assert target.is_active and list(target.groups.all()) == [target.organisation.group]


def test_rp_clerks_menu_has_no_raw_users_or_groups_but_the_benutzer_entry(client, everyone):
    page = as_user(client, everyone["rp"], "/admin/").content.decode()
    assert '"/admin/groups/"' not in page and '"/admin/users/"' not in page
    assert '"/admin/benutzer/"' in page
    admin = User.objects.create_superuser(email="admin@example.org", password="x")
    assert '"/admin/groups/"' in as_user(client, admin, "/admin/").content.decode()


def test_every_organisation_kind_can_be_chosen_by_the_rp(client, everyone):
    form = as_user(client, everyone["rp"], reverse("aqb_users:add")).context["form"]
    kinds = set(form.fields["organisation"].queryset.values_list("kind", flat=True))
    assert kinds == {OrganisationKind.AUTHORITY, OrganisationKind.GRANT_RECIPIENT, OrganisationKind.PROVIDER}
    assert Organisation.objects.count() == form.fields["organisation"].queryset.count()


@pytest.mark.parametrize("manager,target", [("rp", "ze_fulda"), ("rp", "provider_b"), ("ze_kassel", "provider_a"),
                                            ("ze_kassel", "provider_a2"), ("ze_fulda", "provider_b")])
def test_each_manager_edits_and_deactivates_inside_its_scope(client, everyone, manager, target):
    user = everyone[target]
    response = as_user(client, everyone[manager], reverse("aqb_users:edit", args=[user.pk]), "post",
                       edit_data(user, first_name="Geändert"))
    assert response.status_code == 302
    assert as_user(client, everyone[manager], reverse("aqb_users:deactivate", args=[user.pk]),
                   "post").status_code == 302
    user.refresh_from_db()
    assert user.first_name == "Geändert" and not user.is_active
