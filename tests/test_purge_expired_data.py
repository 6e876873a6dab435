"""`manage.py purge_expired_data`: participant data go AQB_RETENTION_YEARS after the measure's end; the
reports keep their counts, the measure's history says what was deleted, a second run deletes nothing."""

import datetime
import io
import json

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.urls import reverse

from aqb_monitoring import services, tasks
from aqb_monitoring.models import (
    Answer,
    AuditAction,
    AuditEntry,
    Destination,
    ImmutableError,
    ImportJob,
    Participant,
    ParticipantGoal,
    Report,
    ReportKind,
)
from aqb_monitoring.services.reports import build_snapshot
from aqb_monitoring.services.retention import add_years, purge_expired_data

from .conftest import make_measure
from .participant_values import all_answers, entry_values

pytestmark = pytest.mark.django_db

END = datetime.date(2015, 12, 31)
LAST_DAY_KEPT = datetime.date(2025, 12, 31)  # end + 10 years: still kept
FIRST_DAY_PURGED = datetime.date(2026, 1, 1)


@pytest.fixture
def old_measure(kassel, provider_org_a):
    """A 2015 measure (ended 31.12.2015) with two participants, answers, their history and a report."""
    measure = make_measure("AQB15-KS-M1-01", kassel, provider_org_a, budget_year=2015)
    goal = ParticipantGoal.objects.get(code="ausbildungsreife")
    for pseudonym in ("KS-15-001", "KS-15-002"):
        values = entry_values(measure, pseudonym=pseudonym, goal=goal, entry_answers=all_answers(measure, goal))
        services.save_participant(services.SHELL, measure, values)
    return measure


def send_report(measure, reference="AQB-2016-000001"):
    snapshot = build_snapshot(measure)
    report = Report.objects.create(
        reference=reference, kind=ReportKind.ANNUAL, measure=measure, period_start=measure.start_date,
        period_end=measure.end_date, reporting_year=measure.budget_year, grant_recipient_name="Stadt Kassel",
        participant_count=len(snapshot["rows"]), snapshot=snapshot,
    )
    services.common.audit(None, measure, None, AuditAction.REPORT, {"Meldung": ["", reference]})
    return report


def test_the_period_ends_on_the_same_day_n_years_after_the_measure_end():
    assert add_years(END, 10) == LAST_DAY_KEPT
    assert add_years(datetime.date(2016, 2, 29), 10) == datetime.date(2026, 2, 28)


def test_nothing_is_deleted_on_the_last_day_of_the_period(old_measure):
    result = purge_expired_data(today=LAST_DAY_KEPT)
    assert result.measures == []
    assert Participant.objects.filter(measure=old_measure).count() == 2
    assert "nichts gelöscht" in result.lines()[-1]


def test_the_day_after_the_period_the_participants_answers_and_their_history_go(old_measure):
    report = send_report(old_measure)
    assert Answer.objects.filter(participant__measure=old_measure).exists()
    participant_entries = AuditEntry.objects.filter(measure=old_measure).exclude(pseudonym="").count()
    assert participant_entries == 2
    result = purge_expired_data(today=FIRST_DAY_PURGED)
    assert not Participant.objects.filter(measure=old_measure).exists()
    assert not Answer.objects.filter(participant__measure=old_measure).exists()
    assert not AuditEntry.objects.filter(measure=old_measure).exclude(pseudonym="").exists()
    old_measure.refresh_from_db()  # the measure itself stays
    # the measure's own history stays: the report entry and the new retention entry
    actions = set(AuditEntry.objects.filter(measure=old_measure).values_list("action", flat=True))
    assert actions == {AuditAction.REPORT, AuditAction.RETENTION_PURGE}
    [line] = [line for line in result.lines() if line.startswith("AQB15-KS-M1-01")]
    assert line.startswith("AQB15-KS-M1-01 (Ende 31.12.2015): 2 Teilnehmende, ")
    assert "2 Protokolleinträge" in line and "gelöscht" in line and "1 Meldung auf Anzahlen reduziert" in line
    assert Report.objects.filter(pk=report.pk).exists()


def test_the_deletion_is_recorded_in_the_measure_history(old_measure):
    answers = Answer.objects.filter(participant__measure=old_measure).count()
    purge_expired_data(today=FIRST_DAY_PURGED)
    entry = AuditEntry.objects.get(measure=old_measure, action=AuditAction.RETENTION_PURGE)
    assert entry.user is None and entry.participant is None and entry.pseudonym == ""
    assert entry.changes["Teilnehmende"] == ["2", "0"]
    assert entry.changes["Antworten"] == [str(answers), "0"]
    assert "Aufbewahrungsfrist von 10 Jahren nach Ende der Maßnahme (31.12.2015) abgelaufen" in entry.note
    assert entry.get_action_display() == "Teilnehmendendaten nach Ablauf der Aufbewahrungsfrist gelöscht"


def test_reports_keep_their_counts_and_lose_the_rows(old_measure, client, rp_editor):
    report = send_report(old_measure)
    purge_expired_data(today=FIRST_DAY_PURGED)
    report = Report.objects.get(pk=report.pk)
    assert report.reference == "AQB-2016-000001" and report.participant_count == 2
    assert report.snapshot["rows"] == [] and report.rows_purged_on == FIRST_DAY_PURGED
    counts = {column["header"]: dict(column["values"]) for column in report.snapshot["counts"]["columns"]}
    assert report.snapshot["counts"]["participants"] == 2
    assert counts["Geschlecht"] == {"weiblich": 2}
    assert "Teilnehmenden-ID" not in counts and "Eintrittsdatum" not in counts
    stored = json.dumps(report.snapshot, ensure_ascii=False)
    assert "KS-15-001" not in stored and "KS-15-002" not in stored
    with pytest.raises(ImmutableError):  # still append-only for everything else
        report.save()
    client.force_login(rp_editor)
    page = client.get(reverse("aqb_reports:report_detail", args=[report.pk])).content.decode()
    assert f"am {FIRST_DAY_PURGED:%d.%m.%Y} nach Ablauf der Aufbewahrungsfrist gelöscht" in page
    assert '<td>Geschlecht</td><td>weiblich</td><td>2</td>' in page and "KS-15-001" not in page
    assert client.get(reverse("aqb_reports:report_download", args=[report.pk])).status_code == 200


def test_a_dry_run_deletes_nothing_and_says_what_it_would_delete(old_measure):
    report = send_report(old_measure)
    entries = AuditEntry.objects.count()
    result = purge_expired_data(today=FIRST_DAY_PURGED, dry_run=True)
    lines = result.lines()
    assert any("2 Teilnehmende" in line and "würden gelöscht" in line for line in lines)
    assert lines[-1] == "Probelauf: nichts wurde gelöscht."
    assert Participant.objects.filter(measure=old_measure).count() == 2
    assert AuditEntry.objects.count() == entries
    assert len(Report.objects.get(pk=report.pk).snapshot["rows"]) == 2


def test_a_second_run_deletes_nothing_and_says_so(old_measure):
    send_report(old_measure)
    purge_expired_data(today=FIRST_DAY_PURGED)
    snapshot = Report.objects.get(measure=old_measure).snapshot
    entries = AuditEntry.objects.count()
    again = purge_expired_data(today=FIRST_DAY_PURGED + datetime.timedelta(days=1))
    assert again.measures == []
    assert again.lines()[-1] == "Keine Teilnehmendendaten mit abgelaufener Aufbewahrungsfrist: nichts gelöscht."
    assert AuditEntry.objects.count() == entries
    assert Report.objects.get(measure=old_measure).snapshot == snapshot


def test_other_measures_are_untouched(old_measure, measure_a, measure_b, kassel, provider_org_a):
    later = make_measure("AQB16-KS-M1-01", kassel, provider_org_a, budget_year=2016)  # ends 31.12.2016
    for measure in (measure_a, measure_b, later):
        services.save_participant(services.SHELL, measure, entry_values(measure, pseudonym="TN-1"))
    purge_expired_data(today=FIRST_DAY_PURGED)
    assert not Participant.objects.filter(measure=old_measure).exists()
    for measure in (measure_a, measure_b, later):
        assert Participant.objects.filter(measure=measure).count() == 1
        assert not AuditEntry.objects.filter(measure=measure, action=AuditAction.RETENTION_PURGE).exists()


def test_the_retention_period_comes_from_the_setting(old_measure, settings):
    settings.AQB_RETENTION_YEARS = 12
    assert purge_expired_data(today=FIRST_DAY_PURGED).measures == []
    assert Participant.objects.filter(measure=old_measure).count() == 2
    settings.AQB_RETENTION_YEARS = 2
    assert [purge.number for purge in purge_expired_data(today=datetime.date(2018, 1, 1)).measures] == ["AQB15-KS-M1-01"]


def test_a_record_carried_over_into_a_kept_measure_stays(old_measure, kassel, provider_org_a):
    successor = make_measure("AQB16-KS-M1-01", kassel, provider_org_a, budget_year=2016)
    old_measure.successor = successor
    old_measure.save()
    Participant.objects.filter(measure=old_measure, pseudonym="KS-15-001").update(
        exit_date=old_measure.end_date, destination=Destination.objects.get(is_carry_over=True))
    [carried] = services.do_carry_over(services.SHELL, old_measure)
    purge_expired_data(today=FIRST_DAY_PURGED)
    carried.refresh_from_db()
    assert carried.measure == successor and carried.carried_over_from is None


def test_the_measures_import_files_go_too(old_measure, ze_kassel):
    job = ImportJob.objects.create(measure=old_measure, user=ze_kassel, original_name="tn.xlsx", status="done",
                                   outcome={"left_out": [{"participant_id": "KS-15-003"}]})
    job.file.save("tn.xlsx", ContentFile(b"data"))
    path = job.file.path
    purge_expired_data(today=FIRST_DAY_PURGED)
    assert not ImportJob.objects.filter(pk=job.pk).exists()
    import os

    assert not os.path.exists(path)


def test_the_command_prints_in_german_and_deletes(kassel, provider_org_a):
    measure = make_measure("AQB10-KS-M1-01", kassel, provider_org_a, budget_year=2010)  # ended 31.12.2010
    services.save_participant(services.SHELL, measure, entry_values(measure, pseudonym="KS-10-001"))
    out = io.StringIO()
    call_command("purge_expired_data", "--dry-run", stdout=out)
    assert "würden gelöscht" in out.getvalue() and Participant.objects.filter(measure=measure).exists()
    out = io.StringIO()
    call_command("purge_expired_data", stdout=out)
    text = out.getvalue()
    assert text.startswith("Aufbewahrungsfrist: 10 Jahre nach Ende der Maßnahme")
    assert "AQB10-KS-M1-01 (Ende 31.12.2010): 1 Teilnehmende(r)" in text
    assert not Participant.objects.filter(measure=measure).exists()
    out = io.StringIO()
    call_command("purge_expired_data", stdout=out)
    assert "nichts gelöscht" in out.getvalue()


def test_the_daily_task_purges_like_the_command(kassel, provider_org_a):
    measure = make_measure("AQB10-KS-M1-01", kassel, provider_org_a, budget_year=2010)
    services.save_participant(services.SHELL, measure, entry_values(measure, pseudonym="KS-10-001"))
    result = tasks.purge_expired_data.enqueue()
    assert any(line.startswith("AQB10-KS-M1-01") for line in result.return_value)
    assert not Participant.objects.filter(measure=measure).exists()


def test_the_grant_recipient_reads_the_deletion_in_the_history_and_the_other_one_gets_404(
        old_measure, client, ze_kassel, ze_fulda):
    purge_expired_data(today=FIRST_DAY_PURGED)
    url = reverse("aqb_monitoring:measure_history", args=[old_measure.pk])
    client.force_login(ze_kassel)
    page = client.get(url).content.decode()
    assert "Teilnehmendendaten nach Ablauf der Aufbewahrungsfrist gelöscht" in page
    assert "KS-15-001" not in page
    client.force_login(ze_fulda)
    assert client.get(url).status_code == 404


# --- word for word: what the purge says and records, its boundaries (issue 11, mutation testing) -------------------


def test_the_period_can_be_asked_for_another_number_of_years():
    from aqb_monitoring.services.retention import retention_ends

    assert retention_ends(END) == LAST_DAY_KEPT
    assert retention_ends(END, 3) == datetime.date(2018, 12, 31)
    assert retention_ends(datetime.date(2016, 2, 29), 0) == datetime.date(2016, 2, 29)


def test_a_measure_ending_in_mid_year_goes_the_day_after_its_tenth_anniversary(kassel, provider_org_a):
    from aqb_monitoring.services.retention import expired_measures

    from .conftest import make_participant

    measure = make_measure("AQB15-KS-M1-09", kassel, provider_org_a, budget_year=2015,
                           end_date=datetime.date(2015, 6, 30))
    make_participant(measure, "KS-15-009")
    assert expired_measures(datetime.date(2025, 6, 30)) == []
    assert purge_expired_data(today=datetime.date(2025, 6, 30)).measures == []
    assert expired_measures(datetime.date(2025, 7, 1)) == [measure]
    assert [purge.number for purge in purge_expired_data(today=datetime.date(2025, 7, 1)).measures] == ["AQB15-KS-M1-09"]
    assert not Participant.objects.filter(measure=measure).exists()


def test_expired_measures_come_oldest_first_and_by_number_on_the_same_day(old_measure, kassel, provider_org_a, settings):
    from aqb_monitoring.services.retention import expired_measures

    older = make_measure("AQB14-KS-M1-02", kassel, provider_org_a, budget_year=2014)
    same_day = make_measure("AQB14-KS-M1-01", kassel, provider_org_a, budget_year=2014)
    assert expired_measures(FIRST_DAY_PURGED) == [same_day, older, old_measure]
    assert expired_measures(datetime.date(2017, 1, 1), years=2) == [same_day, older]  # years given, not the setting
    settings.AQB_RETENTION_YEARS = 2
    assert expired_measures(datetime.date(2018, 1, 1)) == [same_day, older, old_measure]


def test_a_measure_ending_earlier_comes_first_even_with_a_higher_number(old_measure, kassel, provider_org_a):
    from aqb_monitoring.services.retention import expired_measures

    mid_year = make_measure("AQB15-KS-M1-02", kassel, provider_org_a, budget_year=2015,
                            end_date=datetime.date(2015, 6, 30))
    assert expired_measures(FIRST_DAY_PURGED) == [mid_year, old_measure]


def test_the_command_says_word_for_word_what_it_deleted_and_records_it(old_measure):
    send_report(old_measure)
    answers = Answer.objects.filter(participant__measure=old_measure).count()
    result = purge_expired_data(today=FIRST_DAY_PURGED)
    assert result.lines() == [
        "Aufbewahrungsfrist: 10 Jahre nach Ende der Maßnahme (Stand 01.01.2026).",
        f"AQB15-KS-M1-01 (Ende 31.12.2015): 2 Teilnehmende, {answers} Antworten, 2 Protokolleinträge, 0 Excel-Importe "
        "gelöscht; 1 Meldung auf Anzahlen reduziert.",
    ]
    assert (result.today, result.years, result.dry_run) == (FIRST_DAY_PURGED, 10, False)
    entry = AuditEntry.objects.get(measure=old_measure, action=AuditAction.RETENTION_PURGE)
    assert entry.changes == {
        "Teilnehmende": ["2", "0"],
        "Antworten": [str(answers), "0"],
        "Protokolleinträge zu Teilnehmenden": ["2", "0"],
        "Excel-Importe": ["0", "0"],
        "Meldungen (Zeilen durch Anzahlen ersetzt)": ["", "1"],
    }
    assert entry.note == "Aufbewahrungsfrist von 10 Jahren nach Ende der Maßnahme (31.12.2015) abgelaufen."


def test_a_dry_run_names_what_it_would_delete_word_for_word(old_measure):
    send_report(old_measure)
    send_report(old_measure, reference="AQB-2016-000002")
    answers = Answer.objects.filter(participant__measure=old_measure).count()
    result = purge_expired_data(today=FIRST_DAY_PURGED, dry_run=True)
    assert result.lines() == [
        "Aufbewahrungsfrist: 10 Jahre nach Ende der Maßnahme (Stand 01.01.2026).",
        f"AQB15-KS-M1-01 (Ende 31.12.2015): 2 Teilnehmende, {answers} Antworten, 2 Protokolleinträge, 0 Excel-Importe "
        "würden gelöscht; 2 Meldungen würden auf Anzahlen reduziert.",
        "Probelauf: nichts wurde gelöscht.",
    ]
    assert result.dry_run and not AuditEntry.objects.filter(action=AuditAction.RETENTION_PURGE).exists()


def test_one_of_each_is_named_in_the_singular():
    from aqb_monitoring.services.retention import MeasurePurge

    purge = MeasurePurge(number="AQB10-KS-M1-01", end_date=datetime.date(2010, 12, 31), participants=1, answers=1,
                         audit_entries=1, import_jobs=1, reports=1)
    assert purge.line(dry_run=False) == (
        "AQB10-KS-M1-01 (Ende 31.12.2010): 1 Teilnehmende(r), 1 Antwort, 1 Protokolleintrag, 1 Excel-Import gelöscht; "
        "1 Meldung auf Anzahlen reduziert.")
    assert MeasurePurge(number="X", end_date=END, import_jobs=3).line(dry_run=True) == (
        "X (Ende 31.12.2015): 0 Teilnehmende, 0 Antworten, 0 Protokolleinträge, 3 Excel-Importe würden gelöscht.")
    assert purge.line(dry_run=True).endswith("würden gelöscht; 1 Meldung würde auf Anzahlen reduziert.")
    assert MeasurePurge(number="X", end_date=END, reports=2).line(dry_run=False) == (
        "X (Ende 31.12.2015): 0 Teilnehmende, 0 Antworten, 0 Protokolleinträge, 0 Excel-Importe gelöscht; "
        "2 Meldungen auf Anzahlen reduziert.")


@pytest.mark.parametrize("field", ["participants", "answers", "audit_entries", "import_jobs", "reports"])
def test_a_measure_with_any_one_thing_left_is_purged_and_one_with_nothing_is_skipped(field):
    from aqb_monitoring.services.retention import MeasurePurge

    assert MeasurePurge(number="X", end_date=END, **{field: 1})
    assert not MeasurePurge(number="X", end_date=END)


def test_a_measure_with_only_an_import_left_is_purged_and_an_import_without_file_goes_too(kassel, ze_kassel):
    measure = make_measure("AQB10-KS-M1-01", kassel, budget_year=2010)
    job = ImportJob.objects.create(measure=measure, user=ze_kassel, original_name="tn.xlsx", status="failed")
    [purge] = purge_expired_data(today=FIRST_DAY_PURGED).measures
    assert (purge.number, purge.participants, purge.import_jobs) == ("AQB10-KS-M1-01", 0, 1)
    assert not ImportJob.objects.filter(pk=job.pk).exists()


def test_history_entries_naming_a_deleted_participant_go_and_the_measures_own_stay(old_measure):
    from aqb_monitoring.services.common import audit

    audit(None, old_measure, None, AuditAction.DELETE, {"Teilnehmenden-ID": ["KS-15-099", ""]})
    AuditEntry.objects.filter(pk=audit(None, old_measure, None, AuditAction.CHANGE).pk).update(pseudonym="KS-15-098")
    own = audit(None, old_measure, None, AuditAction.CHANGE, {"Titel": ["A", "B"]})
    [purge] = purge_expired_data(today=FIRST_DAY_PURGED).measures
    assert purge.audit_entries == 3  # the two saves and the entry naming KS-15-098
    assert AuditEntry.objects.filter(pk=own.pk).exists()
    assert not AuditEntry.objects.filter(measure=old_measure, pseudonym="KS-15-098").exists()


def test_a_snapshot_becomes_counts_per_column_without_ids_dates_or_free_text():
    from aqb_monitoring.services.retention import NOT_COUNTED, snapshot_counts

    assert NOT_COUNTED == {"measure_number", "pseudonym", "entry_date", "exit_date", "exit_reason_other"}
    snapshot = {
        "headers": ["Nr.", "ID", "Eintritt", "Austritt", "Sonstiger Grund", "Geschlecht", "Ziel"],
        "keys": ["measure_number", "pseudonym", "entry_date", "exit_date", "exit_reason_other", "gender", "goal"],
        "rows": [["M", "A", "01.02.2015", "", "weil", "weiblich", "Ausbildung"],
                 ["M", "B", "01.03.2015", "", "", "männlich", "Arbeit"],
                 ["M", "C", "01.04.2015", "", "", "weiblich"]],  # a shorter row: the missing cell counts as empty
    }
    assert snapshot_counts(snapshot) == {"participants": 3, "columns": [
        {"header": "Geschlecht", "key": "gender", "values": [("männlich", 1), ("weiblich", 2)]},
        {"header": "Ziel", "key": "goal", "values": [("", 1), ("Arbeit", 1), ("Ausbildung", 1)]},
    ]}
    assert snapshot_counts({}) == {"participants": 0, "columns": []}
    # A snapshot without column keys (the shape Report.counts tolerates too) keeps its participant count.
    assert snapshot_counts({"headers": ["Geschlecht"], "rows": [["weiblich"]]}) == {"participants": 1, "columns": []}
