"""The template (public download) and the export share one layout, with drop-downs from the catalogues."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

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
    assert headers[:4] == ["Maßnahmennummer", "Teilnehmenden-ID *", "Eintrittsdatum *", "Geschlecht *"]
    assert headers.index("Austrittsdatum") > headers.index("Eintritt: Mobilität gegeben")
    assert headers[-1] == "Austritt: Mobilität gegeben"
    assert sheet.freeze_panes == "C2"
    assert sheet.max_row == 1
    assert sheet.column_dimensions["B"].number_format == "@"
    assert sheet.column_dimensions["C"].number_format == "DD.MM.YYYY"
    info = dict(workbook["Info"].iter_rows(values_only=True))
    assert info["Maßnahmennummer"] is None
    guide = [row[0] for row in workbook["Ausfüllhinweise"].iter_rows(min_row=2, values_only=True) if row[0]]
    assert "Geburtsjahr *" in guide


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
    id_cell = sheet.cell(row=2, column=headers.index("Teilnehmenden-ID *") + 1)
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
    assert sheet.cell(row=2, column=4).number_format == "DD.MM.YYYY"  # after ID and status
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


# ---------------------------------------------------------------------------
# For the clerk who fills it in (issue 10, item 16)
# ---------------------------------------------------------------------------


def template_workbook(client):
    return open_workbook(client.get(reverse("participant_template")).content)


def headers_of(sheet):
    return [cell.value for cell in sheet[1]]


def test_columns_entry_data_always_need_end_in_a_star_and_conditional_ones_do_not(client):
    headers = headers_of(template_workbook(client)["Teilnehmende"])
    starred = [header[:-2] for header in headers if header.endswith(" *")]
    assert starred == [
        "Teilnehmenden-ID", "Eintrittsdatum", "Geschlecht", "Geburtsjahr", "Migrationshintergrund", "Schwerbehindert",
        "Kinder im Haushalt", "Alleinerziehend", "Schulbesuch bei Eintritt", "Bildungsstand bei Eintritt",
        "Erwerbstätigkeit bei Eintritt", "Arbeitslosmeldung", "Leistungsbezug bei Eintritt",
    ]
    for conditional in ("Maßnahmennummer", "TN-Ziel", "Austrittsdatum", "Verbleib nach Austritt",
                        "Eintritt: Mobilität gegeben"):
        assert conditional in headers


def test_the_guide_explains_the_star_and_when_exit_and_question_columns_are_required(client):
    guide = template_workbook(client)["Ausfüllhinweise"]
    text = " ".join(str(value) for row in guide.iter_rows(values_only=True) for value in row if value)
    assert "* hinter der Spaltenüberschrift = Pflichtangabe bei Eintritt" in text
    assert "sind Pflicht, sobald ein Austrittsdatum eingetragen ist" in text
    rows = {row[0]: row for row in guide.iter_rows(values_only=True) if row[0]}
    assert rows["Geschlecht *"][2] == "ja, bei Eintritt"
    assert rows["Verbleib nach Austritt"][2] == "sobald ein Austrittsdatum eingetragen ist"
    assert rows["Eintritt: Mobilität gegeben"][2] == "wenn der Fragenblock gilt"


def test_every_column_shows_its_rule_when_a_cell_is_selected(client):
    sheet = template_workbook(client)["Teilnehmende"]
    headers = headers_of(sheet)
    prompts = {}
    for validation in sheet.data_validations.dataValidation:
        first = str(validation.sqref).split(":")[0]
        assert str(validation.sqref).endswith("1048576")
        prompts[first] = validation
    for index, header in enumerate(headers, start=1):
        validation = prompts[f"{get_column_letter(index)}2"]
        assert validation.showInputMessage, header
        assert 0 < len(validation.prompt) <= 255 and 0 < len(validation.promptTitle) <= 32  # Excel's limits
    assert prompts["D2"].promptTitle == "Geschlecht" and prompts["D2"].prompt.startswith("Pflicht.")
    exit_column = get_column_letter(headers.index("Verbleib nach Austritt") + 1)
    assert prompts[f"{exit_column}2"].prompt.startswith("Pflicht, sobald ein Austrittsdatum eingetragen ist.")


def test_question_columns_are_grouped_and_coloured_by_block_with_the_block_and_its_goals_in_a_comment(client):
    from aqb_monitoring.excel.layout import Layout

    layout = Layout()
    sheet = template_workbook(client)["Teilnehmende"]
    blocks = {}
    for index, column in enumerate(layout.columns, start=1):
        letter = get_column_letter(index)
        header = sheet[f"{letter}1"]
        if not column.is_answer:
            assert header.comment is None and sheet.column_dimensions[letter].outline_level == 0
            continue
        assert sheet.column_dimensions[letter].outline_level == 1
        block = column.note.split("„")[1].split("“")[0]
        blocks.setdefault(block, set()).add(header.fill.fgColor.rgb)
        assert header.comment.text.startswith(f"Fragenblock „{block}“")
    assert len(blocks) >= 2
    assert all(len(colours) == 1 for colours in blocks.values())  # one colour per block, at entry and exit
    assert len({next(iter(colours)) for colours in blocks.values()}) == len(blocks)  # each block its own
    reife = [cell.comment.text for cell in sheet[1] if cell.comment and "Qualifizierungsreife" in cell.comment.text]
    assert "bei TN-Ziel „Verbesserung der Ausbildungsreife der Teilnehmer“" in reife[0]
    assert "immer bei Maßnahmeart M3" in reife[0]


def test_the_info_sheet_says_the_date_of_the_lists_and_keeps_the_hash_for_support(client):
    from django.utils import timezone

    from aqb_monitoring.excel.layout import catalogue_version

    response = client.get(reverse("participant_template"))
    workbook = open_workbook(response.content)
    info = dict(workbook["Info"].iter_rows(values_only=True))
    version, changed = catalogue_version()
    assert info["Stand der Auswahllisten"] == timezone.localtime(changed).strftime("%d.%m.%Y")
    assert "Katalogstand" not in info and version not in [str(value) for value in info.values()]
    assert workbook.custom_doc_props["Katalogstand"].value == version == response["ETag"].strip('"')


@pytest.mark.parametrize("kind", ["template", "export"])
def test_both_print_landscape_fitted_to_the_width_with_the_header_row_on_every_page(client, measure_a, kind):
    from tests.conftest import make_participant

    if kind == "template":
        workbook = template_workbook(client)
    else:
        for number in range(49):
            make_participant(measure_a, f"TN-{number}")
        workbook = open_workbook(export_measure(measure_a))
    for name in ("Teilnehmende", "Ausfüllhinweise"):
        sheet = workbook[name]
        assert sheet.page_setup.orientation == "landscape"
        assert int(sheet.page_setup.paperSize) == int(sheet.PAPERSIZE_A4)
        assert sheet.sheet_properties.pageSetUpPr.fitToPage
        assert (sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight) == (1, 0)  # 1 page wide, as long as needed
    assert workbook["Teilnehmende"].print_title_rows == "$1:$1"
    guide = workbook["Ausfüllhinweise"]
    title_row = int(guide.print_title_rows.split(":")[0].strip("$"))
    assert guide.cell(row=title_row, column=1).value == "Spalte"


def test_the_header_row_is_tall_enough_for_its_longest_wrapped_header(client):
    import textwrap

    sheet = template_workbook(client)["Teilnehmende"]
    dimension = sheet.row_dimensions[1]
    assert dimension.customHeight
    needed = max(
        len(textwrap.wrap(cell.value, int(sheet.column_dimensions[cell.column_letter].width * 0.9) - 1))
        for cell in sheet[1]
    )
    assert needed >= 3  # the question headers wrap onto several lines
    assert dimension.height >= needed * 15
    assert all(cell.alignment.wrap_text for cell in sheet[1])


def test_a_template_filled_in_with_starred_headers_imports(client, measure_a, ze_kassel):
    from aqb_monitoring.excel.importer import do_import
    from aqb_monitoring.excel.layout import Layout

    headers = Layout().sheet_headers
    assert "Geschlecht *" in headers
    row = {f"{key} *" if f"{key} *" in headers else key: value for key, value in yellow_row(measure_a, "S-1").items()}
    preview = validate_rows(read_rows(workbook_bytes([row], headers=headers)), measure_a)
    assert [(r.action, r.errors) for r in preview.rows] == [("create", {})] and preview.ignored_headers == []
    assert do_import(workbook_bytes([row], headers=headers), measure_a, ze_kassel).created == ["S-1"]


def test_guide_says_no_names_in_the_id_and_the_other_exit_reason():
    """Pseudonyms and free text carry no personal names (issue 13): the guide sheet says so for both columns."""
    from aqb_monitoring.excel.layout import Layout

    hints = {column.key: column.hint for column in Layout().columns}
    assert "kein Vor- oder Nachname" in hints["pseudonym"]
    assert "ohne Namen" in hints["exit_reason_other"]
