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
    Provider,
    RejectionReason,
)
from aqb_monitoring.services import ServiceError
from aqb_monitoring.services.change_requests import (
    check_apply_change,
    check_reject_change,
    check_request_change,
    do_apply_change,
    do_reject_change,
    do_request_change,
    field_label,
    parse_proposal,
    shown_proposal,
)
from aqb_monitoring.services.common import SHELL
from aqb_monitoring.services.measures import do_save_measure
from tests.conftest import make_measure, make_participant

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


# --- word for word: the proposal as the grant recipient types it --------------------------------------


def test_a_field_that_cannot_be_requested_is_refused(measure_a):
    assert parse_proposal(measure_a, "number", "AQB26-KS-M1-09") == (
        None, ["Dieses Feld kann nicht per Änderungsanfrage geändert werden."])


def test_a_title_is_taken_trimmed_and_up_to_300_characters(measure_a):
    assert parse_proposal(measure_a, "title", "  Neuer Titel  ") == ("Neuer Titel", [])
    assert parse_proposal(measure_a, "title", "x" * 300) == ("x" * 300, [])
    assert parse_proposal(measure_a, "title", "x" * 301) == (None, ["Der Titel darf höchstens 300 Zeichen lang sein."])
    assert parse_proposal(measure_a, "title", None) == (None, ["Bitte den neuen Titel angeben."])


def test_a_date_is_typed_as_tt_mm_jjjj_and_may_fall_on_the_other_end_but_not_beyond(measure_a):
    """measure_a runs from 01.01.2026 to 31.12.2026."""
    assert parse_proposal(measure_a, "start_date", "2026-02-01") == (
        None, ["Bitte ein Datum im Format TT.MM.JJJJ angeben, z. B. 31.12.2026."])
    assert parse_proposal(measure_a, "start_date", " 31.12.2026 ") == (datetime.date(2026, 12, 31), [])
    assert parse_proposal(measure_a, "start_date", "01.01.2027") == (
        None, ["Der neue Beginn 01.01.2027 liegt nach dem Ende der Maßnahme (31.12.2026)."])
    assert parse_proposal(measure_a, "end_date", "01.01.2026") == (datetime.date(2026, 1, 1), [])
    assert parse_proposal(measure_a, "end_date", "31.12.2025") == (
        None, ["Das neue Ende 31.12.2025 liegt vor dem Beginn der Maßnahme (01.01.2026)."])
    # a measure may be extended either way
    assert parse_proposal(measure_a, "start_date", "01.09.2025") == (datetime.date(2025, 9, 1), [])
    assert parse_proposal(measure_a, "end_date", "31.03.2027") == (datetime.date(2027, 3, 31), [])


def test_the_planned_number_is_a_whole_number_the_database_can_hold(measure_a):
    assert parse_proposal(measure_a, "planned_participants", " 0 ") == (0, [])
    assert parse_proposal(measure_a, "planned_participants", "2147483647") == (2_147_483_647, [])
    assert parse_proposal(measure_a, "planned_participants", "2147483648") == (
        None, ["Die geplante Teilnehmendenzahl ist zu groß."])
    assert parse_proposal(measure_a, "planned_participants", "1.5") == (
        None, ["Bitte die geplante Teilnehmendenzahl als ganze Zahl (0 oder mehr) angeben."])


def test_a_provider_is_one_of_the_grant_recipients_in_any_case_and_the_others_are_listed_by_name(
        measure_a, provider_org_a, provider_org_a2, provider_org_b):
    assert parse_proposal(measure_a, "provider", "JUGENDWERKSTATT KASSEL") == (provider_org_a2, [])
    Provider.objects.create(name="Ausbildungsverbund Kassel", grant_recipient=measure_a.grant_recipient)
    assert parse_proposal(measure_a, "provider", "Fulda Perspektiven") == (None, [
        "„Fulda Perspektiven“ ist kein Träger des Zuwendungsempfängers. Möglich sind: Ausbildungsverbund Kassel, "
        "Bildungswerk Nordhessen, Jugendwerkstatt Kassel; leer lassen, wenn der Zuwendungsempfänger die Maßnahme "
        "selbst durchführt."])


def test_a_provider_name_two_providers_share_is_refused_rather_than_guessed(measure_a, provider_org_a2):
    Provider.objects.create(name="Jugendwerkstatt kassel", grant_recipient=measure_a.grant_recipient)
    value, problems = parse_proposal(measure_a, "provider", "Jugendwerkstatt Kassel")
    assert value is None
    assert problems[0].startswith("„Jugendwerkstatt Kassel“ ist kein Träger des Zuwendungsempfängers. Möglich sind: ")


def test_a_grant_recipient_without_providers_is_told_it_has_none(kassel, provider_org_b):
    measure = make_measure("AQB26-KS-M1-05", kassel)
    assert parse_proposal(measure, "provider", "Fulda Perspektiven") == (None, [
        "„Fulda Perspektiven“ ist kein Träger des Zuwendungsempfängers; für ihn ist kein Träger erfasst. "
        "Leer lassen, wenn der Zuwendungsempfänger die Maßnahme selbst durchführt."])


def test_an_empty_provider_is_shown_as_the_grant_recipient_running_the_measure_itself(ze_kassel, measure_a):
    request = do_request_change(ze_kassel, measure_a, "provider", None, "Wir führen selbst durch")
    assert request.proposed_value == ""
    assert shown_proposal(request) == "kein Träger (der Zuwendungsempfänger führt die Maßnahme selbst durch)"
    title = do_request_change(ze_kassel, measure_a, "title", "Neuer Titel", "Tippfehler")
    assert shown_proposal(title) == "Neuer Titel"


def test_a_proposed_provider_is_shown_by_its_name(ze_kassel, measure_a, provider_org_a2):
    request = do_request_change(ze_kassel, measure_a, "provider", "Jugendwerkstatt Kassel", "Trägerwechsel")
    assert shown_proposal(request) == "Jugendwerkstatt Kassel"


def test_the_field_labels_are_the_measure_forms_and_other_names_stay_as_they_are():
    assert [field_label(name) for name in ("title", "start_date", "end_date", "planned_participants", "provider")] == [
        "Titel", "Beginn", "Ende", "Geplante Teilnehmendenzahl", "Träger"]
    assert field_label("number") == "number"


# --- word for word: who may ask, and what is refused -------------------------------------------------------


NOT_ASKING = {"__all__": ["Nur der Zuwendungsempfänger der Maßnahme kann eine Änderung der Stammdaten anfragen."]}


def test_only_the_measures_own_grant_recipient_may_ask(ze_kassel, ze_fulda, provider_a, rp_editor, measure_a):
    for user in (ze_fulda, provider_a, rp_editor, None):
        assert check_request_change(user, measure_a, "title", "Neu", "Grund") == NOT_ASKING
    assert check_request_change(ze_kassel, measure_a, "title", "Neu", "Grund") == {}


def test_a_grant_recipients_user_without_its_rights_on_the_measure_may_not_ask(ze_kassel, measure_a):
    ze_kassel.groups.clear()
    assert check_request_change(ze_kassel, measure_a, "title", "Neu", "Grund") == NOT_ASKING
    with pytest.raises(ServiceError):
        do_request_change(ze_kassel, measure_a, "title", "Neu", "Grund")
    assert not ChangeRequest.objects.exists()


def test_a_closed_measure_takes_no_request(ze_kassel, measure_a):
    measure_a.closed_at = timezone.now()
    assert check_request_change(ze_kassel, measure_a, "title", "Neu", "Grund") == {
        "__all__": ["Die Maßnahme ist abgeschlossen; ihre Stammdaten werden nicht mehr geändert."]}


def test_every_refusal_of_a_request_at_its_field(ze_kassel, measure_a):
    do_request_change(ze_kassel, measure_a, "start_date", "01.02.2026", "Später begonnen")
    assert check_request_change(ze_kassel, measure_a, "start_date", "2026-02-01", None) == {
        "proposed_value": ["Bitte ein Datum im Format TT.MM.JJJJ angeben, z. B. 31.12.2026."],
        "field_name": ["Für „Beginn“ gibt es bereits eine offene Änderungsanfrage; bitte die Entscheidung des "
                       "Regierungspräsidiums abwarten."],
        "reason": ["Bitte begründen Sie die Änderung."],
    }
    assert check_request_change(ze_kassel, measure_a, "number", "AQB26-KS-M1-09", "Grund") == {
        "field_name": ["Bitte ein Feld wählen, das geändert werden soll."]}
    assert check_request_change(ze_kassel, measure_a, "end_date", "31.12.2026", "Grund") == {
        "proposed_value": ["Der vorgeschlagene Wert entspricht dem aktuellen Wert (31.12.2026)."]}


def test_proposing_no_provider_for_a_measure_without_one_is_the_current_value_empty(ze_kassel, kassel):
    measure = make_measure("AQB26-KS-M1-05", kassel)
    assert check_request_change(ze_kassel, measure, "provider", "", "Grund") == {
        "proposed_value": ["Der vorgeschlagene Wert entspricht dem aktuellen Wert (leer)."]}


def test_an_open_request_blocks_only_its_own_field_of_its_own_measure(ze_kassel, rp_editor, measure_a, kassel):
    other = make_measure("AQB26-KS-M1-05", kassel)
    decided = do_request_change(ze_kassel, measure_a, "title", "Erster Titel", "Grund")
    do_reject_change(rp_editor, decided, [], "Nein")
    do_request_change(ze_kassel, other, "title", "Anderer Titel", "Grund")
    assert check_request_change(ze_kassel, measure_a, "title", "Zweiter Titel", "Grund") == {}


def test_a_request_is_stored_trimmed_with_the_askers_name_and_logged(ze_kassel, measure_a):
    ze_kassel.first_name, ze_kassel.last_name = "Zora", "Empfänger"
    ze_kassel.save()
    request = do_request_change(ze_kassel, measure_a, "planned_participants", " 12 ", "  Mehr Plätze  ")
    request.refresh_from_db()
    assert (request.field_name, request.proposed_value, request.reason) == ("planned_participants", "12", "Mehr Plätze")
    assert (request.requested_by, request.requested_by_name, request.state) == (
        ze_kassel, "Zora Empfänger", ChangeRequestState.OPEN)
    entry = AuditEntry.objects.get(measure=measure_a)
    assert (entry.user, entry.action, entry.changes, entry.note) == (
        ze_kassel, AuditAction.CHANGE_REQUEST, {"Geplante Teilnehmendenzahl": ["", "12"]}, "Mehr Plätze")
    assert Measure.objects.get(pk=measure_a.pk).planned_participants is None


# --- word for word: the RP's decision ------------------------------------------------------------------------


def test_the_rp_alone_decides_and_only_once(ze_kassel, rp_editor, measure_a):
    request = do_request_change(ze_kassel, measure_a, "title", "Neu", "Grund")
    not_rp = {"__all__": ["Nur das Regierungspräsidium entscheidet über Änderungsanfragen."]}
    assert check_apply_change(ze_kassel, request) == not_rp
    assert check_reject_change(ze_kassel, request, [], "nein") == not_rp
    with pytest.raises(ServiceError) as refused:
        do_reject_change(ze_kassel, request, [], "nein")
    assert refused.value.errors == not_rp
    do_reject_change(rp_editor, request, [], "Nein")
    request.refresh_from_db()
    decided = {"__all__": ["Die Änderungsanfrage ist bereits entschieden (abgelehnt)."]}
    assert check_apply_change(rp_editor, request) == decided
    assert check_reject_change(rp_editor, request, [], "nochmal") == decided
    with pytest.raises(ServiceError) as refused:
        do_apply_change(rp_editor, request)
    assert refused.value.errors == decided


def test_a_proposal_no_longer_valid_is_refused_at_the_apply(ze_kassel, rp_editor, measure_a):
    request = do_request_change(ze_kassel, measure_a, "start_date", "01.12.2026", "Später begonnen")
    assert check_apply_change(rp_editor, request) == {}
    do_save_measure(rp_editor, measure_a, {"end_date": datetime.date(2026, 11, 30)})
    request.refresh_from_db()
    problem = {"__all__": ["Der neue Beginn 01.12.2026 liegt nach dem Ende der Maßnahme (30.11.2026)."]}
    assert check_apply_change(rp_editor, request) == problem
    with pytest.raises(ServiceError) as refused:
        do_apply_change(rp_editor, request)
    assert refused.value.errors == problem
    request.refresh_from_db()
    assert request.state == ChangeRequestState.OPEN
    assert Measure.objects.get(pk=measure_a.pk).start_date == datetime.date(2026, 1, 1)


def test_the_apply_logs_who_asked_when_and_why_with_the_rps_note(ze_kassel, rp_editor, measure_a):
    ze_kassel.first_name, ze_kassel.last_name = "Zora", "Empfänger"
    ze_kassel.save()
    request = do_request_change(ze_kassel, measure_a, "title", "Neuer Titel", "Tippfehler im Bescheid")
    asked = timezone.now() - datetime.timedelta(days=3)
    ChangeRequest.objects.filter(pk=request.pk).update(requested_at=asked)
    request.refresh_from_db()
    applied = do_apply_change(rp_editor, request, note="  Bescheid geprüft  ")
    entry = AuditEntry.objects.get(measure=measure_a, action=AuditAction.CHANGE)
    assert entry.note == (f"Änderungsanfrage von Zora Empfänger vom {timezone.localtime(asked):%d.%m.%Y} übernommen: "
                          "Tippfehler im Bescheid\nBescheid geprüft")
    assert entry.changes == {"Titel": ["Maßnahme AQB26-KS-M1-01", "Neuer Titel"]}
    applied.refresh_from_db()
    assert (applied.state, applied.old_value, applied.decision_note) == (
        ChangeRequestState.APPLIED, "Maßnahme AQB26-KS-M1-01", "Bescheid geprüft")
    assert (applied.decided_by, applied.decided_by_name) == (rp_editor, rp_editor.email)
    assert timezone.now() - applied.decided_at < datetime.timedelta(minutes=1)


def test_an_apply_without_note_for_a_request_of_a_deleted_user_names_nobody(ze_kassel, rp_editor, measure_a):
    request = do_request_change(ze_kassel, measure_a, "planned_participants", "12", "Mehr Plätze")
    ChangeRequest.objects.filter(pk=request.pk).update(requested_by=None, requested_by_name="")
    request.refresh_from_db()
    do_apply_change(rp_editor, request, note="   ")
    entry = AuditEntry.objects.get(measure=measure_a, action=AuditAction.CHANGE)
    assert entry.note == (f"Änderungsanfrage von unbekannt vom {timezone.localtime(request.requested_at):%d.%m.%Y} "
                          "übernommen: Mehr Plätze")
    request.refresh_from_db()
    assert (request.old_value, request.decision_note) == ("", "")


def test_the_server_operator_decides_without_a_user(ze_kassel, measure_a):
    applied = do_apply_change(SHELL, do_request_change(ze_kassel, measure_a, "title", "Neu", "Grund"))
    rejected = do_reject_change(SHELL, do_request_change(ze_kassel, measure_a, "end_date", "30.11.2026", "Grund"),
                                note="Nein")
    for decided in (applied, rejected):
        decided.refresh_from_db()
        assert (decided.decided_by, decided.decided_by_name) == (None, "manage.py")
        assert decided.decided_at is not None
    assert applied.decision_note == ""
    assert AuditEntry.objects.get(action=AuditAction.CHANGE).note.endswith("übernommen: Grund")


def test_a_rejection_needs_a_reason_or_a_text(ze_kassel, rp_editor, measure_a):
    request = do_request_change(ze_kassel, measure_a, "title", "Neu", "Grund")
    refusal = {"__all__": ["Bitte mindestens einen Ablehnungsgrund wählen oder eine Begründung schreiben."]}
    assert check_reject_change(rp_editor, request, [], "   ") == refusal
    assert check_reject_change(rp_editor, request, [], None) == refusal
    assert check_reject_change(rp_editor, request) == refusal
    with pytest.raises(ServiceError) as refused:
        do_reject_change(rp_editor, request, [], " ")
    assert refused.value.errors == refusal
    assert check_reject_change(rp_editor, request, [RejectionReason.objects.get(code="wert-korrekt")]) == {}
    assert check_reject_change(rp_editor, request, [], "Nein") == {}


def test_a_rejection_logs_the_reasons_and_the_text(ze_kassel, rp_editor, measure_a):
    request = do_request_change(ze_kassel, measure_a, "title", "Anderer Titel", "Wunsch")
    reasons = list(RejectionReason.objects.filter(code__in=["wert-korrekt", "nachweis-fehlt"]).order_by("code"))
    rejected = do_reject_change(rp_editor, request, reasons, "  Titel laut Bescheid  ")
    rejected.refresh_from_db()
    assert (rejected.state, rejected.decision_note, rejected.decided_by, rejected.decided_by_name) == (
        ChangeRequestState.REJECTED, "Titel laut Bescheid", rp_editor, rp_editor.email)
    assert timezone.now() - rejected.decided_at < datetime.timedelta(minutes=1)
    assert set(rejected.rejection_reasons.all()) == set(reasons)
    entry = AuditEntry.objects.get(action=AuditAction.CHANGE_REQUEST_REJECTED)
    assert (entry.user, entry.changes) == (rp_editor, {"Titel": ["Anderer Titel", ""]})
    assert entry.note == "Nachweis oder Begründung fehlt; Der bisherige Wert ist korrekt; Titel laut Bescheid"
    only_reason = do_reject_change(rp_editor, do_request_change(ze_kassel, measure_a, "title", "X", "Y"), reasons[:1])
    assert AuditEntry.objects.filter(action=AuditAction.CHANGE_REQUEST_REJECTED).latest("id").note == (
        "Nachweis oder Begründung fehlt")
    assert only_reason.decision_note == ""


# --- word for word: the decision's e-mail ------------------------------------------------------------------


def test_the_apply_mail_names_field_proposal_and_the_former_value(
        ze_contact, ze_kassel, rp_editor, measure_a, settings, django_capture_on_commit_callbacks):
    request = do_request_change(ze_kassel, measure_a, "end_date", "30.11.2026", "Änderungsbescheid")
    with django_capture_on_commit_callbacks(execute=True):
        do_apply_change(rp_editor, request, note="Laut Bescheid vom 01.03.2026")
    [message] = mail.outbox
    link = settings.WAGTAILADMIN_BASE_URL + detail_url(request)
    assert message.subject == "Änderungsanfrage Ende übernommen (AQB26-KS-M1-01)"
    assert message.body == (
        "Guten Tag,\n\n"
        "das Regierungspräsidium Kassel hat Ihre Änderungsanfrage zu „Ende“ der Maßnahme AQB26-KS-M1-01 entschieden: "
        "übernommen.\n\n"
        "Vorgeschlagener Wert: 30.11.2026\n"
        "Bisheriger Wert: 31.12.2026\n"
        "Die Stammdaten der Maßnahme sind entsprechend geändert.\n\n"
        "Begründung: Laut Bescheid vom 01.03.2026\n\n"
        f"Änderungsanfrage im AQB-Portal öffnen: {link}\n\n"
        "Diese Nachricht wurde vom AQB-Portal automatisch versendet.\n\n")
    html = message.alternatives[0][0]
    assert "<p>Bisheriger Wert: 31.12.2026</p>" in html
    assert f'<a href="{link}">Änderungsanfrage im AQB-Portal öffnen</a>' in html


def test_the_rejection_mail_lists_the_reasons(
        ze_contact, ze_kassel, rp_editor, measure_a, settings, django_capture_on_commit_callbacks):
    request = do_request_change(ze_kassel, measure_a, "provider", "", "Wir führen selbst durch")
    reasons = list(RejectionReason.objects.filter(code__in=["wert-korrekt", "nachweis-fehlt"]).order_by("code"))
    with django_capture_on_commit_callbacks(execute=True):
        do_reject_change(rp_editor, request, reasons)
    [message] = mail.outbox
    link = settings.WAGTAILADMIN_BASE_URL + detail_url(request)
    assert message.subject == "Änderungsanfrage Träger abgelehnt (AQB26-KS-M1-01)"
    assert message.body == (
        "Guten Tag,\n\n"
        "das Regierungspräsidium Kassel hat Ihre Änderungsanfrage zu „Träger“ der Maßnahme AQB26-KS-M1-01 entschieden: "
        "abgelehnt.\n\n"
        "Vorgeschlagener Wert: kein Träger (der Zuwendungsempfänger führt die Maßnahme selbst durch)\n"
        "Gründe der Ablehnung:\n"
        "- Nachweis oder Begründung fehlt\n"
        "- Der bisherige Wert ist korrekt\n\n"
        f"Änderungsanfrage im AQB-Portal öffnen: {link}\n\n"
        "Diese Nachricht wurde vom AQB-Portal automatisch versendet.\n\n")
