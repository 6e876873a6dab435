"""Who sees and changes which measures and participants (permissions.py), from every side."""

import pytest

from aqb_monitoring import permissions
from aqb_monitoring.models import Measure, Participant

from .conftest import make_measure


def visible_numbers(user):
    return set(permissions.measures_for(user).values_list("number", flat=True))


def test_ze_kassel_sees_the_measures_of_both_its_providers(ze_kassel, measure_a, measure_a2, measure_b):
    assert visible_numbers(ze_kassel) == {measure_a.number, measure_a2.number}


def test_provider_does_not_see_the_measures_of_another_provider_of_the_same_ze(
    provider_a, measure_a, measure_a2, measure_b
):
    assert visible_numbers(provider_a) == {measure_a.number}
    assert not permissions.can_view(provider_a, measure_a2)


def test_provider_of_fulda_sees_nothing_of_kassel(provider_b, measure_a, measure_a2, measure_b):
    assert visible_numbers(provider_b) == {measure_b.number}
    assert not permissions.can_view(provider_b, measure_a)
    assert not permissions.can_edit(provider_b, measure_a)


def test_ze_fulda_sees_only_fulda(ze_fulda, measure_a, measure_b):
    assert visible_numbers(ze_fulda) == {measure_b.number}


def test_rp_sees_everything(rp_editor, measure_a, measure_a2, measure_b):
    assert visible_numbers(rp_editor) == {measure_a.number, measure_a2.number, measure_b.number}
    assert permissions.is_authority(rp_editor)
    assert permissions.can_edit(rp_editor, measure_b)


def test_user_without_organisation_sees_nothing(db, measure_a):
    from aqb_monitoring.models import User

    user = User.objects.create_user(email="lost@example.org", password="x")
    assert visible_numbers(user) == set()
    assert not permissions.can_view(user, measure_a)


def test_participants_inherit_their_measures_rights(provider_a, provider_b, participant_a, participant_b):
    assert list(permissions.participants_for(provider_a)) == [participant_a]
    assert list(permissions.participants_for(provider_b)) == [participant_b]
    assert permissions.can_view_participant(provider_a, participant_a)
    assert not permissions.can_view_participant(provider_a, participant_b)


def test_closed_measure_can_be_seen_but_not_edited(provider_a, measure_a):
    from django.utils import timezone

    measure_a.closed_at = timezone.now()
    measure_a.save()
    assert permissions.can_view(provider_a, measure_a)
    assert not permissions.can_edit(provider_a, measure_a)
    assert not permissions.editable_measures_for(provider_a).exists()


def test_measure_without_participant_monitoring_cannot_get_participants(ze_kassel, kassel):
    measure = make_measure("AQB26-KS-M4-01", kassel, type_code="M4")
    assert permissions.can_view(ze_kassel, measure)
    assert not permissions.can_edit(ze_kassel, measure)


def test_changing_the_provider_moves_the_grants(provider_a, provider_a2, measure_a):
    measure_a.provider = provider_a2.organisation
    measure_a.save()
    assert not permissions.can_view(provider_a, measure_a)
    assert permissions.can_view(provider_a2, measure_a)


def test_changing_the_grant_recipient_moves_the_grants(ze_kassel, ze_fulda, kassel, fulda):
    measure = make_measure("AQB26-KS-M2-01", kassel, type_code="M2")
    assert permissions.can_view(ze_kassel, measure)
    measure.grant_recipient = fulda
    measure.save()
    assert not permissions.can_view(ze_kassel, measure)
    assert permissions.can_view(ze_fulda, measure)


def test_querysets_are_one_query(provider_a, measure_a, participant_a, django_assert_num_queries):
    provider_a = type(provider_a).objects.select_related("organisation").get(pk=provider_a.pk)
    with django_assert_num_queries(1):
        list(permissions.measures_for(provider_a))
    with django_assert_num_queries(1):
        list(permissions.participants_for(provider_a))


def test_ze_maintains_only_its_own_providers(ze_kassel, ze_fulda, provider_a, provider_org_a, provider_org_b):
    assert list(permissions.providers_for(ze_kassel)) == [provider_org_a]
    assert list(permissions.providers_for(ze_fulda)) == [provider_org_b]
    assert not permissions.providers_for(provider_a).exists()


@pytest.mark.parametrize("role", ["ze_kassel", "provider_a"])
def test_tenant_groups_may_open_the_admin_but_have_no_model_permissions(request, role, measure_a):
    user = request.getfixturevalue(role)
    assert user.has_perm("wagtailadmin.access_admin")
    for codename in ("change_measure", "view_measure", "change_participant", "view_participant", "change_user"):
        assert not user.has_perm(f"aqb_monitoring.{codename}")


def test_grants_are_stored_on_groups_not_users(measure_a, kassel, provider_org_a):
    from guardian.models import GroupObjectPermission, UserObjectPermission

    groups = set(GroupObjectPermission.objects.filter(object_pk=str(measure_a.pk)).values_list("group_id", flat=True))
    assert groups == {kassel.group_id, provider_org_a.group_id}
    assert not UserObjectPermission.objects.exists()
    assert Measure.objects.count() == 1 and Participant.objects.count() == 0


def test_providers_of_the_same_name_under_different_grant_recipients_share_no_rights(kassel, fulda):
    from aqb_monitoring.models import Provider
    from tests.conftest import make_measure, make_user

    kassel_provider = Provider.objects.create(name="Bildungswerk", grant_recipient=kassel)
    fulda_provider = Provider.objects.create(name="Bildungswerk", grant_recipient=fulda)
    assert kassel_provider.group_id != fulda_provider.group_id

    measure = make_measure("AQB26-KS-M1-07", kassel, kassel_provider)
    fulda_user = make_user("bildungswerk.fulda@example.org", fulda_provider)
    assert not permissions.can_view(fulda_user, measure)
    assert measure not in permissions.measures_for(fulda_user)


# ---------------------------------------------------------------------------
# Inactive users, the RP's branches and the Wagtail permission policies
# ---------------------------------------------------------------------------


def report_of(measure, reference):
    from aqb_monitoring.models import Report

    return Report.objects.create(
        reference=reference, kind="interim", measure=measure, period_start=measure.start_date,
        period_end=measure.end_date, grant_recipient_name=measure.grant_recipient.name,
    )


def close(measure):
    from django.utils import timezone

    measure.closed_at = timezone.now()
    measure.save()
    return measure


@pytest.mark.parametrize("role", ["rp_editor", "ze_kassel", "provider_a"])
def test_a_deactivated_user_sees_and_changes_nothing(request, role, measure_a, participant_a):
    user = request.getfixturevalue(role)
    report_of(measure_a, "AQB-2026-000001")
    user.is_active = False
    user.save()
    assert not permissions.is_authority(user)
    assert not permissions.is_grant_recipient(user)
    assert not permissions.is_provider(user)
    assert not permissions.is_tenant(user)
    assert not permissions.measures_for(user).exists()
    assert not permissions.editable_measures_for(user).exists()
    assert not permissions.participants_for(user).exists()
    assert not permissions.reports_for(user).exists()
    assert not permissions.can_view(user, measure_a)
    assert not permissions.can_edit(user, measure_a)
    assert not permissions.providers_for(user).exists()


def test_a_deactivated_superuser_is_no_authority(db, measure_a):
    from aqb_monitoring.models import User

    admin = User.objects.create_superuser(email="admin@example.org", password="x", is_active=False)
    assert not permissions.is_authority(admin)
    assert not permissions.can_view(admin, measure_a)


def test_an_anonymous_visitor_or_no_user_at_all_is_nobody(db, measure_a):
    from django.contrib.auth.models import AnonymousUser

    for nobody in (AnonymousUser(), None):
        assert not permissions.is_authority(nobody)
        assert not permissions.is_tenant(nobody)
        assert not permissions.measures_for(nobody).exists()
        assert not permissions.can_view(nobody, measure_a)


def test_a_superuser_without_organisation_sees_and_edits_everything(db, measure_a, measure_b, participant_b):
    from aqb_monitoring.models import User

    admin = User.objects.create_superuser(email="admin@example.org", password="x")
    assert permissions.is_authority(admin)
    assert not permissions.is_tenant(admin)
    assert set(permissions.measures_for(admin)) == {measure_a, measure_b}
    assert list(permissions.participants_for(admin)) == [participant_b]
    assert permissions.can_edit(admin, measure_b)


def test_roles_are_told_apart_by_the_kind_of_organisation(rp_editor, ze_kassel, provider_a):
    assert [permissions.is_authority(u) for u in (rp_editor, ze_kassel, provider_a)] == [True, False, False]
    assert [permissions.is_grant_recipient(u) for u in (rp_editor, ze_kassel, provider_a)] == [False, True, False]
    assert [permissions.is_provider(u) for u in (rp_editor, ze_kassel, provider_a)] == [False, False, True]
    assert [permissions.is_tenant(u) for u in (rp_editor, ze_kassel, provider_a)] == [False, True, True]


def test_a_user_without_organisation_is_no_tenant_and_gets_no_participants_or_reports(db, measure_a, participant_a):
    from aqb_monitoring.models import User

    report_of(measure_a, "AQB-2026-000001")
    user = User.objects.create_user(email="lost@example.org", password="x")
    assert not permissions.is_tenant(user)
    assert not permissions.is_authority(user)
    assert not permissions.editable_measures_for(user).exists()
    assert not permissions.participants_for(user).exists()
    assert not permissions.reports_for(user).exists()


def test_the_rp_may_edit_every_open_measure_but_no_closed_one(rp_editor, measure_a, measure_b):
    close(measure_b)
    assert list(permissions.editable_measures_for(rp_editor)) == [measure_a]
    assert permissions.can_edit(rp_editor, measure_a)
    assert not permissions.can_edit(rp_editor, measure_b)
    assert permissions.can_view(rp_editor, measure_b)


def test_the_rp_may_not_add_participants_to_a_measure_without_participant_monitoring(rp_editor, kassel):
    measure = make_measure("AQB26-KS-M4-01", kassel, type_code="M4")
    assert permissions.can_view(rp_editor, measure)
    assert not permissions.can_edit(rp_editor, measure)


def test_the_rp_sees_every_participant_and_every_report(rp_editor, measure_a, measure_b, participant_a, participant_b):
    reports = {report_of(measure_a, "AQB-2026-000001"), report_of(measure_b, "AQB-2026-000002")}
    assert set(permissions.participants_for(rp_editor)) == {participant_a, participant_b}
    assert set(permissions.reports_for(rp_editor)) == reports


def test_a_tenant_sees_the_reports_of_its_own_measures_only(ze_kassel, provider_b, measure_a, measure_b):
    own = report_of(measure_a, "AQB-2026-000001")
    foreign = report_of(measure_b, "AQB-2026-000002")
    assert list(permissions.reports_for(ze_kassel)) == [own]
    assert list(permissions.reports_for(provider_b)) == [foreign]


def test_querysets_narrow_a_given_queryset(rp_editor, provider_a, measure_a, measure_a2, participant_a):
    only_a2 = Measure.objects.filter(pk=measure_a2.pk)
    assert list(permissions.measures_for(rp_editor, only_a2)) == [measure_a2]
    assert not permissions.measures_for(provider_a, only_a2).exists()
    assert list(permissions.editable_measures_for(rp_editor, only_a2)) == [measure_a2]
    assert not permissions.editable_measures_for(provider_a, only_a2).exists()
    no_participant = Participant.objects.none()
    assert not permissions.participants_for(rp_editor, no_participant).exists()
    assert not permissions.participants_for(provider_a, no_participant).exists()


def test_a_tenant_may_edit_its_open_measures_and_their_participants(ze_kassel, provider_a, measure_a, participant_a):
    assert list(permissions.editable_measures_for(ze_kassel)) == [measure_a]
    assert list(permissions.editable_measures_for(provider_a)) == [measure_a]
    assert permissions.can_edit(provider_a, measure_a)
    assert permissions.can_edit_participant(provider_a, participant_a)
    close(measure_a)
    participant_a.refresh_from_db()
    assert not permissions.can_edit_participant(provider_a, participant_a)
    assert permissions.can_view_participant(provider_a, participant_a)


def test_nothing_and_an_unsaved_measure_can_be_neither_seen_nor_edited(rp_editor, kassel):
    unsaved = Measure(number="AQB26-KS-M1-99", grant_recipient=kassel)
    for measure in (None, unsaved):
        assert not permissions.can_view(rp_editor, measure)
        assert not permissions.can_edit(rp_editor, measure)
    assert not permissions.can_view_participant(rp_editor, None)
    assert not permissions.can_edit_participant(rp_editor, None)


def test_the_rp_maintains_every_provider(rp_editor, provider_org_a, provider_org_b):
    assert set(permissions.providers_for(rp_editor)) == {provider_org_a, provider_org_b}


def test_saving_a_measure_again_keeps_exactly_its_grants(measure_a, kassel, provider_org_a):
    from guardian.models import GroupObjectPermission

    permissions.sync_measure_grants(measure_a)
    permissions.sync_measure_grants(measure_a)
    grants = GroupObjectPermission.objects.filter(object_pk=str(measure_a.pk))
    assert sorted(grants.values_list("group_id", "permission__codename")) == sorted(
        (group, codename) for group in (kassel.group_id, provider_org_a.group_id) for codename in permissions.MEASURE_PERMISSIONS
    )


def test_removing_the_provider_takes_its_grants_away(provider_a, ze_kassel, measure_a):
    measure_a.provider = None
    measure_a.save()
    assert not permissions.can_view(provider_a, measure_a)
    assert permissions.can_view(ze_kassel, measure_a)


def test_the_grants_of_one_measure_leave_the_others_alone(measure_a, measure_a2, provider_org_a2):
    from guardian.models import GroupObjectPermission

    before = GroupObjectPermission.objects.filter(object_pk=str(measure_a2.pk)).count()
    measure_a.provider = provider_org_a2
    measure_a.save()
    assert GroupObjectPermission.objects.filter(object_pk=str(measure_a2.pk)).count() == before == 4


# The Wagtail permission policies: what Wagtail's own views and menus ask.


@pytest.fixture
def inactive_rp(authority):
    from tests.conftest import make_user

    return make_user("rp.alt@example.org", authority, is_active=False)


@pytest.fixture
def superuser(db):
    from aqb_monitoring.models import User

    return User.objects.create_superuser(email="admin@example.org", password="x")


def test_the_registered_policies_are_ours(monkeypatch):
    """Registered at start-up; registering again into an empty registry (as the test does, so the
    registration itself is checked) gives the same policies."""
    from wagtail.permissions import policy_registry

    from aqb_monitoring.models import CATALOGUE_MODELS, AuditEntry, Organisation

    monkeypatch.setattr(policy_registry, "values_by_class", {})
    monkeypatch.setattr(policy_registry, "values_by_exact_class", {})
    permissions.register_policies()
    expected = {Measure: permissions.MeasurePolicy, Participant: permissions.ParticipantPolicy,
                Organisation: permissions.AuthorityOnlyPolicy, AuditEntry: permissions.AuthorityOnlyPolicy}
    expected.update({model: permissions.AuthorityOnlyPolicy for model in CATALOGUE_MODELS})
    assert len(CATALOGUE_MODELS) > 5
    for model, policy_class in expected.items():
        policy = policy_registry.get_by_type(model)
        assert (type(policy), policy.model) == (policy_class, model)


def test_the_authority_only_policy_lets_only_the_rp_in(rp_editor, ze_kassel, provider_a, inactive_rp, superuser, kassel):
    from aqb_monitoring.models import Organisation

    policy = permissions.AuthorityOnlyPolicy(Organisation)
    for user, allowed in ((rp_editor, True), (superuser, True), (ze_kassel, False), (provider_a, False), (inactive_rp, False)):
        assert policy.user_has_permission(user, "change") is allowed
        assert policy.user_has_any_permission(user, ["add", "change"]) is allowed
        assert policy.user_has_permission_for_instance(user, "change", kassel) is allowed
        assert policy.instances_user_has_any_permission_for(user, ["change"]).exists() is allowed
    assert set(policy.users_with_any_permission(["change"])) == {rp_editor, superuser}
    assert set(permissions.authority_users()) == {rp_editor, superuser}


def test_the_measure_policy_lets_tenants_view_their_own_measures_only(
    rp_editor, ze_kassel, provider_a, provider_b, measure_a, measure_b
):
    policy = permissions.MeasurePolicy(Measure)
    assert policy.user_has_permission_for_instance(ze_kassel, "view", measure_a)
    assert not policy.user_has_permission_for_instance(ze_kassel, "view", measure_b)
    assert not policy.user_has_permission_for_instance(ze_kassel, "change", measure_a)
    assert policy.user_has_permission_for_instance(rp_editor, "change", measure_b)
    assert not policy.user_has_permission(ze_kassel, "view")
    assert list(policy.instances_user_has_any_permission_for(provider_a, ["view", "change"])) == [measure_a]
    assert not policy.instances_user_has_any_permission_for(provider_a, ["change"]).exists()
    assert set(policy.instances_user_has_any_permission_for(rp_editor, ["change"])) == {measure_a, measure_b}


def test_the_measure_policy_names_who_may_view_or_change_one_measure(
    rp_editor, ze_kassel, provider_a, provider_b, inactive_rp, measure_a, measure_b
):
    from tests.conftest import make_user

    make_user("traeger.alt@example.org", measure_a.provider, is_active=False)
    policy = permissions.MeasurePolicy(Measure)
    viewers = list(policy.users_with_any_permission_for_instance(["view"], measure_a))
    assert sorted(u.email for u in viewers) == sorted([rp_editor.email, ze_kassel.email, provider_a.email])
    changers = list(policy.users_with_any_permission_for_instance(["change"], measure_a))
    assert sorted(u.email for u in changers) == sorted([rp_editor.email, ze_kassel.email, provider_a.email])
    assert list(policy.users_with_any_permission_for_instance(["delete"], measure_a)) == [rp_editor]


def test_a_grant_on_another_kind_of_object_with_the_same_number_gives_no_right_on_the_measure(rp_editor, provider_b, measure_a):
    from django.contrib.auth.models import Permission
    from django.contrib.contenttypes.models import ContentType
    from guardian.models import GroupObjectPermission

    from aqb_monitoring.models import Organisation

    # bulk_create: guardian's save() would look the organisation up, and none need have that number.
    GroupObjectPermission.objects.bulk_create([GroupObjectPermission(
        group=provider_b.organisation.group, object_pk=str(measure_a.pk),
        content_type=ContentType.objects.get_for_model(Organisation),
        permission=Permission.objects.get(codename="change_organisation"),
    )])
    policy = permissions.MeasurePolicy(Measure)
    assert provider_b not in policy.users_with_any_permission_for_instance(["view"], measure_a)
    assert not permissions.can_view(provider_b, measure_a)


def test_the_participant_policy_follows_the_measure(rp_editor, provider_a, provider_b, measure_a, participant_a, participant_b):
    policy = permissions.ParticipantPolicy(Participant)
    assert policy.user_has_permission_for_instance(provider_a, "view", participant_a)
    assert not policy.user_has_permission_for_instance(provider_a, "view", participant_b)
    assert policy.user_has_permission_for_instance(provider_a, "change", participant_a)
    assert policy.user_has_permission_for_instance(provider_a, "delete", participant_a)
    assert not policy.user_has_permission_for_instance(provider_a, "change", participant_b)
    assert not policy.user_has_permission_for_instance(provider_a, "add", participant_a)
    assert policy.user_has_permission_for_instance(rp_editor, "add", participant_b)
    assert list(policy.instances_user_has_any_permission_for(provider_a, ["view"])) == [participant_a]
    assert list(policy.instances_user_has_any_permission_for(provider_a, ["change"])) == [participant_a]
    assert list(policy.instances_user_has_any_permission_for(provider_a, ["delete"])) == [participant_a]
    assert not policy.instances_user_has_any_permission_for(provider_a, ["add"]).exists()
    assert set(policy.instances_user_has_any_permission_for(rp_editor, ["add"])) == {participant_a, participant_b}
    close(measure_a)
    participant_a.refresh_from_db()
    assert not policy.user_has_permission_for_instance(provider_a, "change", participant_a)
    assert not policy.instances_user_has_any_permission_for(provider_a, ["change"]).exists()
    assert list(policy.instances_user_has_any_permission_for(provider_a, ["view"])) == [participant_a]


def test_a_superuser_attached_to_a_grant_recipient_is_no_tenant(kassel):
    from tests.conftest import make_user

    admin = make_user("admin.ks@example.org", kassel, is_superuser=True)
    assert permissions.is_authority(admin)
    assert not permissions.is_tenant(admin)


def test_reports_narrow_a_given_queryset(rp_editor, ze_kassel, measure_a, measure_b):
    from aqb_monitoring.models import Report

    own = report_of(measure_a, "AQB-2026-000001")
    report_of(measure_b, "AQB-2026-000002")
    only_own = Report.objects.filter(pk=own.pk)
    assert list(permissions.reports_for(rp_editor, only_own)) == [own]
    assert list(permissions.reports_for(ze_kassel, only_own)) == [own]
    assert not permissions.reports_for(ze_kassel, Report.objects.exclude(pk=own.pk)).exists()


# --- who has which page (views call these; docs/domain-rules.md §1.3) --------------------------------------------


@pytest.mark.parametrize("role", ["rp_editor", "ze_kassel", "provider_a"])
def test_every_active_member_of_an_organisation_has_the_monitoring(request, role):
    assert permissions.has_monitoring(request.getfixturevalue(role))


def test_a_user_without_organisation_or_deactivated_has_no_monitoring_but_a_superuser_has(db, ze_kassel):
    from aqb_monitoring.models import User

    assert not permissions.has_monitoring(User.objects.create_user(email="lost@example.org", password="x"))
    assert permissions.has_monitoring(User.objects.create_superuser(email="admin@example.org", password="x"))
    ze_kassel.is_active = False
    assert not permissions.has_monitoring(ze_kassel)


@pytest.mark.parametrize(("role", "allowed"), [("rp_editor", True), ("ze_kassel", True), ("provider_a", False)])
def test_only_the_rp_and_a_ze_maintain_provider_contacts(request, role, allowed):
    assert permissions.may_maintain_provider_contacts(request.getfixturevalue(role)) is allowed


def test_the_successor_is_visible_only_to_who_may_see_it(ze_kassel, provider_a, provider_a2, rp_editor, measure_a,
                                                           measure_a2):
    assert permissions.visible_successor(ze_kassel, measure_a) is None  # no successor at all
    measure_a.successor = measure_a2  # run by the sibling provider of the same ZE
    measure_a.save()
    assert permissions.visible_successor(ze_kassel, measure_a) == measure_a2
    assert permissions.visible_successor(rp_editor, measure_a) == measure_a2
    assert permissions.visible_successor(provider_a, measure_a) is None
    assert permissions.visible_successor(provider_a2, measure_a) == measure_a2


def test_saving_a_measure_leaves_a_grant_on_another_kind_of_object_with_the_same_number_alone(provider_b, measure_a):
    from django.contrib.auth.models import Permission
    from django.contrib.contenttypes.models import ContentType
    from guardian.models import GroupObjectPermission

    from aqb_monitoring.models import Organisation

    other_kind = ContentType.objects.get_for_model(Organisation)
    GroupObjectPermission.objects.bulk_create([GroupObjectPermission(
        group=provider_b.organisation.group, object_pk=str(measure_a.pk), content_type=other_kind,
        permission=Permission.objects.get(codename="change_organisation"),
    )])
    permissions.sync_measure_grants(measure_a)
    assert GroupObjectPermission.objects.filter(content_type=other_kind, object_pk=str(measure_a.pk)).count() == 1
    assert not permissions.can_view(provider_b, measure_a)


def test_a_grant_to_view_only_shows_the_measure_and_gives_no_right_to_change_it(provider_b, measure_a, participant_a):
    from guardian.shortcuts import assign_perm

    assign_perm("view_measure", provider_b.organisation.group, measure_a)
    assert permissions.can_view(provider_b, measure_a)
    assert list(permissions.measures_for(provider_b)) == [measure_a]
    assert not permissions.can_edit(provider_b, measure_a)
    assert not permissions.editable_measures_for(provider_b).exists()
    assert not permissions.can_edit_participant(provider_b, participant_a)
