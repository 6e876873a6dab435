"""The participant sheet's short way for plain cells (excel/sheet_writer.py) writes what openpyxl would."""

import datetime
import io

import openpyxl
import pytest
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.utils.exceptions import IllegalCharacterError
from openpyxl.worksheet.dimensions import RowDimension

from aqb_monitoring.excel import sheet_writer
from aqb_monitoring.excel.cells import date_cell, safe_row

ROWS = [
    ["AQB26-KS-M1-01", " TN & <1> ", "Müller – ä", 2003, 1.5, True, None, ""],
    ["=HYPERLINK(\"http://x\";\"klick\")", "@SUMME(A1)", "-5", "#NV", datetime.date(2026, 3, 4), None, "a\tb", "x\ny"],
]


def _written(short_way):
    workbook = Workbook(write_only=True)
    sheet = sheet_writer.create_sheet(workbook, "Teilnehmende") if short_way else workbook.create_sheet("Teilnehmende")
    sheet.row_dimensions[1] = RowDimension(sheet, index=1, ht=40, customHeight=True)
    header = openpyxl.cell.WriteOnlyCell(sheet, value="Kopf")
    header.comment = Comment("Hinweis", "AQB-Portal")
    sheet.append([header, "Zweite Spalte"])
    for values in ROWS:
        row = [date_cell(sheet, value, "DD.MM.YYYY") if isinstance(value, datetime.date) else value for value in values]
        sheet.append(safe_row(sheet, row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return openpyxl.load_workbook(io.BytesIO(buffer.getvalue()))["Teilnehmende"]


def _cells(sheet):
    """What a reader sees; an empty text is an empty cell either way (openpyxl writes an empty element, we none)."""
    return [[(cell.value, cell.data_type, cell.number_format, cell.quotePrefix) if cell.value is not None else None
             for cell in row] for row in sheet.iter_rows()]


def test_plain_values_read_back_the_same_as_openpyxl_writes_them():
    assert _cells(_written(short_way=True)) == _cells(_written(short_way=False))


def test_texts_stay_texts_with_their_spaces_markup_characters_and_formula_look():
    sheet = _written(short_way=True)
    assert sheet["B2"].value == " TN & <1> "
    assert sheet["A3"].value == "=HYPERLINK(\"http://x\";\"klick\")" and sheet["A3"].data_type == "s"
    assert sheet["D3"].value == "#NV" and sheet["D3"].data_type == "s"
    assert sheet["D2"].value == 2003 and sheet["D2"].data_type == "n"
    assert sheet["E3"].number_format == "DD.MM.YYYY"


def test_the_header_row_keeps_its_height_and_comment():
    sheet = _written(short_way=True)
    assert sheet.row_dimensions[1].height == 40
    assert sheet["A1"].comment.text == "Hinweis"


def test_a_character_a_worksheet_cannot_hold_is_refused_as_openpyxl_refuses_it():
    workbook = Workbook(write_only=True)
    sheet = sheet_writer.create_sheet(workbook, "Teilnehmende")
    with pytest.raises(IllegalCharacterError):
        sheet.append(["gut", "schlecht\x00"])


def test_a_text_longer_than_excel_allows_is_cut_at_its_limit():
    workbook = Workbook(write_only=True)
    sheet = sheet_writer.create_sheet(workbook, "Teilnehmende")
    sheet.append(["x" * 40_000])
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert len(openpyxl.load_workbook(buffer)["Teilnehmende"]["A1"].value) == sheet_writer.MAX_TEXT
