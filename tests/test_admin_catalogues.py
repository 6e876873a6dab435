"""Catalogues are the RP's: it lists, edits, orders and deactivates entries; a used entry
cannot be deleted (German advice to deactivate it); ZE and providers never reach them."""

import pytest
from django.urls import reverse

from aqb_monitoring.models import CATALOGUE_MODELS, Gender, Measure

from .conftest import make_participant


@pytest.mark.parametrize("model", CATALOGUE_MODELS, ids=lambda model: model.__name__)
def test_rp_opens_every_catalogue(client, rp_editor, model):
    client.force_login(rp_editor)
    entry = model.objects.first()
    namespace = f"aqb_catalogue_{model._meta.model_name}"
    page = client.get(reverse(f"{namespace}:list")).content.decode()
    assert entry.label[:30] in page or entry.code in page
    assert client.get(reverse(f"{namespace}:edit", args=[entry.pk])).status_code == 200


@pytest.mark.parametrize("user_fixture", ["ze_kassel", "provider_a"])
def test_tenants_never_reach_catalogue_editing(client, request, user_fixture):
    client.force_login(request.getfixturevalue(user_fixture))
    entry = Gender.objects.first()
    for name, args in [("list", []), ("add", []), ("edit", [entry.pk]), ("delete", [entry.pk]), ("history", [entry.pk])]:
        assert client.get(reverse(f"aqb_catalogue_gender:{name}", args=args)).status_code == 404
    response = client.post(reverse("aqb_catalogue_gender:edit", args=[entry.pk]), {"label": "gehackt", "code": "x"})
    assert response.status_code == 404
    entry.refresh_from_db()
    assert entry.label != "gehackt"


def test_rp_changes_label_and_deactivates_an_entry(client, rp_editor):
    client.force_login(rp_editor)
    entry = Gender.objects.get(code="divers")
    url = reverse("aqb_catalogue_gender:edit", args=[entry.pk])
    data = {"code": entry.code, "label": "divers (neu)", "sort_order": 5}  # is_active unticked
    assert client.post(url, data).status_code == 302
    entry.refresh_from_db()
    assert entry.label == "divers (neu)" and entry.is_active is False


def test_unused_entry_can_be_deleted(client, rp_editor):
    client.force_login(rp_editor)
    entry = Gender.objects.create(code="test", label="Testeintrag")
    assert client.post(reverse("aqb_catalogue_gender:delete", args=[entry.pk])).status_code == 302
    assert not Gender.objects.filter(pk=entry.pk).exists()


def test_used_entry_is_not_deleted_and_the_rp_is_told_to_deactivate_it(client, rp_editor, measure_a):
    entry = Gender.objects.get(code="weiblich")
    make_participant(measure_a, "BWN-0001", gender=entry)
    client.force_login(rp_editor)
    response = client.post(reverse("aqb_catalogue_gender:delete", args=[entry.pk]), follow=True)
    assert Gender.objects.filter(pk=entry.pk).exists()
    page = response.content.decode()
    assert "wird noch verwendet" in page and "Deaktivieren" in page


def test_bulk_delete_leaves_used_entries(client, rp_editor, measure_a):
    used = Gender.objects.get(code="weiblich")
    unused = Gender.objects.create(code="test", label="Testeintrag")
    make_participant(measure_a, "BWN-0001", gender=used)
    client.force_login(rp_editor)
    url = f"/admin/bulk/aqb_monitoring/gender/delete/?id={used.pk}&id={unused.pk}"
    assert client.get(url).status_code == 200
    client.post(url)
    assert Gender.objects.filter(pk=used.pk).exists()
    assert not Gender.objects.filter(pk=unused.pk).exists()


def test_used_measure_type_is_protected_too(client, rp_editor, measure_a):
    client.force_login(rp_editor)
    response = client.post(reverse("aqb_catalogue_measuretype:delete", args=[measure_a.measure_type_id]), follow=True)
    assert "wird noch verwendet" in response.content.decode()
    assert Measure.objects.filter(pk=measure_a.pk).exists()
