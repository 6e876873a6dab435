"""imports/files.py: an uploaded file before its cells are read: its bytes and size, workbook or CSV, and CSV
itself (UTF-8 with or without BOM, ";" or ",", control characters and overlong cells reported per cell)."""

import io

import pytest

from aqb_monitoring.imports.cells import ImportFileError
from aqb_monitoring.imports.files import check_size, is_workbook, read_bytes, read_csv
from aqb_monitoring.imports.sheets import CFB_MAGIC, EXCEL_MAX_CELL_CHARS


def plain_workbook():
    from openpyxl import Workbook

    buffer = io.BytesIO()
    Workbook().save(buffer)
    return buffer.getvalue()

MB = 1024 * 1024
NOT_UTF8 = "Die CSV-Datei ist nicht UTF-8-kodiert."


def rows_of(content):
    """(line, cells) of each record, without the per-cell problems."""
    return [(line, cells) for line, cells, _problems in read_csv(content)]


# ---------------------------------------------------------------------------
# Bytes and size
# ---------------------------------------------------------------------------


def test_bytes_are_read_from_bytes_a_path_and_a_file_object_alike(tmp_path):
    content = b"Titel;Beginn\nA;01.02.2026\n"
    path = tmp_path / "daten.csv"
    path.write_bytes(content)
    stream = io.BytesIO(content)
    stream.read()  # a file object that was read before (e.g. by the form) is read from its start
    assert read_bytes(content, 100) == content
    assert read_bytes(bytearray(content), 100) == content
    assert read_bytes(str(path), 100) == content
    assert read_bytes(path, 100) == content
    assert read_bytes(stream, 100) == content


def test_a_large_file_is_read_only_one_byte_past_the_limit(tmp_path):
    path = tmp_path / "gross.csv"
    path.write_bytes(b"x" * 5000)
    assert len(read_bytes(path, 100)) == 101
    assert len(read_bytes(io.BytesIO(b"x" * 5000), 100)) == 101


def test_an_empty_file_is_refused():
    with pytest.raises(ImportFileError) as error:
        check_size(b"", 5 * MB)
    assert error.value.message == "Die Datei ist leer."


def test_a_file_up_to_the_limit_passes_and_one_byte_more_is_refused_naming_the_limit_in_mb():
    check_size(b"x" * (5 * MB), 5 * MB)
    with pytest.raises(ImportFileError) as error:
        check_size(b"x" * (5 * MB + 1), 5 * MB)
    assert error.value.message == "Die Datei ist größer als 5 MB. Bitte teilen Sie sie auf."


@pytest.mark.parametrize(("content", "workbook"), [
    (plain_workbook(), True),  # .xlsx: a zip archive
    (b"PK\x03\x04 anything zipped", True),  # .ods, .docx: the workbook reader names them
    (CFB_MAGIC + b"\x00" * 100, True),  # encrypted .xlsx or old .xls: the workbook reader names them
    (b"Titel;Beginn\n", False),
    (b"\xef\xbb\xbfTitel;Beginn\n", False),
    (b"P", False),
])
def test_workbooks_and_ole_files_go_to_the_workbook_reader_everything_else_is_csv(content, workbook):
    assert is_workbook(content) is workbook


# ---------------------------------------------------------------------------
# CSV
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("content", [
    "Titel;Träger\nWerkstattjahr;Bildungswerk Nordhessen\n".encode(),
    "\ufeffTitel;Träger\nWerkstattjahr;Bildungswerk Nordhessen\n".encode(),  # Excel's "CSV UTF-8"
    "Titel,Träger\r\nWerkstattjahr,Bildungswerk Nordhessen\r\n".encode(),  # comma, Windows line ends
    "Titel;Träger\nWerkstattjahr;Bildungswerk Nordhessen".encode(),  # no line end at the end
])
def test_csv_in_utf8_with_or_without_bom_with_semicolon_or_comma_gives_the_same_rows(content):
    assert rows_of(content) == [(1, ["Titel", "Träger"]), (2, ["Werkstattjahr", "Bildungswerk Nordhessen"])]


def test_the_delimiter_is_the_one_the_first_line_uses_more():
    content = b"Titel;Beginn;Ende\nKurs, Teil 1;01.02.2026;30.11.2026\n"
    assert rows_of(content)[1][1] == ["Kurs, Teil 1", "01.02.2026", "30.11.2026"]
    content = b'Titel,Beginn,Ende\n"Kurs; Teil 1",01.02.2026,30.11.2026\n'
    assert rows_of(content)[1][1] == ["Kurs; Teil 1", "01.02.2026", "30.11.2026"]


@pytest.mark.parametrize(("content", "cells"), [
    ("Titel\nKurs, Teil 1\n", ["Kurs, Teil 1"]),  # one column: neither delimiter in the first line
    ("Titel, lang;Nummer\nKurs, Teil 1;M-1\n", ["Kurs, Teil 1", "M-1"]),  # as many of each
])
def test_on_a_tie_the_delimiter_is_the_semicolon_of_german_excel(content, cells):
    assert rows_of(content.encode())[1][1] == cells


def test_the_first_non_empty_line_decides_the_delimiter():
    assert rows_of(b"\n\nA,B\n1,2\n")[2:] == [(3, ["A", "B"]), (4, ["1", "2"])]


def test_cells_are_stripped_and_quoted_cells_keep_their_delimiters_and_quotes():
    content = b'  Titel ;"Notiz"\n" Kurs ";"Sie sagte ""ja""; dann ging sie"\n'
    assert rows_of(content)[1][1] == ["Kurs", 'Sie sagte "ja"; dann ging sie']


def test_a_cell_over_several_lines_is_one_record_numbered_by_its_first_line():
    content = b'Titel;Termine\nKurs A;"30.06.2026\n30.09.2026"\nKurs B;31.12.2026\n'
    assert rows_of(content) == [(1, ["Titel", "Termine"]), (2, ["Kurs A", "30.06.2026\n30.09.2026"]),
                                (4, ["Kurs B", "31.12.2026"])]


def test_empty_lines_are_empty_records_that_keep_the_line_numbers():
    assert rows_of(b"A;B\n\n1;2\n") == [(1, ["A", "B"]), (2, []), (3, ["1", "2"])]


@pytest.mark.parametrize("content", [
    "Titel;Träger\nKurs;Bildungswerk Süd\n".encode("cp1252"),  # Excel's plain "CSV (Trennzeichen-getrennt)"
    "Titel;Träger\nKurs;Bildungswerk Süd\n".encode("utf-16"),  # Excel's "Unicode-Text"
])
def test_csv_in_another_encoding_is_refused_with_how_to_save_it(content):
    with pytest.raises(ImportFileError) as error:
        read_csv(content)
    assert NOT_UTF8 in error.value.message
    assert "„CSV UTF-8 (durch Trennzeichen getrennt)“" in error.value.message


def test_a_binary_file_that_is_no_workbook_is_refused_as_neither_excel_nor_csv():
    with pytest.raises(ImportFileError) as error:
        read_csv(b"%PDF-1.7\n\x00\x00binary")
    assert error.value.message == "Die Datei ist weder eine Excel-Datei (.xlsx) noch eine CSV-Datei."


def test_control_characters_are_replaced_and_reported_under_their_column():
    [_header, (line, cells, problems)] = read_csv(b"A;B;C\nok;TN\x01-1;gut\x1b\n")
    assert line == 2
    assert cells == ["ok", "TN\ufffd-1", "gut\ufffd"]
    assert problems == {1: "control", 2: "control"}


def test_tabs_and_line_breaks_inside_a_cell_are_no_control_characters():
    [_header, (_line, cells, problems)] = read_csv(b'A;B\n"eins\tzwei";"drei\r\nvier"\n')
    assert cells == ["eins\tzwei", "drei\r\nvier"]
    assert problems == {}


def test_a_cell_longer_than_excel_allows_is_cut_short_and_reported():
    long_text = "X" * (EXCEL_MAX_CELL_CHARS + 1)
    [_header, (_line, cells, problems)] = read_csv(f"A;B\nkurz;{long_text}\n".encode())
    assert problems == {1: "too_long"}
    assert cells[0] == "kurz"
    assert len(cells[1]) < 300 and cells[1].endswith("…")


def test_a_cell_as_long_as_excel_allows_is_kept_whole():
    text = "X" * EXCEL_MAX_CELL_CHARS
    [_header, (_line, cells, problems)] = read_csv(f"A\n{text}\n".encode())
    assert cells == [text] and problems == {}


@pytest.mark.parametrize("content", [
    b"A;B\nc;d\n" + b"x" * 200_000 + b";1\n",  # a cell beyond the csv module's field limit
    b'A;B\nc;d\n"offen;' + b"x" * 200_000 + b"\n",  # a quotation mark never closed
])
def test_a_csv_file_that_cannot_be_parsed_is_refused_in_german_naming_the_line(content):
    with pytest.raises(ImportFileError) as error:
        read_csv(content)
    assert error.value.message == (
        "Die CSV-Datei kann ab Zeile 3 nicht gelesen werden: Eine Zelle ist zu lang oder ein Anführungszeichen "
        "wird nicht geschlossen.")
