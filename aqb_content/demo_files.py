"""Small but real demo files for the downloads page: hand-built PDFs and openpyxl workbooks.

The real forms are uploaded by the RP editors; these stand in for them in the demo, so
every link on the downloads page opens a file of the stated type. No network needed.
"""

from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from aqb_monitoring.excel.cells import safe_cell, safe_row

DEMO_NOTE = (
    "Muster der Demo-Installation des AQB-Portals. Bitte verwenden Sie die vom RP Kassel veröffentlichte Fassung."
)

# key → title, file name, and what the file holds (PDF: lines of text; XLSX: column headings).
DOCUMENTS = {
    "antrag": {
        "title": "Antrag AQB",
        "filename": "antrag-aqb.pdf",
        "lines": [
            "Antrag auf Förderung aus dem Ausbildungs- und Qualifizierungsbudget (AQB)",
            "Antragsteller: Landkreis / kreisfreie Stadt",
            "Budgetjahr:",
            "Regionale Ausbildungs- und Arbeitsmarktstrategie: liegt bei",
        ],
    },
    "aenderungsantrag": {
        "title": "Änderungsantrag AQB",
        "filename": "aenderungsantrag-aqb.pdf",
        "lines": [
            "Änderungsantrag zum Ausbildungs- und Qualifizierungsbudget (AQB)",
            "Maßnahmennummer:",
            "Beantragte Änderung:",
            "Begründung:",
        ],
    },
    "massnahmendetails": {
        "title": "Maßnahmendetails",
        "filename": "massnahmendetails.xlsx",
        "columns": [
            "Maßnahmennummer",
            "Titel",
            "Maßnahmeart (M1–M4)",
            "Beginn (TT.MM.JJJJ)",
            "Ende (TT.MM.JJJJ)",
            "Hauptziel",
            "Träger",
            "geplante Teilnehmende",
        ],
    },
    "mittelabruf": {
        "title": "Mittelabruf",
        "filename": "mittelabruf.xlsx",
        "columns": [
            "Maßnahmennummer",
            "Abrufzeitraum",
            "bewilligter Betrag (EUR)",
            "bisher abgerufen (EUR)",
            "jetzt abgerufen (EUR)",
        ],
    },
    "detailplanung": {
        "title": "Detailplanung",
        "filename": "detailplanung.xlsx",
        "columns": [
            "Maßnahme",
            "Maßnahmeart",
            "Träger",
            "geplante Teilnehmende",
            "Personalkosten (EUR)",
            "Sachkosten (EUR)",
        ],
    },
    "verwendungsnachweis": {
        "title": "Verwendungsnachweis",
        "filename": "verwendungsnachweis.pdf",
        "lines": [
            "Verwendungsnachweis Ausbildungs- und Qualifizierungsbudget (AQB)",
            "Zuwendungsempfänger:",
            "Budgetjahr:",
            "Zahlenmäßiger Nachweis: siehe Belegliste",
            "Sachbericht: liegt bei",
        ],
    },
    "sachbericht": {
        "title": "Sachbericht",
        "filename": "sachbericht.pdf",
        "lines": [
            "Sachbericht zum Verwendungsnachweis AQB",
            "1. Umsetzung der regionalen Strategie",
            "2. Durchgeführte Maßnahmen und Teilnehmende",
            "3. Ergebnisse und Ausblick",
        ],
    },
    "belegliste": {
        "title": "Belegliste",
        "filename": "belegliste.xlsx",
        "columns": [
            "Lfd. Nr.",
            "Belegdatum (TT.MM.JJJJ)",
            "Zahlungsempfänger",
            "Zweck",
            "Maßnahmennummer",
            "Betrag (EUR)",
        ],
    },
    "zielvereinbarung": {
        "title": "Zielvereinbarung",
        "filename": "zielvereinbarung.pdf",
        "lines": [
            "Zielvereinbarung zum Ausbildungs- und Qualifizierungsbudget",
            "zwischen dem Hessischen Ministerium für Soziales und Integration",
            "und dem Landkreis / der kreisfreien Stadt",
            "Ziele und Kennzahlen für das Budgetjahr:",
        ],
    },
}


def build(spec):
    """The bytes of the demo file described by spec."""
    if spec["filename"].endswith(".xlsx"):
        return build_xlsx(spec["title"], spec["columns"])
    return build_pdf(spec["title"], spec["lines"])


def build_xlsx(title, columns):
    """A title, the demo note and a row of column headings, written through the portal's formula-safe cells."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title[:31]
    sheet.append([safe_cell(sheet, title, font=Font(bold=True, size=14))])
    sheet.append(safe_row(sheet, [DEMO_NOTE]))
    sheet.append([])
    sheet.append([safe_cell(sheet, heading, font=Font(bold=True)) for heading in columns])
    for index, heading in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(14, len(heading) + 2)
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _pdf_text(text):
    """A PDF string literal in WinAnsi encoding (umlauts), with the special characters escaped."""
    raw = text.encode("cp1252", errors="replace")
    return b"(" + raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"


def build_pdf(title, lines):
    """A one-page A4 PDF with Helvetica text, assembled by hand with a correct xref table."""
    content = [b"BT", b"/F1 16 Tf", b"56 780 Td", _pdf_text(title) + b" Tj", b"/F1 11 Tf", b"0 -28 Td"]
    for line in [*lines, "", DEMO_NOTE]:
        content += [_pdf_text(line) + b" Tj", b"0 -18 Td"]
    content.append(b"ET")
    stream = b"\n".join(content)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Title " + _pdf_text(title) + b" /Producer (AQB-Portal Demo) >>",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref_at = len(out)
    out += f"xref\n0 {len(objects) + 1}\n".encode() + b"0000000000 65535 f \n"
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R /Info 6 0 R >>\nstartxref\n{xref_at}\n%%EOF\n".encode()
    return bytes(out)
