"""imports/sheets.py, the reading child's own pieces, run in this process on small files: the archive checks
(size, not a workbook, encryption, zip bombs), the XML without DTDs, the streaming scan of a sheet's extent,
shared strings, merged cells and how cell values travel to the parent."""

import datetime
import io
import json
import zipfile

import pytest

from aqb_monitoring.imports.sheets import (
    CFB_MAGIC,
    EXCEL_MAX_CELL_CHARS,
    Large,
    MergedFill,
    Refused,
    RowWriter,
    cell_name,
    check_archive,
    clean_text,
    column_index,
    column_letters,
    count_shared_strings,
    normalise,
    read,
    safe_parser,
    scan_sheet,
    sheet_paths,
)

from .excel_files import replace_member, sheets_workbook

SHEET_XML = "xl/worksheets/sheet1.xml"


book = sheets_workbook


def spec(**overrides):
    return {"max_file_bytes": 10 * 1024 * 1024, "max_uncompressed_bytes": 50 * 1024 * 1024,
            "max_compression_ratio": 100, "ratio_check_from": 1024 * 1024, "max_rows": 100, "max_columns": 10,
            "max_merged": 50, "prefer": [], "skip": [], **overrides}


@pytest.fixture
def stored(tmp_path):
    """Write bytes to a file and return its path (the child reads a path)."""
    def store(content, name="datei.xlsx"):
        path = tmp_path / name
        path.write_bytes(content)
        return str(path)
    return store


def refusal(call):
    with pytest.raises(Refused) as refused:
        call()
    return refused.value.code, refused.value.params


def with_member(content, name, data, compression=zipfile.ZIP_DEFLATED):
    """The archive with one more member."""
    buffer = io.BytesIO(content)
    with zipfile.ZipFile(buffer, "a", compression) as archive:
        archive.writestr(name, data)
    return buffer.getvalue()


# ---------------------------------------------------------------------------
# Texts and cell names
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "key"), [("Männlich ", "männlich"), ("  MÄNNLICH", "männlich"),
                                           ("nicht  erwerbs\ttätig", "nicht erwerbs tätig"), (7, "7")])
def test_normalise_ignores_case_and_runs_of_whitespace(text, key):
    assert normalise(text) == key


@pytest.mark.parametrize(("text", "clean", "problem"), [
    ("  TN-001 ", "TN-001", None),
    ("TN\x00001", "TN\ufffd001", "control"),
    ("a\x7fb", "a\ufffdb", "control"),
    ("zwei\nZeilen\tund Tab", "zwei\nZeilen\tund Tab", None),
    ("X" * EXCEL_MAX_CELL_CHARS, "X" * EXCEL_MAX_CELL_CHARS, None),
    ("X" * (EXCEL_MAX_CELL_CHARS + 1), "X" * 200 + "…", "too_long"),
])
def test_clean_text_strips_replaces_control_characters_and_cuts_overlong_text(text, clean, problem):
    assert clean_text(text) == (clean, problem)


@pytest.mark.parametrize(("index", "letters"), [(0, "A"), (25, "Z"), (26, "AA"), (51, "AZ"), (52, "BA"),
                                                (701, "ZZ"), (702, "AAA"), (16_383, "XFD")])
def test_column_letters_and_indexes_are_excels(index, letters):
    assert column_letters(index) == letters
    assert column_index(letters) == index


def test_a_cell_is_named_as_excel_names_it():
    assert cell_name(0, 0) == "A1"
    assert cell_name(1_048_575, 16_383) == "XFD1048576"


# ---------------------------------------------------------------------------
# The archive
# ---------------------------------------------------------------------------


def test_a_plain_workbook_passes_the_archive_checks(stored):
    archive = check_archive(stored(book()), spec())
    assert "xl/workbook.xml" in archive.NameToInfo


@pytest.mark.parametrize(("content", "code"), [
    (b"", "empty_file"),
    (CFB_MAGIC + b"\x00" * 512, "encrypted_or_xls"),
    (b"Titel;Beginn\n", "not_xlsx"),
    (b"%PDF-1.7 ...", "not_xlsx"),
    (b"PK\x03\x04 kein echtes Archiv", "corrupt"),
])
def test_what_is_no_workbook_is_named_before_anything_is_unpacked(content, code, stored):
    assert refusal(lambda: check_archive(stored(content), spec()))[0] == code


def test_a_zip_archive_without_a_workbook_is_no_xlsx(stored):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<document/>")  # a .docx, or any zip renamed to .xlsx
    assert refusal(lambda: check_archive(stored(buffer.getvalue()), spec()))[0] == "not_xlsx"


def test_a_cut_off_workbook_is_corrupt(stored):
    content = book()
    assert refusal(lambda: check_archive(stored(content[: len(content) // 2]), spec()))[0] == "corrupt"


def test_a_file_over_the_size_limit_is_refused_before_it_is_opened(stored):
    content = book()
    assert refusal(lambda: check_archive(stored(content), spec(max_file_bytes=len(content) - 1)))[0] == "too_big"
    check_archive(stored(content), spec(max_file_bytes=len(content)))


def test_an_encrypted_archive_member_is_refused(stored):
    content = bytearray(book())
    # Set the "encrypted" flag of every member in the central directory (what a zip password does).
    position = content.find(b"PK\x01\x02")
    while position != -1:
        content[position + 8] |= 0x1
        position = content.find(b"PK\x01\x02", position + 4)
    assert refusal(lambda: check_archive(stored(bytes(content)), spec()))[0] == "encrypted"


def test_a_member_packed_more_than_the_allowed_ratio_is_a_zip_bomb(stored):
    content = with_member(book(), "xl/media/leer.bin", b"\x00" * (2 * 1024 * 1024))  # about 1000-fold
    assert refusal(lambda: check_archive(stored(content), spec()))[0] == "bomb"


def test_a_small_member_is_not_checked_for_its_ratio(stored):
    """Below ratio_check_from, XML parts of a normal workbook are packed 100-fold and more."""
    content = with_member(book(), "xl/media/leer.bin", b"\x00" * (512 * 1024))
    check_archive(stored(content), spec())


def test_members_unpacking_to_more_than_the_limit_in_total_are_a_zip_bomb(stored):
    """Stored, not packed: no ratio to speak of, but 2 MB unpacked against a limit of 1 MB."""
    content = with_member(book(), "xl/media/bild.bin", bytes(range(256)) * 8192, zipfile.ZIP_STORED)
    assert refusal(lambda: check_archive(stored(content), spec(max_uncompressed_bytes=1024 * 1024)))[0] == "bomb"
    check_archive(stored(content), spec(max_uncompressed_bytes=3 * 1024 * 1024))


def test_an_embedded_archive_is_never_opened(stored, tmp_path):
    """A zip bomb inside the workbook (an embedded object) is just bytes to the reader: packed once, its own
    ratio is harmless, and nothing inside it is unpacked; the odd member name writes no file either."""
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w", zipfile.ZIP_DEFLATED) as bomb:
        bomb.writestr("null.bin", b"\x00" * (20 * 1024 * 1024))
    content = with_member(book(), "xl/embeddings/../../../../tmp/bombe.zip", inner.getvalue(), zipfile.ZIP_STORED)
    path = stored(content)
    check_archive(path, spec())
    out = io.StringIO()
    read(spec(path=path), out)
    assert json.loads(out.getvalue().splitlines()[-1])["done"]["sheet"] == "Daten"
    assert sorted(item.name for item in tmp_path.iterdir()) == ["datei.xlsx"]


# ---------------------------------------------------------------------------
# XML and the scan of a sheet
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("xml", [
    b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>',
    b'<?xml version="1.0"?><!DOCTYPE x SYSTEM "http://example.org/x.dtd"><x/>',
    b'<?xml version="1.0"?><!DOCTYPE x><x/>',
])
def test_xml_with_a_document_type_declaration_is_refused(xml):
    parser = safe_parser()
    assert refusal(lambda: parser.Parse(xml, True))[0] == "xml_forbidden"


def test_sheets_are_found_in_the_workbooks_order_with_their_paths(stored):
    archive = check_archive(stored(book({"Info": [["x"]], "Maßnahmen": [["y"]]})), spec())
    assert sheet_paths(archive) == {"Info": "xl/worksheets/sheet1.xml", "Maßnahmen": "xl/worksheets/sheet2.xml"}


def test_a_document_type_declaration_in_the_workbook_part_is_refused_too(stored):
    content = replace_member(book(), "xl/workbook.xml", lambda xml: xml.replace(
        b"<workbook", b'<!DOCTYPE workbook [<!ENTITY x SYSTEM "file:///etc/passwd">]><workbook', 1))
    archive = check_archive(stored(content), spec())
    assert refusal(lambda: sheet_paths(archive))[0] == "xml_forbidden"


def test_broken_xml_in_a_sheet_is_corrupt():
    content = replace_member(book(), SHEET_XML, lambda xml: xml.replace(b"</sheetData>", b"<row></sheetData>"))
    assert refusal(lambda: scanned(content))[0] == "corrupt"


def scanned(content, inline_max_rows=None, **limits):
    archive = zipfile.ZipFile(io.BytesIO(content))
    return scan_sheet(archive, SHEET_XML, "Daten", spec(**limits), inline_max_rows)


def test_the_scan_counts_rows_with_content_and_notes_formula_cells():
    scan = scanned(book({"Daten": [["A", "B"], [1, "=1+1"], [None, None], ["=A2", 2]]}))
    assert scan.last_row == 3
    assert scan.formulas == {1: 0b10, 3: 0b01}


def test_the_declared_dimension_must_lie_within_the_rows_and_columns_read():
    content = replace_member(book(), SHEET_XML, lambda xml: xml.replace(b'ref="A1:B2"', b'ref="A1:XFD1048576"'))
    assert refusal(lambda: scanned(content)) == ("dimension", {"sheet": "Daten", "ref": "A1:XFD1048576"})


@pytest.mark.parametrize(("cell", "ref"), [
    (b'<row r="101"><c r="A101"><v>1</v></c></row>', "A101"),  # below the 100 rows read
    (b'<row r="2"><c r="K2"><v>1</v></c></row>', "K2"),  # right of the 10 columns read
])
def test_a_cell_with_content_outside_the_area_read_is_refused_by_its_name(cell, ref):
    def transform(xml):
        xml = xml.replace(b'<dimension ref="A1:B2"/>', b"")
        return xml.replace(b"</sheetData>", cell + b"</sheetData>")
    content = replace_member(book({"Daten": [["A"]]}), SHEET_XML, transform)
    assert refusal(lambda: scanned(content)) == ("cell_outside", {"sheet": "Daten", "ref": ref})


def test_an_empty_formatted_cell_outside_the_area_counts_for_nothing():
    """Excel writes formatted but empty cells down to row 1,048,576; python-calamine leaves them out."""
    def transform(xml):
        xml = xml.replace(b'<dimension ref="A1:B2"/>', b"")
        return xml.replace(b"</sheetData>", b'<row r="1048576"><c r="XFD1048576" s="1"/></row></sheetData>')
    assert scanned(replace_member(book(), SHEET_XML, transform)).last_row == 1


def test_a_merged_range_beyond_the_area_and_too_many_merged_ranges_are_refused():
    def merges(refs):
        cells = b"".join(b'<mergeCell ref="%s"/>' % ref for ref in refs)
        return lambda xml: xml.replace(b"</sheetData>", b"</sheetData><mergeCells>" + cells + b"</mergeCells>")
    content = replace_member(book(), SHEET_XML, merges([b"A1:A5000"]))
    assert refusal(lambda: scanned(content)) == ("merged_outside", {"sheet": "Daten", "ref": "A1:A5000"})
    content = replace_member(book(), SHEET_XML, merges([b"C%d:D%d" % (n, n) for n in range(1, 52)]))
    assert refusal(lambda: scanned(content)) == ("too_many_merged", {"sheet": "Daten", "count": 50})
    assert len(scanned(replace_member(book(), SHEET_XML, merges([b"C1:D2"]))).merged) == 1


@pytest.mark.parametrize("row", [b'<row r="0"><c r="A0"><v>1</v></c></row>', b'<row r="x"><c r="Ax"><v>1</v></c></row>',
                                 b'<row r="2"><c r="a2"><v>1</v></c></row>'])
def test_a_nonsense_row_or_cell_reference_is_corrupt(row):
    content = replace_member(book(), SHEET_XML, lambda xml: xml.replace(b"</sheetData>", row + b"</sheetData>"))
    assert refusal(lambda: scanned(content))[0] == "corrupt"


def test_more_rows_than_read_in_a_web_request_stop_the_scan_early():
    content = book({"Daten": [["Kopf"]] + [[n] for n in range(10)]})
    assert scanned(content, inline_max_rows=10).last_row == 10
    with pytest.raises(Large) as large:
        scanned(content, inline_max_rows=9)
    assert large.value.rows == 10


def test_a_shared_strings_table_far_larger_than_the_cells_is_refused():
    strings = b"".join(b"<x:si><x:t>Text %d</x:t></x:si>" % n for n in range(5))  # with a namespace prefix
    table = b'<x:sst xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main">' + strings + b"</x:sst>"
    archive = zipfile.ZipFile(io.BytesIO(with_member(book(), "xl/sharedStrings.xml", table)))
    assert count_shared_strings(archive, 5) == 5
    assert refusal(lambda: count_shared_strings(archive, 4)) == ("too_many_strings", {"count": 4})


def test_a_workbook_without_shared_strings_has_none_to_count():
    assert count_shared_strings(zipfile.ZipFile(io.BytesIO(book())), 0) == 0


# ---------------------------------------------------------------------------
# Merged cells and values
# ---------------------------------------------------------------------------


def test_merged_cells_below_the_header_are_filled_from_their_first_cell():
    fill = MergedFill([((0, 1), (0, 2)), ((1, 0), (3, 0))], from_row=0)
    rows = [["Kopf", "Zusammen", ""], ["ja", "x"], ["", "y"], [], ["", "z"]]
    for number, cells in enumerate(rows):
        fill.apply(number, cells)
    assert rows == [["Kopf", "Zusammen", ""],  # the header row is left as it is
                    ["ja", "x"], ["ja", "y"], ["ja"], ["", "z"]]


def test_a_cell_of_a_merged_range_keeps_its_own_value():
    fill = MergedFill([((1, 0), (2, 0))], from_row=0)
    rows = [["Kopf"], ["oben"], ["eigener Wert"]]
    for number, cells in enumerate(rows):
        fill.apply(number, cells)
    assert rows[2] == ["eigener Wert"]


def test_values_are_converted_for_the_parent_dates_marked_and_problems_named():
    cells, problems, dates = RowWriter(io.StringIO()).convert([
        " TN-1 ", "", 7, 7.5, True, float("nan"), float("inf"), datetime.date(2026, 2, 1),
        datetime.datetime(2026, 2, 1, 8, 30), datetime.time(8, 30), "a\x00b"])
    assert cells == ["TN-1", "", 7, 7.5, True, "", "", "2026-02-01", "2026-02-01T08:30:00", "08:30:00", "a\ufffdb"]
    assert problems == {10: "control"}
    assert dates == [[7, "d"], [8, "dt"]]


def test_a_row_of_plain_values_carries_no_problems_and_no_dates():
    assert RowWriter(io.StringIO()).convert(["a", 1]) == (["a", 1], None, None)
