"""imports/results.py: what an import does with each row, counted and worded for the preview (German plurals),
and the stored preview rows as the row table shows them."""

from types import SimpleNamespace

import pytest

from aqb_monitoring.imports.results import (
    ACTION_CREATE,
    ACTION_REJECTED,
    ACTION_UNCHANGED,
    ACTION_UPDATE,
    ROW_KEY,
    count_actions,
    display_rows,
    filtered_rows,
    preview_sentence,
    rows_text,
    taken_count,
)


def counts(create=0, update=0, unchanged=0, rejected=0):
    return {ACTION_CREATE: create, ACTION_UPDATE: update, ACTION_UNCHANGED: unchanged, ACTION_REJECTED: rejected}


def test_actions_are_counted_from_stored_rows_and_from_row_results_alike():
    stored = [{"action": "create"}, {"action": "rejected"}, {"action": "create"}]
    results = [SimpleNamespace(action="update"), SimpleNamespace(action="unchanged")]
    assert count_actions(stored + results) == counts(create=2, update=1, unchanged=1, rejected=1)


def test_no_rows_count_zero_for_every_action():
    assert count_actions([]) == counts()


@pytest.mark.parametrize(("counted", "taken"), [
    (counts(create=2, update=3, unchanged=4, rejected=5), 5),
    (counts(unchanged=4, rejected=5), 0),
    ({ACTION_UPDATE: 1}, 1),
    ({}, 0),
])
def test_only_new_and_changed_rows_are_taken(counted, taken):
    assert taken_count(counted) == taken


@pytest.mark.parametrize(("count", "text"), [(0, "0 Zeilen"), (1, "1 Zeile"), (2, "2 Zeilen"), (1000, "1000 Zeilen")])
def test_rows_are_counted_with_the_german_plural(count, text):
    assert rows_text(count) == text


@pytest.mark.parametrize(("counted", "sentence"), [
    (counts(create=1, update=2, unchanged=0, rejected=1),
     "Vorschau: 1 Zeile neu, 2 Zeilen geändert, 0 Zeilen unverändert, 1 Zeile wird nicht übernommen."),
    (counts(create=0, update=1, unchanged=1, rejected=3),
     "Vorschau: 0 Zeilen neu, 1 Zeile geändert, 1 Zeile unverändert, 3 Zeilen werden nicht übernommen."),
    ({}, "Vorschau: 0 Zeilen neu, 0 Zeilen geändert, 0 Zeilen unverändert, 0 Zeilen werden nicht übernommen."),
])
def test_the_preview_sentence_names_every_action_with_german_plurals(counted, sentence):
    assert preview_sentence(counted) == sentence


ROWS = [
    {"row": 2, "action": "unchanged"},
    {"row": 3, "action": "create"},
    {"row": 4, "action": "rejected"},
    {"row": 5, "action": "update"},
    {"row": 6, "action": "rejected"},
    {"row": 7, "action": "create"},
]


def test_all_rows_are_shown_problems_first_then_changes_new_and_unchanged_each_by_row():
    assert [(row["action"], row["row"]) for row in filtered_rows(ROWS, None)] == [
        ("rejected", 4), ("rejected", 6), ("update", 5), ("create", 3), ("create", 7), ("unchanged", 2)]


@pytest.mark.parametrize(("only", "numbers"), [
    ("rejected", [4, 6]), ("update", [5]), ("create", [3, 7]), ("unchanged", [2])])
def test_a_filter_shows_only_the_rows_of_its_action_in_file_order(only, numbers):
    assert [row["row"] for row in filtered_rows(ROWS, only)] == numbers


@pytest.mark.parametrize("only", ["", "alle", "<script>"])
def test_an_unknown_filter_shows_all_rows(only):
    assert len(filtered_rows(ROWS, only)) == len(ROWS)


def test_filtering_leaves_the_stored_rows_as_they_were():
    rows = list(ROWS)
    filtered_rows(rows, None)
    assert rows == ROWS


def test_display_rows_name_key_action_reasons_notes_and_changes_by_column_header():
    stored = [{
        "row": 4,
        "action": "rejected",
        "pseudonym": "TN-004",
        "errors": {"entry_date": ["Das Datum fehlt."], ROW_KEY: ["Die Zeile ist doppelt."]},
        "warnings": {"birth_year": ["Ungewöhnliches Geburtsjahr."]},
        "changes": {"gender": ["männlich", "weiblich"]},
    }]
    headers = {"entry_date": "Eintrittsdatum", "birth_year": "Geburtsjahr", "gender": "Geschlecht", ROW_KEY: ""}
    [shown] = display_rows(stored, headers.get, "pseudonym")
    assert shown["key"] == "TN-004"
    assert str(shown["action_label"]) == "nicht übernommen"
    assert shown["reasons"] == [("Eintrittsdatum", "Das Datum fehlt."), ("", "Die Zeile ist doppelt.")]
    assert shown["notes"] == [("Geburtsjahr", "Ungewöhnliches Geburtsjahr.")]
    assert shown["diff"] == [("Geschlecht", "männlich", "weiblich")]
    assert shown["row"] == 4  # the stored row's own fields stay


@pytest.mark.parametrize(("action", "label"), [
    ("create", "neu"), ("update", "Änderung"), ("unchanged", "unverändert"), ("rejected", "nicht übernommen")])
def test_each_action_is_labelled_in_german(action, label):
    [shown] = display_rows([{"row": 2, "action": action}], str, "number")
    assert str(shown["action_label"]) == label
    assert shown["key"] == "" and shown["reasons"] == [] and shown["notes"] == [] and shown["diff"] == []
