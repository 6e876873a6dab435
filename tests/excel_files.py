"""Builders of participant workbooks for the Excel tests: the template's layout, real rows, and bad files."""

import datetime
import io
import zipfile

from openpyxl import Workbook

from aqb_monitoring.excel.layout import SHEET_INFO, SHEET_PARTICIPANTS, Layout


def yellow_row(measure, pseudonym="TN-001", **overrides):
    """Complete entry data of an M1 participant (TN-Ziel without question blocks), no exit: yellow."""
    row = {
        "Teilnehmenden-ID": pseudonym,
        "Eintrittsdatum": measure.start_date + datetime.timedelta(days=31),
        "Geschlecht": "weiblich",
        "Geburtsjahr": measure.start_date.year - 20,
        "Migrationshintergrund": "nein",
        "Schwerbehindert": "nein",
        "Kinder im Haushalt": "nein",
        "Alleinerziehend": "nein",
        "Schulbesuch bei Eintritt": "keine Schule",
        "Bildungsstand bei Eintritt": "Hauptschulabschluss",
        "Erwerbstätigkeit bei Eintritt": "nicht erwerbstätig",
        "Arbeitslosmeldung": "beim Jobcenter (SGB II)",
        "Leistungsbezug bei Eintritt": "SGB II",
        "TN-Ziel": "Vermittlung der Teilnehmer in Ausbildung",
    }
    row.update(overrides)
    return row


def green_row(measure, pseudonym="TN-002", **overrides):
    row = yellow_row(measure, pseudonym)
    row.update({
        "Austrittsdatum": measure.end_date - datetime.timedelta(days=1),
        "Verbleib nach Austritt": "in einer betrieblichen Berufsausbildung",
        "Maßnahme vollständig durchlaufen?": "ja",
        "Hauptziel der Maßnahme erreicht?": "ja",
    })
    row.update(overrides)
    return row


def red_row(measure, pseudonym="TN-003", **overrides):
    """Valid values, but entry data missing (no Geschlecht, no Bildungsstand)."""
    row = yellow_row(measure, pseudonym, **{"Geschlecht": None, "Bildungsstand bei Eintritt": None})
    row.update(overrides)
    return row


def sheets_workbook(sheets=None, before=None):
    """An .xlsx of {sheet name: [rows]}, by default one sheet "Daten" with a header and one row;
    `before(workbook)` may edit it."""
    sheets = sheets or {"Daten": [["Nummer", "Titel"], ["M-1", "Kurs"]]}
    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, rows in sheets.items():
        sheet = workbook.create_sheet(name)
        for row in rows:
            sheet.append(row)
    if before is not None:
        before(workbook)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def workbook_bytes(rows, *, headers=None, info_number=None, sheet=SHEET_PARTICIPANTS, before=None, extra_sheet=False):
    """An .xlsx with a header row and one row per dict (header -> value); `before(ws)` may edit the sheet."""
    headers = headers or Layout().headers
    workbook = Workbook()
    ws = workbook.active
    ws.title = sheet
    if extra_sheet:
        notes = workbook.create_sheet("Notizen", 0)
        notes.append(["Meine Notizen", "nicht importieren"])
    ws.append(headers)
    for row in rows:
        ws.append([row.get(header) for header in headers])
    if info_number is not None:
        info = workbook.create_sheet(SHEET_INFO)
        info.append(["Maßnahmennummer", info_number])
    if before is not None:
        before(ws)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def replace_member(content, name, transform):
    """The same .xlsx with one archive member rewritten (e.g. the sheet XML)."""
    source = zipfile.ZipFile(io.BytesIO(content))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == name:
                data = transform(data)
            target.writestr(item.filename, data)
    return buffer.getvalue()


def zip_bomb():
    """A small .xlsx whose sheet inflates to about 700 MB of XML."""
    base = workbook_bytes([])
    buffer = io.BytesIO()
    source = zipfile.ZipFile(io.BytesIO(base))
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            if item.filename != "xl/worksheets/sheet1.xml":
                target.writestr(item.filename, source.read(item.filename))
        with target.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as stream:
            stream.write(b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
            chunk = b" " * (16 * 1024 * 1024)
            for _ in range(44):
                stream.write(chunk)
            stream.write(b"</sheetData></worksheet>")
    return buffer.getvalue()
