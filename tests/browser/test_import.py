"""Browser test of the import preview: reasons, diff, inline correction, take, left-out rows."""

import io

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from aqb_monitoring.models import Participant
from tests.conftest import login_in_browser, make_participant
from tests.excel_files import green_row, red_row, workbook_bytes, yellow_row


@pytest.mark.browser
def test_upload_preview_fix_take_and_download_left_out_rows(live_server, page, ze_kassel, measure_a, tmp_path):
    make_participant(measure_a, "U-1", gender=None)
    upload = tmp_path / "teilnehmende.xlsx"
    upload.write_bytes(workbook_bytes([
        yellow_row(measure_a, "Y-1"), green_row(measure_a, "G-1"), red_row(measure_a, "R-1"),
        yellow_row(measure_a, "U-1"), yellow_row(measure_a, "X 1"),
    ]))
    login_in_browser(page, live_server, ze_kassel)

    page.goto(f"{live_server.url}/admin/monitoring/massnahmen/{measure_a.pk}/")
    page.get_by_role("link", name="Excel-Datei hochladen").click()
    page.set_input_files("input[type=file]", str(upload))
    page.get_by_role("button", name="Hochladen und prüfen").click()

    summary = page.locator("#import-summary")
    assert "Vorschau: 2 Zeilen neu, 1 Zeile geändert, 0 Zeilen unverändert, 2 Zeilen werden nicht übernommen." in summary.inner_text()
    assert "Rote und fehlerhafte Zeilen werden nicht gespeichert" in summary.inner_text()
    red = page.locator("tr[data-row='4']")
    assert "Pflichtangabe bei Eintritt" in red.inner_text() and "Rot" in red.inner_text()
    assert "nur Buchstaben" in page.locator("tr[data-row='6']").inner_text()
    update = page.locator("tr[data-row='5']")
    assert "Änderung" in update.inner_text() and update.locator("ins", has_text="weiblich").count() == 1
    assert Participant.objects.count() == 1  # nothing written by the preview

    red.get_by_role("link", name="Korrigieren").click()
    page.select_option("select[name=gender]", "männlich")
    page.select_option("select[name=education_level]", "Hauptschulabschluss")
    page.get_by_role("button", name="Korrektur prüfen").click()
    assert "Vorschau: 3 Zeilen neu, 1 Zeile geändert, 0 Zeilen unverändert, 1 Zeile wird nicht übernommen." in page.locator("#import-summary").inner_text()

    page.get_by_role("button", name="Übernehmen (4 Zeilen)").click()
    assert page.locator("#import-result [data-count=created]").inner_text() == "3"
    assert page.locator("#import-result [data-count=left_out]").inner_text() == "1"
    assert set(Participant.objects.values_list("pseudonym", flat=True)) == {"Y-1", "G-1", "R-1", "U-1"}

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Nicht übernommene Zeilen als Excel-Datei herunterladen").click()
    sheet = load_workbook(io.BytesIO(open(download_info.value.path(), "rb").read()))["Teilnehmende"]
    assert sheet.cell(row=2, column=2).value == "X 1"
    assert "Teilnehmenden-ID" in sheet.cell(row=2, column=sheet.max_column).value


@pytest.mark.browser
def test_a_row_is_corrected_in_the_participant_forms_steps_and_blocks(live_server, page, ze_kassel, measure_a, tmp_path):
    upload = tmp_path / "teilnehmende.xlsx"
    upload.write_bytes(workbook_bytes([red_row(measure_a, "R-1", Geschlecht="w")]))
    login_in_browser(page, live_server, ze_kassel)
    page.goto(f"{live_server.url}/admin/monitoring/massnahmen/{measure_a.pk}/")
    page.get_by_role("link", name="Excel-Datei hochladen").click()
    page.set_input_files("input[type=file]", str(upload))
    page.get_by_role("button", name="Hochladen und prüfen").click()
    page.locator("tr[data-row='2']").get_by_role("link", name="Korrigieren").click()

    # The participant form's steps as tabs; "Fragen bei Eintritt" only once a TN-Ziel switches a block on.
    tabs = page.get_by_role("tab")
    assert tabs.nth(0).inner_text().startswith("1. Eintritt") and "bitte prüfen" in tabs.nth(0).inner_text()
    assert page.locator("[data-aqb-step-link=austritt]").is_visible()
    assert not page.locator("[data-aqb-step-link=fragen-eintritt]").is_visible()
    assert "In der Datei: „w“" in page.locator("[data-aqb-warning=gender]").inner_text()
    assert page.locator(".w-field__wrapper", has=page.locator("[name=gender]")).locator(".error-message").count() == 1
    page.select_option("select[name=goal]", "Verbesserung der Ausbildungsreife der Teilnehmer")
    page.locator("[data-aqb-step-link=fragen-eintritt]").click()
    block = page.locator("#schritt-fragen-eintritt fieldset[data-aqb-block=ausbildungsreife]")
    assert block.is_visible() and "Ausbildungs- und Qualifizierungsreife" in block.inner_text()
    assert not page.locator("#schritt-fragen-eintritt fieldset[data-aqb-block=rahmenbedingungen]").is_visible()
    for select in block.locator("select").all():
        select.select_option("ja")

    page.locator("[data-aqb-step-link=eintritt]").click()
    page.select_option("select[name=gender]", "weiblich")
    page.select_option("select[name=education_level]", "Hauptschulabschluss")
    page.get_by_role("button", name="Korrektur prüfen").click()
    expect(page.locator("#import-summary")).to_contain_text("Vorschau: 1 Zeile neu")
    expect(page.get_by_text("Zeile 2 wurde korrigiert und neu geprüft.")).to_be_visible()
    row = page.locator("tr[data-row='2']")
    assert row.get_attribute("data-action") == "create" and "neu" in row.inner_text()
