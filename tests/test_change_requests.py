"""Change requests for a measure's master data (handbook chapter 4, "Änderungsanfrage"): the grant
recipient asks, nothing changes until the RP applies it through do_save_measure (audit entry) or
rejects it with reasons; the ZE gets an e-mail on each decision; providers and other tenants get 404."""

import datetime

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from aqb_monitoring.models import (
    AuditAction,
    AuditEntry,
    ChangeRequest,
    ChangeRequestState,
    Measure,
    Notification,
    RejectionReason,
)
from aqb_monitoring.services import ServiceError
from aqb_monitoring.services.change_requests import (
    do_apply_change,
    do_reject_change,
    do_request_change,
    parse_proposal,
)
from tests.conftest import make_participant

pytestmark = pytest.mark.django_db


@pytest.fixture
def ze_contact(kassel):
    kassel.contact_email = "aqb@landkreis-kassel.example"
    kassel.save(update_fields=["contact_email"])
    return kassel


def add_url(measure):
    return reverse("aqb_reports:change_request_add", args=[measure.pk])


def detail_url(change_request):
    return reverse("aqb_reports:change_request_detail", args=[change_request.pk])


# --- the grant recipient asks ---------------------------------------------------------------------


def test_ze_requests_and_nothing_changes_on_the_measure(client, ze_kassel, measure_a):
    client.force_login(ze_kassel)
    page = client.get(reverse("aqb_monitoring:measure", args=[measure_a.pk])).content.decode()
    assert "Änderung der Stammdaten anfragen" in page and add_url(measure_a) in page
    assert client.get(add_url(measure_a)).status_code == 200
    response = client.post(add_url(measure_a), {"field_name": "end_date", "proposed_value": "30.11.2026",
                                                "reason": "Laut Änderungsbescheid vom 01.03.2026"})
    assert response.status_code == 302
    request = ChangeRequest.objects.get()
    assert request.state == ChangeRequestState.OPEN
    assert request.proposed_value == "30.11.2026" and request.requested_by == ze_kassel
    assert request.requested_by_name == ze_kassel.email
    measure_a.refresh_from_db()
    assert measure_a.end_date == datetime.date(2026, 12, 31)
    entry = AuditEntry.objects.get(measure=measure_a)  # the request is logged; the measure is not changed
    assert entry.action == AuditAction.CHANGE_REQUEST and entry.changes == {"Ende": ["", "30.11.2026"]}
    page = client.get(reverse("aqb_monitoring:measure", args=[measure_a.pk])).content.decode()
    assert "30.11.2026" in page and "offen" in page
    # the ZE may read its own request's page, but not decide
    page = client.get(detail_url(request)).content.decode()
    assert "Laut Änderungsbescheid" in page and "Übernehmen" not in page
    assert client.post(detail_url(request), {"action": "apply"}).status_code == 404
    request.refresh_from_db()
    assert request.state == ChangeRequestState.OPEN


def test_second_open_request_for_the_same_field_refused(ze_kassel, measure_a):
    do_request_change(ze_kassel, measure_a, "title", "Neuer Titel", "Tippfehler")
    with pytest.raises(ServiceError) as error:
        do_request_change(ze_kassel, measure_a, "title", "Ganz neuer Titel", "Nochmal")
    assert "bereits eine offene Änderungsanfrage" in " ".join(error.value.errors["field_name"])
    # another field is fine
    do_request_change(ze_kassel, measure_a, "planned_participants", "12", "Mehr Plätze")
    assert ChangeRequest.objects.count() == 2


@pytest.mark.parametrize("field,text,message", [
    ("start_date", "2026-02-01", "TT.MM.JJJJ"),
    ("end_date", "31.02.2026", "TT.MM.JJJJ"),
    ("end_date", "01.12.2025", "liegt vor dem Beginn"),
    ("start_date", "01.01.2027", "liegt nach dem Ende"),
    ("planned_participants", "zwölf", "ganze Zahl"),
    ("planned_participants", "-3", "ganze Zahl"),
    ("provider", "Fulda Perspektiven", "kein Träger des Zuwendungsempfängers"),
    ("title", "", "neuen Titel"),
    ("title", "Maßnahme AQB26-KS-M1-01", "entspricht dem aktuellen Wert"),
    ("provider", "bildungswerk nordhessen", "entspricht dem aktuellen Wert"),
])
def test_invalid_proposals_refused_in_german(client, ze_kassel, measure_a, provider_org_b, field, text, message):
    client.force_login(ze_kassel)
    response = client.post(add_url(measure_a), {"field_name": field, "proposed_value": text, "reason": "Korrektur"})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ChangeRequest.objects.exists()


def test_reason_required_and_closed_measure_refused(ze_kassel, measure_a):
    with pytest.raises(ServiceError) as error:
        do_request_change(ze_kassel, measure_a, "title", "Neu", "  ")
    assert error.value.errors["reason"] == ["Bitte begründen Sie die Änderung."]
    Measure.objects.filter(pk=measure_a.pk).update(closed_at=timezone.now())
    measure_a.refresh_from_db()
    with pytest.raises(ServiceError) as error:
        do_request_change(ze_kassel, measure_a, "title", "Neu", "Grund")
    assert "abgeschlossen" in error.value.messages[0]
    assert not ChangeRequest.objects.exists()


def test_parse_proposal_provider(measure_a, provider_org_a, provider_org_a2):
    assert parse_proposal(measure_a, "provider", " Jugendwerkstatt Kassel ") == (provider_org_a2, [])
    assert parse_proposal(measure_a, "provider", "") == (None, [])  # the ZE runs the measure itself
    assert parse_proposal(measure_a, "start_date", "15.01.2026") == (datetime.date(2026, 1, 15), [])
    assert parse_proposal(measure_a, "planned_participants", "15") == (15, [])


# --- the RP decides ---------------------------------------------------------------------------------


def test_rp_applies_measure_changes_audit_and_mail(client, ze_contact, ze_kassel, rp_editor, measure_a,
                                                    django_capture_on_commit_callbacks, settings):
    request = do_request_change(ze_kassel, measure_a, "end_date", "30.11.2026", "Änderungsbescheid")
    client.force_login(rp_editor)
    page = client.get(detail_url(request)).content.decode()
    assert "Übernehmen" in page and "Ablehnen" in page and "31.12.2026" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(detail_url(request), {"action": "apply"})
    assert response.status_code == 302
    measure_a.refresh_from_db()
    assert measure_a.end_date == datetime.date(2026, 11, 30)
    entry = AuditEntry.objects.get(measure=measure_a, action=AuditAction.CHANGE)
    assert entry.user == rp_editor
    assert entry.changes == {"Ende": ["31.12.2026", "30.11.2026"]}
    assert "Änderungsanfrage" in entry.note and "Änderungsbescheid" in entry.note
    request.refresh_from_db()
    assert request.state == ChangeRequestState.APPLIED and request.old_value == "31.12.2026"
    assert request.decided_by == rp_editor and request.decided_at is not None
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["aqb@landkreis-kassel.example", ze_kassel.email]
    assert message.subject == f"Änderungsanfrage Ende übernommen ({measure_a.number})"
    link = settings.WAGTAILADMIN_BASE_URL + detail_url(request)
    for body in (message.body, message.alternatives[0][0]):
        assert link in body and "30.11.2026" in body and "übernommen" in body
    # decided once: a second apply is refused
    with pytest.raises(ServiceError) as error:
        do_apply_change(rp_editor, request)
    assert "bereits entschieden" in error.value.messages[0]


def test_rp_applies_provider_change(ze_kassel, rp_editor, measure_a, provider_org_a2):
    request = do_request_change(ze_kassel, measure_a, "provider", "Jugendwerkstatt Kassel", "Trägerwechsel")
    do_apply_change(rp_editor, request)
    measure_a.refresh_from_db()
    assert measure_a.provider == provider_org_a2


def test_rp_rejects_with_reasons_and_mail(client, ze_contact, ze_kassel, rp_editor, measure_a,
                                          django_capture_on_commit_callbacks):
    request = do_request_change(ze_kassel, measure_a, "title", "Anderer Titel", "Wunsch")
    reason = RejectionReason.objects.get(code="wert-korrekt")
    client.force_login(rp_editor)
    # neither reason nor note: refused
    client.post(detail_url(request), {"action": "reject"})
    request.refresh_from_db()
    assert request.state == ChangeRequestState.OPEN
    with django_capture_on_commit_callbacks(execute=True):
        client.post(detail_url(request), {"action": "reject", "reasons": [reason.pk], "note": "Titel laut Bescheid"})
    request.refresh_from_db()
    assert request.state == ChangeRequestState.REJECTED
    assert list(request.rejection_reasons.all()) == [reason]
    measure_a.refresh_from_db()
    assert measure_a.title == "Maßnahme AQB26-KS-M1-01"
    assert list(AuditEntry.objects.filter(measure=measure_a).order_by("id").values_list("action", flat=True)) == [
        AuditAction.CHANGE_REQUEST, AuditAction.CHANGE_REQUEST_REJECTED]
    assert "Titel laut Bescheid" in AuditEntry.objects.get(action=AuditAction.CHANGE_REQUEST_REJECTED).note
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.subject == f"Änderungsanfrage Titel abgelehnt ({measure_a.number})"
    for body in (message.body, message.alternatives[0][0]):
        assert reason.label in body and "Titel laut Bescheid" in body
    # the ZE sees the state and the reasons
    client.force_login(ze_kassel)
    page = client.get(detail_url(request)).content.decode()
    assert "abgelehnt" in page and reason.label in page


def test_apply_refused_by_the_measure_rules_writes_nothing(client, ze_kassel, rp_editor, measure_a):
    request = do_request_change(ze_kassel, measure_a, "end_date", "31.05.2026", "Früheres Ende")
    make_participant(measure_a, "BWN-0001", entry_date=datetime.date(2026, 6, 15))
    client.force_login(rp_editor)
    page = client.get(detail_url(request)).content.decode()
    assert "liegt vor dem Eintritt von Teilnehmenden" in page
    with pytest.raises(ServiceError) as error:
        do_apply_change(rp_editor, request)
    assert any("liegt vor dem Eintritt von Teilnehmenden" in message for message in error.value.messages)
    response = client.post(detail_url(request), {"action": "apply"}, follow=True)
    assert "liegt vor dem Eintritt von Teilnehmenden" in response.content.decode()
    measure_a.refresh_from_db()
    request.refresh_from_db()
    assert measure_a.end_date == datetime.date(2026, 12, 31)
    assert request.state == ChangeRequestState.OPEN and request.decided_at is None
    assert not AuditEntry.objects.exclude(action=AuditAction.CHANGE_REQUEST).exists()
    assert not Notification.objects.exists()


def test_apply_refused_on_a_closed_measure(ze_kassel, rp_editor, measure_a):
    request = do_request_change(ze_kassel, measure_a, "planned_participants", "20", "Mehr Plätze")
    Measure.objects.filter(pk=measure_a.pk).update(closed_at=timezone.now())
    with pytest.raises(ServiceError) as error:
        do_apply_change(rp_editor, request)
    assert "Die Maßnahme ist abgeschlossen" in error.value.messages[0]
    request.refresh_from_db()
    assert request.state == ChangeRequestState.OPEN
    assert Measure.objects.get(pk=measure_a.pk).planned_participants is None
    assert not AuditEntry.objects.exclude(action=AuditAction.CHANGE_REQUEST).exists()


def test_only_the_rp_decides(ze_kassel, measure_a):
    request = do_request_change(ze_kassel, measure_a, "title", "Neu", "Grund")
    with pytest.raises(ServiceError):
        do_apply_change(ze_kassel, request)
    with pytest.raises(ServiceError):
        do_reject_change(ze_kassel, request, [], "nein")
    request.refresh_from_db()
    assert request.state == ChangeRequestState.OPEN


# --- who sees what ----------------------------------------------------------------------------------


def test_providers_and_other_tenants_get_404(client, ze_kassel, ze_fulda, provider_a, provider_b, rp_editor,
                                              measure_a):
    request = do_request_change(ze_kassel, measure_a, "title", "Neu", "Grund")
    list_url = reverse("aqb_reports:change_requests")
    for user in (provider_a, provider_b, ze_fulda):
        client.force_login(user)
        assert client.get(add_url(measure_a)).status_code == 404
        assert client.post(add_url(measure_a), {"field_name": "title", "proposed_value": "X",
                                                "reason": "x"}).status_code == 404
        assert client.get(detail_url(request)).status_code == 404
        assert client.post(detail_url(request), {"action": "apply"}).status_code == 404
        assert client.get(list_url).status_code == 404
    client.force_login(ze_kassel)
    assert client.get(list_url).status_code == 404
    # the provider's measure page shows nothing of it
    client.force_login(provider_a)
    page = client.get(reverse("aqb_monitoring:measure", args=[measure_a.pk])).content.decode()
    assert "Änderungsanfrage" not in page
    # the RP cannot ask (it changes the master data itself)
    client.force_login(rp_editor)
    assert client.get(add_url(measure_a)).status_code == 404
    assert ChangeRequest.objects.count() == 1
    request.refresh_from_db()
    assert request.state == ChangeRequestState.OPEN


def test_rp_list_oldest_open_first_with_age_and_menu(client, ze_kassel, ze_fulda, rp_editor, measure_a, measure_b):
    old = do_request_change(ze_kassel, measure_a, "title", "Alt", "Grund")
    ChangeRequest.objects.filter(pk=old.pk).update(requested_at=timezone.now() - datetime.timedelta(days=9))
    do_request_change(ze_fulda, measure_b, "planned_participants", "8", "Grund")
    decided = do_request_change(ze_kassel, measure_a, "planned_participants", "5", "Grund")
    do_reject_change(rp_editor, decided, [], "Nein")
    client.force_login(rp_editor)
    page = client.get(reverse("aqb_reports:change_requests")).content.decode()
    assert page.index(measure_a.number) < page.index(measure_b.number)
    assert "<td>9</td>" in page
    assert "abgelehnt" not in page.split('id="change-requests"')[1]
    page = client.get(reverse("aqb_reports:change_requests"), {"state": "alle"}).content.decode()
    assert "abgelehnt" in page.split('id="change-requests"')[1]
    assert "nderungsanfragen (2)" in client.get("/admin/").content.decode()  # JSON may escape the Ä
    client.force_login(ze_kassel)
    assert "/admin/meldungen/aenderungsanfragen/" not in client.get("/admin/").content.decode()


def test_rp_list_query_count_does_not_grow(client, rp_editor, measure_a, measure_b, django_assert_max_num_queries):
    def add(count, measure):
        ChangeRequest.objects.bulk_create([
            ChangeRequest(measure=measure, field_name="title", proposed_value=f"Titel {i}", reason="x",
                          state=ChangeRequestState.REJECTED) for i in range(count)])

    add(2, measure_a)
    client.force_login(rp_editor)
    url = reverse("aqb_reports:change_requests")
    client.get(url, {"state": "alle"})  # warm caches (menu, session)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url, {"state": "alle"}).status_code == 200
    add(15, measure_a)
    add(15, measure_b)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(url, {"state": "alle"}).content.decode()
    assert measure_b.number in page


def test_who_may_view_and_decide_a_request(ze_kassel, ze_fulda, provider_a, rp_editor, measure_a):
    from aqb_monitoring.services.change_requests import may_decide, may_view_request

    request = do_request_change(ze_kassel, measure_a, "title", "Neu", "Grund")
    assert [may_view_request(user, request) for user in (rp_editor, ze_kassel, provider_a, ze_fulda)] == [
        True, True, False, False]
    assert [may_decide(user, request) for user in (rp_editor, ze_kassel, provider_a)] == [True, False, False]
    do_reject_change(rp_editor, request, [], "nein")
    request.refresh_from_db()
    assert not may_decide(rp_editor, request)  # decided: nobody decides again
    assert may_view_request(ze_kassel, request)
