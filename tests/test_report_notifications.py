"""E-mails of the reports' life cycle (issue 12): the decision, the reopening and the provider's
"Dateneingabe abgeschlossen" reach the grant recipient after the commit, in German, as text and HTML
with a link to the exact page; a failing mail server loses nothing and is shown to the RP."""

import datetime

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.urls import reverse

from aqb_monitoring.deadlines import scheduled_reports
from aqb_monitoring.models import (
    AuditAction,
    AuditEntry,
    InterimDueDate,
    Notification,
    ParticipantStatus,
    ReportKind,
    ReturnReason,
    ReviewState,
)
from aqb_monitoring.services import ServiceError
from aqb_monitoring.services.measures import do_reopen_measure
from aqb_monitoring.services.reports import do_review_report, do_signal_data_complete, do_submit_report
from tests.conftest import make_participant

DURING = datetime.date(2026, 6, 1)


class FailingBackend(BaseEmailBackend):
    def send_messages(self, messages):
        raise ConnectionRefusedError("SMTP-Server nicht erreichbar")


@pytest.fixture
def ze_contact(kassel):
    kassel.contact_email = "aqb@landkreis-kassel.example"
    kassel.save(update_fields=["contact_email"])
    return kassel


@pytest.mark.django_db
def test_returned_report_mails_the_grant_recipient_with_reasons_and_link(
        ze_contact, ze_kassel, rp_editor, measure_a, django_capture_on_commit_callbacks, settings):
    report = do_submit_report(ze_kassel, measure_a, ReportKind.ZERO, today=DURING)
    reason = ReturnReason.objects.get(code="falsche-massnahme")
    with django_capture_on_commit_callbacks(execute=True):
        do_review_report(rp_editor, report, ReviewState.RETURNED, reasons=[reason], note="Bitte BWN-0003 prüfen")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["aqb@landkreis-kassel.example", ze_kassel.email]
    assert message.subject == f"Meldung {report.reference} zurückgegeben ({measure_a.number})"
    link = settings.WAGTAILADMIN_BASE_URL + reverse("aqb_reports:report_detail", args=[report.pk])
    for body in (message.body, message.alternatives[0][0]):
        assert reason.label in body and "Bitte BWN-0003 prüfen" in body and link in body
        assert "wieder geöffnet" in body  # the zero report's measure is open again
    assert message.alternatives[0][1] == "text/html"
    assert f"<title>{message.subject}</title>" in message.alternatives[0][0]
    assert Notification.objects.get().sent_at is not None


@pytest.mark.django_db
def test_accepting_mails_and_taking_into_review_does_not(ze_kassel, rp_editor, measure_a,
                                                          django_capture_on_commit_callbacks):
    report = do_submit_report(ze_kassel, measure_a, ReportKind.ZERO, today=DURING)
    with django_capture_on_commit_callbacks(execute=True):
        do_review_report(rp_editor, report, ReviewState.IN_REVIEW)
    assert mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        do_review_report(rp_editor, report, ReviewState.ACCEPTED)
    assert [m.subject for m in mail.outbox] == [f"Meldung {report.reference} angenommen ({measure_a.number})"]


@pytest.mark.django_db
def test_reopening_mails_the_reason(ze_kassel, rp_editor, measure_a, django_capture_on_commit_callbacks):
    do_submit_report(ze_kassel, measure_a, ReportKind.ZERO, today=DURING)
    with django_capture_on_commit_callbacks(execute=True):
        do_reopen_measure(rp_editor, measure_a, "Nachmeldung von zwei Teilnehmenden")
    assert len(mail.outbox) == 1 and "Nachmeldung von zwei Teilnehmenden" in mail.outbox[0].body


@pytest.mark.django_db
def test_a_failing_mail_server_loses_no_decision_and_the_rp_sees_the_failure(
        client, ze_kassel, rp_editor, measure_a, settings, django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = "tests.test_report_notifications.FailingBackend"
    report = do_submit_report(ze_kassel, measure_a, ReportKind.ZERO, today=DURING)
    with django_capture_on_commit_callbacks(execute=True):
        do_review_report(rp_editor, report, ReviewState.ACCEPTED)
    notification = Notification.objects.get()
    assert notification.sent_at is None and notification.attempts == 1
    assert "SMTP-Server nicht erreichbar" in notification.last_error
    assert report.reviews.get().state == ReviewState.ACCEPTED
    client.force_login(rp_editor)
    page = client.get(reverse("aqb_reports:inbox")).content.decode()
    assert "1 E-Mail wurde nicht zugestellt" in page and notification.subject in page


@pytest.mark.django_db
def test_provider_signals_complete_data_entry_to_the_grant_recipient_only_when_all_green(
        client, provider_a, ze_kassel, measure_a, django_capture_on_commit_callbacks):
    participant = make_participant(measure_a, "BWN-0001", status=ParticipantStatus.YELLOW)
    url = reverse("aqb_reports:data_complete", args=[measure_a.pk])
    client.force_login(provider_a)
    assert "Status gelb: BWN-0001" in client.get(url).content.decode()
    with pytest.raises(ServiceError):
        do_signal_data_complete(provider_a, measure_a)
    participant.status = ParticipantStatus.GREEN
    participant.save(update_fields=["status"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)
    assert response.status_code == 302
    assert AuditEntry.objects.filter(measure=measure_a, action=AuditAction.DATA_COMPLETE).count() == 1
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [ze_kassel.email]
    assert "noch keine Meldung an das Regierungspräsidium" in mail.outbox[0].body
    client.force_login(ze_kassel)
    page = client.get(reverse("aqb_monitoring:measure", args=[measure_a.pk])).content.decode()
    assert "Dateneingabe als abgeschlossen gemeldet" in page
    assert client.get(url).status_code == 404  # the ZE reports to the RP itself


@pytest.mark.django_db
@pytest.mark.parametrize("user_fixture", ["provider_b", "ze_fulda", "provider_a2"])
def test_other_tenants_cannot_signal_completion(client, request, user_fixture, measure_a):
    make_participant(measure_a, "BWN-0001", status=ParticipantStatus.GREEN)
    client.force_login(request.getfixturevalue(user_fixture))
    url = reverse("aqb_reports:data_complete", args=[measure_a.pk])
    assert client.get(url).status_code == 404 and client.post(url).status_code == 404
    assert not AuditEntry.objects.filter(action=AuditAction.DATA_COMPLETE).exists()
    assert not Notification.objects.exists()


@pytest.mark.django_db
def test_sent_reports_settle_their_due_dates_and_returned_ones_do_not(ze_kassel, rp_editor, measure_a):
    InterimDueDate.objects.create(measure=measure_a, due_date=datetime.date(2026, 6, 30))
    make_participant(measure_a, "BWN-0001", status=ParticipantStatus.YELLOW)
    kinds = lambda: [(due.kind, due.date) for due in scheduled_reports(measure_a, DURING)]  # noqa: E731
    assert ("interim", datetime.date(2026, 6, 30)) in kinds() and ("annual", datetime.date(2027, 1, 31)) in kinds()
    do_submit_report(ze_kassel, measure_a, ReportKind.INTERIM, today=datetime.date(2026, 6, 25))
    annual = do_submit_report(ze_kassel, measure_a, ReportKind.ANNUAL, year=2026, today=DURING)
    assert kinds() == [("closing", datetime.date(2027, 1, 28))]
    do_review_report(rp_editor, annual, ReviewState.RETURNED, note="Bitte vervollständigen")
    assert ("annual", datetime.date(2027, 1, 31)) in kinds()
