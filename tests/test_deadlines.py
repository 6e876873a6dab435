"""deadlines.py: which report a measure owes when (docs/domain-rules.md §8.1), at the boundaries."""

import datetime

from aqb_monitoring.deadlines import KIND_ANNUAL, KIND_CLOSING, KIND_INTERIM, next_due_date, scheduled_reports
from aqb_monitoring.models import InterimDueDate

from .conftest import make_measure


def test_the_annual_report_is_due_on_31_january_and_overdue_the_day_after(measure_a):
    measure_a.end_date = datetime.date(2027, 6, 30)
    on_the_day = next_due_date(measure_a, today=datetime.date(2027, 1, 31))
    assert (on_the_day.kind, on_the_day.days, on_the_day.text) == (KIND_ANNUAL, 0, "heute fällig")
    after = next_due_date(measure_a, today=datetime.date(2027, 2, 1))
    assert after.kind == KIND_CLOSING  # the next one; an annual report past its day is not the next deadline


def test_the_closing_report_is_due_exactly_four_weeks_after_the_end(measure_a):
    measure_a.end_date = datetime.date(2026, 6, 30)
    assert next_due_date(measure_a, today=datetime.date(2026, 7, 28)).days == 0
    late = next_due_date(measure_a, today=datetime.date(2026, 7, 29))
    assert late.kind == KIND_CLOSING and late.is_overdue and late.text == "überfällig seit 1 Tag"


def test_four_weeks_count_the_leap_day(kassel):
    measure = make_measure("AQB28-KS-M1-01", kassel, budget_year=2028, start_date=datetime.date(2028, 1, 1),
                           end_date=datetime.date(2028, 2, 1))
    closing = [due for due in scheduled_reports(measure, today=datetime.date(2028, 1, 15)) if due.kind == KIND_CLOSING]
    assert closing[0].date == datetime.date(2028, 2, 29)


def test_every_year_the_measure_ran_owes_an_annual_report_and_interim_dates_count(measure_a):
    measure_a.start_date, measure_a.end_date = datetime.date(2026, 3, 1), datetime.date(2027, 8, 31)
    InterimDueDate.objects.create(measure=measure_a, due_date=datetime.date(2026, 9, 30))
    kinds = [(due.kind, due.date) for due in scheduled_reports(measure_a, today=datetime.date(2026, 3, 1))]
    assert kinds == [
        (KIND_INTERIM, datetime.date(2026, 9, 30)), (KIND_ANNUAL, datetime.date(2027, 1, 31)),
        (KIND_CLOSING, datetime.date(2027, 9, 28)), (KIND_ANNUAL, datetime.date(2028, 1, 31)),
    ]


def test_closed_and_m4_measures_owe_nothing(measure_a, kassel):
    m4 = make_measure("AQB26-KS-M4-01", kassel, type_code="M4")
    assert scheduled_reports(m4) == [] and next_due_date(m4, today=datetime.date(2027, 6, 1)) is None
    measure_a.closed_at = datetime.datetime(2026, 12, 1, tzinfo=datetime.UTC)
    assert scheduled_reports(measure_a) == []


# --- deadline_summary / deadline_summaries: what many measures owe on one day (the RP's board) ---


def test_the_annual_report_counts_as_due_on_31_january_and_overdue_one_day_on_1_february(measure_a):
    from aqb_monitoring.deadlines import deadline_summary

    measure_a.end_date = datetime.date(2027, 6, 30)
    on_the_day = deadline_summary(measure_a, today=datetime.date(2027, 1, 31))
    assert [(due.kind, due.days) for due in on_the_day.due] == [(KIND_ANNUAL, 0)]
    assert on_the_day.overdue == [] and on_the_day.overdue_days == 0
    assert deadline_summary(measure_a, today=datetime.date(2027, 1, 30)).due == []
    after = deadline_summary(measure_a, today=datetime.date(2027, 2, 1))
    assert [due.kind for due in after.overdue] == [KIND_ANNUAL] and after.overdue_days == 1
    assert after.next_due.kind == KIND_CLOSING


def test_the_closing_report_is_overdue_from_the_day_after_exactly_four_weeks(measure_a):
    from aqb_monitoring.deadlines import deadline_summary

    measure_a.start_date, measure_a.end_date = datetime.date(2026, 2, 1), datetime.date(2026, 6, 30)
    # Annual report 2026 falls due only on 31.01.2027.
    assert [due.days for due in deadline_summary(measure_a, today=datetime.date(2026, 7, 28)).due] == [0]
    late = deadline_summary(measure_a, today=datetime.date(2026, 7, 29))
    assert [due.kind for due in late.overdue] == [KIND_CLOSING] and late.overdue_days == 1
    assert late.next_due.kind == KIND_CLOSING


def test_overdue_days_count_the_leap_day_and_name_the_oldest_report(kassel):
    from aqb_monitoring.deadlines import deadline_summary

    measure = make_measure("AQB27-KS-M1-01", kassel, budget_year=2027, start_date=datetime.date(2027, 3, 1),
                           end_date=datetime.date(2028, 2, 1))
    summary = deadline_summary(measure, today=datetime.date(2028, 3, 1))
    # Annual 2027 due 31.01.2028 (30 days ago, counting 29.02.2028); closing due 29.02.2028 (1 day ago).
    assert [(due.kind, due.date, due.days) for due in summary.due] == [
        (KIND_ANNUAL, datetime.date(2028, 1, 31), -30), (KIND_CLOSING, datetime.date(2028, 2, 29), -1)]
    assert summary.overdue_days == 30


def test_an_interim_date_falls_due_and_a_sent_interim_report_settles_it(measure_a, ze_kassel):
    from aqb_monitoring.deadlines import deadline_summary
    from aqb_monitoring.models import Report

    measure_a.end_date = datetime.date(2026, 12, 31)
    InterimDueDate.objects.create(measure=measure_a, due_date=datetime.date(2026, 6, 30))
    summary = deadline_summary(measure_a, today=datetime.date(2026, 7, 10))
    assert [(due.kind, due.days) for due in summary.due] == [(KIND_INTERIM, -10)] and summary.overdue_days == 10
    assert deadline_summary(measure_a, today=datetime.date(2026, 6, 30)).overdue_days == 0
    Report.objects.create(reference="AQB-2026-000001", kind="interim", measure=measure_a,
                          period_start=measure_a.start_date, period_end=datetime.date(2026, 7, 5),
                          grant_recipient_name="Landkreis Kassel")
    assert deadline_summary(measure_a, today=datetime.date(2026, 7, 10)).due == []


def test_summaries_for_many_measures_answer_in_three_queries_like_one_measure_at_a_time(
        kassel, measure_a, ze_kassel, django_assert_num_queries):
    from aqb_monitoring.deadlines import deadline_summaries, deadline_summary
    from aqb_monitoring.models import Measure, Report, ReportReview

    for number in range(1, 6):
        make_measure(f"AQB25-KS-M1-{number:02d}", kassel, budget_year=2025)
    closed = make_measure("AQB25-KS-M1-06", kassel, budget_year=2025,
                          closed_at=datetime.datetime(2026, 2, 1, tzinfo=datetime.UTC))
    m4 = make_measure("AQB25-KS-M4-01", kassel, budget_year=2025, type_code="M4")
    InterimDueDate.objects.create(measure=measure_a, due_date=datetime.date(2026, 2, 15))
    InterimDueDate.objects.create(measure=measure_a, due_date=datetime.date(2026, 5, 15))
    report = dict(kind="annual", period_start=datetime.date(2025, 1, 1), period_end=datetime.date(2025, 12, 31),
                  reporting_year=2025, grant_recipient_name="Landkreis Kassel")
    first = Measure.objects.get(number="AQB25-KS-M1-01")
    Report.objects.create(reference="AQB-2026-000001", measure=first, **report)
    returned = Report.objects.create(reference="AQB-2026-000002", measure=Measure.objects.get(number="AQB25-KS-M1-02"),
                                     **report)
    ReportReview.objects.create(report=returned, state="returned", note="fehlt")
    Report.objects.create(reference="AQB-2026-000003", measure=measure_a, kind="interim", period_start=measure_a.start_date,
                          period_end=datetime.date(2026, 2, 10), grant_recipient_name="Landkreis Kassel")
    today = datetime.date(2026, 6, 1)
    with django_assert_num_queries(3):  # interim dates, sent reports, the measures' dates
        summaries = deadline_summaries(Measure.objects.all(), today=today)
    assert len(summaries) == 8
    for measure in Measure.objects.all():
        expected = deadline_summary(measure, today=today)
        assert summaries[measure.pk] == expected, measure.number
    assert summaries[closed.pk].due == [] and summaries[m4.pk].due == [] and summaries[m4.pk].next_due is None
    # Sent annual report 2025: only the closing report is due (28.01.2026: 124 days); returned: both.
    assert [due.kind for due in summaries[first.pk].due] == [KIND_CLOSING]
    assert summaries[first.pk].overdue_days == 124
    assert len(summaries[returned.measure_id].due) == 2
    # The interim date of 15.02.2026 is settled by the report up to 10.02.2026; 15.05.2026 is not.
    assert [(due.kind, due.date) for due in summaries[measure_a.pk].due] == [(KIND_INTERIM, datetime.date(2026, 5, 15))]


# --- due_totals: the same sums counted by the database per grant recipient (the board's rows) ------


def test_totals_per_grant_recipient_equal_the_sums_of_the_summaries_of_their_measures_on_varied_data(
        kassel, django_assert_max_num_queries):
    """Many measures with varied dates, closings, interim dates and sent, returned and interim reports,
    compared on days around the 31 January and the four weeks after an end: `due_totals` (grouped
    queries) must answer what summing `deadline_summaries` (a step per measure) answers."""
    import random

    from aqb_monitoring.deadlines import DueTotals, deadline_summaries, due_totals
    from aqb_monitoring.models import GrantRecipient, Measure, Report, ReportReview

    rng = random.Random(15)
    recipients = [kassel] + [GrantRecipient.objects.create(name=f"Stadt {n}", abbreviation=f"ST{n}") for n in range(3)]
    reference = 0

    def send(measure, kind, end, year=None, returned=False):
        nonlocal reference
        reference += 1
        report = Report.objects.create(reference=f"AQB-T-{reference:06d}", measure=measure, kind=kind,
                                       period_start=measure.start_date, period_end=end, reporting_year=year,
                                       grant_recipient_name="x")
        if returned:
            ReportReview.objects.create(report=report, state="returned", note="fehlt")

    for number in range(60):
        start = datetime.date(2024, 1, 1) + datetime.timedelta(days=rng.randrange(900))
        end = start + datetime.timedelta(days=rng.randrange(30, 700))
        closed = datetime.datetime(2027, 1, 1, tzinfo=datetime.UTC) if number % 7 == 0 else None
        measure = make_measure(f"AQB24-T-M1-{number:03d}", rng.choice(recipients), type_code=rng.choice("M1 M2 M3 M4".split()),
                               budget_year=start.year, start_date=start, end_date=end, closed_at=closed)
        interim = sorted({start + datetime.timedelta(days=rng.randrange(20, 400)) for _ in range(rng.randrange(3))})
        for due in interim:
            InterimDueDate.objects.create(measure=measure, due_date=due)
        for year in range(start.year, end.year + 1):
            if rng.random() < 0.4:
                send(measure, KIND_ANNUAL, datetime.date(year, 12, 31), year=year, returned=rng.random() < 0.3)
        for _ in range(rng.randrange(3) if interim else 0):  # cut-offs before, on and after the dates
            send(measure, KIND_INTERIM, rng.choice(interim) + datetime.timedelta(days=rng.randrange(-40, 40)),
                 returned=rng.random() < 0.3)

    days = [datetime.date(2025, 1, 30), datetime.date(2025, 1, 31), datetime.date(2025, 2, 1),
            datetime.date(2026, 1, 31), datetime.date(2026, 6, 15), datetime.date(2027, 3, 1), datetime.date(2028, 6, 1)]
    for today in days:
        expected = {}
        groups = dict(Measure.objects.values_list("pk", "grant_recipient_id"))
        for pk, summary in deadline_summaries(Measure.objects.all(), today).items():
            if summary.due:
                expected.setdefault(groups[pk], DueTotals()).add(len(summary.due), len(summary.overdue), summary.due[0].date)
        with django_assert_max_num_queries(6):
            totals = due_totals(Measure.objects.all(), today=today)
        assert totals == expected, today
        assert any(t.overdue for t in totals.values()) or today < datetime.date(2025, 2, 1)


def test_totals_follow_a_filtered_queryset_and_group_by_any_measure_field(kassel, measure_a):
    from aqb_monitoring.deadlines import due_totals
    from aqb_monitoring.models import Measure

    measure_a.end_date = datetime.date(2026, 6, 30)
    measure_a.save()
    later = make_measure("AQB27-KS-M1-01", kassel, budget_year=2027)
    today = datetime.date(2027, 2, 10)  # measure_a: closing 28.07.2026 and annual 2026 overdue; `later`: nothing
    totals = due_totals(Measure.objects.all(), key="pk", today=today)
    assert set(totals) == {measure_a.pk}
    assert (totals[measure_a.pk].due, totals[measure_a.pk].overdue) == (2, 2)
    assert totals[measure_a.pk].overdue_days(today) == (today - datetime.date(2026, 7, 28)).days
    assert due_totals(Measure.objects.filter(pk=later.pk), today=today) == {}


def test_owing_measures_leave_out_closed_measures_and_those_without_participants(kassel, measure_a, measure_a2):
    from django.utils import timezone

    from aqb_monitoring.deadlines import owing_measures
    from aqb_monitoring.models import Measure

    m4 = make_measure("AQB26-KS-M4-01", kassel, type_code="M4")
    closed = make_measure("AQB26-KS-M1-02", kassel, closed_at=timezone.now())
    owing = set(owing_measures(Measure.objects.all()))
    assert owing == {measure_a, measure_a2}
    assert all(bool(scheduled_reports(measure)) for measure in owing)
    assert not scheduled_reports(m4) and not scheduled_reports(closed)  # the same rule, one measure at a time


def test_an_annual_report_is_owed_for_each_year_the_measure_ran(kassel):
    from aqb_monitoring.deadlines import owing_annual_report
    from aqb_monitoring.models import Measure

    spanning = make_measure("AQB26-KS-M1-05", kassel, start_date=datetime.date(2026, 12, 31),
                            end_date=datetime.date(2027, 1, 1))
    later = make_measure("AQB27-KS-M1-01", kassel, budget_year=2027)
    make_measure("AQB26-KS-M4-01", kassel, type_code="M4")
    measures = Measure.objects.all()
    assert list(owing_annual_report(measures, 2025)) == []
    assert list(owing_annual_report(measures, 2026)) == [spanning]
    assert set(owing_annual_report(measures, 2027)) == {spanning, later}
    assert list(owing_annual_report(measures, 2028)) == []
