"""imports/reader.py: an uploaded workbook read by a child process under hard limits: which sheet, which rows
(dates, control characters, formulas without a value), when a file goes to the task worker, and the German
reason for every refusal."""

import datetime
import gc
import io
import random

import pytest

from aqb_monitoring.imports import reader
from aqb_monitoring.imports.cells import parse_date
from aqb_monitoring.imports.sheets import CFB_MAGIC

from .excel_files import replace_member, sheets_workbook

SHEET_XML = "xl/worksheets/sheet1.xml"
NO_SHEET = "Kein passendes Tabellenblatt gefunden."
MB = 1024 * 1024


book = sheets_workbook


@pytest.fixture(autouse=True)
def private_root(settings, tmp_path):
    settings.AQB_PRIVATE_ROOT = tmp_path / "private"
    return settings.AQB_PRIVATE_ROOT


def read(content, **options):
    arguments = {"max_rows": 100, "max_columns": 10, "max_file_bytes": 5 * MB, "no_sheet_message": NO_SHEET,
                 **options}
    return reader.read_workbook(content, **arguments)


def refused(content, **options):
    with pytest.raises(reader.ReadError) as error:
        read(content, **options)
    return error.value.message


def cells_of(table):
    return [(row.index, row.cells) for row in table.rows]


# ---------------------------------------------------------------------------
# Rows
# ---------------------------------------------------------------------------


def test_a_workbook_gives_its_rows_with_excels_row_indexes_empty_rows_left_out():
    table = read(book({"Daten": [["Nummer", "Titel", None], [None], ["M-1", "Kurs", None], ["M-2", 3.5]]}))
    assert table.sheet == "Daten"
    assert table.header_index == 0
    assert table.declared_rows == 4
    assert cells_of(table) == [(0, ["Nummer", "Titel"]), (2, ["M-1", "Kurs"]), (3, ["M-2", 3.5])]


def test_a_table_that_starts_lower_and_further_right_keeps_its_columns():
    def shift(workbook):
        workbook["Daten"].move_range("A1:B2", rows=2, cols=2)
    table = read(book(before=shift))
    assert table.header_index == 2
    assert cells_of(table) == [(2, ["", "", "Nummer", "Titel"]), (3, ["", "", "M-1", "Kurs"])]


def test_dates_arrive_as_dates_and_texts_stripped():
    table = read(book({"Daten": [["Beginn", "Zeitpunkt", "Text"],
                                 [datetime.date(2026, 2, 1), datetime.datetime(2026, 2, 1, 8, 30), "  Kurs  "]]}))
    begin, moment, text = table.rows[1].cells
    assert parse_date(begin) == datetime.date(2026, 2, 1)
    assert isinstance(moment, datetime.datetime) and moment == datetime.datetime(2026, 2, 1, 8, 30)
    assert text == "Kurs"


def test_control_characters_and_overlong_texts_are_reported_by_column():
    content = book({"Daten": [["A", "B", "C"], ["ok", "CTRL-MARK", "LONG-MARK"]]})
    content = replace_member(content, SHEET_XML, lambda xml: xml.replace(b"CTRL-MARK", b"TN_x0001_1").replace(
        b"LONG-MARK", b"X" * 40_000))
    row = read(content).rows[1]
    assert row.cells[0] == "ok"
    assert row.cells[1] == "TN\ufffd1"
    assert row.cells[2].endswith("…") and len(row.cells[2]) < 300
    assert row.problems == {1: "control", 2: "too_long"}


def test_formulas_without_a_stored_value_are_named_by_column_even_after_the_last_value():
    table = read(book({"Daten": [["A", "B"], ["x", "=1+1"], [], ["=A2"]]}))
    assert [(row.index, row.cells, row.formulas) for row in table.rows[1:]] == [
        (1, ["x"], [1]), (3, [], [0])]


def test_merged_cells_below_the_header_are_filled_from_their_first_cell():
    def merge(workbook):
        workbook["Daten"].merge_cells("B2:B3")
    table = read(book({"Daten": [["ID", "Geschlecht"], ["TN-1", "weiblich"], ["TN-2"]]}, before=merge))
    assert cells_of(table)[1:] == [(1, ["TN-1", "weiblich"]), (2, ["TN-2", "weiblich"])]


def test_progress_is_reported_as_rows_arrive():
    calls = []
    read(book({"Daten": [["A"]] + [[n] for n in range(5)]}), progress=lambda done, total: calls.append((done, total)))
    assert calls and calls[-1] == (6, 6)


def test_a_copy_of_an_upload_without_a_file_of_its_own_is_removed_after_reading(private_root, tmp_path):
    read(io.BytesIO(book()))
    read(book())
    assert list((private_root / reader.TEMPORARY_FOLDER).iterdir()) == []
    path = tmp_path / "hochgeladen.xlsx"
    path.write_bytes(book())
    assert cells_of(read(path)) == cells_of(read(str(path)))
    assert path.exists()  # the upload's own file is read where it is, and left there


# ---------------------------------------------------------------------------
# Which sheet
# ---------------------------------------------------------------------------


SHEETS = {"Hinweise": [["Bitte ausfüllen"]], "Info": [["Maßnahmennummer", "AQB26-KS-M1-01"]],
          "Teilnehmende": [["Teilnehmenden-ID*", "Geschlecht"], ["TN-1", "weiblich"]]}


def test_a_preferred_sheet_is_read_wherever_it_stands():
    assert read(book(SHEETS), prefer=["Teilnehmende"]).sheet == "Teilnehmende"


def test_without_a_marker_the_first_sheet_not_skipped_is_read():
    assert read(book(SHEETS)).sheet == "Hinweise"
    assert read(book(SHEETS), skip=["Hinweise"]).sheet == "Info"


def test_without_the_preferred_sheet_the_first_whose_header_names_the_marker_is_read():
    renamed = {("Tabelle1" if name == "Teilnehmende" else name): rows for name, rows in SHEETS.items()}
    table = read(book(renamed), prefer=["Teilnehmende"], skip=["Info"], header_marker="teilnehmenden-id")
    assert table.sheet == "Tabelle1"
    assert cells_of(table)[1] == (1, ["TN-1", "weiblich"])


def test_without_a_sheet_naming_the_marker_the_importers_own_message_is_given():
    assert refused(book(SHEETS), skip=["Teilnehmende"], header_marker="teilnehmenden-id") == NO_SHEET


def test_a_workbook_whose_every_sheet_is_skipped_has_no_sheet_to_read():
    assert refused(book(SHEETS), skip=list(SHEETS)) == NO_SHEET


def test_an_empty_sheet_gives_no_header_and_no_rows():
    table = read(book({"Leer": []}))
    assert (table.sheet, table.header_index, table.rows) == ("Leer", None, [])


def test_the_extra_sheet_comes_along_as_its_first_rows():
    table = read(book(SHEETS), prefer=["Teilnehmende"], extra_sheet="Info")
    assert table.extra == [["Maßnahmennummer", "AQB26-KS-M1-01"]]
    assert read(book(SHEETS), prefer=["Teilnehmende"], extra_sheet="Fehlt").extra == []


# ---------------------------------------------------------------------------
# Limits
# ---------------------------------------------------------------------------


def test_more_rows_than_read_in_a_web_request_hand_the_file_to_the_task_worker():
    content = book({"Daten": [["A"]] + [[n] for n in range(20)]})
    assert len(read(content, inline_max_rows=20).rows) == 21
    with pytest.raises(reader.NeedsBackground) as large:
        read(content, inline_max_rows=19)
    assert large.value.rows == 20


def test_a_sheet_declaring_more_rows_than_are_read_is_refused_naming_its_area():
    content = book({"Daten": [["A", "B"]] + [[n, n] for n in range(5)]})
    assert refused(content, max_rows=5) == (
        "Die Datei ist zu groß oder beschädigt: Das Blatt „Daten“ gibt den Datenbereich A1:B6 an; gelesen werden "
        "höchstens 5 Zeilen und die Spalten A bis J. Bitte nur die Daten in die aktuelle Vorlage kopieren und diese "
        "hochladen.")


def test_a_cell_beyond_the_columns_read_is_named():
    content = book({"Daten": [["A"], [1]]})
    content = replace_member(content, SHEET_XML, lambda xml: xml.replace(b'<dimension ref="A1:A2"/>', b"").replace(
        b"</sheetData>", b'<row r="3"><c r="AB3"><v>1</v></c></row></sheetData>'))
    message = refused(content, max_columns=26)
    assert "Im Blatt „Daten“ steht die Zelle AB3 außerhalb des Bereichs, der gelesen wird" in message
    assert "(höchstens 100 Zeilen und die Spalten A bis Z)" in message


def test_thousands_in_the_area_are_written_the_german_way():
    content = book({"Daten": [["A", "B"]]})
    assert "höchstens 1.000 Zeilen und die Spalten A bis A" in refused(content, max_rows=1_000, max_columns=1)


@pytest.mark.parametrize(("content", "message"), [
    (b"", "Die Datei ist leer."),
    (CFB_MAGIC + b"\x00" * 600, "Die Datei ist kennwortgeschützt (verschlüsselt) oder im alten Format .xls."),
    (b"Nummer;Titel\nM-1;Kurs\n", "Die Datei ist keine Excel-Datei im Format .xlsx. Bitte die Vorlage verwenden."),
    (b"PK\x03\x04 abgebrochen", "Die Datei ist beschädigt oder unvollständig (z. B. abgebrochener Download)."),
])
def test_what_is_no_readable_workbook_is_refused_in_german(content, message):
    assert message in refused(content)


def test_a_file_over_the_size_limit_is_refused_naming_the_limit():
    padding = random.Random(1).randbytes(2 * MB).hex().encode()  # hardly compressible: the file is over 1 MB
    content = replace_member(book(), "docProps/app.xml", lambda xml: xml + b"<!--" + padding[: 3 * MB] + b"-->")
    assert len(content) > MB
    assert refused(content, max_file_bytes=MB) == (
        "Die Datei ist größer als 1 MB. Bitte teilen Sie sie auf mehrere Dateien auf.")
    assert read(content, max_file_bytes=2 * MB).sheet == "Daten"


def test_a_zip_bomb_is_refused_with_the_limits_it_broke(settings):
    settings.AQB_IMPORT_MAX_UNCOMPRESSED_MB = 600
    settings.AQB_IMPORT_MAX_COMPRESSION_RATIO = 100
    content = replace_member(book(), SHEET_XML, lambda xml: xml.replace(b"</worksheet>", b" " * (3 * MB) + b"</worksheet>"))
    message = refused(content)
    assert message.startswith("Die Datei ist ungewöhnlich stark gepackt (entpackt über 600 MB oder mehr als "
                              "100-fach komprimiert)")


def test_a_document_type_declaration_is_refused_before_any_entity_is_expanded():
    doctype = b'<!DOCTYPE worksheet [<!ENTITY geheim SYSTEM "file:///etc/passwd">]>'
    content = replace_member(book(), SHEET_XML, lambda xml: xml.replace(b"<worksheet", doctype + b"<worksheet", 1))
    assert "unzulässige XML-Struktur" in refused(content)


# ---------------------------------------------------------------------------
# Messages, formulas kept as text, and the collector
# ---------------------------------------------------------------------------


LIMITS = {"max_rows": 10_001, "max_columns": 60, "max_file_bytes": 100 * MB, "max_uncompressed_bytes": 600 * MB,
          "max_compression_ratio": 100, "memory_bytes": 1024 * MB, "timeout": 300}


@pytest.mark.parametrize(("code", "params", "expected"), [
    ("empty_file", {}, "Die Datei ist leer."),
    ("too_big", {}, "Die Datei ist größer als 100 MB."),
    ("encrypted", {}, "Die Datei ist verschlüsselt."),
    ("bomb", {}, "entpackt über 600 MB oder mehr als 100-fach komprimiert"),
    ("dimension", {"sheet": "Daten", "ref": "A1:XFD9"},
     "Das Blatt „Daten“ gibt den Datenbereich A1:XFD9 an; gelesen werden höchstens 10.001 Zeilen und die Spalten "
     "A bis BH."),
    ("merged_outside", {"sheet": "Daten", "ref": "A1:A99999"}, "der verbundene Zellbereich A1:A99999"),
    ("too_many_merged", {"sheet": "Daten", "count": 10_000}, "mehr als 10.000 verbundene Zellbereiche"),
    ("too_many_strings", {"count": 5}, "weit mehr Texte, als ihre Tabellenblätter verwenden"),
    ("limit", {}, "Grenze von 1024 MB Arbeitsspeicher bzw. 300 Sekunden"),
])
def test_each_refusal_of_the_child_is_worded_in_german_with_its_limits(code, params, expected):
    assert expected in reader.refusal_message(code, params, LIMITS)


@pytest.mark.parametrize(("code", "params"), [("unbekannt", {}), ("dimension", {}), ("cell_outside", {"ref": "A1"})])
def test_an_unknown_refusal_or_one_without_its_details_reads_as_a_damaged_file(code, params):
    assert reader.refusal_message(code, params, LIMITS) == (
        "Die Datei ist beschädigt oder unvollständig (z. B. abgebrochener Download).")


def test_the_limits_of_the_reading_process_are_the_settings(settings):
    settings.AQB_IMPORT_READER_MEMORY_MB = 512
    settings.AQB_IMPORT_READER_CPU_SECONDS = 60
    settings.AQB_IMPORT_READER_TIMEOUT_SECONDS = 90
    assert reader.reader_limits() == {"memory_bytes": 512 * MB, "cpu_seconds": 60, "timeout": 90}


@pytest.mark.parametrize("text", ["=A2", "= $B$12", "=SUMME(A1:A3)", "=wenn (A1>0;1;0)", "  =xfd1048576"])
def test_a_formula_kept_as_text_is_recognised(text):
    assert reader.is_formula_as_text(text)


@pytest.mark.parametrize("text", ["=", "=1+1", "= 5", "A2", "TN-=A2", "==", "=€", 7, None])
def test_text_that_merely_starts_with_an_equals_sign_is_no_formula(text):
    assert not reader.is_formula_as_text(text)


def test_a_formula_kept_as_text_is_named_in_german_and_shortened():
    assert reader.formula_as_text_message(" =A2 ") == (
        "Die Zelle enthält eine Formel, die als Text gespeichert wurde („=A2“), keinen Wert. Bitte den Wert selbst "
        "eintragen.")
    assert "(„=SVERWEIS(" + "A" * 30 + "“)" in reader.formula_as_text_message("=SVERWEIS(" + "A" * 100)


def test_the_cycle_collector_is_paused_while_rows_are_built_and_runs_again_afterwards():
    assert gc.isenabled()
    with reader.collection_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(ValueError), reader.collection_paused():
        raise ValueError
    assert gc.isenabled()


def test_a_collector_that_was_off_stays_off():
    gc.disable()
    try:
        with reader.collection_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


# ---------------------------------------------------------------------------
# Odd archives, where the file comes from, and a child that fails
# ---------------------------------------------------------------------------


def test_a_sheet_that_unpacks_to_far_more_than_its_declared_size_is_refused_as_damaged():
    """A zip bomb that lies about its size: the declared (small) size passes the ratio check, the reading stops at
    it and finds the member damaged; nothing inflates beyond what was declared."""
    import struct
    import zipfile

    source = zipfile.ZipFile(io.BytesIO(book()))
    declared = len(source.read(SHEET_XML))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == SHEET_XML:
                data = data.replace(b"</worksheet>", b" " * (20 * MB) + b"</worksheet>")
            target.writestr(item.filename, data)
    content = bytearray(buffer.getvalue())
    member = zipfile.ZipFile(io.BytesIO(bytes(content))).getinfo(SHEET_XML)
    struct.pack_into("<I", content, member.header_offset + 22, declared)  # the local header's size
    position = content.find(b"PK\x01\x02")
    while position != -1:  # and the central directory's
        length = struct.unpack_from("<H", content, position + 28)[0]
        if content[position + 46:position + 46 + length] == SHEET_XML.encode():
            struct.pack_into("<I", content, position + 24, declared)
        position = content.find(b"PK\x01\x02", position + 4)
    assert refused(bytes(content)) == "Die Datei ist beschädigt oder unvollständig (z. B. abgebrochener Download)."


def test_many_members_are_no_refusal_of_their_own():
    """There is no limit on the number of archive members: 20,000 empty ones are read past; what a far larger
    number costs is bounded by the reading process's memory limit."""
    import zipfile

    buffer = io.BytesIO(book())
    with zipfile.ZipFile(buffer, "a", zipfile.ZIP_STORED) as archive:
        for number in range(20_000):
            archive.writestr(f"xl/media/leer{number}.bin", b"")
    assert cells_of(read(buffer.getvalue(), max_file_bytes=10 * MB))[1] == (1, ["M-1", "Kurs"])


def test_an_upload_kept_in_a_temporary_file_and_a_stored_file_are_read_in_place(private_root, tmp_path):
    from django.core.files.uploadedfile import TemporaryUploadedFile

    upload = TemporaryUploadedFile("daten.xlsx", "application/octet-stream", 0, None)
    upload.write(book())
    upload.flush()
    try:
        assert cells_of(read(upload))[1] == (1, ["M-1", "Kurs"])
    finally:
        upload.close()
    stored = tmp_path / "gespeichert.xlsx"
    stored.write_bytes(book())

    class StoredFile:
        path = str(stored)

        def read(self, *_args):
            raise AssertionError("a stored file is read by the child from its path, not copied")

    assert cells_of(read(StoredFile()))[1] == (1, ["M-1", "Kurs"])
    assert not (private_root / reader.TEMPORARY_FOLDER).exists()  # no private copy was made


LIMIT_MESSAGE = "Die Datei ist zu groß oder beschädigt: Beim Lesen wurde die Grenze von"


@pytest.mark.parametrize(("child", "logged"), [
    ("import sys; sys.exit(3)", "Reading an uploaded workbook failed (3)"),
    ("import os, signal; os.kill(os.getpid(), signal.SIGSEGV)", "Reading an uploaded workbook failed (SIGSEGV)"),
    ("import sys; print('{}'); sys.exit(0)", "Reading an uploaded workbook failed (0)"),  # no answer at all
    # an answer, but the process failed after it: its rows are not trusted
    ("import sys; print('{\"done\": {\"header_row\": null, \"extra\": []}}'); sys.exit(3)",
     "Reading an uploaded workbook failed (3)"),
])
def test_a_reading_process_that_dies_gives_the_limit_message_and_is_logged(child, logged, monkeypatch, caplog):
    monkeypatch.setattr(reader, "CHILD", child)
    assert refused(book()).startswith(LIMIT_MESSAGE)
    assert logged in caplog.text


@pytest.mark.parametrize("child", ["print('kein JSON')", "print('{\"rows\": [[1]]}')"])
def test_a_reading_process_that_talks_nonsense_gives_the_limit_message(child, monkeypatch):
    monkeypatch.setattr(reader, "CHILD", child)
    assert refused(book()).startswith(LIMIT_MESSAGE)


def test_a_reading_process_that_takes_too_long_is_stopped_and_logged_as_a_timeout(monkeypatch, settings, caplog):
    monkeypatch.setattr(reader, "CHILD", "import time; time.sleep(30)")
    settings.AQB_IMPORT_READER_TIMEOUT_SECONDS = 1
    assert "1 Sekunden überschritten" in refused(book())
    assert "(timeout)" in caplog.text


def test_the_reading_process_reports_its_own_memory_and_time_not_this_ones():
    table = read(book())
    assert 0 < table.peak_bytes
    assert table.cpu_seconds > 0
    assert reader.self_peak_bytes() > 0
