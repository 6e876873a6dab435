"""Every file the portal hands out writes user text as text: no cell becomes a formula (issue 9)."""

import csv
import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook
from python_calamine import CalamineWorkbook

from aqb_content.demo_files import DEMO_NOTE, build_xlsx
from aqb_monitoring.excel.cells import safe_cell, safe_csv_row, safe_row
from aqb_monitoring.excel.export import export_measure
from aqb_monitoring.excel.importer import do_import, read_rows, validate_rows
from aqb_monitoring.excel.template import ParticipantWorkbook
from aqb_monitoring.models import Destination, ExitReason, Gender, ImportJob, Participant

from .conftest import make_participant
from .excel_files import green_row, workbook_bytes, yellow_row

pytestmark = pytest.mark.django_db

LINK = '=HYPERLINK("http://example.org/","Hier klicken")'
HOSTILE_TEXTS = [LINK, "+1", "-1", "@SUM(A1)", "\t=1+2", "\r=1+2", "=1+2"]
HOSTILE_TEXTS_AS_READ = [text.replace("\r", "\n") for text in HOSTILE_TEXTS]  # XML reads a bare CR as a line break


def formula_cells(content):
    """Every cell of every sheet that openpyxl reads as a formula, as "sheet!A1"."""
    workbook = load_workbook(io.BytesIO(content), read_only=False)
    return [f"{sheet.title}!{cell.coordinate}" for sheet in workbook for row in sheet.iter_rows()
            for cell in row if cell.data_type == "f"]


def calamine_values(content, sheet="Teilnehmende"):
    """All values of one sheet as python-calamine (the importer's reader) gives them."""
    return [value for row in CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_name(sheet).to_python()
            for value in row]


def sheet_values(content, sheet="Teilnehmende"):
    workbook = load_workbook(io.BytesIO(content), read_only=False)
    return [cell.value for row in workbook[sheet].iter_rows() for cell in row]


def as_uploaded_text(ws):
    """Make every formula-looking cell of an uploaded test file a plain text cell, as a user's typed text is."""
    for row in ws.iter_rows():
        for cell in row:
            if cell.data_type == "f":
                cell.data_type = "s"


def exit_with_free_text(measure, pseudonym, text):
    """A green row whose exit reason is "sonstiger Grund" with `text` as the reason."""
    return green_row(measure, pseudonym, **{
        "Verbleib nach Austritt": Destination.objects.filter(requires_exit_reason=True).first().label,
        "Austrittsgrund": ExitReason.objects.get(requires_free_text=True).label,
        "Sonstiger Austrittsgrund": text,
    })


# ---------------------------------------------------------------------------
# The helper itself
# ---------------------------------------------------------------------------


def test_safe_row_writes_every_formula_start_as_text_and_keeps_numbers_and_dates():
    workbook = Workbook(write_only=True)
    ws = workbook.create_sheet("Teilnehmende")
    day = datetime.date(2026, 3, 1)
    ws.append(safe_row(ws, [*HOSTILE_TEXTS, "#N/A", -5, 1990, day, "weiblich"]))
    buffer = io.BytesIO()
    workbook.save(buffer)
    content = buffer.getvalue()
    cells = next(load_workbook(io.BytesIO(content))["Teilnehmende"].iter_rows())
    assert [cell.data_type for cell in cells] == ["s"] * 8 + ["n", "n", "d", "s"]
    assert all(cell.quotePrefix for cell in cells[:7])
    assert [cell.value for cell in cells[:8]] == [*HOSTILE_TEXTS_AS_READ, "#N/A"]
    assert formula_cells(content) == []
    read = calamine_values(content)
    assert read[:8] == [*HOSTILE_TEXTS_AS_READ, "#N/A"]
    assert read[8:10] == [-5, 1990]


def test_safe_cell_keeps_a_formula_like_text_as_text_in_a_normal_workbook_with_its_style():
    workbook = Workbook()
    ws = workbook.active
    ws.append([safe_cell(ws, LINK, number_format="@"), safe_cell(ws, 7)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    first, second = next(load_workbook(io.BytesIO(buffer.getvalue())).active.iter_rows())
    assert (first.data_type, first.value, first.number_format, first.quotePrefix) == ("s", LINK, "@", True)
    assert (second.data_type, second.value) == ("n", 7)


def test_csv_rows_prefix_formula_like_texts_with_an_apostrophe_and_keep_numbers():
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";").writerow(safe_csv_row(["TN-1", "-5", -5, "=1+2", "@SUM(A1)", None]))
    assert buffer.getvalue() == "TN-1;'-5;-5;'=1+2;'@SUM(A1);\r\n"


# ---------------------------------------------------------------------------
# Each download
# ---------------------------------------------------------------------------


def test_template_writes_a_formula_like_catalogue_label_as_text(client):
    Gender.objects.filter(code="divers").update(label=LINK)
    content = client.get(reverse("participant_template")).content
    assert formula_cells(content) == []
    assert LINK in sheet_values(content, "Listen")
    assert LINK in calamine_values(content, "Listen")


def test_measure_export_view_writes_hostile_free_text_and_labels_as_text(client, provider_a, measure_a):
    Gender.objects.filter(code="divers").update(label="-divers")
    divers = Gender.objects.get(code="divers")
    for number, text in enumerate(HOSTILE_TEXTS):
        make_participant(measure_a, f"TN-{number}", exit_reason_other=text, gender=divers)
    make_participant(measure_a, "-1", birth_year=1990)
    client.force_login(provider_a)
    content = client.get(reverse("aqb_excel:measure_export", args=[measure_a.pk])).content
    assert formula_cells(content) == []
    values = sheet_values(content)
    assert set(HOSTILE_TEXTS_AS_READ) <= set(values) and "-divers" in values and "-1" in values
    assert 1990 in values  # a year stays a number next to the text "-1"
    assert set(HOSTILE_TEXTS_AS_READ) <= set(calamine_values(content))


def test_rp_multi_measure_export_writes_hostile_free_text_as_text(client, rp_editor, measure_a, measure_b):
    make_participant(measure_a, "A-1", exit_reason_other=LINK)
    make_participant(measure_b, "B-1", exit_reason_other="@SUM(A1)")
    client.force_login(rp_editor)
    response = client.get(reverse("aqb_excel:measures_export"), {"download": "1"})
    assert formula_cells(response.content) == []
    assert {LINK, "@SUM(A1)"} <= set(sheet_values(response.content))


def test_left_out_rows_download_writes_the_uploaded_hostile_texts_as_text(client, ze_kassel, measure_a):
    hostile = yellow_row(measure_a, "R-1", **{
        "Eintrittsdatum": LINK, "Geburtsjahr": "+1", "Migrationshintergrund": "-1",
        "Geschlecht": "@SUM(A1)", "Sonstiger Austrittsgrund": "\t=1+2",
    })
    bad_id = yellow_row(measure_a, LINK)
    client.force_login(ze_kassel)
    client.post(reverse("aqb_excel:measure_import", args=[measure_a.pk]), {"file": SimpleUploadedFile(
        "teilnehmende.xlsx", workbook_bytes([hostile, bad_id], before=as_uploaded_text))})
    job = ImportJob.objects.get()
    assert job.preview["counts"]["rejected"] == 2
    content = client.get(reverse("aqb_excel:job_left_out", args=[job.pk])).content
    assert formula_cells(content) == []
    expected = {LINK, "+1", "-1", "@SUM(A1)", "=1+2"}  # the reader strips the leading tab
    assert expected <= set(sheet_values(content))
    assert expected <= set(calamine_values(content))


def test_left_out_rows_uploaded_again_keep_their_formula_like_texts(client, ze_kassel, measure_a):
    row = yellow_row(measure_a, "R-1", **{"Eintrittsdatum": LINK, "Geburtsjahr": "-5"})
    client.force_login(ze_kassel)
    url = reverse("aqb_excel:measure_import", args=[measure_a.pk])
    client.post(url, {"file": SimpleUploadedFile("a.xlsx", workbook_bytes([row], before=as_uploaded_text))})
    first = ImportJob.objects.get()
    left_out = client.get(reverse("aqb_excel:job_left_out", args=[first.pk])).content
    cells_before = first.preview["rows"][0]["cells"]
    again = read_rows(left_out)
    assert validate_rows(again, measure_a).rows[0].cells == cells_before
    assert LINK in cells_before and "-5" in cells_before


def test_demo_download_workbooks_write_formula_like_headings_as_text():
    content = build_xlsx("=Demo", [LINK, "-5", "Betrag (EUR)"])
    assert formula_cells(content) == []
    assert [value for value in sheet_values(content, "=Demo") if value] == [
        "=Demo", DEMO_NOTE, LINK, "-5", "Betrag (EUR)"]


# ---------------------------------------------------------------------------
# Round trip
# ---------------------------------------------------------------------------


def test_a_free_text_starting_with_equals_survives_export_and_import(measure_a, ze_kassel):
    content = workbook_bytes([exit_with_free_text(measure_a, "TN-1", LINK)], before=as_uploaded_text)
    outcome = do_import(content, measure_a, ze_kassel)
    assert outcome.created == ["TN-1"]
    assert Participant.objects.get().exit_reason_other == LINK
    exported = export_measure(measure_a)
    preview = validate_rows(read_rows(exported), measure_a)
    assert [row.action for row in preview.rows] == ["unchanged"]
    assert LINK in preview.rows[0].cells


def test_participant_workbook_appends_no_formula_even_in_choice_bool_and_year_columns(measure_a):
    workbook = ParticipantWorkbook(measure_number=measure_a.number)
    width = len(workbook.layout.columns)
    workbook.append([LINK] * width)
    content = workbook.save()
    assert formula_cells(content) == []
    assert sheet_values(content)[width:2 * width] == [LINK] * width
