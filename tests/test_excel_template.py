"""The template (public download) and the export share one layout, with drop-downs from the catalogues."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from aqb_monitoring.excel.export import export_measure
from aqb_monitoring.excel.importer import read_rows, validate_rows
from aqb_monitoring.models import Gender

from .excel_files import green_row, workbook_bytes, yellow_row

pytestmark = pytest.mark.django_db


def open_workbook(content):
    return load_workbook(io.BytesIO(content))


def list_values(workbook, title):
    """The allowed values of one list in the hidden sheet, found by its title."""
    sheet = workbook["Listen"]
    columns = list(sheet.iter_cols(values_only=True))
    for column in columns:
        if column[0] == title:
            return [value for value in column[1:] if value is not None]
    raise AssertionError(f"no list {title}")


def test_template_is_public_and_has_the_layout(client):
    response = client.get(reverse("participant_template"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = open_workbook(response.content)
    assert workbook.sheetnames == ["Teilnehmende", "Ausfüllhinweise", "Info", "Listen"]
    assert workbook["Listen"].sheet_state == "hidden"
    sheet = workbook["Teilnehmende"]
    headers = [cell.value for cell in sheet[1]]
    assert headers[:4] == ["Maßnahmennummer", "Teilnehmenden-ID", "Eintrittsdatum", "Geschlecht"]
    assert headers.index("Austrittsdatum") > headers.index("Eintritt: Mobilität gegeben")
    assert headers[-1] == "Austritt: Mobilität gegeben"
    assert sheet.freeze_panes == "C2"
    assert sheet.max_row == 1
    assert sheet.column_dimensions["B"].number_format == "@"
    assert sheet.column_dimensions["C"].number_format == "DD.MM.YYYY"
    info = dict(workbook["Info"].iter_rows(values_only=True))
    assert info["Maßnahmennummer"] is None
    assert info["Katalogstand"]
    guide = [row[0] for row in workbook["Ausfüllhinweise"].iter_rows(min_row=2, values_only=True) if row[0]]
    assert "Geburtsjahr" in guide


def test_template_has_dropdowns_fed_from_the_hidden_list_sheet(client):
    workbook = open_workbook(client.get(reverse("participant_template")).content)
    sheet = workbook["Teilnehmende"]
    validations = {str(dv.sqref).split(":")[0]: dv for dv in sheet.data_validations.dataValidation}
    gender = validations["D2"]
    assert gender.type == "list" and gender.formula1.startswith("Listen!")
    assert list_values(workbook, "Geschlecht") == ["weiblich", "männlich", "divers", "keine Angabe"]
    assert list_values(workbook, "ja/nein") == ["ja", "nein"]
    assert validations["F2"].type == "list"  # Migrationshintergrund: ja/nein
    assert validations["C2"].type == "date"


def test_template_follows_a_catalogue_change_and_changes_its_etag(client):
    url = reverse("participant_template")
    first = client.get(url)
    etag = first["ETag"]
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    Gender.objects.filter(code="divers").update(label="divers (neu)")
    second = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert second.status_code == 200
    assert second["ETag"] != etag
    assert "divers (neu)" in list_values(open_workbook(second.content), "Geschlecht")


def test_inactive_catalogue_entries_are_not_offered(client):
    Gender.objects.filter(code="divers").update(is_active=False)
    workbook = open_workbook(client.get(reverse("participant_template")).content)
    assert "divers" not in list_values(workbook, "Geschlecht")


def test_export_writes_formula_like_text_as_text(measure_a):
    from tests.conftest import make_participant

    make_participant(measure_a, "-1", exit_reason_other="=HYPERLINK(\"http://x\")")
    workbook = open_workbook(export_measure(measure_a))
    sheet = workbook["Teilnehmende"]
    headers = [cell.value for cell in sheet[1]]
    id_cell = sheet.cell(row=2, column=headers.index("Teilnehmenden-ID") + 1)
    other = sheet.cell(row=2, column=headers.index("Sonstiger Austrittsgrund") + 1)
    assert id_cell.data_type == "s" and id_cell.value == "-1" and id_cell.quotePrefix
    assert other.data_type == "s" and other.value.startswith("=") and other.quotePrefix


def test_round_trip_export_reimport_is_unchanged_for_every_row(measure_a, ze_kassel):
    from aqb_monitoring.excel.importer import do_import

    content = workbook_bytes([yellow_row(measure_a, "TN-001"), green_row(measure_a, "007"), yellow_row(measure_a, "-A1")])
    outcome = do_import(content, measure_a, ze_kassel)
    assert sorted(outcome.created) == ["-A1", "007", "TN-001"]
    exported = export_measure(measure_a)
    sheet = open_workbook(exported)["Teilnehmende"]
    assert sheet.cell(row=2, column=3).number_format == "DD.MM.YYYY"
    preview = validate_rows(read_rows(exported), measure_a)
    assert [row.action for row in preview.rows] == ["unchanged"] * 3
    assert dict(open_workbook(exported)["Info"].iter_rows(values_only=True))["Maßnahmennummer"] == measure_a.number


def test_export_command_writes_the_measure(measure_a, tmp_path):
    from django.core.management import call_command

    from tests.conftest import make_participant

    make_participant(measure_a, "TN-9")
    target = tmp_path / "out.xlsx"
    call_command("export_participants", measure_a.number, str(target))
    sheet = load_workbook(target)["Teilnehmende"]
    assert sheet.cell(row=2, column=2).value == "TN-9"


def test_export_queries_do_not_grow_with_rows(measure_a, django_assert_max_num_queries):
    from tests.conftest import make_participant

    for number in range(30):
        make_participant(measure_a, f"TN-{number}")
    with django_assert_max_num_queries(40):
        export_measure(measure_a)
