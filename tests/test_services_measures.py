"""`services.measures`: the version a form carries, the stale-form refusal in detail, interim dates,
deleting and reopening. The rules every entry point shares are in test_measure_write_paths.py."""

import datetime
import zoneinfo

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from guardian.shortcuts import get_groups_with_perms

from aqb_monitoring.models import (
    AuditAction,
    AuditEntry,
    InterimDueDate,
    Measure,
    MeasureType,
    Participant,
    ParticipantStatus,
)
from aqb_monitoring.services import save_participant
from aqb_monitoring.services.common import SHELL, ServiceError
from aqb_monitoring.services.measures import (
    check_delete_measure,
    check_reopen_measure,
    check_save_measure,
    do_reopen_measure,
    do_save_measure,
    version_of,
)
from aqb_monitoring.validation import NON_FIELD

from .conftest import make_measure, make_participant, make_user
from .participant_values import entry_values

pytestmark = pytest.mark.django_db


@pytest.fixture
def measure(kassel, provider_org_a):
    return make_measure("AQB26-KS-M1-07", kassel, provider_org_a, title="Werkstattjahr", main_goal=None)


def refusal(user, measure, values, version):
    return check_save_measure(user, measure, values, version=version).get(NON_FIELD, [""])[0]


# --- the version ---------------------------------------------------------------------------------


def test_the_version_is_the_time_of_the_last_change_and_empty_for_a_new_measure(measure):
    assert version_of(measure) == measure.updated_at.isoformat()
    assert version_of(None) == ""
    assert version_of(Measure()) == ""


def test_the_current_version_saves_even_written_in_another_time_zone(rp_editor, measure):
    """The same instant in another notation (a proxy, another server's zone) is not a stale form."""
    same_instant = measure.updated_at.astimezone(zoneinfo.ZoneInfo("America/New_York")).isoformat()
    assert same_instant != version_of(measure)
    assert check_save_measure(rp_editor, measure, {"title": "Neu"}, version=same_instant) == {}


def test_a_version_read_before_the_last_change_is_stale(rp_editor, measure):
    earlier = (measure.updated_at - datetime.timedelta(seconds=1)).isoformat()
    assert "wurde inzwischen von" in refusal(rp_editor, measure, {"title": "Neu"}, earlier)


def test_an_unchanged_save_is_never_stale(rp_editor, measure):
    earlier = (measure.updated_at - datetime.timedelta(days=1)).isoformat()
    assert check_save_measure(rp_editor, measure, {"title": measure.title}, version=earlier) == {}


# --- the stale refusal names who, when and what ------------------------------------------------------


def test_the_refusal_names_the_colleague_the_local_time_and_the_fields(rp_editor, authority, measure):
    colleague = make_user("kollegin@rp-kassel.example.org", authority, first_name="Petra", last_name="Kollegin")
    version = version_of(measure)
    do_save_measure(colleague, measure, {"title": "Titel der Kollegin", "planned_participants": 12})
    measure.refresh_from_db()  # as do_save_measure re-reads it under its lock
    entry = AuditEntry.objects.get(measure=measure, action=AuditAction.CHANGE)
    when = timezone.localtime(entry.timestamp).strftime("%d.%m.%Y %H:%M")
    assert refusal(rp_editor, measure, {"title": "Mein Titel"}, version) == (
        f"Die Maßnahme wurde inzwischen von Petra Kollegin am {when} geändert (Titel, Geplante Teilnehmendenzahl). "
        "Ihre Eingaben sind nicht gespeichert, aber unten erhalten: bitte mit dem aktuellen Stand vergleichen "
        "und erneut speichern.")


def test_a_colleague_without_a_name_is_named_by_email(rp_editor, authority, measure):
    colleague = make_user("ohne.name@rp-kassel.example.org", authority)
    version = version_of(measure)
    do_save_measure(colleague, measure, {"title": "Titel"})
    measure.refresh_from_db()
    assert "inzwischen von ohne.name@rp-kassel.example.org am " in refusal(rp_editor, measure, {"title": "X"}, version)


def test_a_change_from_the_server_names_another_user(rp_editor, measure):
    version = version_of(measure)
    do_save_measure(SHELL, measure, {"title": "Vom Server"})
    measure.refresh_from_db()
    assert "inzwischen von einem anderen Benutzer am " in refusal(rp_editor, measure, {"title": "X"}, version)


def test_without_an_audit_entry_the_time_of_the_change_is_named(rp_editor, measure):
    version = (measure.updated_at - datetime.timedelta(minutes=5)).isoformat()
    when = timezone.localtime(measure.updated_at).strftime("%d.%m.%Y %H:%M")
    message = refusal(rp_editor, measure, {"title": "X"}, version)
    assert f"inzwischen von einem anderen Benutzer am {when} geändert. Ihre Eingaben" in message


# --- interim dates ----------------------------------------------------------------------------------


def test_interim_dates_are_added_removed_and_kept(rp_editor, measure):
    june, september, december = datetime.date(2026, 6, 30), datetime.date(2026, 9, 30), datetime.date(2026, 12, 1)
    do_save_measure(rp_editor, measure, {"interim_due_dates": [september, june]})
    kept = InterimDueDate.objects.get(measure=measure, due_date=june)
    do_save_measure(rp_editor, measure, {"interim_due_dates": [june, december]})
    assert sorted(InterimDueDate.objects.filter(measure=measure).values_list("due_date", flat=True)) == [june, december]
    assert InterimDueDate.objects.get(measure=measure, due_date=june).pk == kept.pk
    do_save_measure(rp_editor, measure, {"interim_due_dates": []})
    assert not InterimDueDate.objects.filter(measure=measure).exists()
    entry = AuditEntry.objects.filter(measure=measure).order_by("-pk").first()
    assert entry.changes == {"Termine der Zwischenmeldung": ["30.06.2026, 01.12.2026", ""]}


# --- deleting and reopening -----------------------------------------------------------------------------


def test_only_the_rp_or_the_server_may_delete_and_only_without_participants(rp_editor, ze_kassel, measure):
    assert check_delete_measure(ze_kassel, measure) == ["Nur das Regierungspräsidium darf Maßnahmen löschen."]
    assert check_delete_measure(rp_editor, measure) == []
    assert check_delete_measure(None, measure) == []
    make_participant(measure, "TN-1")
    assert "kann nicht gelöscht werden" in check_delete_measure(rp_editor, measure)[0]


def test_reopening_needs_the_rp_a_closed_measure_and_a_reason(rp_editor, ze_kassel, measure):
    assert check_reopen_measure(ze_kassel, measure, "") == [
        "Nur das Regierungspräsidium kann eine abgeschlossene Maßnahme wieder öffnen.",
        "Die Maßnahme ist nicht abgeschlossen.",
        "Bitte einen Grund für das Wiederöffnen angeben.",
    ]
    measure.closed_at = timezone.now()
    assert check_reopen_measure(rp_editor, measure, "  ") == ["Bitte einen Grund für das Wiederöffnen angeben."]
    assert check_reopen_measure(rp_editor, measure, "Nachmeldung") == []
    assert check_reopen_measure(rp_editor, measure) == ["Bitte einen Grund für das Wiederöffnen angeben."]


def test_a_refused_save_raises_with_the_messages_per_field(rp_editor, measure):
    with pytest.raises(ServiceError) as refused:
        do_save_measure(rp_editor, measure, {"end_date": datetime.date(2025, 1, 1)})
    assert refused.value.errors


def test_only_the_rp_may_change_master_data(ze_kassel, measure):
    assert check_save_measure(ze_kassel, measure, {"title": "X"}) == {
        NON_FIELD: ["Nur das Regierungspräsidium darf die Stammdaten einer Maßnahme ändern."]}


def test_a_number_is_given_once(rp_editor, kassel, provider_org_a, measure):
    other = make_measure("AQB26-KS-M1-08", kassel, provider_org_a)
    expected = {"number": ["Die Maßnahmennummer AQB26-KS-M1-07 gibt es bereits."]}
    assert check_save_measure(rp_editor, other, {"number": "AQB26-KS-M1-07"}) == expected
    new = {"number": "AQB26-KS-M1-07", "title": "Neu", "measure_type": measure.measure_type, "grant_recipient": kassel,
           "budget_year": 2026, "start_date": measure.start_date, "end_date": measure.end_date}
    assert check_save_measure(rp_editor, None, new)["number"] == expected["number"]
    assert check_save_measure(rp_editor, measure, {"number": "AQB26-KS-M1-07", "title": "Neu"}) == {}


def test_a_successor_may_stay_the_successor_of_the_same_measure(rp_editor, kassel, provider_org_a, measure):
    later = make_measure("AQB27-KS-M1-07", kassel, provider_org_a, budget_year=2027)
    do_save_measure(rp_editor, measure, {"successor": later})
    measure.refresh_from_db()
    assert check_save_measure(rp_editor, measure, {"successor": later, "title": "Neu"}) == {}


def test_interim_dates_of_another_measure_stay(rp_editor, kassel, provider_org_a, measure):
    june = datetime.date(2026, 6, 30)
    other = make_measure("AQB26-KS-M1-09", kassel, provider_org_a)
    InterimDueDate.objects.create(measure=other, due_date=june)
    do_save_measure(rp_editor, measure, {"interim_due_dates": [june]})
    do_save_measure(rp_editor, measure, {"interim_due_dates": []})
    assert list(InterimDueDate.objects.values_list("measure__number", "due_date")) == [("AQB26-KS-M1-09", june)]


def test_the_refusal_names_the_time_of_the_latest_change_not_of_the_save(rp_editor, authority, measure):
    """The entry written last in time counts, even if an older one has the higher id (a clock set back,
    an entry written late); its time is named, not the measure's `updated_at` nor the present."""
    colleague = make_user("kollegin@rp-kassel.example.org", authority, first_name="Petra", last_name="Kollegin")
    version = (measure.updated_at - datetime.timedelta(days=2)).isoformat()
    earlier = timezone.now() - datetime.timedelta(hours=30)
    latest = AuditEntry.objects.create(measure=measure, user=colleague, action=AuditAction.CHANGE,
                                       changes={"Titel": ["A", "B"]}, timestamp=earlier)
    AuditEntry.objects.create(measure=measure, user=None, action=AuditAction.CHANGE,
                              changes={"Ende": ["A", "B"]}, timestamp=earlier - datetime.timedelta(hours=5))
    message = refusal(rp_editor, measure, {"title": "X"}, version)
    assert f"von Petra Kollegin am {timezone.localtime(latest.timestamp):%d.%m.%Y %H:%M} geändert (Titel)" in message


def test_of_two_changes_at_the_same_moment_the_later_written_counts(rp_editor, authority, measure):
    colleague = make_user("kollegin@rp-kassel.example.org", authority, first_name="Petra", last_name="Kollegin")
    version = (measure.updated_at - datetime.timedelta(days=2)).isoformat()
    moment = timezone.now() - datetime.timedelta(hours=3)
    AuditEntry.objects.create(measure=measure, user=None, action=AuditAction.CHANGE, changes={"Ende": ["A", "B"]},
                              timestamp=moment)
    AuditEntry.objects.create(measure=measure, user=colleague, action=AuditAction.CHANGE,
                              changes={"Titel": ["A", "B"]}, timestamp=moment)
    assert "von Petra Kollegin am" in refusal(rp_editor, measure, {"title": "X"}, version)


def test_without_an_audit_entry_the_measures_own_time_is_named(rp_editor, measure):
    long_ago = timezone.now() - datetime.timedelta(days=3, hours=4)
    Measure.objects.filter(pk=measure.pk).update(updated_at=long_ago)
    measure.refresh_from_db()
    version = (long_ago - datetime.timedelta(minutes=5)).isoformat()
    message = refusal(rp_editor, measure, {"title": "X"}, version)
    assert f"am {timezone.localtime(long_ago):%d.%m.%Y %H:%M} geändert. Ihre Eingaben" in message


def test_a_taken_successor_is_named_at_the_successor_field(rp_editor, kassel, provider_org_a, measure):
    later = make_measure("AQB27-KS-M1-07", kassel, provider_org_a, budget_year=2027)
    make_measure("AQB26-KS-M1-10", kassel, provider_org_a, successor=later)
    assert check_save_measure(rp_editor, measure, {"successor": later}) == {"successor": [
        "AQB27-KS-M1-07 ist bereits Folgemaßnahme von AQB26-KS-M1-10; jede Maßnahme kann nur eine Vorgängerin haben."]}


def test_a_successor_already_refused_is_not_also_called_taken(rp_editor, kassel, fulda, provider_org_a, measure):
    foreign = make_measure("AQB27-FD-M1-07", fulda, budget_year=2027)
    make_measure("AQB26-FD-M1-10", fulda, successor=foreign)
    messages = check_save_measure(rp_editor, measure, {"successor": foreign})["successor"]
    assert len(messages) == 1 and "anderen Zuwendungsempfänger" in messages[0]


def test_a_new_measure_may_name_a_free_successor(rp_editor, kassel, provider_org_a, measure):
    later = make_measure("AQB27-KS-M1-08", kassel, provider_org_a, budget_year=2027)
    new = {"number": "AQB26-KS-M1-11", "title": "Neu", "measure_type": measure.measure_type, "grant_recipient": kassel,
           "budget_year": 2026, "start_date": measure.start_date, "end_date": measure.end_date, "successor": later}
    assert check_save_measure(rp_editor, None, new) == {}


# --- what a save does besides the fields: statuses, grants, audit --------------------------------------


def sql_of(queries):
    return " ".join(query["sql"] for query in queries.captured_queries)


def test_a_new_measure_type_recomputes_the_stored_statuses_of_its_participants(rp_editor, kassel):
    measure = make_measure("AQB26-KS-M2-01", kassel, type_code="M2")
    participant, _result = save_participant(rp_editor, measure, entry_values(measure))
    assert Participant.objects.get(pk=participant.pk).status == ParticipantStatus.YELLOW
    # M3 asks both question blocks at entry: the record now lacks answers
    do_save_measure(rp_editor, measure, {"number": "AQB26-KS-M3-01", "measure_type": MeasureType.objects.get(code="M3")})
    assert Participant.objects.get(pk=participant.pk).status == ParticipantStatus.RED


def test_saving_what_is_stored_writes_no_audit_entry_and_keeps_the_version(rp_editor, measure):
    version = version_of(measure)
    assert do_save_measure(rp_editor, measure, {"title": measure.title}).pk == measure.pk
    measure.refresh_from_db()
    assert version_of(measure) == version
    assert not AuditEntry.objects.filter(measure=measure).exists()


def test_a_title_change_leaves_the_grants_and_the_statuses_alone(rp_editor, measure):
    """Grants follow the ZE and the provider, statuses the type and the dates; a title changes neither."""
    with CaptureQueriesContext(connection) as queries:
        do_save_measure(rp_editor, measure, {"title": "Neuer Titel"})
    assert "guardian_" not in sql_of(queries)
    assert "aqb_monitoring_answer" not in sql_of(queries)
    entry = AuditEntry.objects.get(measure=measure)
    assert (entry.changes, entry.note) == ({"Titel": ["Werkstattjahr", "Neuer Titel"]}, "")


def test_the_participant_dates_the_import_read_are_not_read_again(rp_editor, measure):
    """The import reads every measure's participant dates in one query and hands them over."""
    with CaptureQueriesContext(connection) as queries:
        do_save_measure(rp_editor, measure, {"title": "Neuer Titel"}, dates={})
    assert "aqb_monitoring_participant" not in sql_of(queries)


def test_a_new_measure_grants_its_groups_and_computes_no_statuses(rp_editor, kassel, provider_org_a, measure):
    values = {"number": "AQB26-KS-M1-08", "title": "Neu", "measure_type": measure.measure_type,
              "programme_line": measure.programme_line, "grant_recipient": kassel, "provider": provider_org_a,
              "budget_year": 2026, "start_date": measure.start_date, "end_date": measure.end_date}
    with CaptureQueriesContext(connection) as queries:
        new = do_save_measure(rp_editor, None, values)
    assert "aqb_monitoring_participant" not in sql_of(queries)
    assert set(get_groups_with_perms(new)) == {kassel.group, provider_org_a.group}
    assert AuditEntry.objects.get(measure=new).action == AuditAction.CREATE


# --- reopening ---------------------------------------------------------------------------------------------


def test_reopening_logs_when_the_measure_was_closed_and_the_reason(rp_editor, measure):
    closed_at = timezone.now() - datetime.timedelta(days=2)
    Measure.objects.filter(pk=measure.pk).update(closed_at=closed_at, closed_by=rp_editor)
    do_reopen_measure(rp_editor, measure, "  Nachmeldung  ")
    measure.refresh_from_db()
    assert measure.closed_at is None and measure.closed_by is None
    entry = AuditEntry.objects.get(measure=measure, action=AuditAction.REOPEN)
    assert entry.changes == {"Abgeschlossen am": [timezone.localtime(closed_at).strftime("%d.%m.%Y %H:%M"), ""]}
    assert entry.note == "Nachmeldung" and entry.user == rp_editor


def test_the_reopening_mail_names_the_reason_and_links_the_measure(
        rp_editor, ze_kassel, measure, django_capture_on_commit_callbacks, mailoutbox):
    Measure.objects.filter(pk=measure.pk).update(closed_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        do_reopen_measure(rp_editor, measure, "Nachmeldung von zwei Teilnehmenden ")
    url = settings.WAGTAILADMIN_BASE_URL.rstrip("/") + reverse("aqb_monitoring:measure", args=[measure.pk])
    [mail] = mailoutbox
    assert mail.to == [ze_kassel.email]
    assert "\nGrund: Nachmeldung von zwei Teilnehmenden\n" in mail.body
    assert f"\nMaßnahme im AQB-Portal öffnen: {url}\n" in mail.body
    html = mail.alternatives[0][0]
    assert "<p>Grund: Nachmeldung von zwei Teilnehmenden</p>" in html
    assert f'<a href="{url}">Maßnahme im AQB-Portal öffnen</a>' in html
