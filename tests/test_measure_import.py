"""The RP's import of measures and providers (measure_import.py, manage.py import_measures, admin page)."""

import datetime
import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook

from aqb_monitoring import measure_import
from aqb_monitoring.excel import housekeeping, jobs, tasks
from aqb_monitoring.imports.cells import ImportFileError
from aqb_monitoring.measure_import import check_measure_import, do_measure_import, read_measure_file
from aqb_monitoring.models import (
    AuditEntry,
    ImportJob,
    ImportJobKind,
    ImportJobStatus,
    InterimDueDate,
    Measure,
    Provider,
)

from .conftest import make_measure, make_participant, make_user

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


def upload_file(client, content, name="rp-datenbestand.xlsx", **kwargs):
    """The RP's upload through the admin page; the import job it created."""
    response = client.post(reverse("aqb_measure_import:upload"), {"file": SimpleUploadedFile(name, content)}, **kwargs)
    return response, ImportJob.objects.filter(kind=ImportJobKind.MEASURES).order_by("pk").last()


def job_url(name, job):
    return reverse(f"aqb_measure_import:{name}", args=[job.pk])


def test_admin_pages_are_404_for_grant_recipients_and_providers(client, ze_kassel, provider_a, rp_editor, kassel):
    client.force_login(rp_editor)
    _response, job = upload_file(client, csv_file([row(Träger="Böser Träger")]), "m.csv")
    assert job.status == ImportJobStatus.PREVIEW
    for user in (ze_kassel, provider_a):
        client.force_login(user)
        assert client.get(reverse("aqb_measure_import:upload")).status_code == 404
        response, _job = upload_file(client, csv_file([row(Träger="Böser Träger")]), "m.csv")
        assert response.status_code == 404
        for name in ("job", "take", "discard", "restart"):
            assert client.get(job_url(name, job)).status_code == 404, name
            assert client.post(job_url(name, job)).status_code == 404, name
    assert not Measure.objects.exists() and not Provider.objects.filter(name="Böser Träger").exists()
    job.refresh_from_db()
    assert job.status == ImportJobStatus.PREVIEW and job.file  # neither taken nor discarded by them
    assert ImportJob.objects.count() == 1


def test_another_rp_user_does_not_see_the_job(client, rp_editor, kassel, provider_org_a):
    client.force_login(rp_editor)
    _response, job = upload_file(client, xlsx_file([row()]))
    colleague = make_user("rp2@example.org", rp_editor.organisation)
    client.force_login(colleague)
    assert client.get(job_url("job", job)).status_code == 404
    assert client.post(job_url("take", job)).status_code == 404
    assert not Measure.objects.exists()


def test_upload_preview_reload_take_once(client, rp_editor, kassel, provider_org_a, monkeypatch):
    client.force_login(rp_editor)
    page = client.get(reverse("aqb_measure_import:upload"))
    assert page.status_code == 200 and "Maßnahmen importieren" in page.content.decode()
    response, job = upload_file(client, xlsx_file([row(), row("AQB26-KS-M1-06", Zuwendungsempfänger="ZZ")]))
    assert response.status_code == 302 and response.url == job_url("job", job)
    assert job.status == ImportJobStatus.PREVIEW and job.user == rp_editor and job.measure is None
    preview = client.get(response.url)
    html = preview.content.decode()
    assert 'data-action="create"' in html and 'data-action="rejected"' in html
    assert "„ZZ“ ist im Portal nicht angelegt" in html
    assert "Vorschau: 1 Zeile neu, 0 Zeilen geändert, 0 Zeilen unverändert, 1 Zeile wird nicht übernommen." in html
    assert not Measure.objects.exists()  # the preview saves nothing
    # A reload shows the stored preview: the file is not read again.
    monkeypatch.setattr(measure_import, "read_measure_file", lambda *a, **k: pytest.fail("the file is read again"))
    reloaded = client.get(response.url)
    assert reloaded.context["rows"] == preview.context["rows"] and "„ZZ“ ist im Portal nicht angelegt" in reloaded.content.decode()
    assert client.get(response.url + "?zeilen=rejected").context["rows"][0]["number"] == "AQB26-KS-M1-06"
    monkeypatch.undo()
    stored = Path(job.file.path)
    taken = client.post(job_url("take", job), follow=True)
    result = taken.content.decode()
    assert 'data-count="created">1<' in result and 'data-count="left_out">1<' in result
    assert "1 Maßnahme angelegt" in result
    assert list(Measure.objects.values_list("number", flat=True)) == ["AQB26-KS-M1-05"]
    job.refresh_from_db()
    assert job.status == ImportJobStatus.DONE and not job.file and not stored.exists() and job.preview == {}
    # A second take (another tab, a double click) is refused and writes nothing.
    again = client.post(job_url("take", job), follow=True).content.decode()
    assert "„Übernehmen“ ist nicht möglich: Der Import wurde bereits übernommen." in again
    assert Measure.objects.count() == 1
    assert AuditEntry.objects.filter(measure__number="AQB26-KS-M1-05").count() == 1


def test_a_take_runs_once_even_from_two_tabs(client, rp_editor, kassel, provider_org_a, monkeypatch):
    client.force_login(rp_editor)
    _response, job = upload_file(client, csv_file([row()]), "m.csv")
    real = measure_import.do_measure_import
    seen = {}

    def take_meanwhile(*args, **kwargs):
        with pytest.raises(jobs.ImportJobRefused) as refused:
            jobs.take(ImportJob.objects.get(pk=job.pk), rp_editor)
        seen["second"] = refused.value.message
        return real(*args, **kwargs)

    monkeypatch.setattr(measure_import, "do_measure_import", take_meanwhile)
    client.post(job_url("take", job))
    assert seen["second"] == ("„Übernehmen“ ist nicht möglich: Der Import wird gerade übernommen; bitte warten Sie "
                              "auf das Ergebnis.")
    assert Measure.objects.count() == 1 and ImportJob.objects.get(pk=job.pk).status == ImportJobStatus.DONE


def test_discard_drops_the_file_and_nothing_is_taken(client, rp_editor, kassel, provider_org_a):
    client.force_login(rp_editor)
    _response, job = upload_file(client, csv_file([row()]), "m.csv")
    stored = Path(job.file.path)
    response = client.post(job_url("discard", job))
    assert response.status_code == 302 and response.url == reverse("aqb_measure_import:upload")
    job.refresh_from_db()
    assert job.status == ImportJobStatus.DISCARDED and not job.file and not stored.exists() and job.preview == {}
    page = client.get(job_url("job", job)).content.decode()
    assert "Dieser Import wurde verworfen" in page
    refused = client.post(job_url("take", job), follow=True).content.decode()
    assert "„Übernehmen“ ist nicht möglich: Der Import wurde verworfen." in refused
    assert not Measure.objects.exists()


def test_a_large_file_is_read_by_the_worker_and_the_rp_sees_its_progress(client, rp_editor, kassel, provider_org_a,
                                                                          settings):
    settings.AQB_IMPORT_INLINE_ROWS = 0
    client.force_login(rp_editor)
    _response, job = upload_file(client, xlsx_file([row(), row("AQB26-KS-M1-06")]))
    assert job.status == ImportJobStatus.QUEUED  # nothing read inside the request
    page = client.get(job_url("job", job))
    assert "Die Datei wird gelesen" in page.content.decode() and 'http-equiv="refresh"' in page.content.decode()
    tasks.build_preview.call(job.pk)
    job.refresh_from_db()
    assert job.status == ImportJobStatus.PREVIEW and job.preview["counts"]["create"] == 2
    assert 'data-action="create"' in client.get(job_url("job", job)).content.decode()
    assert not Measure.objects.exists()


def test_a_large_csv_is_read_by_the_worker_too(client, rp_editor, kassel, provider_org_a, settings):
    settings.AQB_IMPORT_INLINE_ROWS = 1
    client.force_login(rp_editor)
    _response, job = upload_file(client, csv_file([row(), row("AQB26-KS-M1-06")]), "m.csv")
    assert job.status == ImportJobStatus.QUEUED
    tasks.build_preview.call(job.pk)
    job.refresh_from_db()
    assert job.status == ImportJobStatus.PREVIEW and job.preview["counts"]["create"] == 2


def test_a_read_cut_off_is_failed_on_its_page_and_can_be_started_again(client, rp_editor, kassel, provider_org_a,
                                                                        settings):
    settings.AQB_IMPORT_INLINE_ROWS = 0
    settings.AQB_IMPORT_STALE_AFTER = datetime.timedelta(minutes=10)
    client.force_login(rp_editor)
    _response, job = upload_file(client, csv_file([row()]), "m.csv")
    long_ago = timezone.now() - datetime.timedelta(minutes=11)
    ImportJob.objects.filter(pk=job.pk).update(status="running", heartbeat_at=long_ago, updated_at=long_ago)
    page = client.get(job_url("job", job)).content.decode()
    assert "Das Lesen der Datei wurde unterbrochen" in page and "Erneut starten" in page
    settings.AQB_IMPORT_INLINE_ROWS = 2000
    client.post(job_url("restart", job))
    job.refresh_from_db()
    assert job.status == ImportJobStatus.PREVIEW and job.preview["counts"]["create"] == 1
    assert not Measure.objects.exists()


def test_upload_of_an_unusable_file_fails_the_job_with_the_reason(client, rp_editor):
    client.force_login(rp_editor)
    response, job = upload_file(client, b"Titel;Ende\nX;Y\n", "m.csv", follow=True)
    assert job.status == ImportJobStatus.FAILED and "fehlen die Spalten" in job.error
    page = response.content.decode()
    assert "Die Datei kann nicht importiert werden." in page and "fehlen die Spalten" in page
    assert "Erneut starten" not in page  # the same file would be refused again


def test_a_hostile_workbook_fails_the_job_with_the_german_reason(client, rp_editor, measure_a):
    from . import hostile_files

    build, expected = hostile_files.CORPUS["entity_expansion"]
    client.force_login(rp_editor)
    response, job = upload_file(client, build(measure_a), follow=True)
    assert job.status == ImportJobStatus.FAILED and job.get_status_display() == "nicht lesbar"
    assert expected in job.error and expected in response.content.decode()


def test_purge_deletes_a_measure_import_after_the_retention(client, rp_editor, kassel, provider_org_a, settings):
    settings.AQB_IMPORT_RETENTION_HOURS = 24
    client.force_login(rp_editor)
    _response, forgotten = upload_file(client, csv_file([row()]), "m.csv")
    _response, fresh = upload_file(client, csv_file([row("AQB26-KS-M1-06")]), "n.csv")
    stored = Path(forgotten.file.path)
    now = timezone.now()
    ImportJob.objects.filter(pk=forgotten.pk).update(created_at=now - datetime.timedelta(hours=25))
    ImportJob.objects.filter(pk=fresh.pk).update(created_at=now - datetime.timedelta(hours=23))
    report = housekeeping.purge(now=now)
    assert report.expired == [f"Maßnahmen-Import {forgotten.pk} (Vorschau)"]
    assert not ImportJob.objects.filter(pk=forgotten.pk).exists() and not stored.exists()
    assert ImportJob.objects.filter(pk=fresh.pk).exists() and Path(fresh.file.path).exists()


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
