"""services.reports: the four reports' pre-checks at their boundaries, the immutable record with its
reference number and snapshot, closing and reopening, and the RP's review (issue 12)."""

import datetime
import threading

import pytest
from django.db import connection

from aqb_monitoring.models import (
    AuditAction,
    AuditEntry,
    ImmutableError,
    Participant,
    ParticipantStatus,
    Report,
    ReportKind,
    ReportReview,
    ReturnReason,
    ReviewState,
)
from aqb_monitoring.services import ServiceError, save_participant
from aqb_monitoring.services.reports import (
    check_review_report,
    check_submit_report,
    do_review_report,
    do_submit_report,
    snapshot_diff,
    with_state,
)
from tests.conftest import make_measure, make_participant

AFTER_END = datetime.date(2027, 1, 10)  # measure_a runs through 2026
DURING = datetime.date(2026, 6, 1)

GREEN, YELLOW, RED = ParticipantStatus.GREEN, ParticipantStatus.YELLOW, ParticipantStatus.RED


def messages(user, measure, kind, **kwargs):
    return [str(reason) for reason in check_submit_report(user, measure, kind, **kwargs)]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kind", "statuses", "today", "sendable"),
    [
        (ReportKind.ANNUAL, [GREEN, YELLOW], DURING, True),
        (ReportKind.ANNUAL, [GREEN, YELLOW, RED], DURING, False),  # one red record blocks the annual report
        (ReportKind.INTERIM, [YELLOW], DURING, True),
        (ReportKind.INTERIM, [GREEN, RED], DURING, False),
        (ReportKind.CLOSING, [GREEN, GREEN], AFTER_END, True),
        (ReportKind.CLOSING, [GREEN, YELLOW], AFTER_END, False),  # one yellow record blocks the closing report
        (ReportKind.CLOSING, [GREEN], DURING, False),  # not ended yet
        (ReportKind.ZERO, [], DURING, True),
        (ReportKind.ZERO, [GREEN], DURING, False),  # only without participants
    ],
)
def test_each_kind_is_sendable_exactly_at_its_condition(ze_kassel, measure_a, kind, statuses, today, sendable):
    for number, status in enumerate(statuses, start=1):
        make_participant(measure_a, f"BWN-{number:04d}", status=status)
    reasons = messages(ze_kassel, measure_a, kind, year=2026, today=today)
    assert (reasons == []) is sendable, reasons


@pytest.mark.django_db
def test_precheck_lists_every_reason_with_the_records_to_fix(ze_kassel, measure_a):
    red = [make_participant(measure_a, f"BWN-{n:04d}", status=RED) for n in (4, 11, 17)]
    make_participant(measure_a, "BWN-0020", status=YELLOW)
    reasons = check_submit_report(ze_kassel, measure_a, ReportKind.CLOSING, today=DURING)
    texts = [str(reason) for reason in reasons]
    assert texts[0].startswith("Die Maßnahme endet erst am 31.12.2026")
    assert "3 Teilnehmende mit Status rot: BWN-0004, BWN-0011, BWN-0017" in texts
    assert "1 Teilnehmende mit Status gelb: BWN-0020" in texts
    assert reasons[1].participants == [(participant.pk, participant.pseudonym) for participant in red]


@pytest.mark.django_db
def test_provider_sees_the_precheck_but_cannot_send(provider_a, measure_a):
    make_participant(measure_a, "BWN-0001", status=RED)
    reasons = messages(provider_a, measure_a, ReportKind.ANNUAL, year=2026, today=DURING)
    assert any("sendet der Zuwendungsempfänger" in reason for reason in reasons)
    assert any("Status rot: BWN-0001" in reason for reason in reasons)
    with pytest.raises(ServiceError):
        do_submit_report(provider_a, measure_a, ReportKind.ANNUAL, year=2026, today=DURING)
    assert not Report.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("user_fixture", ["ze_fulda", "provider_b", "rp_editor"])
def test_only_the_measures_grant_recipient_sends(request, user_fixture, measure_a):
    user = request.getfixturevalue(user_fixture)
    make_participant(measure_a, "BWN-0001", status=GREEN)
    with pytest.raises(ServiceError):
        do_submit_report(user, measure_a, ReportKind.ANNUAL, year=2026, today=DURING)
    assert not Report.objects.exists()


@pytest.mark.django_db
def test_report_is_a_numbered_snapshot_that_later_changes_do_not_touch(ze_kassel, measure_a):
    participant = make_participant(measure_a, "BWN-0001", status=YELLOW, birth_year=2005)
    report = do_submit_report(ze_kassel, measure_a, ReportKind.ANNUAL, year=2026, today=DURING)
    assert report.reference == "AQB-2026-000001"
    assert report.participant_count == 1 and report.period_start == datetime.date(2026, 1, 1)
    keys = report.snapshot["keys"]
    row = report.snapshot["rows"][0]
    assert row[keys.index("pseudonym")] == "BWN-0001" and row[keys.index("birth_year")] == "2005"
    Participant.objects.filter(pk=participant.pk).update(birth_year=2001, pseudonym="BWN-0099")
    report.refresh_from_db()
    assert report.snapshot["rows"][0][keys.index("birth_year")] == "2005"
    assert AuditEntry.objects.filter(measure=measure_a, action=AuditAction.REPORT).count() == 1


@pytest.mark.django_db
def test_reference_numbers_continue_without_gaps_and_failed_submissions_take_none(ze_kassel, measure_a, measure_a2):
    make_participant(measure_a, "BWN-0001", status=GREEN)
    first = do_submit_report(ze_kassel, measure_a, ReportKind.INTERIM, today=DURING)
    with pytest.raises(ServiceError):  # the same interim report again: refused, no number used
        do_submit_report(ze_kassel, measure_a, ReportKind.INTERIM, today=DURING)
    second = do_submit_report(ze_kassel, measure_a2, ReportKind.ZERO, today=DURING)
    assert [first.reference, second.reference] == ["AQB-2026-000001", "AQB-2026-000002"]


@pytest.mark.django_db
def test_double_click_gives_one_report(ze_kassel, measure_a):
    make_participant(measure_a, "BWN-0001", status=GREEN)
    first = do_submit_report(ze_kassel, measure_a, ReportKind.ANNUAL, year=2026, today=DURING, submission_key="k1")
    again = do_submit_report(ze_kassel, measure_a, ReportKind.ANNUAL, year=2026, today=DURING, submission_key="k1")
    assert first.pk == again.pk and Report.objects.count() == 1
    with pytest.raises(ServiceError, match="bereits am"):  # a second tab with its own key
        do_submit_report(ze_kassel, measure_a, ReportKind.ANNUAL, year=2026, today=DURING, submission_key="k2")


@pytest.mark.django_db
def test_reports_and_review_steps_refuse_every_orm_change(ze_kassel, rp_editor, measure_a):
    report = do_submit_report(ze_kassel, measure_a, ReportKind.ZERO, today=DURING)
    review = do_review_report(rp_editor, report, ReviewState.IN_REVIEW)
    for action in (
        lambda: report.save(),
        lambda: report.delete(),
        lambda: Report.objects.filter(pk=report.pk).update(participant_count=5),
        lambda: Report.objects.all().delete(),
        lambda: Report.objects.bulk_update([report], ["participant_count"]),
        lambda: review.save(),
        lambda: ReportReview.objects.all().delete(),
        lambda: measure_a.delete(),  # PROTECT: no cascade from the measure
    ):
        with pytest.raises(Exception) as caught:
            action()
        assert isinstance(caught.value, ImmutableError) or type(caught.value).__name__ == "ProtectedError"
    assert Report.objects.filter(pk=report.pk, participant_count=0).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("kind", [ReportKind.CLOSING, ReportKind.ZERO])
def test_closing_and_zero_report_lock_the_measure(ze_kassel, measure_a, kind):
    if kind == ReportKind.CLOSING:
        make_participant(measure_a, "BWN-0001", status=GREEN)
    do_submit_report(ze_kassel, measure_a, kind, today=AFTER_END)
    measure_a.refresh_from_db()
    assert measure_a.is_closed
    with pytest.raises(ServiceError, match="abgeschlossen"):
        save_participant(ze_kassel, measure_a, {"pseudonym": "BWN-0002"})
    assert any("abgeschlossen" in text for text in messages(ze_kassel, measure_a, ReportKind.INTERIM, today=AFTER_END))


@pytest.mark.django_db
def test_rp_returns_a_closing_report_which_reopens_the_measure_and_the_resubmission_shows_changes(
        ze_kassel, rp_editor, measure_a):
    participant = make_participant(measure_a, "BWN-0001", status=GREEN, birth_year=2005)
    report = do_submit_report(ze_kassel, measure_a, ReportKind.CLOSING, today=AFTER_END)
    reason = ReturnReason.objects.get(code="daten-unplausibel")
    assert check_review_report(rp_editor, report, ReviewState.RETURNED) == [
        "Bitte mindestens einen Rückgabegrund wählen oder eine Begründung schreiben."]
    assert check_review_report(ze_kassel, report, ReviewState.ACCEPTED) == ["Nur das Regierungspräsidium prüft Meldungen."]
    do_review_report(rp_editor, report, ReviewState.RETURNED, reasons=[reason], note="Geburtsjahr prüfen")
    measure_a.refresh_from_db()
    assert not measure_a.is_closed
    assert with_state(Report.objects.filter(pk=report.pk)).get().state == ReviewState.RETURNED
    Participant.objects.filter(pk=participant.pk).update(birth_year=2004)
    again = do_submit_report(ze_kassel, measure_a, ReportKind.CLOSING, today=AFTER_END)
    assert again.previous_id == report.pk
    diff = snapshot_diff(report.snapshot, again.snapshot)
    assert diff.changed and diff.changed[0][0] == "BWN-0001"
    assert ("Geburtsjahr", "2005", "2004") in diff.changed[0][1]
    do_review_report(rp_editor, again, ReviewState.ACCEPTED)
    with pytest.raises(ServiceError, match="angenommen"):
        do_review_report(rp_editor, again, ReviewState.RETURNED, note="zu spät")


@pytest.mark.django_db(transaction=True)
def test_reference_numbers_stay_unique_under_concurrent_submissions(kassel, provider_org_a):
    """Threads on PostgreSQL (the counter's row lock); SQLite serialises writers by itself."""
    if connection.vendor != "postgresql":
        pytest.skip("Gleichzeitige Transaktionen prüft nur der PostgreSQL-Lauf; SQLite lässt nur einen Schreiber zu.")
    from tests.conftest import make_user

    user = make_user("ze.threads@example.org", kassel)
    measures = [make_measure(f"AQB26-KS-M1-{n:02d}", kassel, provider_org_a) for n in range(10, 18)]
    errors = []

    def send(measure):
        try:
            do_submit_report(user, measure, ReportKind.ZERO, today=DURING)
        except Exception as error:  # noqa: BLE001 - collected and asserted below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(measure,)) for measure in measures]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    references = sorted(Report.objects.values_list("reference", flat=True))
    assert references == [f"AQB-2026-{n:06d}" for n in range(1, len(measures) + 1)]


@pytest.mark.django_db
def test_a_submission_that_fails_halfway_leaves_nothing_behind(ze_kassel, measure_a, monkeypatch):
    """The closing report fails after its number is drawn and its row written: nothing stays, not even the number."""
    from aqb_monitoring.models import ReferenceCounter
    from aqb_monitoring.services import reports

    make_participant(measure_a, "BWN-0001", status=GREEN)

    def broken_audit(*args, **kwargs):
        raise RuntimeError("Datenbank weg")

    monkeypatch.setattr(reports, "audit", broken_audit)
    with pytest.raises(RuntimeError):
        do_submit_report(ze_kassel, measure_a, ReportKind.CLOSING, today=AFTER_END)
    measure_a.refresh_from_db()
    assert not Report.objects.exists() and not measure_a.is_closed
    assert not ReferenceCounter.objects.filter(last__gt=0).exists()
    monkeypatch.undo()
    assert do_submit_report(ze_kassel, measure_a, ReportKind.CLOSING, today=AFTER_END).reference == "AQB-2027-000001"


# --- what the measure page offers, the batch year (the views only call these) -------------------------------------


@pytest.mark.django_db
def test_the_measure_page_offers_the_zero_report_only_without_participants(ze_kassel, provider_a, measure_a):
    from aqb_monitoring.services.reports import offered_report_kinds

    assert offered_report_kinds(ze_kassel, measure_a) == [ReportKind.ZERO]
    assert offered_report_kinds(provider_a, measure_a) == [ReportKind.ZERO]  # the provider sees the pre-check
    make_participant(measure_a, "BWN-0001", status=GREEN)
    assert offered_report_kinds(ze_kassel, measure_a) == [ReportKind.ANNUAL, ReportKind.INTERIM, ReportKind.CLOSING]
    assert offered_report_kinds(ze_kassel, measure_a, has_participants=False) == [ReportKind.ZERO]  # caller's count


@pytest.mark.django_db
def test_nothing_is_offered_to_the_rp_on_a_closed_measure_or_without_participant_monitoring(
        ze_kassel, rp_editor, measure_a, kassel):
    from django.utils import timezone

    from aqb_monitoring.services.reports import offered_report_kinds

    assert offered_report_kinds(rp_editor, measure_a) == []
    m4 = make_measure("AQB26-KS-M4-01", kassel, type_code="M4")
    assert offered_report_kinds(ze_kassel, m4) == []
    measure_a.closed_at = timezone.now()
    assert offered_report_kinds(ze_kassel, measure_a) == []


@pytest.mark.parametrize("kind", list(ReportKind))
def test_only_the_closing_and_the_zero_report_close_the_measure(kind):
    from aqb_monitoring.services.reports import closes_measure

    assert closes_measure(kind) is (kind in (ReportKind.CLOSING, ReportKind.ZERO))


@pytest.mark.parametrize(("text", "year"), [
    ("2025", 2025), ("2000", 2000), ("2027", 2027), ("2028", 2026), ("1999", 2026), ("", 2026), (None, 2026),
    ("20x6", 2026),
])
def test_the_batch_annual_report_takes_a_year_up_to_this_one_else_the_previous_year(text, year):
    from aqb_monitoring.services.reports import annual_batch_year, annual_batch_years

    today = datetime.date(2027, 1, 15)
    assert annual_batch_year(text, today) == year
    assert annual_batch_years(today) == [2024, 2025, 2026, 2027]


@pytest.mark.django_db
def test_a_report_waits_for_the_rp_while_received_or_in_review(ze_kassel, rp_editor, measure_a, measure_a2):
    from aqb_monitoring.services.reports import open_reports

    first = do_submit_report(ze_kassel, measure_a, ReportKind.ZERO, today=DURING)
    second = do_submit_report(ze_kassel, measure_a2, ReportKind.ZERO, today=DURING)
    assert set(open_reports(Report.objects.all())) == {first, second}
    do_review_report(rp_editor, first, ReviewState.IN_REVIEW)
    do_review_report(rp_editor, second, ReviewState.ACCEPTED)
    assert [(report, report.state) for report in open_reports(Report.objects.all())] == [
        (first, ReviewState.IN_REVIEW)]
    assert list(open_reports(Report.objects.filter(pk=second.pk))) == []  # keeps the given set
