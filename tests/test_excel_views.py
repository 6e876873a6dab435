"""Admin views of the Excel export, import and carry-over, seen from both tenants' sides."""

import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from aqb_monitoring.models import AuditEntry, EducationLevel, Gender, ImportJob, Participant

from .conftest import make_measure, make_participant
from .excel_files import green_row, red_row, workbook_bytes, yellow_row

pytestmark = pytest.mark.django_db


def form_data(response):
    """What the correction form posts back unchanged (ja/nein as True/False, catalogue entries by id)."""
    return {field.name: "" if field.value() is None else field.value() for field in response.context["form"]}


def upload(client, measure, content, name="teilnehmende.xlsx"):
    return client.post(reverse("aqb_excel:measure_import", args=[measure.pk]),
                       {"file": SimpleUploadedFile(name, content)})


def test_provider_exports_own_measure(client, provider_a, measure_a):
    make_participant(measure_a, "TN-1")
    client.force_login(provider_a)
    response = client.get(reverse("aqb_excel:measure_export", args=[measure_a.pk]))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content))["Teilnehmende"]
    assert sheet.cell(row=2, column=2).value == "TN-1"


def test_provider_cannot_export_or_import_another_organisations_measure(client, provider_a, measure_b):
    client.force_login(provider_a)
    assert client.get(reverse("aqb_excel:measure_export", args=[measure_b.pk])).status_code == 404
    assert client.get(reverse("aqb_excel:measure_import", args=[measure_b.pk])).status_code == 404
    assert upload(client, measure_b, workbook_bytes([yellow_row(measure_b)])).status_code == 404
    assert not ImportJob.objects.exists() and not Participant.objects.exists()


def test_provider_cannot_import_rows_into_another_measure_by_naming_its_number(client, provider_a, measure_a, measure_b):
    client.force_login(provider_a)
    content = workbook_bytes([yellow_row(measure_a, "X-1", **{"Maßnahmennummer": measure_b.number})])
    response = upload(client, measure_a, content)
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert job.preview["counts"]["rejected"] == 1
    client.post(reverse("aqb_excel:job_take", args=[job.pk]))
    assert not Participant.objects.exists()


def test_other_tenant_cannot_open_someone_elses_import(client, provider_a, provider_b, measure_a):
    client.force_login(provider_a)
    upload(client, measure_a, workbook_bytes([yellow_row(measure_a)]))
    job = ImportJob.objects.get()
    client.force_login(provider_b)
    for name in ("job", "job_left_out"):
        assert client.get(reverse(f"aqb_excel:{name}", args=[job.pk])).status_code == 404
    assert client.get(reverse("aqb_excel:job_row", args=[job.pk, 2])).status_code == 404
    assert client.post(reverse("aqb_excel:job_take", args=[job.pk])).status_code == 404
    assert not Participant.objects.exists()


def test_the_preview_shows_problems_first_and_counts_in_german_plurals(client, ze_kassel, measure_a):
    make_participant(measure_a, "U-1", gender=None)
    client.force_login(ze_kassel)
    content = workbook_bytes([yellow_row(measure_a, "Y-1"), yellow_row(measure_a, "U-1"), red_row(measure_a, "R-1")])
    page = client.get(upload(client, measure_a, content).url).content.decode()
    assert "Vorschau: 1 Zeile neu, 1 Zeile geändert, 0 Zeilen unverändert, 1 Zeile wird nicht übernommen." in page
    positions = [page.index(f">{pseudonym}<") for pseudonym in ("R-1", "U-1", "Y-1")]
    assert positions == sorted(positions)  # not taken, changed, new: the file order was Y-1, U-1, R-1


def test_upload_preview_correct_take_and_left_out_rows(client, ze_kassel, measure_a):
    make_participant(measure_a, "U-1", gender=None)
    client.force_login(ze_kassel)
    content = workbook_bytes([
        yellow_row(measure_a, "Y-1"), green_row(measure_a, "G-1"), red_row(measure_a, "R-1"),
        yellow_row(measure_a, "U-1"), yellow_row(measure_a, "X 1"),
    ])
    response = upload(client, measure_a, content)
    job = ImportJob.objects.get()
    page = client.get(response.url).content.decode()
    assert "Vorschau: 2 Zeilen neu, 1 Zeile geändert, 0 Zeilen unverändert, 2 Zeilen werden nicht übernommen." in page
    assert "Pflichtangabe bei Eintritt" in page and "nur Buchstaben" in page
    assert "<del>(leer)</del> → <ins>weiblich</ins>" in page
    assert not Participant.objects.filter(pseudonym__in=["Y-1", "G-1"]).exists()  # the preview wrote nothing
    form = client.get(reverse("aqb_excel:job_row", args=[job.pk, 4]))
    assert form.status_code == 200
    data = form_data(form)
    data.update({"gender": Gender.objects.get(label="männlich").pk,
                 "education_level": EducationLevel.objects.get(label="Hauptschulabschluss").pk})
    client.post(reverse("aqb_excel:job_row", args=[job.pk, 4]), data)
    job.refresh_from_db()
    assert job.preview["counts"] == {"create": 3, "update": 1, "unchanged": 0, "rejected": 1}
    client.post(reverse("aqb_excel:job_take", args=[job.pk]))
    assert set(Participant.objects.values_list("pseudonym", flat=True)) == {"Y-1", "G-1", "R-1", "U-1"}
    result = client.get(reverse("aqb_excel:job", args=[job.pk])).content.decode()
    assert 'data-count="created">3<' in result and 'data-count="left_out">1<' in result
    left_out = load_workbook(io.BytesIO(client.get(reverse("aqb_excel:job_left_out", args=[job.pk])).content))
    sheet = left_out["Teilnehmende"]
    assert sheet.cell(row=2, column=2).value == "X 1"
    assert "Teilnehmenden-ID" in sheet.cell(row=2, column=sheet.max_column).value
    job.refresh_from_db()
    assert not job.file  # the upload is deleted once taken


def test_a_correction_checks_only_its_row_and_the_rows_sharing_its_id(client, ze_kassel, measure_a, monkeypatch):
    from aqb_monitoring.excel import importer

    client.force_login(ze_kassel)
    rows = [yellow_row(measure_a, f"TN-{n}") for n in range(6)]
    rows[1]["Teilnehmenden-ID"] = rows[3]["Teilnehmenden-ID"] = "DOPPELT"
    upload(client, measure_a, workbook_bytes(rows))
    job = ImportJob.objects.get()
    assert job.preview["counts"]["rejected"] == 2
    checked = []
    original = importer._validate_row
    monkeypatch.setattr(importer, "_validate_row", lambda row, *args: checked.append(row.number) or original(row, *args))
    monkeypatch.setattr(importer, "read_rows", lambda *a, **k: pytest.fail("the file is not read again"))
    form = client.get(reverse("aqb_excel:job_row", args=[job.pk, 3]))
    data = form_data(form)
    data["pseudonym"] = "TN-NEU"
    client.post(reverse("aqb_excel:job_row", args=[job.pk, 3]), data)
    assert sorted(checked) == [3, 5]  # the corrected row and the other row that had its old ID
    job.refresh_from_db()
    assert job.preview["counts"] == {"create": 6, "update": 0, "unchanged": 0, "rejected": 0}
    assert [row["participant_id"] for row in job.preview["rows"]][:3] == ["TN-0", "TN-NEU", "TN-2"]


def test_upload_refuses_other_file_types_and_bad_files_in_german(client, ze_kassel, measure_a):
    client.force_login(ze_kassel)
    response = upload(client, measure_a, b"a;b", name="liste.csv")
    assert "Format .xlsx" in response.content.decode()
    response = upload(client, measure_a, b"kein zip", name="liste.xlsx")
    page = client.get(response.url).content.decode()
    assert "keine Excel-Datei" in page and "Es wurde nichts gespeichert." in page
    assert not Participant.objects.exists()


def test_measure_page_offers_the_excel_buttons(client, ze_kassel, measure_a):
    client.force_login(ze_kassel)
    page = client.get(reverse("aqb_monitoring:measure", args=[measure_a.pk])).content.decode()
    assert "Excel-Datei herunterladen" in page and "Excel-Datei hochladen" in page
    assert "In Folgebudget übernehmen" not in page


def test_rp_exports_a_filtered_set_of_measures(client, rp_editor, measure_a, measure_b):
    make_participant(measure_a, "A-1")
    make_participant(measure_b, "B-1")
    client.force_login(rp_editor)
    response = client.get(reverse("aqb_excel:measures_export"), {"grant_recipient": measure_b.grant_recipient_id, "download": "1"})
    sheet = load_workbook(io.BytesIO(response.content))["Teilnehmende"]
    assert [row[:2] for row in sheet.iter_rows(min_row=2, values_only=True)] == [(measure_b.number, "B-1")]
    response = client.get(reverse("aqb_excel:measures_export"), {"download": "1"})
    sheet = load_workbook(io.BytesIO(response.content))["Teilnehmende"]
    assert sheet.max_row == 3


def test_provider_multi_export_holds_only_own_measures(client, provider_a, measure_a, measure_b):
    make_participant(measure_a, "A-1")
    make_participant(measure_b, "B-1")
    client.force_login(provider_a)
    response = client.get(reverse("aqb_excel:measures_export"), {"download": "1"})
    sheet = load_workbook(io.BytesIO(response.content))["Teilnehmende"]
    assert [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)] == ["A-1"]


def test_carry_over_takes_continuing_participants_once(client, ze_kassel, kassel, provider_org_a, measure_a):
    from aqb_monitoring.models import Destination

    successor = make_measure("AQB27-KS-M1-01", kassel, provider_org_a, budget_year=2027)
    measure_a.successor = successor
    measure_a.save()
    make_participant(measure_a, "C-1", exit_date=measure_a.end_date, destination=Destination.objects.get(is_carry_over=True))
    make_participant(measure_a, "C-2")
    client.force_login(ze_kassel)
    url = reverse("aqb_excel:carry_over", args=[measure_a.pk])
    page = client.get(url).content.decode()
    assert "C-1" in page and "C-2" not in page
    client.post(url)
    client.post(url)
    carried = Participant.objects.get(measure=successor)
    assert carried.pseudonym == "C-1" and carried.entry_date == successor.start_date and carried.exit_date is None
    assert Participant.objects.filter(measure=successor).count() == 1


def test_carry_over_of_a_foreign_measure_is_404(client, provider_b, measure_a, kassel, provider_org_a):
    measure_a.successor = make_measure("AQB27-KS-M1-01", kassel, provider_org_a, budget_year=2027)
    measure_a.save()
    client.force_login(provider_b)
    assert client.get(reverse("aqb_excel:carry_over", args=[measure_a.pk])).status_code == 404
    assert client.post(reverse("aqb_excel:carry_over", args=[measure_a.pk])).status_code == 404


def test_dry_run_writes_no_history_and_sends_no_mail(client, ze_kassel, measure_a, mailoutbox):
    client.force_login(ze_kassel)
    upload(client, measure_a, workbook_bytes([yellow_row(measure_a)]))
    assert not AuditEntry.objects.exists() and not Participant.objects.exists() and mailoutbox == []


def test_import_command_json_shape_and_exit_codes(measure_a, tmp_path, capsys):
    from django.core.management import call_command

    path = tmp_path / "in.xlsx"
    path.write_bytes(workbook_bytes([yellow_row(measure_a, "Y-1"), red_row(measure_a, "R-1"), yellow_row(measure_a, "X 1")]))
    call_command("import_participants", measure_a.number, str(path), "--dry-run", "--json")
    result = json.loads(capsys.readouterr().out)
    assert result["measure"] == measure_a.number
    assert (result["created"], result["updated"], result["unchanged"], result["rejected"]) == (1, 0, 0, 2)
    assert result["rows"][0] == {"row": 2, "participant_id": "Y-1", "action": "create", "status": "yellow", "errors": {}}
    assert result["rows"][1]["status"] == "red" and result["rows"][2]["status"] is None
    assert "Teilnehmenden-ID" in result["rows"][2]["errors"]
    assert not Participant.objects.exists()
    call_command("import_participants", measure_a.number, str(path))
    assert list(Participant.objects.values_list("pseudonym", flat=True)) == ["Y-1"]
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"nope")
    with pytest.raises(SystemExit) as exit_info:
        call_command("import_participants", measure_a.number, str(bad))
    assert exit_info.value.code == 2 and "keine Excel-Datei" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_info:
        call_command("import_participants", "AQB99-XX-M1-01", str(path))
    assert exit_info.value.code == 2


def test_files_with_more_rows_than_read_inline_go_to_the_task_and_show_progress_meanwhile(
        client, ze_kassel, measure_a, settings, django_capture_on_commit_callbacks):
    # Set again through the fixture: its setting_changed signal resets django-tasks' backend cache.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.AQB_IMPORT_INLINE_ROWS = 2
    client.force_login(ze_kassel)
    rows = [yellow_row(measure_a, f"TN-{n}") for n in range(3)]
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = upload(client, measure_a, workbook_bytes(rows))
    job = ImportJob.objects.get()
    assert job.status == "queued"
    page = client.get(response.url).content.decode()
    assert 'http-equiv="refresh"' in page and "Die Datei wird gelesen" in page
    for callback in callbacks:
        callback()  # the task (ImmediateBackend in tests) reads the file
    job.refresh_from_db()
    assert job.status == "preview" and job.preview["counts"]["create"] == 3
    assert not Participant.objects.exists()
