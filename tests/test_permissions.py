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
