"""The RP's import of measures and providers (measure_import.py, manage.py import_measures, admin page)."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook

from aqb_monitoring.measure_import import (
    ImportFileError,
    check_measure_import,
    do_measure_import,
    read_measure_file,
)
from aqb_monitoring.models import AuditEntry, InterimDueDate, Measure, Provider

from .conftest import make_measure, make_participant

HEADERS = ["Maßnahmennummer", "Titel", "Maßnahmeart", "Programmlinie", "Beginn", "Ende", "Hauptziel",
           "Zuwendungsempfänger", "Träger", "Träger-ID", "Träger-E-Mail", "Geplante Teilnehmende", "Budgetjahr",
           "Termine Zwischenmeldung", "Folgemaßnahme"]


def row(number="AQB26-KS-M1-05", **overrides):
    values = {
        "Maßnahmennummer": number, "Titel": "Werkstattjahr", "Maßnahmeart": "M1", "Programmlinie": "Standard",
        "Beginn": "01.02.2026", "Ende": "31.12.2026", "Hauptziel": "Vermittlung der Teilnehmer in Ausbildung",
        "Zuwendungsempfänger": "KS", "Träger": "Bildungswerk Nordhessen", "Träger-ID": "", "Träger-E-Mail": "",
        "Geplante Teilnehmende": "12", "Budgetjahr": "", "Termine Zwischenmeldung": "", "Folgemaßnahme": "",
    }
    values.update(overrides)
    return values


def csv_file(rows, delimiter=";", headers=HEADERS):
    lines = [delimiter.join(headers)]
    for values in rows:
        lines.append(delimiter.join(f'"{values.get(h, "")}"' for h in headers))
    return ("\n".join(lines) + "\n").encode("utf-8")


def xlsx_file(rows, headers=HEADERS):
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Maßnahmen"
    sheet.append(headers)
    for values in rows:
        sheet.append([values.get(h, "") for h in headers])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def only_row(preview):
    assert len(preview.rows) == 1
    return preview.rows[0]


def reasons(preview, number):
    return " ".join(message for r in preview.rows if r.number == number for message in r.errors)


# --- create, update, unchanged ------------------------------------------------------


def test_new_measure_is_created_with_its_values_and_interim_dates(kassel, provider_org_a):
    data = csv_file([row(Programmlinie="Schutzschirm für Ausbildungssuchende",
                         **{"Termine Zwischenmeldung": "30.06.2026; 30.09.2026"})])
    preview = do_measure_import(data)
    assert only_row(preview).action == "create"
    measure = Measure.objects.get(number="AQB26-KS-M1-05")
    assert measure.title == "Werkstattjahr"
    assert measure.measure_type.code == "M1" and measure.programme_line.code == "schutzschirm"
    assert measure.start_date == datetime.date(2026, 2, 1) and measure.end_date == datetime.date(2026, 12, 31)
    assert measure.grant_recipient == kassel and measure.provider_id == provider_org_a.pk
    assert measure.budget_year == 2026  # derived from AQB26
    assert measure.planned_participants == 12
    assert measure.main_goal.code == "vermittlung-ausbildung"
    assert [d.due_date for d in measure.interim_due_dates.all()] == [datetime.date(2026, 6, 30), datetime.date(2026, 9, 30)]
    assert AuditEntry.objects.filter(measure=measure, action="create").exists()


def test_same_number_updates_the_measure_and_shows_the_changes(kassel, provider_org_a):
    do_measure_import(csv_file([row()]))
    preview = do_measure_import(csv_file([row(Titel="Werkstattjahr plus", Ende="30.11.2026")]))
    result = only_row(preview)
    assert result.action == "update"
    assert result.changes["Titel"] == ["Werkstattjahr", "Werkstattjahr plus"]
    assert result.changes["Ende"] == ["31.12.2026", "30.11.2026"]
    measure = Measure.objects.get(number="AQB26-KS-M1-05")
    assert measure.title == "Werkstattjahr plus" and measure.end_date == datetime.date(2026, 11, 30)
    assert Measure.objects.filter(number="AQB26-KS-M1-05").count() == 1
    entry = AuditEntry.objects.get(measure=measure, action="change")
    assert entry.changes["Titel"] == ["Werkstattjahr", "Werkstattjahr plus"]


def test_rerun_of_the_same_file_is_unchanged(kassel, provider_org_a):
    data = xlsx_file([row(**{"Termine Zwischenmeldung": "30.06.2026"})])
    do_measure_import(data)
    preview = do_measure_import(data)
    assert only_row(preview).action == "unchanged"
    assert AuditEntry.objects.filter(action="change").count() == 0


def test_dry_run_writes_nothing(kassel):
    preview = check_measure_import(csv_file([row(Träger="Neuer Träger gGmbH")]))
    assert only_row(preview).action == "create"
    assert preview.as_dict()["new_providers"] == ["Neuer Träger gGmbH (KS)"]
    assert not Measure.objects.exists()
    assert not Provider.objects.filter(name="Neuer Träger gGmbH").exists()


# --- file formats ---------------------------------------------------------------------


def test_csv_with_comma_bom_and_free_column_order(kassel, provider_org_a):
    headers = list(reversed(HEADERS))
    data = b"\xef\xbb\xbf" + csv_file([row(Beginn="2026-02-01")], delimiter=",", headers=headers)
    read = read_measure_file(data)
    assert read.kind == "csv"
    preview = do_measure_import(data)
    assert only_row(preview).action == "create", only_row(preview).errors
    assert Measure.objects.get().start_date == datetime.date(2026, 2, 1)


def test_xlsx_with_real_dates_and_numbers(kassel, provider_org_a):
    data = xlsx_file([row(Beginn=datetime.date(2026, 2, 1), Ende=datetime.datetime(2026, 12, 31),
                          **{"Geplante Teilnehmende": 15, "Budgetjahr": 2026})])
    assert read_measure_file(data).kind == "xlsx"
    preview = do_measure_import(data)
    assert only_row(preview).action == "create", only_row(preview).errors
    measure = Measure.objects.get()
    assert measure.end_date == datetime.date(2026, 12, 31) and measure.planned_participants == 15


@pytest.mark.parametrize("content,needle", [
    (b"", "leer"),
    ("Maßnahmennummer;Titel\n".encode("latin-1"), "UTF-8"),
    ("Maßnahmennummer;Titel\nAQB26-KS-M1-01;X\n".encode(), "fehlen die Spalten"),
    (b"PK\x03\x04 not a zip at all", "beschädigt"),
])
def test_unusable_files_are_refused_with_a_reason(db, content, needle):
    with pytest.raises(ImportFileError) as error:
        read_measure_file(content)
    assert needle in error.value.message


# --- row errors -------------------------------------------------------------------------


def test_bad_number_format_is_refused(kassel):
    preview = check_measure_import(csv_file([row("AQB2026-KS-M1-1")]))
    assert only_row(preview).action == "rejected"
    assert "Format" in reasons(preview, "AQB2026-KS-M1-1")


def test_a_formula_kept_as_text_in_the_number_column_is_named_as_such(kassel):
    """The same rule as the participant import (imports/reader.py), not "wrong format"."""
    preview = check_measure_import(csv_file([row("=A2")]))
    assert only_row(preview).action == "rejected"
    assert "Formel, die als Text gespeichert wurde („=A2“)" in reasons(preview, "=A2")
    assert "Format" not in reasons(preview, "=A2")


def test_number_must_name_the_grant_recipient(kassel, fulda):
    preview = check_measure_import(csv_file([row("AQB26-FD-M1-01")]))
    assert only_row(preview).action == "rejected"
    assert "Gebietskörperschaft FD" in reasons(preview, "AQB26-FD-M1-01")


def test_number_must_name_the_measure_type(kassel):
    preview = check_measure_import(csv_file([row("AQB26-KS-M2-01")]))
    assert "Maßnahmeart M2" in reasons(preview, "AQB26-KS-M2-01")


def test_budget_year_must_match_the_number(kassel):
    preview = check_measure_import(csv_file([row(Budgetjahr="2025")]))
    assert "Budgetjahr 2025 passt nicht" in reasons(preview, "AQB26-KS-M1-05")


def test_unknown_grant_recipient_is_refused(db):
    preview = check_measure_import(csv_file([row("AQB26-XY-M1-01", Zuwendungsempfänger="XY")]))
    assert only_row(preview).action == "rejected"
    assert "„XY“ ist im Portal nicht angelegt" in reasons(preview, "AQB26-XY-M1-01")


def test_unknown_measure_type_and_programme_line_are_refused(kassel):
    preview = check_measure_import(csv_file([row(Maßnahmeart="M9", Programmlinie="Sonderlinie")]))
    text = reasons(preview, "AQB26-KS-M1-05")
    assert "Maßnahmeart „M9“ ist unbekannt" in text and "Programmlinie „Sonderlinie“ ist unbekannt" in text


def test_type_and_line_by_label(kassel):
    preview = check_measure_import(csv_file([row(Maßnahmeart="M1 Ausbildungsvorbereitung",
                                                 Programmlinie="brückenqualifizierung für frauen")]))
    assert only_row(preview).action == "create", only_row(preview).errors


def test_end_before_start_is_refused(kassel):
    preview = check_measure_import(csv_file([row(Beginn="01.06.2026", Ende="31.05.2026")]))
    assert "liegt vor dem Beginn" in reasons(preview, "AQB26-KS-M1-05")


def test_bad_date_is_refused(kassel):
    preview = check_measure_import(csv_file([row(Beginn="Anfang Februar")]))
    assert "„Anfang Februar“ ist kein Datum" in reasons(preview, "AQB26-KS-M1-05")


def test_new_dates_that_exclude_recorded_participants_are_refused(kassel, provider_org_a):
    measure = make_measure("AQB26-KS-M1-05", kassel, provider_org_a, title="Werkstattjahr",
                           start_date=datetime.date(2026, 2, 1))
    make_participant(measure, "TN-1", entry_date=datetime.date(2026, 2, 10), exit_date=datetime.date(2026, 11, 15))
    preview = do_measure_import(csv_file([row(Beginn="01.03.2026", Ende="31.10.2026")]))
    text = reasons(preview, "AQB26-KS-M1-05")
    assert only_row(preview).action == "rejected"
    assert "frühester Eintritt 10.02.2026" in text and "spätester Austritt 15.11.2026" in text
    measure.refresh_from_db()
    assert measure.start_date == datetime.date(2026, 2, 1) and measure.end_date == datetime.date(2026, 12, 31)
    # Dates that still contain every participant are fine.
    preview = do_measure_import(csv_file([row(Beginn="10.02.2026", Ende="15.11.2026")]))
    assert only_row(preview).action == "update", only_row(preview).errors


def test_closed_measure_is_not_changed(kassel, provider_org_a, rp_editor):
    measure = make_measure("AQB26-KS-M1-05", kassel, provider_org_a, title="Werkstattjahr",
                           start_date=datetime.date(2026, 2, 1), planned_participants=12,
                           closed_at=timezone.now())
    preview = do_measure_import(csv_file([row(Titel="Umbenannt")]))
    assert only_row(preview).action == "rejected"
    assert "abgeschlossen" in reasons(preview, "AQB26-KS-M1-05")
    measure.refresh_from_db()
    assert measure.title == "Werkstattjahr"
    # Unchanged rows of closed measures are no error: the whole database file can be re-run.
    assert only_row(check_measure_import(csv_file([row()]))).action == "unchanged"


def test_duplicate_numbers_in_the_file_are_both_refused(kassel, provider_org_a):
    preview = check_measure_import(csv_file([row(), row(Titel="Anders")]))
    assert [r.action for r in preview.rows] == ["rejected", "rejected"]
    assert "mehrfach" in reasons(preview, "AQB26-KS-M1-05")


# --- successors ---------------------------------------------------------------------------


def test_successor_is_linked_whatever_the_order_in_the_file(kassel, provider_org_a):
    rows = [row("AQB25-KS-M1-05", Beginn="01.02.2025", Ende="31.12.2025", Folgemaßnahme="AQB26-KS-M1-05"),
            row("AQB26-KS-M1-05")]
    for ordered in (rows, list(reversed(rows))):
        Measure.objects.all().delete()
        preview = do_measure_import(csv_file(ordered))
        assert {r.action for r in preview.rows} == {"create"}, [r.errors for r in preview.rows]
        assert Measure.objects.get(number="AQB25-KS-M1-05").successor.number == "AQB26-KS-M1-05"


def test_successor_of_another_grant_recipient_is_refused(kassel, fulda, provider_org_a, provider_org_b):
    make_measure("AQB26-FD-M1-01", fulda, provider_org_b)
    preview = do_measure_import(csv_file([row("AQB25-KS-M1-05", Beginn="01.02.2025", Ende="31.12.2025",
                                              Folgemaßnahme="AQB26-FD-M1-01")]))
    assert only_row(preview).action == "rejected"
    assert "anderen Zuwendungsempfänger" in reasons(preview, "AQB25-KS-M1-05")
    assert not Measure.objects.filter(number="AQB25-KS-M1-05").exists()


def test_successor_must_be_in_a_later_budget_year(kassel, provider_org_a):
    make_measure("AQB26-KS-M3-01", kassel, provider_org_a, type_code="M3")
    preview = check_measure_import(csv_file([row(Folgemaßnahme="AQB26-KS-M3-01")]))
    assert "späteren Budgetjahr" in reasons(preview, "AQB26-KS-M1-05")


def test_successor_that_does_not_exist_is_refused(kassel, provider_org_a):
    preview = check_measure_import(csv_file([row(Folgemaßnahme="AQB27-KS-M1-09")]))
    assert "weder in dieser Datei noch im Portal" in reasons(preview, "AQB26-KS-M1-05")


# --- providers and grants ----------------------------------------------------------------


def test_unknown_provider_is_created_under_the_grant_recipient(kassel):
    data = csv_file([row(Träger="Neuer Träger gGmbH", **{"Träger-ID": "T-77", "Träger-E-Mail": "info@neu.example"}),
                     row("AQB26-KS-M1-06", Träger="Neuer Träger gGmbH")])
    preview = do_measure_import(data)
    assert [r.action for r in preview.rows] == ["create", "create"]
    provider = Provider.objects.get(name="Neuer Träger gGmbH")
    assert provider.grant_recipient == kassel
    assert provider.external_id == "T-77" and provider.contact_email == "info@neu.example"
    assert set(provider.provided_measures.values_list("number", flat=True)) == {"AQB26-KS-M1-05", "AQB26-KS-M1-06"}


def test_provider_name_of_another_grant_recipient_is_refused(kassel, fulda, provider_org_b):
    preview = do_measure_import(csv_file([row(Träger="Fulda Perspektiven")]))
    assert only_row(preview).action == "rejected"
    assert "gibt es bereits" in reasons(preview, "AQB26-KS-M1-05")
    assert Provider.objects.filter(name="Fulda Perspektiven").count() == 1


def test_changed_provider_moves_access(client, kassel, measure_a, provider_a, provider_org_a2, provider_a2):
    url = reverse("aqb_monitoring:measure", args=[measure_a.pk])
    client.force_login(provider_a)
    assert client.get(url).status_code == 200
    preview = do_measure_import(csv_file([row("AQB26-KS-M1-01", Titel=measure_a.title, Beginn="01.01.2026",
                                              Träger="Jugendwerkstatt Kassel")]))
    assert only_row(preview).action == "update", only_row(preview).errors
    assert only_row(preview).changes["Träger"] == ["Bildungswerk Nordhessen", "Jugendwerkstatt Kassel"]
    assert client.get(url).status_code == 404  # the old provider lost access
    client.force_login(provider_a2)
    assert client.get(url).status_code == 200


# --- the command ---------------------------------------------------------------------------


def test_command_imports_and_reports_in_german(kassel, provider_org_a, tmp_path, capsys):
    path = tmp_path / "massnahmen.csv"
    path.write_bytes(csv_file([row(), row("AQB26-KS-M1-07", Ende="01.01.2026")]))
    call_command("import_measures", str(path), "--dry-run")
    out = capsys.readouterr().out
    assert "1 neu" in out and "1 nicht übernommen" in out and "würden" in out
    assert "Zeile 3 (AQB26-KS-M1-07)" in out and "liegt vor dem Beginn" in out
    assert not Measure.objects.exists()
    call_command("import_measures", str(path))
    assert Measure.objects.filter(number="AQB26-KS-M1-05").exists()


def test_command_exits_with_2_for_an_unusable_file(db, tmp_path, capsys):
    path = tmp_path / "kaputt.xlsx"
    path.write_bytes(b"PK\x03\x04 broken")
    with pytest.raises(SystemExit) as exit_info:
        call_command("import_measures", str(path))
    assert exit_info.value.code == 2
    assert "beschädigt" in capsys.readouterr().err


# --- the admin page -------------------------------------------------------------------------


def test_admin_pages_are_404_for_grant_recipients_and_providers(client, ze_kassel, provider_a, kassel):
    data = csv_file([row(Träger="Böser Träger")])
    for user in (ze_kassel, provider_a):
        client.force_login(user)
        assert client.get(reverse("aqb_measure_import:upload")).status_code == 404
        upload = io.BytesIO(data)
        upload.name = "m.csv"
        assert client.post(reverse("aqb_measure_import:upload"), {"file": upload}).status_code == 404
        assert client.post(reverse("aqb_measure_import:take"), {"token": "x"}).status_code == 404
    assert not Measure.objects.exists() and not Provider.objects.filter(name="Böser Träger").exists()


def test_upload_preview_take_flow(client, rp_editor, kassel, provider_org_a):
    client.force_login(rp_editor)
    page = client.get(reverse("aqb_measure_import:upload"))
    assert page.status_code == 200 and "Maßnahmen importieren" in page.content.decode()
    upload = io.BytesIO(xlsx_file([row(), row("AQB26-KS-M1-06", Zuwendungsempfänger="ZZ")]))
    upload.name = "rp-datenbestand.xlsx"
    preview = client.post(reverse("aqb_measure_import:upload"), {"file": upload})
    html = preview.content.decode()
    assert preview.status_code == 200
    assert 'data-action="create"' in html and 'data-action="rejected"' in html
    assert "„ZZ“ ist im Portal nicht angelegt" in html
    assert not Measure.objects.exists()  # the preview saves nothing
    token = preview.context["token"]
    result = client.post(reverse("aqb_measure_import:take"), {"token": token, "file_name": "rp-datenbestand.xlsx"})
    assert result.status_code == 200
    assert result.context["counts"]["create"] == 1 and result.context["counts"]["rejected"] == 1
    assert list(Measure.objects.values_list("number", flat=True)) == ["AQB26-KS-M1-05"]
    # A forged token is refused, nothing is read.
    refused = client.post(reverse("aqb_measure_import:take"), {"token": token[:-3] + "abc"})
    assert "abgelaufen oder ungültig" in refused.content.decode()


def test_upload_of_an_unusable_file_shows_the_reason(client, rp_editor):
    client.force_login(rp_editor)
    upload = io.BytesIO(b"Titel;Ende\nX;Y\n")
    upload.name = "m.csv"
    page = client.post(reverse("aqb_measure_import:upload"), {"file": upload}).content.decode()
    assert "fehlen die Spalten" in page


def test_menu_item_is_shown_to_the_rp_only(client, rp_editor, ze_kassel):
    url = reverse("aqb_measure_import:upload")
    client.force_login(rp_editor)
    assert url in client.get("/admin/").content.decode()
    client.force_login(ze_kassel)
    assert url not in client.get("/admin/").content.decode()


# --- interim dates in the RP's measure form ------------------------------------------------


def test_rp_maintains_interim_dates_in_the_measure_form(client, rp_editor, measure_a):
    InterimDueDate.objects.create(measure=measure_a, due_date=datetime.date(2026, 3, 31))
    edit_url = reverse("aqb_measure_master:edit", args=[measure_a.pk])
    client.force_login(rp_editor)
    form = client.get(edit_url).context["form"]
    assert form.initial["interim_due_dates_text"] == "31.03.2026"
    data = {key: value for key, value in form.initial.items() if value is not None}
    data.update(start_date="01.01.2026", end_date="31.12.2026", interim_due_dates_text="30.06.2026, 30.09.2026")
    assert client.post(edit_url, data).status_code == 302
    assert list(measure_a.interim_due_dates.values_list("due_date", flat=True)) == [
        datetime.date(2026, 6, 30), datetime.date(2026, 9, 30)]
    data["interim_due_dates_text"] = "30.02.2026"
    response = client.post(edit_url, data)
    assert response.status_code == 200 and "ist kein Datum" in response.content.decode()
    assert measure_a.interim_due_dates.count() == 2
