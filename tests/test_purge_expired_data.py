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
