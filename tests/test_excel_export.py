"""The export's status column: rot/gelb/grün with the reason, as the participant form says it, never read on import."""

import datetime
import io

import pytest
from openpyxl import load_workbook

from aqb_monitoring.excel.export import export_measure, export_measures
from aqb_monitoring.excel.importer import do_import, read_rows, validate_rows

from .conftest import make_measure, make_participant
from .excel_files import green_row, workbook_bytes, yellow_row

pytestmark = pytest.mark.django_db


def sheet_of(content):
    return load_workbook(io.BytesIO(content))["Teilnehmende"]


def status_by_id(sheet):
    headers = [cell.value for cell in sheet[1]]
    id_column, status_column = headers.index("Teilnehmenden-ID *"), headers.index("Status")
    return {row[id_column].value: row[status_column] for row in sheet.iter_rows(min_row=2)}


@pytest.fixture
def four_records(measure_a, ze_kassel):
    """One record of each kind: green, yellow without exit, yellow with an exit date alone, red."""
    do_import(workbook_bytes([
        green_row(measure_a, "G-1"), yellow_row(measure_a, "Y-1"),
        yellow_row(measure_a, "Y-2", **{"Austrittsdatum": datetime.date(2026, 6, 30)}),
    ]), measure_a, ze_kassel)
    make_participant(measure_a, "R-1", birth_year=2000)


def test_the_status_column_stands_right_after_the_id_and_stays_in_view(measure_a, four_records):
    sheet = sheet_of(export_measure(measure_a))
    assert [cell.value for cell in sheet[1]][:3] == ["Maßnahmennummer", "Teilnehmenden-ID *", "Status"]
    assert sheet.freeze_panes == "D2"


def test_each_status_says_its_colour_and_what_is_missing(measure_a, four_records):
    cells = status_by_id(sheet_of(export_measure(measure_a)))
    assert cells["G-1"].value == "grün – vollständig"
    assert cells["Y-1"].value == "gelb – Eintrittsdaten vollständig, Austrittsdaten fehlen"
    assert cells["Y-2"].value == ("gelb – Austrittsangaben unvollständig: Verbleib nach Austritt, "
                                  "Maßnahme vollständig durchlaufen?, Hauptziel der Maßnahme erreicht?")
    red = cells["R-1"].value
    assert red.startswith("rot – Eintrittsdaten unvollständig, es fehlt noch: Geschlecht, Migrationshintergrund")
    assert "Geburtsjahr" not in red and "TN-Ziel" in red


def test_the_status_cell_is_coloured_like_the_admin_dot(measure_a, four_records):
    cells = status_by_id(sheet_of(export_measure(measure_a)))
    colours = {pseudonym: cell.fill.fgColor.rgb[-6:] for pseudonym, cell in cells.items()}
    assert colours == {"G-1": "C6EFCE", "Y-1": "FFEB9C", "Y-2": "FFEB9C", "R-1": "FFC7CE"}


def test_a_missing_answer_of_an_applicable_block_is_named_with_its_block(measure_a, ze_kassel):
    make_participant(measure_a, "Q-1", status="red", goal=None)
    from aqb_monitoring.models import ParticipantGoal

    goal = ParticipantGoal.objects.get(label="Verbesserung der Ausbildungsreife der Teilnehmer")
    make_participant(measure_a, "Q-2", status="red", goal=goal)
    cells = status_by_id(sheet_of(export_measure(measure_a)))
    assert "Ausbildungs- und Qualifizierungsreife:" not in cells["Q-1"].value
    assert "Ausbildungs- und Qualifizierungsreife: " in cells["Q-2"].value


def test_the_status_column_is_ignored_on_import_even_when_edited(measure_a, four_records):
    content = export_measure(measure_a)
    workbook = load_workbook(io.BytesIO(content))
    sheet = workbook["Teilnehmende"]
    for row in sheet.iter_rows(min_row=2):
        row[2].value = "grün – von Hand geändert"
    buffer = io.BytesIO()
    workbook.save(buffer)
    read = read_rows(buffer.getvalue())
    assert read.ignored_headers == []
    preview = validate_rows(read, measure_a)
    assert {row.pseudonym: (row.action, row.status) for row in preview.rows} == {
        "G-1": ("unchanged", "green"), "R-1": ("unchanged", "red"),
        "Y-1": ("unchanged", "yellow"), "Y-2": ("unchanged", "yellow"),
    }


def test_more_measures_of_one_type_cost_no_more_queries(measure_a, kassel, provider_org_a):
    """The question blocks are loaded once per measure type, not once per measure."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    others = [make_measure(f"AQB26-KS-M1-3{number}", kassel, provider_org_a) for number in range(3)]
    for measure in (measure_a, *others):
        make_participant(measure, "TN-1", status="red")
    with CaptureQueriesContext(connection) as one:
        export_measures([measure_a])
    with CaptureQueriesContext(connection) as four:
        export_measures([measure_a, *others])
    assert len(four) == len(one)


def test_several_measures_of_several_types_cost_a_bounded_number_of_queries(
        measure_a, kassel, provider_org_a, django_assert_max_num_queries):
    m3 = make_measure("AQB26-KS-M3-01", kassel, provider_org_a, type_code="M3")
    m2 = make_measure("AQB26-KS-M2-01", kassel, provider_org_a, type_code="M2")
    for number in range(20):
        for measure in (measure_a, m3, m2):
            make_participant(measure, f"TN-{number}", exit_date=datetime.date(2026, 6, 30), status="yellow")
    with django_assert_max_num_queries(45):
        content = export_measures([measure_a, m3, m2])
    cells = status_by_id(sheet_of(content))
    assert len(cells) == 20  # one ID per measure, three measures: the measure number tells them apart
    assert sheet_of(content).max_row == 61
