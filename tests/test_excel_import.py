"""The importer: every bad file gets a German reason and changes nothing; rows are validated with the rules."""

import datetime
import io
import zipfile

import pytest
from openpyxl import load_workbook

from aqb_monitoring.excel.importer import do_import, left_out_workbook, read_rows, validate_rows
from aqb_monitoring.excel.layout import Layout
from aqb_monitoring.imports.cells import ImportFileError
from aqb_monitoring.models import Answer, AuditAction, AuditEntry, Participant

from .conftest import make_participant
from .excel_files import green_row, red_row, replace_member, workbook_bytes, yellow_row, zip_bomb

pytestmark = pytest.mark.django_db


def snapshot():
    return (Participant.objects.count(), Answer.objects.count(), AuditEntry.objects.count())


def refused(content, measure, user):
    """The German reason for a refused file; asserts that neither the dry run nor the import wrote anything."""
    before = snapshot()
    with pytest.raises(ImportFileError) as dry:
        validate_rows(read_rows(content), measure)
    with pytest.raises(ImportFileError) as real:
        do_import(content, measure, user)
    assert dry.value.message == real.value.message
    assert snapshot() == before
    return real.value.message


def preview_of(content, measure):
    return validate_rows(read_rows(content), measure)


def only_row(content, measure):
    before = snapshot()
    rows = preview_of(content, measure).rows
    assert snapshot() == before  # dry run is pure
    assert len(rows) == 1
    return rows[0]


# -- files that cannot be used at all --------------------------------------------------------


def test_a_file_that_is_not_xlsx_is_refused(measure_a, ze_kassel):
    assert "keine Excel-Datei" in refused(b"Teilnehmenden-ID;Geschlecht\nTN-1;weiblich\n", measure_a, ze_kassel)


def test_an_empty_file_is_refused(measure_a, ze_kassel):
    assert refused(b"", measure_a, ze_kassel) == "Die Datei ist leer."


def test_an_encrypted_file_is_refused(measure_a, ze_kassel):
    content = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 2048
    assert "kennwortgeschützt" in refused(content, measure_a, ze_kassel)


def test_a_truncated_file_is_refused(measure_a, ze_kassel):
    content = workbook_bytes([yellow_row(measure_a)])
    assert "beschädigt oder unvollständig" in refused(content[: len(content) // 2], measure_a, ze_kassel)


def test_a_zip_bomb_is_refused_before_parsing(measure_a, ze_kassel):
    content = zip_bomb()
    assert len(content) < 2 * 1024 * 1024
    assert "ungewöhnlich stark gepackt" in refused(content, measure_a, ze_kassel)


def test_a_zip_that_is_no_workbook_is_refused(measure_a, ze_kassel):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w/>")
    assert "keine Excel-Datei" in refused(buffer.getvalue(), measure_a, ze_kassel)


def test_a_workbook_without_rows_is_refused(measure_a, ze_kassel):
    assert "keine Teilnehmenden" in refused(workbook_bytes([]), measure_a, ze_kassel)


def test_an_empty_sheet_is_refused(measure_a, ze_kassel):
    assert "ist leer" in refused(workbook_bytes([], headers=[""]), measure_a, ze_kassel)


def test_missing_or_renamed_headers_are_named(measure_a, ze_kassel):
    headers = [h for h in Layout().headers if h != "Geburtsjahr"]
    headers = ["Geschlecht (m/w/d)" if h == "Geschlecht" else h for h in headers]
    message = refused(workbook_bytes([yellow_row(measure_a)], headers=headers), measure_a, ze_kassel)
    assert "fehlen 2 Spalten" in message and "„Geschlecht“" in message and "„Geburtsjahr“" in message


def test_a_file_without_header_row_is_refused(measure_a, ze_kassel):
    def no_header(ws):
        ws.delete_rows(1)

    message = refused(workbook_bytes([yellow_row(measure_a)], before=no_header), measure_a, ze_kassel)
    assert "Keine Kopfzeile gefunden" in message or "Kein Tabellenblatt" in message


def test_a_file_of_another_measure_is_refused_by_its_info_sheet(measure_a, measure_b, ze_kassel):
    message = refused(workbook_bytes([yellow_row(measure_a)], info_number=measure_b.number), measure_a, ze_kassel)
    assert measure_b.number in message and "gehört laut Blatt „Info“" in message


def test_a_closed_measure_takes_no_import(measure_a, ze_kassel):
    from django.utils import timezone

    measure_a.closed_at = timezone.now()
    measure_a.save()
    assert "abgeschlossen" in refused(workbook_bytes([yellow_row(measure_a)]), measure_a, ze_kassel)


# -- what real files contain ------------------------------------------------------------------


def test_dates_as_dates_serials_and_text_are_read(measure_a):
    serial = (measure_a.start_date + datetime.timedelta(days=40) - datetime.date(1899, 12, 30)).days
    rows = [
        yellow_row(measure_a, "A-1"),
        yellow_row(measure_a, "A-2", **{"Eintrittsdatum": serial}),
        yellow_row(measure_a, "A-3", **{"Eintrittsdatum": " 03.02.2026 "}),
    ]
    preview = preview_of(workbook_bytes(rows), measure_a)
    assert [row.action for row in preview.rows] == ["create"] * 3
    assert preview.rows[1].values["entry_date"] == measure_a.start_date + datetime.timedelta(days=40)
    assert preview.rows[2].values["entry_date"] == datetime.date(2026, 2, 3)


def test_a_date_that_is_no_date_is_rejected_with_the_reason(measure_a):
    row = only_row(workbook_bytes([yellow_row(measure_a, **{"Eintrittsdatum": "31.02.2026"})]), measure_a)
    assert row.action == "rejected" and row.status is None
    assert row.errors["entry_date"] == ["Bitte ein Datum im Format TT.MM.JJJJ angeben."]


def test_an_id_typed_as_number_is_reported_and_never_stored_as_float(measure_a, ze_kassel):
    row = only_row(workbook_bytes([yellow_row(measure_a, 7)]), measure_a)
    assert row.pseudonym == "7" and row.action == "create"
    assert "als Zahl" in row.warnings["pseudonym"][0]
    do_import(workbook_bytes([yellow_row(measure_a, 7)]), measure_a, ze_kassel)
    assert list(Participant.objects.values_list("pseudonym", flat=True)) == ["7"]


def test_an_id_that_lost_its_leading_zeros_is_rejected(measure_a):
    make_participant(measure_a, "007")
    row = only_row(workbook_bytes([yellow_row(measure_a, 7)]), measure_a)
    assert row.action == "rejected"
    assert "„007“" in row.errors["pseudonym"][0] and "führende Nullen" in row.errors["pseudonym"][0]


def test_surrounding_spaces_and_label_case_are_ignored(measure_a):
    row = only_row(workbook_bytes([yellow_row(measure_a, "  TN-5 ", **{"Geschlecht": " Weiblich ", "Migrationshintergrund": "Ja"})]), measure_a)
    assert row.action == "create" and row.pseudonym == "TN-5"
    assert row.values["gender"].code == "weiblich" and row.values["migration_background"] is True


def test_codes_are_accepted_instead_of_labels(measure_a):
    row = only_row(workbook_bytes([yellow_row(measure_a, **{"Geschlecht": "divers", "Leistungsbezug bei Eintritt": "sgb3"})]), measure_a)
    assert row.values["benefit"].code == "sgb3"


def test_an_unknown_choice_is_rejected_with_the_reason(measure_a):
    row = only_row(workbook_bytes([yellow_row(measure_a, **{"Geschlecht": "w"})]), measure_a)
    assert row.errors["gender"] == ["„w“ ist kein gültiger Eintrag für Geschlecht."]


def test_empty_rows_in_between_and_a_million_formatted_rows_at_the_end_are_skipped(measure_a):
    content = workbook_bytes([yellow_row(measure_a, "A-1"), {}, {}, yellow_row(measure_a, "A-2")])

    def million_empty_rows(xml):
        rows = "".join(f'<row r="{n}" s="1" customFormat="1"><c r="B{n}" s="1"/></row>' for n in range(10, 1_000_010))
        return xml.replace(b"</sheetData>", rows.encode() + b"</sheetData>")

    content = replace_member(content, "xl/worksheets/sheet1.xml", million_empty_rows)
    preview = preview_of(content, measure_a)
    assert [(row.number, row.pseudonym) for row in preview.rows] == [(2, "A-1"), (5, "A-2")]


def test_columns_in_another_order_and_extra_columns_are_matched_by_header(measure_a):
    headers = list(reversed(Layout().headers)) + ["Bemerkung"]
    row = yellow_row(measure_a, "A-1", Bemerkung="egal")
    preview = preview_of(workbook_bytes([row], headers=headers), measure_a)
    assert preview.rows[0].action == "create"
    assert preview.ignored_headers == ["Bemerkung"]


def test_duplicate_ids_in_the_file_reject_every_occurrence(measure_a, ze_kassel):
    content = workbook_bytes([yellow_row(measure_a, "A-1"), yellow_row(measure_a, "A-1"), yellow_row(measure_a, "A-2")])
    before = snapshot()
    preview = preview_of(content, measure_a)
    assert [row.action for row in preview.rows] == ["rejected", "rejected", "create"]
    assert "auch in Zeile 3" in preview.rows[0].errors["pseudonym"][0]
    assert snapshot() == before


def test_a_formula_uses_its_stored_value_or_rejects_the_row(measure_a):
    def formulas(ws):
        ws["E2"] = "=2026-20"  # Geburtsjahr, no stored value (openpyxl cannot compute it)
    content = workbook_bytes([yellow_row(measure_a, "A-1"), yellow_row(measure_a, "A-2")], before=formulas)
    # Row 3 gets a formula with a stored result, as Excel writes it.
    content = replace_member(content, "xl/worksheets/sheet1.xml", lambda xml: xml.replace(
        b'<c r="E3" t="n"><v>2006</v></c>', b'<c r="E3"><f>2026-20</f><v>2006</v></c>'))
    preview = preview_of(content, measure_a)
    assert preview.rows[0].action == "rejected"
    assert "Formel ohne gespeicherten Wert" in preview.rows[0].errors["birth_year"][0]
    assert preview.rows[1].action == "create" and preview.rows[1].values["birth_year"] == 2006


def test_merged_cells_give_their_value_to_every_cell(measure_a):
    def merge(ws):
        ws["D3"] = None
        ws.merge_cells("D2:D3")  # Geschlecht of both rows
    preview = preview_of(workbook_bytes([yellow_row(measure_a, "A-1"), yellow_row(measure_a, "A-2")], before=merge), measure_a)
    assert [row.values["gender"].code for row in preview.rows] == ["weiblich", "weiblich"]


def test_a_second_sheet_is_ignored(measure_a):
    preview = preview_of(workbook_bytes([yellow_row(measure_a)], extra_sheet=True), measure_a)
    assert [row.action for row in preview.rows] == ["create"]


def test_a_sheet_with_another_name_is_found_by_its_header(measure_a):
    preview = preview_of(workbook_bytes([yellow_row(measure_a)], sheet="Tabelle1"), measure_a)
    assert [row.action for row in preview.rows] == ["create"]


def test_rows_naming_another_measure_are_rejected(measure_a, measure_b):
    row = only_row(workbook_bytes([yellow_row(measure_a, **{"Maßnahmennummer": measure_b.number})]), measure_a)
    assert row.action == "rejected" and measure_b.number in row.errors["measure_number"][0]


# -- statuses, updates and writing -------------------------------------------------------------


def test_import_takes_yellow_and_green_rows_and_leaves_red_and_invalid_ones(measure_a, ze_kassel):
    content = workbook_bytes([
        yellow_row(measure_a, "Y-1"), green_row(measure_a, "G-1"), red_row(measure_a, "R-1"),
        yellow_row(measure_a, "X 1"),
    ])
    outcome = do_import(content, measure_a, ze_kassel)
    assert sorted(outcome.created) == ["G-1", "Y-1"]
    assert [(row.pseudonym, row.status) for row in outcome.left_out] == [("R-1", "red"), ("X 1", None)]
    stored = dict(Participant.objects.values_list("pseudonym", "status"))
    assert stored == {"Y-1": "yellow", "G-1": "green"}
    assert AuditEntry.objects.filter(action=AuditAction.IMPORT_CREATE, user=ze_kassel).count() == 2


def test_an_existing_id_is_an_update_with_the_changed_fields(measure_a, ze_kassel):
    do_import(workbook_bytes([yellow_row(measure_a, "U-1")]), measure_a, ze_kassel)
    content = workbook_bytes([yellow_row(measure_a, "U-1", **{"Geschlecht": "divers", "Geburtsjahr": 2000})])
    row = only_row(content, measure_a)
    assert row.action == "update"
    assert row.changes == {"gender": ["weiblich", "divers"], "birth_year": ["2006", "2000"]}
    do_import(content, measure_a, ze_kassel)
    participant = Participant.objects.get(pseudonym="U-1")
    assert participant.gender.code == "divers" and participant.birth_year == 2000
    entry = AuditEntry.objects.get(action=AuditAction.IMPORT_CHANGE)
    assert entry.changes == {"Geschlecht": ["weiblich", "divers"], "Geburtsjahr": ["2006", "2000"]}


def test_answers_of_applicable_blocks_are_imported(measure_a, ze_kassel):
    layout = Layout()
    answers = {c.header: "ja" for c in layout.columns if c.is_answer and c.phase == "entry"
               and c.question_code.startswith("ausbildungsreife")}
    row = yellow_row(measure_a, "Q-1", **{"TN-Ziel": "Verbesserung der Ausbildungsreife der Teilnehmer"}, **answers)
    outcome = do_import(workbook_bytes([row]), measure_a, ze_kassel)
    assert outcome.created == ["Q-1"]
    assert Answer.objects.filter(participant__pseudonym="Q-1", phase="entry", value=True).count() == 6


def test_corrections_fix_a_row_before_it_is_taken(measure_a, ze_kassel):
    content = workbook_bytes([red_row(measure_a, "R-1")])
    corrections = {"2": {"gender": "weiblich", "education_level": "Hauptschulabschluss"}}
    assert only_row(content, measure_a).action == "rejected"
    outcome = do_import(content, measure_a, ze_kassel, corrections=corrections)
    assert outcome.created == ["R-1"]


def test_left_out_rows_come_back_as_a_workbook_with_reasons(measure_a, ze_kassel):
    outcome = do_import(workbook_bytes([red_row(measure_a, "R-1")]), measure_a, ze_kassel)
    content = left_out_workbook(outcome.left_out, Layout(), measure_a.number)
    sheet = load_workbook(io.BytesIO(content))["Teilnehmende"]
    headers = [cell.value for cell in sheet[1]]
    assert headers[-1] == "Grund der Ablehnung"
    assert sheet.cell(row=2, column=2).value == "R-1"
    assert "Geschlecht: Pflichtangabe" in sheet.cell(row=2, column=len(headers)).value
    assert isinstance(sheet.cell(row=2, column=3).value, datetime.datetime)  # the date is a date again
    assert preview_of(content, measure_a).rows[0].errors  # and it reads back (the reason column is ignored)


def test_an_exit_date_alone_is_taken_yellow_with_a_note_under_each_missing_exit_column(measure_a, ze_kassel):
    """V9: the Verbleib is known only later; the row is taken and says per column what is still needed."""
    content = workbook_bytes([yellow_row(measure_a, "A-1", **{"Austrittsdatum": datetime.date(2026, 6, 30)})])
    row = only_row(content, measure_a)
    assert (row.action, row.status, row.errors) == ("create", "yellow", {})
    assert row.warnings == {
        "destination": ["Bitte den Verbleib bis vier Wochen nach dem Austritt auswählen."],
        "completed_measure": ["Bitte angeben, ob die Maßnahme vollständig durchlaufen wurde."],
        "main_goal_reached": ["Bitte angeben, ob das Hauptziel der Maßnahme erreicht wurde."],
    }
    assert do_import(content, measure_a, ze_kassel).created == ["A-1"]
    assert Participant.objects.get(pseudonym="A-1").exit_date == datetime.date(2026, 6, 30)


def test_exit_data_without_exit_date_reject_the_row_on_the_exit_date_column(measure_a):
    row = only_row(workbook_bytes([yellow_row(measure_a, "A-2", **{"Hauptziel der Maßnahme erreicht?": "ja"})]), measure_a)
    assert row.action == "rejected"
    assert row.errors == {"exit_date": [
        "Bitte das Austrittsdatum eintragen: ohne Austritt werden keine Austrittsangaben gespeichert "
        "(Hauptziel der Maßnahme erreicht?)."
    ]}


def test_a_file_of_an_older_portal_version_still_imports(measure_a, ze_kassel):
    """Headers without "*", no status column, the Info sheet with the catalogue hash instead of the date."""

    def old_info_sheet(ws):
        info = ws.parent.create_sheet("Info")
        for label, value in (("Maßnahmennummer", measure_a.number), ("Exportiert am", "02.03.2026 10:15"),
                             ("Katalogstand", "3f9a0c1d2e4b5a68"), ("Kataloge geändert am", "01.02.2026 09:00"),
                             ("Anzahl Teilnehmende", 2)):
            info.append([label, value])

    headers = Layout().headers
    assert not any(header.endswith("*") for header in headers) and "Status" not in headers
    content = workbook_bytes([yellow_row(measure_a, "O-1"), green_row(measure_a, "O-2")], headers=headers,
                             before=old_info_sheet)
    read = read_rows(content)
    assert read.info_measure_number == measure_a.number and read.ignored_headers == []
    outcome = do_import(content, measure_a, ze_kassel)
    assert sorted(outcome.created) == ["O-1", "O-2"]


def test_headers_with_and_without_star_name_the_same_columns(measure_a):
    layout = Layout()
    mixed = [header if index % 2 else f"{header} *" for index, header in enumerate(layout.headers)]
    rows = [{(f"{key} *" if f"{key} *" in mixed else key): value for key, value in yellow_row(measure_a, "M-1").items()}]
    preview = preview_of(workbook_bytes(rows, headers=mixed), measure_a)
    assert [(r.action, r.status, r.errors) for r in preview.rows] == [("create", "yellow", {})]
    assert preview.ignored_headers == []


def test_a_missing_column_is_named_without_its_star(measure_a, ze_kassel):
    headers = [header for header in Layout().sheet_headers if header != "Geschlecht *"]
    message = refused(workbook_bytes([yellow_row(measure_a)], headers=headers), measure_a, ze_kassel)
    assert "„Geschlecht“" in message and "Geschlecht *" not in message


@pytest.mark.parametrize("key", ["pseudonym", "measure_number"])
def test_a_formula_kept_as_text_is_named_as_such(measure_a, key):
    """LibreOffice keeps "=A2" typed into a text-formatted column as text: the preview says so (issue 10 item 17)."""
    layout = Layout()
    position = [column.key for column in layout.columns].index(key) + 1

    def formula_as_text(ws):
        cell = ws.cell(row=2, column=position)
        cell.value = "=A2"
        cell.data_type = "s"

    row = only_row(workbook_bytes([yellow_row(measure_a, "A-1")], before=formula_as_text), measure_a)
    assert row.action == "rejected"
    messages = " ".join(message for messages in row.errors.values() for message in messages)
    assert "Formel, die als Text gespeichert wurde („=A2“)" in row.errors[key][0]
    assert "Maßnahmennummer" not in messages.replace(row.errors[key][0], "")


def test_text_that_only_starts_with_an_equals_sign_is_no_formula(measure_a):
    position = [column.key for column in Layout().columns].index("pseudonym") + 1

    def as_text(ws):
        ws.cell(row=2, column=position).data_type = "s"

    row = only_row(workbook_bytes([yellow_row(measure_a, "=1-Teil")], before=as_text), measure_a)
    assert not any("Formel" in message for messages in row.errors.values() for message in messages)
