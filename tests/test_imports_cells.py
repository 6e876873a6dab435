"""imports/cells.py: how one raw cell of an uploaded file becomes a date, a yes/no, a year or the text a user reads."""

import datetime

import pytest

from aqb_monitoring.imports.cells import ImportFileError, display, parse_bool, parse_date, parse_year


@pytest.mark.parametrize(("value", "shown"), [
    (None, ""),
    ("", ""),
    (True, "ja"),
    (False, "nein"),
    (datetime.date(2026, 2, 1), "01.02.2026"),
    (datetime.datetime(2026, 2, 1, 13, 45), "01.02.2026"),
    (7.0, "7"),
    (7.5, "7.5"),
    (0, "0"),
    (2026, "2026"),
    ("  Text mit Rand  ", "  Text mit Rand  "),
])
def test_a_cell_is_shown_as_the_user_reads_it_in_excel(value, shown):
    assert display(value) == shown


@pytest.mark.parametrize(("value", "date"), [
    (datetime.date(2026, 2, 1), datetime.date(2026, 2, 1)),
    (datetime.datetime(2026, 2, 1, 23, 59), datetime.date(2026, 2, 1)),
    ("01.02.2026", datetime.date(2026, 2, 1)),
    ("1.2.2026", datetime.date(2026, 2, 1)),
    (" 01.02.2026 ", datetime.date(2026, 2, 1)),
    ("01.02.26", datetime.date(2026, 2, 1)),
    ("2026-02-01", datetime.date(2026, 2, 1)),
    ("01/02/2026", datetime.date(2026, 2, 1)),
    (46054, datetime.date(2026, 2, 1)),  # Excel's serial number of 01.02.2026
    (46054.75, datetime.date(2026, 2, 1)),  # a serial with a time of day
    (1, datetime.date(1899, 12, 31)),
    (2958465, datetime.date(9999, 12, 31)),  # Excel's last day
])
def test_dates_are_read_from_real_dates_excel_serials_and_german_text(value, date):
    assert parse_date(value) == date


@pytest.mark.parametrize(("value", "passed_on"), [
    ("Anfang Februar", "Anfang Februar"),
    ("31.02.2026", "31.02.2026"),  # no such day
    ("2026", "2026"),
    ("", ""),
    (0, "0"),  # before Excel's first day
    (-5, "-5"),
    (2958466, "2958466"),  # after 31.12.9999
    (float("nan"), "nan"),
])
def test_a_value_that_is_no_date_is_passed_on_as_text_for_the_rules_message(value, passed_on):
    assert parse_date(value) == passed_on


@pytest.mark.parametrize(("value", "passed_on"), [(True, "ja"), (False, "nein"), (None, "")])
def test_a_yes_no_or_empty_cell_in_a_date_column_is_passed_on_in_german_not_as_python_words(value, passed_on):
    """The rule quotes the value in its message ("„ja“ ist kein Datum"): never "True" or "None"."""
    assert parse_date(value) == passed_on


@pytest.mark.parametrize("word", ["ja", "Ja", " JA ", "j", "wahr", "true", "yes", "x", "X", "1", 1, 1.0, True])
def test_yes_is_read_from_the_usual_german_and_excel_words(word):
    assert parse_bool(word) is True


@pytest.mark.parametrize("word", ["nein", "Nein", "n", "falsch", "FALSE", "no", "0", 0, 0.0, False])
def test_no_is_read_from_the_usual_german_and_excel_words(word):
    assert parse_bool(word) is False


@pytest.mark.parametrize(("value", "passed_on"), [
    ("vielleicht", "vielleicht"),
    ("", ""),
    (2, "2"),
    (0.5, "0.5"),
    (datetime.date(2026, 2, 1), "01.02.2026"),
])
def test_anything_else_in_a_yes_no_column_is_passed_on_as_the_user_reads_it(value, passed_on):
    assert parse_bool(value) == passed_on


@pytest.mark.parametrize(("value", "year"), [(2026, 2026), (2026.0, 2026), ("2026", 2026), (" 2026 ", 2026)])
def test_a_year_is_read_from_a_number_or_digits(value, year):
    assert parse_year(value) == year


@pytest.mark.parametrize(("value", "passed_on"), [
    ("zweitausend", "zweitausend"),
    ("2026a", "2026a"),
    ("-2026", "-2026"),
    (2026.5, "2026.5"),
    (True, "ja"),
    ("", ""),
    ("²", "²"),  # a digit for str.isdigit, but no number for int(): passed on, not a crash
    ("2⁰2⁶", "2⁰2⁶"),
])
def test_a_year_that_is_no_number_is_passed_on_as_text_for_the_rules_message(value, passed_on):
    assert parse_year(value) == passed_on


def test_an_import_file_error_carries_its_german_message():
    error = ImportFileError("Die Datei ist leer.")
    assert error.message == "Die Datei ist leer."
    assert str(error) == "Die Datei ist leer."
