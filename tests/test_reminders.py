"""Deadline reminders (issue 15): `manage.py send_reminders` and its task remind the grant recipient
14 and 3 days before a report is due and on the first day overdue, and the provider of a measure that
ends within 14 days with red or yellow records; each step once, a missed day caught up without stale
steps, one German mail per address with links; the RP sees what went out."""

import datetime
import io

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from aqb_monitoring import tasks
from aqb_monitoring.models import (
    InterimDueDate,
    Notification,
    ParticipantStatus,
    ReminderStep,
    Report,
    SentReminder,
)
from aqb_monitoring.oversight.reminders import send_reminders

from .conftest import make_measure, make_participant

pytestmark = pytest.mark.django_db

END = datetime.date(2026, 6, 30)
CLOSING_DUE = datetime.date(2026, 7, 28)  # four weeks after the end
ANNUAL_DUE = datetime.date(2027, 1, 31)


@pytest.fixture
def ended(kassel, provider_org_a):
    """A KS measure of the first half of 2026: closing report due 28.07.2026, annual report 31.01.2027."""
    return make_measure("AQB26-KS-M1-10", kassel, provider_org_a, start_date=datetime.date(2026, 1, 1), end_date=END)


def run(day, capture, **kwargs):
    with capture(execute=True):
        return send_reminders(today=day, **kwargs)


def days_before(due, days):
    return due - datetime.timedelta(days=days)


def recipients(messages):
    return sorted(address for message in messages for address in message.to)


def test_a_second_run_on_the_same_day_sends_nothing_twice(ze_kassel, ended, django_capture_on_commit_callbacks):
    day = days_before(CLOSING_DUE, 14)
    run(day, django_capture_on_commit_callbacks)
    run(day, django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [ze_kassel.email]
    reminder = SentReminder.objects.get()
    assert (reminder.kind, reminder.due_date, reminder.step, reminder.recipient) == (
        "closing", CLOSING_DUE, ReminderStep.DAYS_14, ze_kassel.email)
    assert reminder.notification.sent_at is not None


def test_each_step_goes_out_once_on_its_day(ze_kassel, ended, django_capture_on_commit_callbacks):
    for offset in range(16, -4, -1):  # every day from 16 days before to 3 days after the due date
        run(days_before(CLOSING_DUE, offset), django_capture_on_commit_callbacks)
    steps = list(SentReminder.objects.order_by("sent_at", "id").values_list("step", flat=True))
    assert steps == [ReminderStep.DAYS_14, ReminderStep.DAYS_3, ReminderStep.OVERDUE]
    assert len(mail.outbox) == 3
    assert "Überfällig" in mail.outbox[2].subject


def test_a_missed_day_catches_up_with_todays_step_only(ze_kassel, ended, django_capture_on_commit_callbacks):
    # The run 14 days before did not happen; 10 days before the 14-day step is still today's step.
    run(days_before(CLOSING_DUE, 10), django_capture_on_commit_callbacks)
    assert list(SentReminder.objects.values_list("step", flat=True)) == [ReminderStep.DAYS_14]
    SentReminder.objects.all().delete()
    mail.outbox.clear()
    # Missed until 2 days before: only the 3-day step goes out, not the stale 14-day step.
    run(days_before(CLOSING_DUE, 2), django_capture_on_commit_callbacks)
    assert list(SentReminder.objects.values_list("step", flat=True)) == [ReminderStep.DAYS_3]
    assert len(mail.outbox) == 1 and "in 2 Tagen" in mail.outbox[0].body


def test_overdue_reminder_is_caught_up_for_a_week_then_no_longer(ze_kassel, ended, django_capture_on_commit_callbacks):
    run(CLOSING_DUE + datetime.timedelta(days=8), django_capture_on_commit_callbacks)
    assert not mail.outbox
    run(CLOSING_DUE + datetime.timedelta(days=5), django_capture_on_commit_callbacks)
    assert list(SentReminder.objects.values_list("step", flat=True)) == [ReminderStep.OVERDUE]
    assert "seit 5 Tagen überfällig" in mail.outbox[0].body


def test_mail_lists_every_due_item_of_the_address_with_links(
        ze_kassel, kassel, ended, provider_org_a, django_capture_on_commit_callbacks, settings):
    kassel.contact_email = "aqb@landkreis-kassel.example"
    kassel.save(update_fields=["contact_email"])
    other = make_measure("AQB26-KS-M1-11", kassel, provider_org_a, start_date=datetime.date(2026, 1, 1),
                         end_date=datetime.date(2026, 12, 31))
    InterimDueDate.objects.create(measure=other, due_date=datetime.date(2026, 7, 17))
    day = days_before(CLOSING_DUE, 14)  # 14.07.2026: closing of `ended` in 14 days, interim of `other` in 3
    run(day, django_capture_on_commit_callbacks)
    assert recipients(mail.outbox) == ["aqb@landkreis-kassel.example", ze_kassel.email]
    message = next(m for m in mail.outbox if m.to == [ze_kassel.email])
    assert message.subject == "Erinnerung: 2 Fristen im AQB-Portal"
    base = settings.WAGTAILADMIN_BASE_URL
    closing_link = base + reverse("aqb_reports:submit", args=[ended.pk, "abschluss"])
    interim_link = base + reverse("aqb_reports:submit", args=[other.pk, "zwischenmeldung"])
    html = message.alternatives[0][0]
    assert message.alternatives[0][1] == "text/html"
    for body in (message.body, html):
        assert "Zwischenmeldung für AQB26-KS-M1-11" in body and "17.07.2026" in body and "fällig in 3 Tagen" in body
        assert "Maßnahmenabschluss für AQB26-KS-M1-10" in body and "28.07.2026" in body
        assert "fällig in 14 Tagen" in body
        assert closing_link in body and interim_link in body
        assert base + reverse("aqb_monitoring:dashboard") in body
    assert body.index("AQB26-KS-M1-11") < body.index("AQB26-KS-M1-10")  # the earliest date first
    assert f'href="{closing_link}"' in html
    assert Notification.objects.filter(measure__isnull=True).count() == 2


def test_annual_report_link_names_the_year(ze_kassel, ended, django_capture_on_commit_callbacks, settings):
    run(days_before(ANNUAL_DUE, 3), django_capture_on_commit_callbacks)
    link = settings.WAGTAILADMIN_BASE_URL + reverse("aqb_reports:submit", args=[ended.pk, "jahresmeldung"]) + "?year=2026"
    assert mail.outbox[0].subject == "Erinnerung: Jahresmeldung AQB26-KS-M1-10 bis 31.01.2027"
    assert link in mail.outbox[0].body


def test_no_reminder_for_a_closed_measure(ze_kassel, ended, django_capture_on_commit_callbacks):
    ended.closed_at = timezone.now()
    ended.save(update_fields=["closed_at"])
    run(days_before(CLOSING_DUE, 14), django_capture_on_commit_callbacks)
    assert not mail.outbox and not SentReminder.objects.exists()


def test_no_reminder_for_a_report_already_sent(ze_kassel, kassel, provider_org_a, django_capture_on_commit_callbacks):
    measure = make_measure("AQB26-KS-M1-12", kassel, provider_org_a)  # 2026: closing 28.01.2027, annual 31.01.2027
    Report.objects.create(reference="2027-000001", kind="annual", measure=measure, period_start=measure.start_date,
                          period_end=measure.end_date, reporting_year=2026, grant_recipient_name=kassel.name)
    run(datetime.date(2027, 1, 17), django_capture_on_commit_callbacks)  # 14 days before the annual report
    assert list(SentReminder.objects.values_list("kind", flat=True)) == ["closing"]
    assert "Jahresmeldung" not in mail.outbox[0].body


def test_dry_run_sends_and_records_nothing_but_says_what_it_would_send(
        ze_kassel, ended, django_capture_on_commit_callbacks):
    result = run(days_before(CLOSING_DUE, 14), django_capture_on_commit_callbacks, dry_run=True)
    assert not mail.outbox and not SentReminder.objects.exists() and not Notification.objects.exists()
    text = "\n".join(result.lines())
    assert ze_kassel.email in text and "AQB26-KS-M1-10" in text and "würde senden" in text


def test_command_takes_the_date_as_tt_mm_jjjj(ze_kassel, ended, django_capture_on_commit_callbacks):
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_reminders", "--date", "14.07.2026", stdout=out)
    assert "Erinnerungen zum 14.07.2026 (gesendet): 1 E-Mail mit 1 Frist; 0 Fristen waren schon erinnert." in out.getvalue()
    assert len(mail.outbox) == 1
    out = io.StringIO()
    call_command("send_reminders", "--date", "14.07.2026", "--dry-run", stdout=out)
    assert "(würde senden): 0 E-Mails mit 0 Fristen; 1 Frist war schon erinnert." in out.getvalue()


@pytest.mark.parametrize("bad", ["2026-07-14", "31.02.2026", "14.7.26x", "morgen"])
def test_command_refuses_a_bad_date_in_german(ze_kassel, ended, bad):
    with pytest.raises(CommandError) as error:
        call_command("send_reminders", "--date", bad, stdout=io.StringIO())
    assert "kein gültiges Datum" in str(error.value) and "TT.MM.JJJJ" in str(error.value)
    assert not SentReminder.objects.exists()


def test_task_sends_todays_reminders(ze_kassel, kassel, provider_org_a, django_capture_on_commit_callbacks):
    today = timezone.localdate()
    end = today - datetime.timedelta(weeks=4) + datetime.timedelta(days=3)  # closing report due in 3 days
    make_measure("AQB26-KS-M1-13", kassel, provider_org_a, start_date=end - datetime.timedelta(days=90), end_date=end,
                 budget_year=end.year)
    with django_capture_on_commit_callbacks(execute=True):
        result = tasks.send_reminders.enqueue()
    assert any("AQB26-KS-M1-13" in line for line in result.return_value)
    assert SentReminder.objects.get(kind="closing").step == ReminderStep.DAYS_3  # (in January an annual report too)
    assert len(mail.outbox) == 1


# --- providers: the measure ends soon and records are incomplete ----------------------------------------


@pytest.fixture
def ending(kassel, provider_org_a):
    """Provider A's measure ending 30.06.2026 with one red and one yellow record."""
    measure = make_measure("AQB26-KS-M1-20", kassel, provider_org_a, start_date=datetime.date(2026, 1, 1), end_date=END)
    make_participant(measure, "BWN-0001", status=ParticipantStatus.RED)
    make_participant(measure, "BWN-0002", status=ParticipantStatus.YELLOW)
    make_participant(measure, "BWN-0003", status=ParticipantStatus.GREEN)
    return measure


def test_provider_is_reminded_of_incomplete_records_before_the_end(
        provider_a, ze_kassel, provider_b, ending, django_capture_on_commit_callbacks, settings):
    run(days_before(END, 10), django_capture_on_commit_callbacks)
    assert recipients(mail.outbox) == ["a@example.org", provider_a.email]  # the provider's contact and its user
    message = next(m for m in mail.outbox if m.to == [provider_a.email])
    link = settings.WAGTAILADMIN_BASE_URL + reverse("aqb_monitoring:measure", args=[ending.pk])
    for body in (message.body, message.alternatives[0][0]):
        assert "AQB26-KS-M1-20" in body and "endet am 30.06.2026" in body
        assert "1 rot" in body and "1 gelb" in body and link in body
        assert "Meldungen an das Regierungspräsidium" not in body and "bereits gesendet" not in body
    assert not any(provider_b.email in m.to or ze_kassel.email in m.to for m in mail.outbox)
    mail.outbox.clear()
    run(days_before(END, 9), django_capture_on_commit_callbacks)
    run(days_before(END, 3), django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 2  # the 3-day step, to both addresses; nothing on the day after the first
    assert set(SentReminder.objects.filter(kind="records").values_list("step", flat=True)) == {
        ReminderStep.DAYS_14, ReminderStep.DAYS_3}


def test_provider_with_complete_records_gets_no_reminder(provider_a, kassel, provider_org_a,
                                                        django_capture_on_commit_callbacks):
    measure = make_measure("AQB26-KS-M1-21", kassel, provider_org_a, start_date=datetime.date(2026, 1, 1), end_date=END)
    make_participant(measure, "BWN-0001", status=ParticipantStatus.GREEN)
    run(days_before(END, 10), django_capture_on_commit_callbacks)
    assert not mail.outbox


def test_reminders_stay_with_their_tenant(ze_kassel, ze_fulda, fulda, ended, django_capture_on_commit_callbacks):
    make_measure("AQB26-FD-M1-10", fulda, start_date=datetime.date(2026, 1, 1), end_date=datetime.date(2026, 6, 20))
    run(days_before(CLOSING_DUE, 14), django_capture_on_commit_callbacks)  # FD's closing is due 18.07.: 4 days
    by_address = {m.to[0]: m for m in mail.outbox}
    assert set(by_address) == {ze_kassel.email, ze_fulda.email}
    assert "AQB26-FD-M1-10" not in by_address[ze_kassel.email].body
    assert "AQB26-KS-M1-10" not in by_address[ze_fulda.email].body


# --- the RP's list ----------------------------------------------------------------------------------------

REMINDERS = "/admin/erinnerungen/"


def test_rp_sees_which_reminders_went_out(client, rp_editor, ze_kassel, ended, django_capture_on_commit_callbacks):
    assert reverse("aqb_reminders:list") == REMINDERS
    run(days_before(CLOSING_DUE, 14), django_capture_on_commit_callbacks)
    client.force_login(rp_editor)
    page = client.get(REMINDERS).content.decode()
    assert ze_kassel.email in page and "AQB26-KS-M1-10" in page and "28.07.2026" in page
    assert "Maßnahmenabschluss" in page and "14 Tage vorher" in page and "zugestellt" in page
    assert "Landkreis Kassel" in page
    assert client.get(REMINDERS + "?kind=annual").content.decode().count("aqb-reminder-row") == 0
    assert client.get("/admin/").content.decode().count(REMINDERS) >= 1  # in the RP's menu


@pytest.mark.parametrize("user_fixture", ["ze_kassel", "provider_a", "ze_fulda"])
def test_reminder_list_is_404_for_grant_recipients_and_providers(
        client, request, user_fixture, ze_kassel, ended, django_capture_on_commit_callbacks):
    run(days_before(CLOSING_DUE, 14), django_capture_on_commit_callbacks)
    client.force_login(request.getfixturevalue(user_fixture))
    assert client.get(REMINDERS).status_code == 404
    assert REMINDERS not in client.get("/admin/").content.decode()


def test_reminder_list_says_when_a_mail_was_not_delivered_in_german(
        client, rp_editor, ze_kassel, ended, django_capture_on_commit_callbacks):
    from .test_admin_no_english import leftovers, visible_text

    run(days_before(CLOSING_DUE, 14), django_capture_on_commit_callbacks)
    Notification.objects.update(sent_at=None, failed_at=timezone.now(), last_error="SMTP-Server nicht erreichbar")
    client.force_login(rp_editor)
    page = client.get(REMINDERS).content.decode()
    assert "nicht zugestellt: SMTP-Server nicht erreichbar" in page
    assert leftovers(visible_text(page)) == []
    assert leftovers(visible_text(mail.outbox[0].alternatives[0][0])) == [] and leftovers(mail.outbox[0].body) == []


def test_a_run_needs_the_same_queries_for_3_or_30_measures(ze_kassel, kassel, provider_org_a):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def add(numbers):
        for i in numbers:
            measure = make_measure(f"AQB26-KS-M1-{i:02d}", kassel, provider_org_a, start_date=datetime.date(2026, 1, 1),
                                   end_date=END)
            InterimDueDate.objects.create(measure=measure, due_date=END + datetime.timedelta(days=2))
            make_participant(measure, f"BWN-{i:04d}", status=ParticipantStatus.RED)

    add(range(3))
    with CaptureQueriesContext(connection) as few:
        # The ZE's user (interim reports in 7 days) and the provider's contact address (red records).
        assert sorted(send_reminders(today=days_before(END, 5), dry_run=True).sent) == ["a@example.org", ze_kassel.email]
    add(range(3, 30))
    with CaptureQueriesContext(connection) as many:
        send_reminders(today=days_before(END, 5), dry_run=True)
    assert len(many) == len(few)
