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
    Notification,
    Participant,
    ParticipantStatus,
    Report,
    ReportKind,
    ReportReview,
    ReturnReason,
    ReviewState,
)
from aqb_monitoring.services import ServiceError, save_participant
from aqb_monitoring.services.common import SHELL
from aqb_monitoring.services.reports import (
    annual_years,
    check_review_report,
    check_signal_data_complete,
    check_submit_report,
    default_annual_year,
    do_review_report,
    do_signal_data_complete,
    do_submit_report,
    snapshot_diff,
    state_of,
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


# --- word for word: every refusal, what a report stores and logs, the review and the provider's signal -------------
# (issue 11, mutation testing: each line of services/reports.py has a test that notices when it changes)

CLOSED = ("Die Maßnahme ist abgeschlossen; sie kann nichts mehr melden, bis das Regierungspräsidium sie wieder "
          "öffnet.")
PROVIDER_CANNOT_SEND = ("Meldungen an das Regierungspräsidium sendet der Zuwendungsempfänger. Sie können die Datensätze "
                        "vorher vervollständigen und ihm die vollständige Erfassung melden.")
NO_PARTICIPANTS = "Die Maßnahme hat keine Teilnehmenden; dafür gibt es die Nullmeldung."


def moment(year, month, day, hour=10):
    from django.utils import timezone

    return timezone.make_aware(datetime.datetime(year, month, day, hour, 0))


def greens(measure, count):
    return [make_participant(measure, f"BWN-{number:04d}", status=GREEN) for number in range(1, count + 1)]


def measure_over_years(number, grant_recipient, provider, first, last):
    """A measure running from the start of `first` through the end of `last`, with one green record."""
    measure = make_measure(number, grant_recipient, provider, budget_year=first, end_date=datetime.date(last, 12, 31))
    greens(measure, 1)
    return measure


@pytest.fixture
def three_years(kassel, provider_org_a):
    """A measure running from 2025 through 2027 with one green record."""
    return measure_over_years("AQB25-KS-M1-05", kassel, provider_org_a, 2025, 2027)


@pytest.mark.django_db
def test_the_annual_report_is_for_the_previous_year_in_january_then_for_the_year_still_open(ze_kassel, three_years):
    january = datetime.date(2026, 1, 20)
    assert annual_years(three_years, january) == [2025, 2026]  # not 2027 yet
    first = do_submit_report(ze_kassel, three_years, ReportKind.ANNUAL, today=january)
    assert (first.reporting_year, first.period_start, first.period_end) == (
        2025, datetime.date(2025, 1, 1), datetime.date(2025, 12, 31))
    second = do_submit_report(ze_kassel, three_years, ReportKind.ANNUAL, today=january)
    assert (second.reporting_year, second.period_start, second.period_end) == (
        2026, datetime.date(2026, 1, 1), datetime.date(2026, 12, 31))
    assert second.previous_id == first.pk
    assert default_annual_year(three_years, january) == 2026  # everything sent: the last year


@pytest.mark.django_db
def test_a_measure_that_has_not_started_offers_this_year(kassel):
    later = make_measure("AQB27-KS-M1-01", kassel, budget_year=2027)
    assert annual_years(later, DURING) == []
    assert default_annual_year(later, DURING) == 2026


@pytest.mark.django_db
def test_an_annual_report_outside_the_measures_years_is_refused_word_for_word(ze_kassel, three_years):
    for year in (2024, 2027):  # before the start; a year that has not begun
        assert messages(ze_kassel, three_years, ReportKind.ANNUAL, year=year, today=DURING) == [
            f"Eine Jahresmeldung ist für {year} nicht möglich: die Maßnahme läuft vom 01.01.2025 bis 31.12.2027."]
    assert messages(ze_kassel, three_years, ReportKind.ANNUAL, year=2026, today=DURING) == []


@pytest.mark.django_db
def test_an_annual_report_sent_already_is_named_with_its_day_and_number(ze_kassel, three_years):
    do_submit_report(ze_kassel, three_years, ReportKind.ANNUAL, year=2025, today=DURING, at=moment(2026, 1, 28))
    assert messages(ze_kassel, three_years, ReportKind.ANNUAL, year=2025, today=DURING) == [
        "Die Jahresmeldung 2025 wurde bereits am 28.01.2026 abgesendet (AQB-2026-000001)."]
    assert messages(ze_kassel, three_years, ReportKind.ANNUAL, year=2026, today=DURING) == []  # another year


@pytest.mark.django_db
def test_one_interim_report_per_day_up_to_the_measures_end(ze_kassel, measure_a):
    greens(measure_a, 1)
    report = do_submit_report(ze_kassel, measure_a, ReportKind.INTERIM, today=DURING, at=moment(2026, 6, 1))
    assert (report.period_start, report.period_end, report.reporting_year) == (
        datetime.date(2026, 1, 1), DURING, None)
    assert messages(ze_kassel, measure_a, ReportKind.INTERIM, today=DURING) == [
        "Eine Zwischenmeldung mit Stand 01.06.2026 wurde bereits abgesendet (AQB-2026-000001)."]
    next_day = DURING + datetime.timedelta(days=1)
    assert messages(ze_kassel, measure_a, ReportKind.INTERIM, today=next_day) == []
    after = do_submit_report(ze_kassel, measure_a, ReportKind.INTERIM, today=AFTER_END)
    assert after.period_end == datetime.date(2026, 12, 31) and after.previous_id == report.pk


@pytest.mark.django_db
@pytest.mark.parametrize("kind", [ReportKind.ANNUAL, ReportKind.INTERIM])
def test_annual_and_interim_report_without_participants_point_to_the_zero_report(ze_kassel, measure_a, kind):
    assert messages(ze_kassel, measure_a, kind, year=2026, today=DURING) == [NO_PARTICIPANTS]


@pytest.mark.django_db
def test_a_closing_report_without_participants_points_to_the_zero_report(ze_kassel, measure_a):
    assert messages(ze_kassel, measure_a, ReportKind.CLOSING, today=AFTER_END) == [NO_PARTICIPANTS]


@pytest.mark.django_db
def test_the_zero_report_names_how_many_participants_there_are(ze_kassel, measure_a):
    greens(measure_a, 2)
    assert messages(ze_kassel, measure_a, ReportKind.ZERO, today=DURING) == [
        "Die Nullmeldung ist nur ohne Teilnehmende möglich; die Maßnahme hat 2."]


@pytest.mark.django_db
def test_the_closing_report_can_be_sent_on_the_measures_last_day_not_the_day_before(ze_kassel, measure_a):
    greens(measure_a, 1)
    assert messages(ze_kassel, measure_a, ReportKind.CLOSING, today=datetime.date(2026, 12, 31)) == []
    assert messages(ze_kassel, measure_a, ReportKind.CLOSING, today=datetime.date(2026, 12, 30)) == [
        "Die Maßnahme endet erst am 31.12.2026; der Abschluss ist danach möglich."]


@pytest.mark.django_db
def test_a_red_record_blocks_the_annual_report_with_its_id_and_the_zero_report_hint_is_not_shown(ze_kassel, measure_a):
    red = make_participant(measure_a, "BWN-0007", status=RED)
    reasons = check_submit_report(ze_kassel, measure_a, ReportKind.ANNUAL, year=2026, today=DURING)
    assert [str(reason) for reason in reasons] == ["1 Teilnehmende mit Status rot: BWN-0007"]
    assert reasons[0].participants == [(red.pk, "BWN-0007")]


@pytest.mark.django_db
def test_a_reason_names_twenty_records_and_then_an_ellipsis_but_links_all(ze_kassel, measure_a):
    red = [make_participant(measure_a, f"BWN-{number:04d}", status=RED) for number in range(1, 22)]
    [reason] = check_submit_report(ze_kassel, measure_a, ReportKind.INTERIM, today=DURING)
    shown = ", ".join(f"BWN-{number:04d}" for number in range(1, 21))
    assert str(reason) == f"21 Teilnehmende mit Status rot: {shown} …"
    assert len(reason.participants) == 21 and reason.participants[-1] == (red[-1].pk, "BWN-0021")
    red[-1].delete()
    [reason] = check_submit_report(ze_kassel, measure_a, ReportKind.INTERIM, today=DURING)
    assert str(reason) == f"20 Teilnehmende mit Status rot: {shown}"


@pytest.mark.django_db
def test_who_may_send_is_said_word_for_word(ze_fulda, rp_editor, provider_a, ze_kassel, measure_a):
    assert messages(ze_fulda, measure_a, ReportKind.ZERO, today=DURING) == ["Sie dürfen diese Maßnahme nicht sehen."]
    assert messages(rp_editor, measure_a, ReportKind.ZERO, today=DURING) == [
        "Meldungen sendet der Zuwendungsempfänger der Maßnahme."]
    assert messages(provider_a, measure_a, ReportKind.ZERO, today=DURING) == [PROVIDER_CANNOT_SEND]
    assert messages(ze_kassel, measure_a, ReportKind.ZERO, today=DURING) == []


@pytest.mark.django_db
def test_a_closed_measure_says_only_that_it_is_closed_except_to_the_provider(
        ze_kassel, rp_editor, provider_a, measure_a):
    from django.utils import timezone

    measure_a.closed_at = timezone.now()
    measure_a.save()
    assert messages(ze_kassel, measure_a, ReportKind.ZERO, today=DURING) == [CLOSED]
    assert messages(rp_editor, measure_a, ReportKind.ZERO, today=DURING) == [CLOSED]
    assert messages(provider_a, measure_a, ReportKind.ZERO, today=DURING) == [PROVIDER_CANNOT_SEND, CLOSED]


@pytest.mark.django_db
def test_a_measure_type_without_participant_monitoring_sends_no_report(ze_kassel, kassel):
    m4 = make_measure("AQB26-KS-M4-01", kassel, type_code="M4")
    assert messages(ze_kassel, m4, ReportKind.ZERO, today=DURING) == [
        "Für Maßnahmen dieser Art werden keine Teilnehmenden erfasst und keine Meldungen abgegeben."]


@pytest.mark.django_db
def test_a_zero_report_stores_sender_period_and_recipient_and_closes_the_measure_in_the_history(ze_kassel, measure_a):
    ze_kassel.first_name, ze_kassel.last_name = "Zoe", "Ernst"
    ze_kassel.save()
    at = moment(2027, 1, 10)
    report = do_submit_report(ze_kassel, measure_a, ReportKind.ZERO, at=at, submission_key="")
    report.refresh_from_db()
    assert report.reference == "AQB-2027-000001"  # the year of sending
    assert (report.kind, report.period_start, report.period_end, report.reporting_year) == (
        ReportKind.ZERO, datetime.date(2026, 1, 1), datetime.date(2026, 12, 31), None)
    assert (report.submitted_by, report.submitted_by_name, report.grant_recipient_name) == (
        ze_kassel, "Zoe Ernst", "Landkreis Kassel")
    assert (report.participant_count, report.previous, report.submission_key, report.submitted_at) == (0, None, None, at)
    assert report.snapshot["rows"] == [] and "Teilnehmenden-ID" in report.snapshot["headers"]
    assert "pseudonym" in report.snapshot["keys"]
    sent = AuditEntry.objects.get(measure=measure_a, action=AuditAction.REPORT)
    assert (sent.user, sent.changes, sent.note) == (ze_kassel, {"Meldung": ["", "Nullmeldung AQB-2027-000001"]}, "")
    closed = AuditEntry.objects.get(measure=measure_a, action=AuditAction.CLOSE)
    assert (closed.user, closed.note) == (ze_kassel, "AQB-2027-000001")
    measure_a.refresh_from_db()
    assert (measure_a.closed_at, measure_a.closed_by) == (at, ze_kassel)


@pytest.mark.django_db
def test_an_annual_report_is_sent_in_the_name_of_the_address_and_keeps_the_measure_open(ze_kassel, measure_a):
    greens(measure_a, 2)
    report = do_submit_report(ze_kassel, measure_a, ReportKind.ANNUAL, year=2026, today=DURING)
    assert report.submitted_by_name == "ze.kassel@example.org" and report.participant_count == 2
    sent = AuditEntry.objects.get(measure=measure_a, action=AuditAction.REPORT)
    assert sent.changes == {"Meldung": ["", "Jahresmeldung AQB-2026-000001"]}
    measure_a.refresh_from_db()
    assert measure_a.closed_at is None and not AuditEntry.objects.filter(action=AuditAction.CLOSE).exists()


@pytest.mark.django_db
def test_a_report_follows_only_the_last_report_of_its_kind(ze_kassel, measure_a):
    greens(measure_a, 1)
    interim = do_submit_report(ze_kassel, measure_a, ReportKind.INTERIM, today=DURING, at=moment(2026, 6, 1))
    annual = do_submit_report(ze_kassel, measure_a, ReportKind.ANNUAL, year=2026, today=DURING, at=moment(2026, 6, 1, 11))
    later = do_submit_report(ze_kassel, measure_a, ReportKind.INTERIM, today=datetime.date(2026, 7, 1),
                             at=moment(2026, 7, 1))
    last = do_submit_report(ze_kassel, measure_a, ReportKind.INTERIM, today=datetime.date(2026, 8, 1),
                            at=moment(2026, 8, 1))
    assert (annual.previous, later.previous, last.previous) == (None, interim, later)


@pytest.mark.django_db
def test_a_submission_key_of_another_measure_does_not_return_its_report(ze_kassel, measure_a, measure_a2):
    first = do_submit_report(ze_kassel, measure_a, ReportKind.ZERO, today=DURING, submission_key="k1")
    other = do_submit_report(ze_kassel, measure_a2, ReportKind.ZERO, today=DURING, submission_key="k1b")
    assert other.pk != first.pk and other.measure_id == measure_a2.pk and first.submission_key == "k1"


@pytest.mark.django_db
def test_the_snapshot_shows_dates_as_tt_mm_jjjj_and_empty_cells_as_empty_text(ze_kassel, measure_a):
    make_participant(measure_a, "BWN-0001", status=GREEN, entry_date=datetime.date(2026, 2, 3))
    report = do_submit_report(ze_kassel, measure_a, ReportKind.INTERIM, today=DURING)
    keys, [row] = report.snapshot["keys"], report.snapshot["rows"]
    assert row[keys.index("entry_date")] == "03.02.2026"
    assert row[keys.index("exit_date")] == "" and row[keys.index("measure_number")] == "AQB26-KS-M1-01"
    assert len(report.snapshot["headers"]) == len(keys) == len(row)


def test_the_difference_of_two_snapshots_names_added_removed_and_changed_records():
    old = {"headers": ["Nr.", "Teilnehmenden-ID", "Geschlecht"], "keys": ["measure_number", "pseudonym", "gender"],
           "rows": [["M", "A", "weiblich"], ["M", "B", "männlich"], ["M", "C", "divers"]]}
    new = {"headers": ["Nr.", "Teilnehmenden-ID", "Geschlecht", "Ort"], "keys": ["measure_number", "pseudonym", "gender",
                                                                                "place"],
           "rows": [["M", "B", "männlich", ""], ["M", "C", "weiblich", "Kassel"], ["M", "D", "divers", ""]]}
    diff = snapshot_diff(old, new)
    assert (diff.added, diff.removed) == (["D"], ["A"])
    assert diff.changed == [("C", [("Geschlecht", "divers", "weiblich"), ("Ort", "", "Kassel")])]
    assert bool(diff) and not snapshot_diff(old, old) and not snapshot_diff(None, None)
    assert snapshot_diff(None, new).added == ["B", "C", "D"]
    assert snapshot_diff({"headers": ["ID"], "rows": [["X"]]}, {"headers": ["ID"], "rows": []}).removed == ["X"]


@pytest.mark.django_db
@pytest.mark.parametrize(("steps", "state", "current"), [
    ([], ReviewState.RECEIVED, "eingegangen"),
    ([ReviewState.IN_REVIEW], ReviewState.IN_REVIEW, "in Prüfung"),
    ([ReviewState.ACCEPTED], ReviewState.RETURNED, "angenommen"),
    ([ReviewState.IN_REVIEW, ReviewState.RETURNED], ReviewState.ACCEPTED, "zurückgegeben"),
])
def test_a_review_step_that_does_not_follow_is_refused_word_for_word(ze_kassel, rp_editor, measure_a, steps, state,
                                                                     current):
    report = do_submit_report(ze_kassel, measure_a, ReportKind.ZERO, today=DURING)
    for step in steps:
        do_review_report(rp_editor, report, step, note="Grund")
    label = ReviewState(state).label
    expected = [f"Die Meldung ist {current} und kann nicht mehr auf „{label}“ gesetzt werden."]
    assert check_review_report(rp_editor, report, state, note="Grund") == expected
    reviews = ReportReview.objects.count()
    with pytest.raises(ServiceError) as caught:
        do_review_report(rp_editor, report, state, note="Grund")
    assert caught.value.messages == expected and ReportReview.objects.count() == reviews


@pytest.mark.django_db
def test_a_return_needs_a_reason_or_a_note_that_is_not_blank(ze_kassel, rp_editor, measure_a):
    report = do_submit_report(ze_kassel, measure_a, ReportKind.ZERO, today=DURING)
    reason = ReturnReason.objects.get(code="daten-unplausibel")
    assert check_review_report(rp_editor, report, ReviewState.RETURNED, note="   ") == [
        "Bitte mindestens einen Rückgabegrund wählen oder eine Begründung schreiben."]
    assert check_review_report(rp_editor, report, ReviewState.RETURNED, reasons=[reason]) == []
    assert check_review_report(rp_editor, report, ReviewState.RETURNED, note="Bitte prüfen") == []
    assert check_review_report(rp_editor, report, ReviewState.ACCEPTED) == []


@pytest.mark.django_db
def test_the_grant_recipient_cannot_review_and_nothing_is_stored(ze_kassel, measure_a):
    report = do_submit_report(ze_kassel, measure_a, ReportKind.ZERO, today=DURING)
    with pytest.raises(ServiceError) as caught:
        do_review_report(ze_kassel, report, ReviewState.ACCEPTED)
    assert caught.value.messages == ["Nur das Regierungspräsidium prüft Meldungen."]
    assert not ReportReview.objects.exists() and not AuditEntry.objects.filter(action=AuditAction.REVIEW).exists()
    assert not Notification.objects.filter(subject__contains="angenommen").exists()


@pytest.mark.django_db
def test_returning_the_zero_report_reopens_the_measure_records_both_steps_and_tells_the_grant_recipient(
        ze_kassel, rp_editor, measure_a):
    rp_editor.first_name, rp_editor.last_name = "Rita", "Prüfer"
    rp_editor.save()
    report = do_submit_report(ze_kassel, measure_a, ReportKind.ZERO, today=DURING)
    first, second = ReturnReason.objects.filter(is_active=True).order_by("sort_order")[:2]
    at = moment(2026, 6, 3)
    review = do_review_report(rp_editor, report, ReviewState.RETURNED, reasons=[first, second],
                              note="  Geburtsjahr prüfen  ", at=at)
    review.refresh_from_db()
    assert (review.state, review.note, review.decided_by, review.decided_by_name, review.decided_at) == (
        ReviewState.RETURNED, "Geburtsjahr prüfen", rp_editor, "Rita Prüfer", at)
    assert set(review.reasons.all()) == {first, second}
    entry = AuditEntry.objects.get(measure=measure_a, action=AuditAction.REVIEW)
    assert entry.user == rp_editor
    assert entry.changes == {"Meldung AQB-2026-000001": ["eingegangen", "zurückgegeben"]}
    assert entry.note == f"{first}, {second}; Geburtsjahr prüfen"
    reopened = AuditEntry.objects.get(measure=measure_a, action=AuditAction.REOPEN)
    assert (reopened.user, reopened.note) == (rp_editor, "Meldung AQB-2026-000001 zurückgegeben")
    measure_a.refresh_from_db()
    assert (measure_a.closed_at, measure_a.closed_by) == (None, None)
    [mail] = Notification.objects.filter(subject__startswith="Meldung")
    assert mail.subject == "Meldung AQB-2026-000001 zurückgegeben (AQB26-KS-M1-01)"
    assert mail.recipients == ["ze.kassel@example.org"]
    assert ("das Regierungspräsidium Kassel hat Ihre Nullmeldung AQB-2026-000001 für die Maßnahme AQB26-KS-M1-01 "
            "bearbeitet: zurückgegeben.") in mail.body_text
    assert f"- {first}\n- {second}\n" in mail.body_text and "Begründung: Geburtsjahr prüfen" in mail.body_text
    assert "Die Maßnahme ist wieder geöffnet." in mail.body_text
    from django.urls import reverse

    assert "Meldung im AQB-Portal öffnen: http" in mail.body_text
    assert mail.body_text.split("Meldung im AQB-Portal öffnen: ")[1].split()[0].endswith(
        reverse("aqb_reports:report_detail", args=[report.pk]))


@pytest.mark.django_db
def test_returning_an_annual_report_keeps_the_measure_as_it_is_and_the_note_alone_is_the_audit_note(
        ze_kassel, rp_editor, measure_a):
    greens(measure_a, 1)
    report = do_submit_report(ze_kassel, measure_a, ReportKind.ANNUAL, year=2026, today=DURING)
    do_review_report(rp_editor, report, ReviewState.IN_REVIEW)
    do_review_report(rp_editor, report, ReviewState.RETURNED, note="Bitte ergänzen")
    entries = AuditEntry.objects.filter(measure=measure_a, action=AuditAction.REVIEW).order_by("id")
    assert [(entry.changes, entry.note) for entry in entries] == [
        ({"Meldung AQB-2026-000001": ["eingegangen", "in Prüfung"]}, ""),
        ({"Meldung AQB-2026-000001": ["in Prüfung", "zurückgegeben"]}, "Bitte ergänzen"),
    ]
    assert not AuditEntry.objects.filter(action=AuditAction.REOPEN).exists()
    [mail] = Notification.objects.filter(subject__startswith="Meldung")
    assert "Die Maßnahme ist wieder geöffnet." not in mail.body_text
    assert "Bitte korrigieren Sie die genannten Datensätze und senden Sie die Meldung erneut." in mail.body_text


@pytest.mark.django_db
def test_a_closing_report_returned_after_the_rp_reopened_the_measure_is_not_reopened_twice(
        ze_kassel, rp_editor, measure_a):
    greens(measure_a, 1)
    report = do_submit_report(ze_kassel, measure_a, ReportKind.CLOSING, today=AFTER_END)
    Measure = type(measure_a)
    Measure.objects.filter(pk=measure_a.pk).update(closed_at=None)
    do_review_report(rp_editor, report, ReviewState.RETURNED, note="Bitte prüfen")
    assert not AuditEntry.objects.filter(action=AuditAction.REOPEN).exists()


@pytest.mark.django_db
def test_accepting_tells_the_grant_recipient_and_putting_in_review_tells_nobody(ze_kassel, rp_editor, measure_a):
    report = do_submit_report(ze_kassel, measure_a, ReportKind.ZERO, today=DURING)
    do_review_report(rp_editor, report, ReviewState.IN_REVIEW)
    assert not Notification.objects.filter(subject__startswith="Meldung").exists()
    do_review_report(rp_editor, report, ReviewState.ACCEPTED)
    [mail] = Notification.objects.filter(subject__startswith="Meldung")
    assert mail.subject == "Meldung AQB-2026-000001 angenommen (AQB26-KS-M1-01)"
    assert "bearbeitet: angenommen." in mail.body_text and "Gründe der Rückgabe" not in mail.body_text
    measure_a.refresh_from_db()
    assert measure_a.is_closed  # accepted: stays closed


@pytest.mark.django_db
def test_manage_py_reviews_as_the_rp_and_is_named_without_a_user(ze_kassel, measure_a):
    report = do_submit_report(ze_kassel, measure_a, ReportKind.ZERO, today=DURING)
    review = do_review_report(SHELL, report, ReviewState.ACCEPTED)
    review.refresh_from_db()
    assert (review.decided_by, review.decided_by_name) == (None, "manage.py")
    assert AuditEntry.objects.get(action=AuditAction.REVIEW).user is None


@pytest.mark.django_db
def test_the_state_of_a_report_is_its_latest_review_step(ze_kassel, rp_editor, measure_a):
    report = do_submit_report(ze_kassel, measure_a, ReportKind.ZERO, today=DURING)
    assert state_of(Report.objects.get(pk=report.pk)) == ReviewState.RECEIVED
    same_moment = moment(2026, 6, 2)
    do_review_report(rp_editor, report, ReviewState.IN_REVIEW, at=same_moment)
    assert state_of(Report.objects.get(pk=report.pk)) == ReviewState.IN_REVIEW
    do_review_report(rp_editor, report, ReviewState.ACCEPTED, at=same_moment)  # same moment: the later step
    assert state_of(Report.objects.get(pk=report.pk)) == ReviewState.ACCEPTED
    assert state_of(with_state(Report.objects.filter(pk=report.pk)).get()) == ReviewState.ACCEPTED


# --- the provider's "Dateneingabe abgeschlossen" -------------------------------------------------------------------


@pytest.mark.django_db
def test_the_provider_signals_complete_data_to_the_grant_recipient_with_the_count(provider_a, ze_kassel, measure_a):
    greens(measure_a, 2)
    entry = do_signal_data_complete(provider_a, measure_a)
    entry.refresh_from_db()
    assert (entry.action, entry.user, entry.changes) == (AuditAction.DATA_COMPLETE, provider_a, {"Teilnehmende": ["", "2"]})
    [mail] = Notification.objects.all()
    assert mail.subject == "Dateneingabe abgeschlossen: AQB26-KS-M1-01" and mail.recipients == ["ze.kassel@example.org"]
    assert ("Bildungswerk Nordhessen hat die Erfassung der Teilnehmenden der Maßnahme AQB26-KS-M1-01 als abgeschlossen "
            "gemeldet (2 Teilnehmende, alle vollständig erfasst).") in mail.body_text
    from django.urls import reverse

    assert "Maßnahme im AQB-Portal öffnen: http" in mail.body_text
    assert mail.body_text.split("Maßnahme im AQB-Portal öffnen: ")[1].split()[0].endswith(
        reverse("aqb_monitoring:measure", args=[measure_a.pk]))
    assert not Report.objects.exists()


@pytest.mark.django_db
def test_a_measure_without_provider_names_the_grant_recipients_clerk_in_the_signal(ze_kassel, kassel):
    ze_kassel.first_name, ze_kassel.last_name = "Zoe", "Ernst"
    ze_kassel.save()
    own = make_measure("AQB26-KS-M1-07", kassel)
    greens(own, 1)
    do_signal_data_complete(ze_kassel, own)
    [mail] = Notification.objects.all()
    assert "Zoe Ernst hat die Erfassung der Teilnehmenden der Maßnahme AQB26-KS-M1-07" in mail.body_text


@pytest.mark.django_db
def test_the_signal_is_refused_word_for_word_and_stores_nothing(rp_editor, ze_fulda, provider_a, provider_a2,
                                                                measure_a):
    assert [str(r) for r in check_signal_data_complete(rp_editor, measure_a)] == [
        "Die abgeschlossene Dateneingabe meldet der Träger dem Zuwendungsempfänger."]
    for outsider in (ze_fulda, provider_a2):
        assert [str(r) for r in check_signal_data_complete(outsider, measure_a)] == [
            "Sie dürfen die Teilnehmenden dieser Maßnahme nicht bearbeiten."]
    assert [str(r) for r in check_signal_data_complete(provider_a, measure_a)] == [
        "Die Maßnahme hat keine Teilnehmenden; der Zuwendungsempfänger gibt dafür die Nullmeldung ab."]
    make_participant(measure_a, "BWN-0003", status=YELLOW)
    assert [str(r) for r in check_signal_data_complete(provider_a, measure_a)] == [
        "1 Teilnehmende mit Status gelb: BWN-0003"]
    for user in (rp_editor, ze_fulda, provider_a2, provider_a):
        with pytest.raises(ServiceError):
            do_signal_data_complete(user, measure_a)
    assert not AuditEntry.objects.filter(action=AuditAction.DATA_COMPLETE).exists()
    assert not Notification.objects.exists()
    from django.utils import timezone

    type(measure_a).objects.filter(pk=measure_a.pk).update(closed_at=timezone.now())
    measure_a.refresh_from_db()
    assert [str(r) for r in check_signal_data_complete(provider_a, measure_a)] == ["Die Maßnahme ist bereits abgeschlossen."]


# --- mutation survivors of services/reports.py (run of 30.11.2026): each test names what a user would get wrong -----


def test_a_sender_without_account_is_named_as_given_and_nobody_as_empty_text():
    from aqb_monitoring.services.reports import display_name

    assert display_name(None) == ""
    assert display_name(SHELL) == "manage.py"
    assert display_name("Import der Stammdaten") == "Import der Stammdaten"  # no account, no `pk`


@pytest.fixture
def past_measure(kassel, provider_org_a):
    """A measure that ran from 2020 through 2022, with one green record: the clock's year lies after its end."""
    return measure_over_years("AQB20-KS-M1-01", kassel, provider_org_a, 2020, 2022)


@pytest.mark.django_db
def test_the_years_of_an_annual_report_count_up_to_the_day_given_not_the_clock(ze_kassel, past_measure):
    in_2020 = datetime.date(2020, 6, 1)
    assert annual_years(past_measure, in_2020) == [2020]
    assert annual_years(past_measure, datetime.date(2021, 6, 1)) == [2020, 2021]
    assert default_annual_year(past_measure, in_2020) == 2020
    assert messages(ze_kassel, past_measure, ReportKind.ANNUAL, year=2021, today=in_2020) == [
        "Eine Jahresmeldung ist für 2021 nicht möglich: die Maßnahme läuft vom 01.01.2020 bis 31.12.2022."]
    report = do_submit_report(ze_kassel, past_measure, ReportKind.ANNUAL, today=in_2020, at=moment(2020, 6, 1))
    assert (report.reporting_year, report.reference) == (2020, "AQB-2020-000001")


@pytest.mark.django_db
def test_once_every_year_is_reported_the_measures_last_year_is_proposed_even_years_later(ze_kassel, measure_a):
    greens(measure_a, 1)
    do_submit_report(ze_kassel, measure_a, ReportKind.ANNUAL, year=2026, today=AFTER_END)
    assert default_annual_year(measure_a, datetime.date(2028, 3, 1)) == 2026


@pytest.mark.django_db
def test_reports_and_records_of_another_measure_neither_block_nor_precede_a_report(ze_kassel, measure_a, measure_a2):
    greens(measure_a, 1)
    make_participant(measure_a2, "JWK-0001", status=GREEN)
    do_submit_report(ze_kassel, measure_a2, ReportKind.ANNUAL, year=2026, today=DURING)
    do_submit_report(ze_kassel, measure_a2, ReportKind.INTERIM, today=DURING)
    make_participant(measure_a2, "JWK-0002", status=RED)
    assert messages(ze_kassel, measure_a, ReportKind.ANNUAL, year=2026, today=DURING) == []
    annual = do_submit_report(ze_kassel, measure_a, ReportKind.ANNUAL, year=2026, today=DURING)
    interim = do_submit_report(ze_kassel, measure_a, ReportKind.INTERIM, today=DURING)
    assert (annual.previous, interim.previous) == (None, None)


@pytest.mark.django_db
def test_an_annual_report_up_to_the_measures_end_is_no_interim_report_of_that_day(ze_kassel, measure_a):
    greens(measure_a, 1)
    annual = do_submit_report(ze_kassel, measure_a, ReportKind.ANNUAL, year=2026, today=AFTER_END)
    assert annual.period_end == datetime.date(2026, 12, 31)
    assert messages(ze_kassel, measure_a, ReportKind.INTERIM, today=AFTER_END) == []


@pytest.mark.django_db
def test_a_submission_key_of_another_measure_never_hands_out_that_measures_report(ze_kassel, measure_a, measure_a2):
    first = do_submit_report(ze_kassel, measure_a, ReportKind.ZERO, today=DURING, submission_key="k1")
    with pytest.raises(ServiceError) as refused:  # a forged key is refused in German, not answered with a foreign report
        do_submit_report(ze_kassel, measure_a2, ReportKind.ZERO, today=DURING, submission_key="k1")
    assert refused.value.messages == [
        "Das Formular ist nicht mehr gültig. Bitte laden Sie die Seite neu und senden Sie die Meldung dann erneut."]
    assert list(Report.objects.all()) == [first]
    measure_a2.refresh_from_db()
    assert measure_a2.closed_at is None


@pytest.mark.django_db
def test_a_report_follows_the_one_sent_last_by_its_time_not_the_one_recorded_last(ze_kassel, measure_a):
    greens(measure_a, 1)
    july = do_submit_report(ze_kassel, measure_a, ReportKind.INTERIM, today=datetime.date(2026, 7, 1),
                            at=moment(2026, 7, 1))
    do_submit_report(ze_kassel, measure_a, ReportKind.INTERIM, today=datetime.date(2026, 6, 1),
                     at=moment(2026, 6, 1))  # recorded later, dated earlier (demo data)
    august = do_submit_report(ze_kassel, measure_a, ReportKind.INTERIM, today=datetime.date(2026, 8, 1),
                              at=moment(2026, 8, 1))
    assert august.previous == july
    same = moment(2026, 9, 1)
    do_submit_report(ze_kassel, measure_a, ReportKind.INTERIM, today=datetime.date(2026, 9, 1), at=same)
    second = do_submit_report(ze_kassel, measure_a, ReportKind.INTERIM, today=datetime.date(2026, 9, 2), at=same)
    third = do_submit_report(ze_kassel, measure_a, ReportKind.INTERIM, today=datetime.date(2026, 9, 3),
                             at=moment(2026, 9, 3))
    assert third.previous == second  # the same moment: the one recorded later


@pytest.mark.django_db
def test_an_interim_report_stores_no_reporting_year_even_when_a_year_is_given(ze_kassel, measure_a):
    greens(measure_a, 1)
    report = do_submit_report(ze_kassel, measure_a, ReportKind.INTERIM, year=2026, today=DURING)
    assert (report.reporting_year, report.period_end) == (None, DURING)


def test_a_difference_of_only_added_or_only_removed_records_counts_as_a_difference():
    empty, one = {"headers": ["ID"], "rows": []}, {"headers": ["ID"], "rows": [["X"]]}
    assert bool(snapshot_diff(empty, one)) and bool(snapshot_diff(one, empty))
    assert not snapshot_diff(empty, empty)


def test_a_column_dropped_from_the_new_snapshot_shows_its_old_value_and_empty_cells_not_at_all():
    old = {"headers": ["Teilnehmenden-ID", "Ort", "Telefon"], "keys": ["pseudonym", "place", "phone"],
           "rows": [["A", "Kassel", ""]]}
    new = {"headers": ["Teilnehmenden-ID"], "keys": ["pseudonym"], "rows": [["A"]]}
    assert snapshot_diff(old, new).changed == [("A", [("Ort", "Kassel", "")])]


def test_a_row_shorter_than_its_headers_counts_its_missing_cells_as_empty():
    short = {"headers": ["Teilnehmenden-ID", "Ort"], "keys": ["pseudonym", "place"], "rows": [["A"]]}
    full = {"headers": ["Teilnehmenden-ID", "Ort"], "keys": ["pseudonym", "place"], "rows": [["A", "Kassel"]]}
    assert snapshot_diff(short, full).changed == [("A", [("Ort", "", "Kassel")])]


@pytest.mark.django_db
def test_steps_recorded_out_of_order_give_the_state_of_the_latest_decision_either_way_it_is_read(
        ze_kassel, rp_editor, measure_a):
    report = do_submit_report(ze_kassel, measure_a, ReportKind.ZERO, today=DURING)
    do_review_report(rp_editor, report, ReviewState.IN_REVIEW, at=moment(2026, 6, 5))
    do_review_report(rp_editor, report, ReviewState.ACCEPTED, at=moment(2026, 6, 3))  # dated earlier (demo data)
    assert state_of(Report.objects.get(pk=report.pk)) == ReviewState.IN_REVIEW
    assert with_state(Report.objects.filter(pk=report.pk)).get().state == ReviewState.IN_REVIEW


@pytest.mark.django_db
def test_a_return_with_a_reason_and_without_a_note_is_stored(ze_kassel, rp_editor, measure_a):
    report = do_submit_report(ze_kassel, measure_a, ReportKind.ZERO, today=DURING)
    reason = ReturnReason.objects.get(code="daten-unplausibel")
    review = do_review_report(rp_editor, report, ReviewState.RETURNED, reasons=[reason])
    assert (review.state, review.note, list(review.reasons.all())) == (ReviewState.RETURNED, "", [reason])
    assert AuditEntry.objects.get(action=AuditAction.REVIEW).note == str(reason)


@pytest.mark.django_db
def test_a_refused_signal_says_why_word_for_word(rp_editor, measure_a):
    with pytest.raises(ServiceError) as caught:
        do_signal_data_complete(rp_editor, measure_a)
    assert caught.value.messages == ["Die abgeschlossene Dateneingabe meldet der Träger dem Zuwendungsempfänger."]
