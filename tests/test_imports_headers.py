"""imports/headers.py: the header row of an uploaded file -> the importer's columns, and what is unknown, missing
or named twice, in German."""

import pytest

from aqb_monitoring.imports.cells import ImportFileError
from aqb_monitoring.imports.headers import HeaderMap, check_headers, loose_header_key, map_headers, quoted
from aqb_monitoring.imports.sheets import header_key

COLUMNS = [("number", "Maßnahmennummer"), ("title", "Titel"), ("email", "Träger-E-Mail"), ("note", "Bemerkung")]
REQUIRED = [("number", "Maßnahmennummer"), ("title", "Titel")]
MISSING = "In der Kopfzeile fehlen die Spalten %(names)s (%(count)d)."


def mapped(header_row, *, key=loose_header_key, skip=()):
    by_key = {key(header): (column, header) for column, header in COLUMNS}
    return map_headers(header_row, by_key, key=key, required=REQUIRED, skip=skip)


@pytest.mark.parametrize(("written", "template"), [
    ("Träger-E-Mail", "Träger-E-Mail"),
    ("träger e-mail", "Träger-E-Mail"),
    ("TRÄGER E MAIL", "Träger-E-Mail"),
    ("Träger-E-Mail*", "Träger-E-Mail"),
    ("  Träger -  E-Mail ", "Träger-E-Mail"),
    ("Massnahmennummer", "Maßnahmennummer"),
    ("Maßnahmen-Nummer", "Maßnahmennummer"),
])
def test_loose_headers_match_ignoring_case_spaces_hyphens_and_the_required_star(written, template):
    assert loose_header_key(written) == loose_header_key(template)


@pytest.mark.parametrize(("written", "other"), [("Titel", "Titel 2"), ("Beginn", "Beginn (alt)"), ("Ende", "Enden")])
def test_loose_headers_still_tell_different_words_apart(written, other):
    assert loose_header_key(written) != loose_header_key(other)


@pytest.mark.parametrize(("written", "template"), [("Geschlecht*", "geschlecht"), ("  Geschlecht  ", "geschlecht"),
                                                   ("GESCHLECHT *", "geschlecht")])
def test_strict_headers_ignore_case_outer_spaces_and_the_required_star(written, template):
    assert header_key(written) == template


def test_strict_headers_keep_hyphens_and_inner_words():
    """The participant template's headers are many and similar: "Träger-E-Mail" is not "Träger E Mail" there."""
    assert header_key("Träger-E-Mail") != header_key("Träger E Mail")


def test_columns_are_found_in_any_order_by_their_position_in_the_row():
    found = mapped(["Bemerkung", "titel", "", "MASSNAHMENNUMMER"])
    assert found.positions == {"note": 0, "title": 1, "number": 3}
    assert found.missing == [] and found.duplicates == [] and found.ignored == []


def test_unknown_headers_are_listed_as_not_evaluated_and_empty_ones_are_not():
    found = mapped(["Maßnahmennummer", "Titel", "Interne Notiz", None, "   ", 2026])
    assert found.ignored == ["Interne Notiz", "2026"]
    assert set(found.positions) == {"number", "title"}


def test_skipped_headers_are_left_out_silently():
    found = mapped(["Maßnahmennummer", "Titel", "Status (nur Export)"], skip={loose_header_key("Status (nur Export)")})
    assert found.ignored == []


def test_missing_required_columns_are_named_with_the_templates_header():
    found = mapped(["Bemerkung"])
    assert found.missing == ["Maßnahmennummer", "Titel"]
    with pytest.raises(ImportFileError) as error:
        check_headers(found, MISSING)
    assert error.value.message == "In der Kopfzeile fehlen die Spalten „Maßnahmennummer“, „Titel“ (2)."


def test_an_optional_column_may_be_missing():
    found = check_headers(mapped(["Titel", "Maßnahmennummer"]), MISSING)
    assert isinstance(found, HeaderMap)
    assert "email" not in found.positions


def test_a_column_named_twice_is_refused_and_its_first_position_kept():
    found = mapped(["Titel", "Maßnahmennummer", "titel*"])
    assert found.positions["title"] == 0
    assert found.duplicates == ["Titel"]
    with pytest.raises(ImportFileError) as error:
        check_headers(found, MISSING)
    assert error.value.message == "Die Spalte „Titel“ kommt in der Kopfzeile mehrfach vor."


def test_a_column_named_three_times_is_named_once_in_the_message():
    found = mapped(["Titel", "Maßnahmennummer", "Titel", "TITEL"])
    with pytest.raises(ImportFileError) as error:
        check_headers(found, MISSING)
    assert error.value.message == "Die Spalte „Titel“ kommt in der Kopfzeile mehrfach vor."


def test_several_columns_named_twice_are_named_in_the_plural():
    found = mapped(["Titel", "Maßnahmennummer", "Titel", "Maßnahmennummer"])
    with pytest.raises(ImportFileError) as error:
        check_headers(found, MISSING)
    assert error.value.message == "Die Spalten „Titel“, „Maßnahmennummer“ kommen in der Kopfzeile mehrfach vor."


def test_missing_columns_are_reported_before_columns_named_twice():
    found = mapped(["Titel", "Titel"])
    with pytest.raises(ImportFileError) as error:
        check_headers(found, MISSING)
    assert "fehlen die Spalten „Maßnahmennummer“" in error.value.message


def test_names_are_quoted_with_german_quotation_marks():
    assert quoted(["Beginn", "Ende"]) == "„Beginn“, „Ende“"
    assert quoted([]) == ""
