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
