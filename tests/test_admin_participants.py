"""The participant pages of the admin: list, form (red → yellow → green), save and new,
delete with confirmation, history; closed measures and M4 refuse changes."""

import pytest
from django.urls import reverse
from django.utils import timezone

from aqb_monitoring.models import AuditEntry, Participant, ParticipantStatus
from tests.conftest import make_measure, make_participant
from tests.participant_values import entry_values, exit_values
from tests.test_participant_form import post_data


@pytest.fixture
def provider_client(client, provider_a):
    client.force_login(provider_a)
    return client


def refused(response):
    """A refusal is the admin's German 403 page (aqb_site/error_pages.py) or a 404, never a redirect."""
    return response.status_code in (403, 404)


def edit_url(participant):
    return reverse("aqb_monitoring:participant_edit", args=[participant.measure_id, participant.pk])


def test_provider_records_a_participant_from_red_to_green(provider_client, measure_a):
    add_url = reverse("aqb_monitoring:participant_add", args=[measure_a.pk])
    page = provider_client.get(add_url).content.decode()
    for heading in ("Eintritt", "Detailangaben bei Eintritt", "Austritt", "Detailangaben bei Austritt"):
        assert heading in page
    assert "Speichern und neue(n) Teilnehmende(n) erfassen" in page
    assert "participant_form.js" in page

    response = provider_client.post(add_url, {"pseudonym": "BWN-0100", "entry_date": "01.02.2026"})
    participant = Participant.objects.get(pseudonym="BWN-0100")
    assert response.status_code == 302 and response.url == edit_url(participant)
    assert participant.status == ParticipantStatus.RED
    page = provider_client.get(edit_url(participant)).content.decode()
    assert 'data-status="red"' in page and "Geschlecht" in page and "Es fehlt noch" in page

    values = entry_values(measure_a, pseudonym="BWN-0100")
    provider_client.post(edit_url(participant), post_data(values))
    participant.refresh_from_db()
    assert participant.status == ParticipantStatus.YELLOW

    provider_client.post(edit_url(participant), post_data({**values, **exit_values(measure_a)}))
    participant.refresh_from_db()
    assert participant.status == ParticipantStatus.GREEN
    assert 'data-status="green"' in provider_client.get(edit_url(participant)).content.decode()


def test_save_and_new_opens_an_empty_form(provider_client, measure_a):
    add_url = reverse("aqb_monitoring:participant_add", args=[measure_a.pk])
    response = provider_client.post(add_url, {"pseudonym": "BWN-0200", "save_and_new": "1"})
    assert response.status_code == 302 and response.url == add_url


def test_invalid_values_are_not_saved_and_shown_on_the_field(provider_client, measure_a):
    add_url = reverse("aqb_monitoring:participant_add", args=[measure_a.pk])
    response = provider_client.post(add_url, {"pseudonym": "Max Muster", "entry_date": "01.02.2026"})
    assert response.status_code == 200
    assert not Participant.objects.filter(measure=measure_a).exists()
    assert "nicht gespeichert" in response.content.decode()


def test_list_shows_status_as_colour_and_text_with_search_filter_and_sort(provider_client, measure_a):
    make_participant(measure_a, "BWN-0002", status=ParticipantStatus.GREEN)
    make_participant(measure_a, "BWN-0001", status=ParticipantStatus.RED)
    url = reverse("aqb_monitoring:measure", args=[measure_a.pk])
    page = provider_client.get(url).content.decode()
    assert page.index("BWN-0001") < page.index("BWN-0002")
    assert "aqb-status--red" in page and ">Rot</span>" in page and ">Grün</span>" in page
    page = provider_client.get(url + "?sort=-pseudonym").content.decode()
    assert page.index("BWN-0002") < page.index("BWN-0001")
    page = provider_client.get(url + "?status=green").content.decode()
    assert "BWN-0002" in page and "BWN-0001" not in page
    page = provider_client.get(url + "?q=0001").content.decode()
    assert "BWN-0001" in page and "BWN-0002" not in page


def test_list_paginates_by_50(provider_client, measure_a):
    Participant.objects.bulk_create(
        [Participant(measure=measure_a, pseudonym=f"BWN-{i:04d}", entry_date=measure_a.start_date) for i in range(55)]
    )
    url = reverse("aqb_monitoring:measure", args=[measure_a.pk])
    page = provider_client.get(url).content.decode()
    assert "BWN-0049" in page and "BWN-0050" not in page
    assert "BWN-0050" in provider_client.get(url + "?p=2").content.decode()


def test_delete_asks_for_confirmation_then_deletes_with_an_audit_entry(provider_client, provider_a, measure_a):
    from aqb_monitoring import services

    participant, _result = services.save_participant(provider_a, measure_a, entry_values(measure_a, pseudonym="BWN-0300"))
    url = reverse("aqb_monitoring:participant_delete", args=[measure_a.pk, participant.pk])
    page = provider_client.get(url).content.decode()
    assert "BWN-0300" in page and "wirklich gelöscht" in page
    assert Participant.objects.filter(pk=participant.pk).exists()
    response = provider_client.post(url)
    assert response.status_code == 302
    assert not Participant.objects.filter(pk=participant.pk).exists()
    history = provider_client.get(reverse("aqb_monitoring:measure_history", args=[measure_a.pk])).content.decode()
    assert "BWN-0300" in history and "gelöscht" in history


def test_history_lists_who_changed_which_field(provider_client, provider_a, measure_a):
    from aqb_monitoring import services

    values = entry_values(measure_a, pseudonym="BWN-0400")
    participant, _result = services.save_participant(provider_a, measure_a, values)
    services.save_participant(provider_a, measure_a, {**values, "birth_year": values["birth_year"] - 1}, participant)
    url = reverse("aqb_monitoring:participant_history", args=[measure_a.pk, participant.pk])
    page = provider_client.get(url).content.decode()
    assert provider_a.email in page and "Geburtsjahr" in page
    assert f"{values['birth_year']} → {values['birth_year'] - 1}" in page
    assert AuditEntry.objects.filter(participant=participant).count() == 2


def test_closed_measure_shows_records_but_refuses_changes(provider_client, measure_a):
    participant = make_participant(measure_a, "BWN-0500")
    measure_a.closed_at = timezone.now()
    measure_a.save()
    page = provider_client.get(reverse("aqb_monitoring:measure", args=[measure_a.pk])).content.decode()
    assert "abgeschlossen" in page and "Teilnehmende(n) erfassen" not in page and "Löschen" not in page
    page = provider_client.get(edit_url(participant)).content.decode()
    assert "Speichern" not in page.split("aqb-participant-form", 1)[1].split("</form>")[0] or "disabled" in page
    assert refused(provider_client.post(edit_url(participant), {"pseudonym": "BWN-0501"}))
    delete_url = reverse("aqb_monitoring:participant_delete", args=[measure_a.pk, participant.pk])
    assert refused(provider_client.post(delete_url))
    add_url = reverse("aqb_monitoring:participant_add", args=[measure_a.pk])
    assert refused(provider_client.get(add_url))
    participant.refresh_from_db()
    assert participant.pseudonym == "BWN-0500"


def test_m4_measure_has_no_participant_pages(client, ze_kassel, kassel):
    measure = make_measure("AQB26-KS-M4-01", kassel, type_code="M4")
    client.force_login(ze_kassel)
    page = client.get(reverse("aqb_monitoring:measure", args=[measure.pk])).content.decode()
    assert "keine Teilnehmenden erfasst" in page
    assert refused(client.get(reverse("aqb_monitoring:participant_add", args=[measure.pk])))


def test_ze_maintains_its_providers_contact_email(client, ze_kassel, provider_org_a):
    client.force_login(ze_kassel)
    page = client.get(reverse("aqb_monitoring:provider_list")).content.decode()
    assert provider_org_a.name in page
    url = reverse("aqb_monitoring:provider_contact", args=[provider_org_a.pk])
    assert client.post(url, {"contact_email": "kein-email"}).status_code == 200
    assert client.post(url, {"contact_email": "neu@bwn.example"}).status_code == 302
    provider_org_a.refresh_from_db()
    assert provider_org_a.contact_email == "neu@bwn.example"


def test_other_parts_add_buttons_through_the_hook(provider_client, measure_a):
    from wagtail import hooks

    from aqb_monitoring.views import MEASURE_BUTTONS_HOOK, MeasureButton

    def button(request, measure):
        return [MeasureButton("Probe-Knopf", f"/probe/{measure.pk}/")]

    with hooks.register_temporarily(MEASURE_BUTTONS_HOOK, button):
        page = provider_client.get(reverse("aqb_monitoring:measure", args=[measure_a.pk])).content.decode()
    assert "Probe-Knopf" in page and f"/probe/{measure_a.pk}/" in page
