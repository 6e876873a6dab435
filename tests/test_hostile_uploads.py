"""Hostile workbooks through every entry point that reads an upload (issue 9): the admin's Excel
import (read in the request, and by the task worker), `manage.py import_participants`, the RP's
measure import page and `manage.py import_measures`.

Each answers with a German message or a normal preview; the reading happens in a child process
whose peak memory stays under the configured limit; this (serving) process lives on; no job is
left running; nothing is written.
"""

import os
import sys

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from aqb_monitoring.excel.importer import read_rows
from aqb_monitoring.imports import reader
from aqb_monitoring.imports.cells import ImportFileError
from aqb_monitoring.models import Answer, AuditEntry, ImportJob, ImportJobStatus, Measure, Participant

from . import hostile_files
from .excel_files import workbook_bytes, yellow_row

CORPUS = sorted(hostile_files.CORPUS)


@pytest.fixture
def child_runs(monkeypatch):
    """Every reading process started, with its table (peak memory and CPU time of the child)."""
    runs = []
    original = reader._run_child

    def spy(spec, timeout, progress):
        outcome, table = original(spec, timeout, progress)
        runs.append((outcome, table))
        return outcome, table

    monkeypatch.setattr(reader, "_run_child", spy)
    return runs


def written():
    return (Participant.objects.count(), Answer.objects.count(), AuditEntry.objects.count(),
            list(Measure.objects.order_by("pk").values_list("pk", "title", "end_date")))


def assert_survived(runs, settings, before):
    """The reading ran elsewhere, under its limit; this process is alive; nothing was written; no job still reads."""
    assert runs, "the file was not read by a child process"
    for _outcome, table in runs:
        assert table.peak_bytes <= settings.AQB_IMPORT_READER_MEMORY_MB * 1024 * 1024
    os.kill(os.getpid(), 0)  # the serving process is still here
    assert written() == before
    assert not ImportJob.objects.filter(status__in=[ImportJobStatus.QUEUED, ImportJobStatus.RUNNING]).exists()


def assert_answer(text, expected):
    if expected is not None:
        assert expected in text, text


@pytest.mark.parametrize("name", CORPUS)
@pytest.mark.parametrize("path", ["request", "task worker"])
def test_hostile_workbook_through_the_admin_upload(name, path, client, ze_kassel, measure_a, settings, child_runs,
                                                   django_capture_on_commit_callbacks):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    if path == "task worker":
        settings.AQB_IMPORT_INLINE_ROWS = 0
    build, expected = hostile_files.CORPUS[name]
    content = build(measure_a)
    before = written()
    client.force_login(ze_kassel)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("aqb_excel:measure_import", args=[measure_a.pk]),
                               {"file": SimpleUploadedFile("teilnehmende.xlsx", content)})
    assert response.status_code == 302
    job = ImportJob.objects.get()
    page = client.get(response.url)
    assert page.status_code == 200
    if expected is None:
        assert job.status == ImportJobStatus.PREVIEW, job.error
    else:
        assert job.status == ImportJobStatus.FAILED
        assert_answer(job.error, expected)
        assert expected in page.content.decode()
        assert "Erneut starten" not in page.content.decode()  # the same file would be refused again
    assert_survived(child_runs, settings, before)


@pytest.mark.parametrize("name", CORPUS)
def test_hostile_workbook_through_the_participant_command(name, measure_a, tmp_path, capsys, settings, child_runs):
    build, expected = hostile_files.CORPUS[name]
    path = tmp_path / "teilnehmende.xlsx"
    path.write_bytes(build(measure_a))
    before = written()
    if expected is None:
        call_command("import_participants", measure_a.number, str(path), "--dry-run")
        assert "nicht übernommen" in capsys.readouterr().out
    else:
        with pytest.raises(SystemExit) as exit_info:
            call_command("import_participants", measure_a.number, str(path), "--dry-run")
        assert exit_info.value.code == 2
        assert_answer(capsys.readouterr().err, expected)
    assert_survived(child_runs, settings, before)


@pytest.mark.parametrize("name", CORPUS)
def test_hostile_workbook_through_the_measure_import_page(name, client, rp_editor, measure_a, settings, child_runs,
                                                         django_capture_on_commit_callbacks):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    build, expected = hostile_files.CORPUS[name]
    before = written()
    client.force_login(rp_editor)
    with django_capture_on_commit_callbacks(execute=True):  # a file of many rows goes to the task worker
        response = client.post(reverse("aqb_measure_import:upload"),
                               {"file": SimpleUploadedFile("rp-datenbestand.xlsx", build(measure_a))})
    response = client.get(response.url)
    assert response.status_code == 200
    # The upload is an import job: the file (a participant sheet, or hostile) ends it as failed, the reason on its page.
    assert ImportJob.objects.get().status == ImportJobStatus.FAILED
    text = response.content.decode()
    # A participant sheet is no measure file: a clean file is refused for its header, a hostile one before that.
    assert "Kopfzeile fehlen" in text or (expected and expected in text) or "Zeichen" in text, text[-3000:]
    assert_answer(text, expected)
    assert_survived(child_runs, settings, before)


@pytest.mark.parametrize("name", CORPUS)
def test_hostile_workbook_through_the_measure_command(name, measure_a, tmp_path, capsys, settings, child_runs):
    build, expected = hostile_files.CORPUS[name]
    path = tmp_path / "massnahmen.xlsx"
    path.write_bytes(build(measure_a))
    before = written()
    with pytest.raises(SystemExit) as exit_info:
        call_command("import_measures", str(path), "--dry-run")
    assert exit_info.value.code == 2
    assert_answer(capsys.readouterr().err, expected)
    assert_survived(child_runs, settings, before)


# ---------------------------------------------------------------------------
# What the clean-looking hostile files give row by row
# ---------------------------------------------------------------------------


def test_control_characters_are_refused_per_cell_naming_the_column(measure_a):
    from aqb_monitoring.excel.importer import validate_rows

    preview = validate_rows(read_rows(hostile_files.nul_and_control_characters(measure_a)), measure_a)
    by_row = {row.number: row for row in preview.rows}
    assert by_row[2].action == "create"
    assert by_row[3].action == "rejected" and "Steuerzeichen" in by_row[3].errors["pseudonym"][0]
    assert by_row[4].action == "rejected" and "Steuerzeichen" in by_row[4].errors["gender"][0]
    assert "\x00" not in str(by_row[3].as_dict()) and "\x01" not in str(by_row[4].as_dict())


def test_a_preview_with_control_characters_is_stored_and_taken_on_every_database(client, ze_kassel, measure_a):
    client.force_login(ze_kassel)
    response = client.post(reverse("aqb_excel:measure_import", args=[measure_a.pk]), {
        "file": SimpleUploadedFile("t.xlsx", hostile_files.nul_and_control_characters(measure_a))})
    job = ImportJob.objects.get()
    assert job.status == ImportJobStatus.PREVIEW
    assert "Steuerzeichen" in client.get(response.url).content.decode()
    client.post(reverse("aqb_excel:job_take", args=[job.pk]))
    assert list(Participant.objects.values_list("pseudonym", flat=True)) == ["TN-000"]


def test_a_text_longer_than_excel_allows_is_refused_in_its_row(measure_a):
    from aqb_monitoring.excel.importer import validate_rows

    preview = validate_rows(read_rows(hostile_files.very_long_string(measure_a)), measure_a)
    assert [row.action for row in preview.rows] == ["create", "rejected"]
    assert "länger als 32.767 Zeichen" in preview.rows[1].errors["pseudonym"][0]
    assert len(preview.rows[1].as_dict()["cells"][1]) < 300  # the preview keeps a short excerpt only


def test_formulas_without_stored_values_are_named_in_each_row(measure_a):
    from aqb_monitoring.excel.importer import validate_rows

    preview = validate_rows(read_rows(hostile_files.formulas_everywhere(measure_a)), measure_a)
    formula_rows = [row for row in preview.rows if row.number > 2]
    assert len(formula_rows) == 200
    assert all("Formel ohne gespeicherten Wert" in " ".join(sum(row.errors.values(), [])) for row in formula_rows)


def test_merged_cells_are_filled_from_their_first_cell_below_the_header(measure_a):
    from aqb_monitoring.excel.layout import Layout
    from aqb_monitoring.imports.sheets import column_letters

    layout = Layout()
    letter = column_letters(layout.headers.index("Geschlecht"))

    def merge(ws):
        ws.merge_cells(f"{letter}2:{letter}3")  # Geschlecht of the first row also for the second

    rows = [yellow_row(measure_a, "TN-1"), yellow_row(measure_a, "TN-2", Geschlecht=None)]
    read = read_rows(workbook_bytes(rows, headers=layout.headers, before=merge), layout)
    gender = [column.key for column in layout.columns].index("gender")
    assert [row.cells[gender] for row in read.rows] == ["weiblich", "weiblich"]


def test_the_reader_process_is_what_dies_when_calamine_is_given_a_giant_sheet(measure_a, settings):
    """Without the pre-check (limits opened up to Excel's own), python-calamine tries to allocate half a
    terabyte for the far-away cell: the child process hits its memory limit and this process answers in German."""
    settings.AQB_IMPORT_READER_MEMORY_MB = 512
    with pytest.raises(reader.ReadError) as error:
        reader.read_workbook(hostile_files.far_away_cell(measure_a), max_rows=1_048_576, max_columns=16_384,
                             prefer=["Teilnehmende"], max_file_bytes=100 * 1024 * 1024, no_sheet_message="-")
    assert "Die Datei ist zu groß oder beschädigt" in error.value.message
    assert "512 MB" in error.value.message


def test_a_reader_that_takes_too_long_is_stopped(measure_a, settings, monkeypatch):
    monkeypatch.setattr(reader, "CHILD", "import time; time.sleep(30)")
    settings.AQB_IMPORT_READER_TIMEOUT_SECONDS = 1
    with pytest.raises(ImportFileError) as error:
        read_rows(workbook_bytes([yellow_row(measure_a)]))
    assert "Sekunden überschritten" in error.value.message


def test_the_reader_process_imports_no_django(measure_a):
    """The child is small and starts fast: it reads the file and nothing of the portal."""
    import subprocess

    code = ("import sys; sys.path.insert(0, sys.argv[1]); import aqb_monitoring.imports.sheets; "
            "print('django' in sys.modules)")
    output = subprocess.run([sys.executable, "-I", "-c", code, reader.PROJECT_ROOT], capture_output=True, text=True)
    assert output.stdout.strip() == "False"


# ---------------------------------------------------------------------------
# Linear cost (absolute figures: bench/bench_import_sizes.py)
# ---------------------------------------------------------------------------


def _reader_cpu(content, runs):
    """CPU seconds of the reading process, best of three (CPU time: other load on the machine hardly moves it)."""
    costs = []
    for _ in range(3):
        runs.clear()
        read_rows(content)
        costs.append(runs[-1][1].cpu_seconds)
    return min(costs)


@pytest.mark.parametrize("builder", ["formulas_everywhere", "many_merged_ranges"])
def test_ten_times_the_rows_cost_at_most_twelve_times_the_reading(builder, measure_a, child_runs):
    build = hostile_files.CORPUS[builder][0]
    if builder == "formulas_everywhere":
        small, large = build(measure_a, rows=1_000), build(measure_a, rows=10_000)
    else:
        small = workbook_bytes([yellow_row(measure_a, f"TN-{n}") for n in range(300)])
        large = workbook_bytes([yellow_row(measure_a, f"TN-{n}") for n in range(3_000)])
        small = hostile_files._sheet(small, lambda xml: hostile_files._add_merges(xml, [f"BA{n}:BB{n + 2000}" for n in range(2, 302)]))
        large = hostile_files._sheet(large, lambda xml: hostile_files._add_merges(xml, [f"BA{n}:BB{n + 2000}" for n in range(2, 3002)]))
    once = _reader_cpu(small, child_runs)
    again = _reader_cpu(small, child_runs)
    tenfold = _reader_cpu(large, child_runs)
    assert again <= once * 1.5 + 0.05  # the same file costs the same
    assert tenfold <= once * 12
