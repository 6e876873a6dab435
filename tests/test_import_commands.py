"""`manage.py import_participants` and `manage.py import_measures` report alike: one summary line
(`imports.results.command_summary`) and one line per refused or changed row (`row_line`)."""

import datetime

import pytest
from django.core.management import call_command

from aqb_monitoring.imports.results import command_summary, row_line, taken_sentence
from aqb_monitoring.models import Measure, Participant

from .excel_files import workbook_bytes, yellow_row
from .test_measure_write_paths import csv_content, state_of

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("dry_run", "verb"), [(True, "würden"), (False, "wurden")])
def test_the_summary_line_counts_every_action_and_says_whether_it_was_stored(dry_run, verb):
    counts = {"create": 3, "update": 1, "unchanged": 0, "rejected": 2}
    assert command_summary(counts, dry_run=dry_run) == (
        f"3 neu, 1 geändert, 0 unverändert, 2 nicht übernommen ({verb} so importiert).")
    assert command_summary(counts, dry_run=dry_run, prefix="AQB26-KS-M1-01").startswith("AQB26-KS-M1-01: 3 neu,")


def test_a_row_line_names_the_row_and_its_key_or_a_dash():
    assert row_line(4, "TN-1", "Geburtsjahr: zu alt") == "Zeile 4 (TN-1): Geburtsjahr: zu alt"
    assert row_line(5, "", "leer") == "Zeile 5 (–): leer"


@pytest.mark.parametrize(("counts", "sentence"), [
    ({"update": 1, "rejected": 1}, "2 Maßnahmen angelegt, 1 geändert, 1 Zeile nicht übernommen."),
    ({"update": 0, "rejected": 3}, "2 Maßnahmen angelegt, 0 geändert, 3 Zeilen nicht übernommen."),
    ({}, "2 Maßnahmen angelegt, 0 geändert, 0 Zeilen nicht übernommen."),
])
def test_the_taken_sentence_counts_changes_and_left_out_rows(counts, sentence):
    assert taken_sentence("2 Maßnahmen angelegt,", counts) == sentence


@pytest.mark.parametrize("dry_run", [True, False])
def test_the_participant_command_reports_with_the_shared_lines(dry_run, tmp_path, capsys, measure_a):
    path = tmp_path / "teilnehmende.xlsx"
    path.write_bytes(workbook_bytes([yellow_row(measure_a, "TN-1"), yellow_row(measure_a, "TN-2", Geburtsjahr=1800)]))
    call_command("import_participants", measure_a.number, str(path), *(["--dry-run"] if dry_run else []))
    lines = capsys.readouterr().out.splitlines()
    verb = "würden" if dry_run else "wurden"
    assert lines[0] == f"{measure_a.number}: 1 neu, 0 geändert, 0 unverändert, 1 nicht übernommen ({verb} so importiert)."
    assert lines[1].startswith("Zeile 3 (TN-2): Geburtsjahr: ")
    assert Participant.objects.filter(measure=measure_a).count() == (0 if dry_run else 1)


@pytest.mark.parametrize("dry_run", [True, False])
def test_the_measure_command_reports_with_the_shared_lines(dry_run, tmp_path, capsys, measure_a):
    path = tmp_path / "massnahmen.csv"
    path.write_bytes(csv_content(state_of(measure_a, title="Neuer Titel", end_date=datetime.date(2026, 12, 30))))
    call_command("import_measures", str(path), *(["--dry-run"] if dry_run else []))
    lines = capsys.readouterr().out.splitlines()
    verb = "würden" if dry_run else "wurden"
    assert lines[0] == f"0 neu, 1 geändert, 0 unverändert, 0 nicht übernommen ({verb} so importiert)."
    assert lines[1].startswith(f"Zeile 2 ({measure_a.number}): geändert: ")
    assert "Neuer Titel" in lines[1]
    assert (Measure.objects.get(pk=measure_a.pk).title == "Neuer Titel") is not dry_run
