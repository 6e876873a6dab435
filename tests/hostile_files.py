"""A corpus of hostile workbooks, generated here (no binary fixtures): each is the template's
layout with one or two valid participant rows, its XML then rewritten the way an attacker would.
"""

import io
import random
import zipfile

from .excel_files import replace_member, workbook_bytes, yellow_row

SHEET = "xl/worksheets/sheet1.xml"


def _base(measure, rows=1):
    return workbook_bytes([yellow_row(measure, f"TN-{n:03d}") for n in range(rows)])


def _sheet(content, transform):
    return replace_member(content, SHEET, transform)


def huge_dimension(measure):
    """A 1.5 KB sheet declaring 16,384 x 1,048,576 cells (python-calamine sized it and aborted)."""
    def transform(xml):
        start = xml.index(b"<dimension")
        end = xml.index(b"/>", start) + 2
        return xml[:start] + b'<dimension ref="A1:XFD1048576"/>' + xml[end:]
    return _sheet(_base(measure), transform)


def far_away_cell(measure):
    """One cell with a value at XFD1048576."""
    return _sheet(_base(measure), lambda xml: xml.replace(
        b"</sheetData>", b'<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row></sheetData>'))


def _merges(refs):
    cells = "".join(f'<mergeCell ref="{ref}"/>' for ref in refs)
    return f'<mergeCells count="{len(refs)}">{cells}</mergeCells>'.encode()


def _add_merges(xml, refs):
    return xml.replace(b"</sheetData>", b"</sheetData>" + _merges(refs), 1)


def whole_sheet_merge(measure):
    return _sheet(_base(measure), lambda xml: _add_merges(xml, ["A1:XFD1048576"]))


def many_merged_ranges(measure):
    """400 overlapping ranges of about 95,000 cells each inside the allowed area (a map of every cell was 4 GB)."""
    return _sheet(_base(measure), lambda xml: _add_merges(xml, [f"A{10 + n}:BL{1500 + n}" for n in range(400)]))


def too_many_merged_ranges(measure):
    return _sheet(_base(measure), lambda xml: _add_merges(xml, [f"BA{n}:BB{n}" for n in range(10, 10_020)]))


def deeply_nested(measure):
    """100,000 nested elements in an extension list after the data (random attributes: not a zip bomb)."""
    depth = 100_000
    noise = random.Random(9)
    opening = b"".join(b'<ext uri="%x">' % noise.getrandbits(64) for _ in range(depth))
    nested = b"<extLst>" + opening + b"</ext>" * depth + b"</extLst>"
    return _sheet(_base(measure), lambda xml: xml.replace(b"</worksheet>", nested + b"</worksheet>"))


def entity_expansion(measure):
    """The billion laughs: ten levels of ten references each."""
    levels = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{n} "{"".join(f"&lol{n - 1};" for _ in range(10))}">' for n in range(1, 10)]
    return _with_entity(measure, ("<!DOCTYPE worksheet [" + "".join(levels) + "]>").encode(), b"lol9")


def external_entity(measure):
    return _with_entity(measure, b'<!DOCTYPE worksheet [<!ENTITY secret SYSTEM "file:///etc/passwd">]>', b"secret")


def _with_entity(measure, doctype, entity):
    """The sheet with a document type declaration and a cell that references `entity`."""
    def transform(xml):
        xml = xml.replace(b"<worksheet", doctype + b"<worksheet", 1)
        cell = b'<row r="90"><c r="A90" t="inlineStr"><is><t>&' + entity + b";</t></is></c></row>"
        return xml.replace(b"</sheetData>", cell + b"</sheetData>")
    return _sheet(_base(measure), transform)


def million_rows(measure):
    """1,048,576 rows of one cell each."""
    def transform(xml):
        rows = b"".join(b'<row r="%d"><c r="A%d"><v>1</v></c></row>' % (n, n) for n in range(10, 1_048_577))
        return xml.replace(b"</sheetData>", rows + b"</sheetData>")
    return _sheet(_base(measure), transform)


def _replace_text(content, marker, text):
    """The workbook with a marker text replaced wherever openpyxl put it (inline or shared strings)."""
    for name in (SHEET, "xl/sharedStrings.xml"):
        if name in zipfile.ZipFile(io.BytesIO(content)).namelist():
            content = replace_member(content, name, lambda xml: xml.replace(marker, text))
    return content


def very_long_string(measure):
    """A 40,000-character text in the ID cell: longer than Excel can hold in one cell (openpyxl would cut it)."""
    content = workbook_bytes([yellow_row(measure, "TN-000"), yellow_row(measure, "LONG-MARK")])
    return _replace_text(content, b"LONG-MARK", b"X" * 40_000)


def nul_and_control_characters(measure):
    """Excel's escapes for NUL and other control characters (PostgreSQL text cannot hold NUL)."""
    content = workbook_bytes([yellow_row(measure, "TN-000"), yellow_row(measure, "NUL-MARK"),
                              yellow_row(measure, "TN-002", Geschlecht="CTRL-MARK")])
    content = _replace_text(content, b"NUL-MARK", b"TN_x0000_1")
    return _replace_text(content, b"CTRL-MARK", b"weib_x0001_lich")


def formulas_everywhere(measure, rows=200):
    """Every cell of every data row a formula without a stored value."""
    def transform(xml):
        body = b"".join(
            b'<row r="%d">' % row + b"".join(b'<c r="%s%d"><f>1+1</f></c>' % (column, row)
                                             for column in (b"A", b"B", b"C", b"D", b"E")) + b"</row>"
            for row in range(3, rows + 3))
        return xml.replace(b"</sheetData>", body + b"</sheetData>")
    return _sheet(_base(measure), transform)


def shared_strings_flood(measure):
    """A shared-strings table of 200,000 entries beside a two-row sheet."""
    content = _base(measure)
    source = zipfile.ZipFile(io.BytesIO(content))
    buffer = io.BytesIO()
    strings = b"".join(b"<si><t>s%d</t></si>" % n for n in range(200_000))
    table = (b'<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
             b'count="200000" uniqueCount="200000">' + strings + b"</sst>")
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "[Content_Types].xml" and b"sharedStrings" not in data:
                data = data.replace(b"</Types>", b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                                                 b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
                                                 b"</Types>")
            if item.filename != "xl/sharedStrings.xml":
                target.writestr(item.filename, data)
        target.writestr("xl/sharedStrings.xml", table)
    return buffer.getvalue()


# name -> (builder, what the reader answers: a German phrase of the refusal, or None for a normal preview)
CORPUS = {
    "huge_dimension": (huge_dimension, "Datenbereich A1:XFD1048576"),
    "far_away_cell": (far_away_cell, "Zelle XFD1048576"),
    "whole_sheet_merge": (whole_sheet_merge, "verbundene Zellbereich A1:XFD1048576"),
    "many_merged_ranges": (many_merged_ranges, None),
    "too_many_merged_ranges": (too_many_merged_ranges, "verbundene Zellbereiche"),
    "deeply_nested": (deeply_nested, None),
    "entity_expansion": (entity_expansion, "unzulässige XML-Struktur"),
    "external_entity": (external_entity, "unzulässige XML-Struktur"),
    "million_rows": (million_rows, "außerhalb des Bereichs"),
    "very_long_string": (very_long_string, None),
    "nul_and_control_characters": (nul_and_control_characters, None),
    "formulas_everywhere": (formulas_everywhere, None),
    "shared_strings_flood": (shared_strings_flood, "weit mehr Texte"),
}
