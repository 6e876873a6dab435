"""`formatting`: what a user reads, one way everywhere (TT.MM.JJJJ, local time, ja/nein)."""

import datetime

import pytest

from aqb_monitoring.formatting import display_value, format_date, format_datetime, yes_no

NIGHT_UTC = datetime.datetime(2026, 11, 29, 23, 30, tzinfo=datetime.UTC)  # 30.11.2026 00:30 in Kassel


def test_a_date_reads_day_month_year():
    assert format_date(datetime.date(2026, 3, 4)) == "04.03.2026"


def test_a_point_in_time_reads_in_local_time():
    assert format_date(NIGHT_UTC) == "30.11.2026"
    assert format_datetime(NIGHT_UTC) == "30.11.2026 00:30"
    summer = datetime.datetime(2026, 7, 1, 10, 5, tzinfo=datetime.UTC)
    assert format_datetime(summer) == "01.07.2026 12:05"


@pytest.mark.parametrize("nothing", [None, ""])
def test_nothing_reads_as_nothing(nothing):
    assert format_date(nothing) == "" and format_datetime(nothing) == "" and display_value(nothing) == ""


def test_flags_read_ja_and_nein():
    assert (yes_no(True), yes_no(False), yes_no(1), yes_no(0)) == ("ja", "nein", "ja", "nein")
    assert (display_value(True), display_value(False)) == ("ja", "nein")


def test_other_values_read_as_their_text():
    assert display_value(0) == "0"
    assert display_value(datetime.date(2026, 12, 31)) == "31.12.2026"
    assert display_value(NIGHT_UTC) == "30.11.2026"
