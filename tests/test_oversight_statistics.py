"""The RP's "Statistik": numbers checked against a count done here by walking the participants in
Python, small cells suppressed in page, chart and Excel file, one table per chart, filters, a
constant number of queries, and 404 for everyone but the RP."""

import random
import re
from collections import Counter
from io import BytesIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from aqb_monitoring.models import (
    Answer,
    AnswerPhase,
    Destination,
    ExitReason,
    Gender,
    GrantRecipient,
    MeasureType,
    Participant,
    ParticipantGoal,
    ParticipantStatus,
    ProgrammeLine,
    Question,
)
from aqb_monitoring.oversight import statistics
from aqb_monitoring.oversight.statistics import HIDDEN, SMALL, suppression

from .conftest import make_measure, make_participant

PAGE = "aqb_statistics:index"
EXCEL = "aqb_statistics:excel"


def seed_participants(measure, count, rng, prefix):
    """`count` participants of `measure` with random entry and exit data and block answers."""
    genders = list(Gender.objects.all()) + [None]
    destinations = list(Destination.objects.all())
    reasons = list(ExitReason.objects.all())
    goal = ParticipantGoal.objects.get(code="ausbildungsreife")
    questions = list(Question.objects.filter(block__code="ausbildungsreife"))
    created = []
    for number in range(count):
        exited = rng.random() < 0.6
        destination = rng.choice(destinations) if exited else None
        participant = make_participant(
            measure, f"{prefix}-{number:04d}",
            gender=rng.choice(genders),
            birth_year=rng.choice([None, *range(measure.budget_year - 30, measure.budget_year - 14)]),
            status=rng.choice(ParticipantStatus.values),
            goal=goal,
            destination=destination,
            exit_reason=rng.choice(reasons) if destination and destination.requires_exit_reason else None,
        )
        for question in questions:
            if rng.random() < 0.9:
                Answer.objects.create(participant=participant, question=question, phase=AnswerPhase.ENTRY,
                                      value=rng.random() < 0.35)
            if exited and rng.random() < 0.9:
                Answer.objects.create(participant=participant, question=question, phase=AnswerPhase.EXIT,
                                      value=rng.random() < 0.7)
        created.append(participant)
    return created


@pytest.fixture
def seeded(measure_a, measure_a2, measure_b, fulda):
    """KS 2026: M1 (70 participants), M3 (50); FD 2026 M1 (30); FD 2025 M3 'Schutzschirm' (25)."""
    rng = random.Random(15)
    measure_c = make_measure("AQB25-FD-M3-01", fulda, type_code="M3", budget_year=2025,
                             programme_line=ProgrammeLine.objects.get(code="schutzschirm"))
    seed_participants(measure_a, 70, rng, "A")
    seed_participants(measure_a2, 50, rng, "AZ")
    seed_participants(measure_b, 30, rng, "B")
    seed_participants(measure_c, 25, rng, "C")
    return measure_c


# --- the independent count ---------------------------------------------------


def age_group(participant):
    if participant.birth_year is None:
        return "ohne"
    age = participant.measure.budget_year - participant.birth_year
    return "unter-18" if age < 18 else "18-20" if age <= 20 else "21-24" if age <= 24 else "ab-25"


def expected_counts(participants):
    """Per table key: {label: count}, counted one participant at a time."""
    labels = {"gender": {g.pk: g.label for g in Gender.objects.all()}}
    age_labels = {key: str(label) for key, label, _low, _high in statistics.AGE_GROUPS}
    age_labels["ohne"] = "Geburtsjahr nicht erfasst"
    tables = {key: Counter() for key in
              ("massnahmeart", "status", "geschlecht", "altersgruppe", "budgetjahr", "verbleib", "austrittsgrund")}
    for p in participants:
        tables["massnahmeart"][p.measure.measure_type.label] += 1
        tables["status"][str(ParticipantStatus(p.status).label)] += 1
        tables["geschlecht"][labels["gender"][p.gender_id] if p.gender_id else "nicht erfasst"] += 1
        tables["altersgruppe"][age_labels[age_group(p)]] += 1
        tables["budgetjahr"][str(p.measure.budget_year)] += 1
        if p.destination_id:
            tables["verbleib"][p.destination.label] += 1
        if p.exit_reason_id:
            tables["austrittsgrund"][p.exit_reason.label] += 1
    return tables


def expected_progress(participants):
    """{(measure type code, question label): (pairs, yes at entry, yes at exit)}."""
    result = Counter()
    for p in participants:
        answers = {(a.question_id, a.phase): a.value for a in p.answers.all()}
        for (question_id, phase), entry in answers.items():
            if phase != AnswerPhase.ENTRY or (question_id, AnswerPhase.EXIT) not in answers:
                continue
            exit_ = answers[(question_id, AnswerPhase.EXIT)]
            key = (p.measure.measure_type.code, Question.objects.get(pk=question_id).label)
            pairs, entry_yes, exit_yes = result.get(key, (0, 0, 0))
            result[key] = (pairs + 1, entry_yes + entry, exit_yes + exit_)
    return result


def all_participants(**filters):
    queryset = Participant.objects.select_related("measure__measure_type", "destination", "exit_reason")
    return list(queryset.prefetch_related("answers").filter(**filters))


def assert_tables_match(stats, participants):
    expected = expected_counts(participants)
    assert stats.participants == len(participants)
    for key, counts in expected.items():
        table = stats.table(key)
        found = {row.label: row.count for row in table.rows}
        assert {label: n for label, n in found.items() if n} == dict(counts), key
        assert table.total == sum(counts.values()), key
        for row in table.rows:  # what is shown is the count itself, or a suppression mark
            assert row.display in (f"{row.count:,}".replace(",", "."), SMALL, HIDDEN), (key, row)
            assert (row.display == SMALL) == (row.count < 5), (key, row)


def assert_progress_matches(stats, participants):
    expected = expected_progress(participants)
    found = {}
    for table in stats.tables:
        if table.kind != "progress":
            continue
        code = table.key.removeprefix("fortschritt-").upper()
        for row in table.rows:
            found[(code, row.question)] = (row.pairs, row.entry_yes, row.exit_yes)
    assert found == dict(expected)
    assert found, "the seed must give participants with both answers"


# --- numbers -----------------------------------------------------------------


def test_every_table_matches_a_count_of_the_participants_one_by_one(seeded):
    assert_tables_match(statistics.compute(), all_participants())


def test_the_share_of_yes_at_entry_and_exit_matches_a_count_per_participant_and_question(seeded):
    stats = statistics.compute()
    assert_progress_matches(stats, all_participants())
    # Both block types got answers: M1 (by the participant goal) and M3 (always).
    assert {table.key for table in stats.tables if table.kind == "progress"} == {"fortschritt-m1", "fortschritt-m3"}
    row = stats.table("fortschritt-m3").rows[0]
    assert stats.table("fortschritt-m3").display_rows[0][3] == f"{row.entry_yes / row.pairs * 100:.1f} %".replace(".", ",")


def test_age_is_the_one_reached_in_the_budget_year(measure_a):
    for number, birth_year in enumerate([2009, 2008, 2006, 2005, 2002, 2001, None]):
        make_participant(measure_a, f"ALT-{number}", birth_year=birth_year)
    table = statistics.compute().table("altersgruppe")
    # 2026-2009 = 17, 2026-2008 = 18, 2006 → 20, 2005 → 21, 2002 → 24, 2001 → 25
    assert [row.count for row in table.rows] == [1, 2, 2, 1, 1]
    assert [row.label for row in table.rows] == ["unter 18", "18–20", "21–24", "25 und älter",
                                                  "Geburtsjahr nicht erfasst"]


# --- filters -----------------------------------------------------------------


@pytest.mark.parametrize("name", ["budget_year", "grant_recipient", "measure_type", "programme_line"])
def test_each_filter_selects_the_same_participants_as_a_count_by_hand(seeded, name):
    value, lookup = {
        "budget_year": (2025, {"measure__budget_year": 2025}),
        "grant_recipient": (GrantRecipient.objects.get(abbreviation="KS"), {"measure__grant_recipient__abbreviation": "KS"}),
        "measure_type": (MeasureType.objects.get(code="M3"), {"measure__measure_type__code": "M3"}),
        "programme_line": (ProgrammeLine.objects.get(code="standard"), {"measure__programme_line__code": "standard"}),
    }[name]
    stats = statistics.compute(**{name: value})
    participants = all_participants(**lookup)
    assert 0 < len(participants) < Participant.objects.count()
    assert_tables_match(stats, participants)
    assert_progress_matches(stats, participants)


def test_filters_on_the_page_reach_the_numbers(client, rp_editor, seeded):
    client.force_login(rp_editor)
    kassel = GrantRecipient.objects.get(abbreviation="KS")
    response = client.get(reverse(PAGE), {"grant_recipient": kassel.pk, "budget_year": 2026})
    assert response.status_code == 200
    assert response.context["stats"].participants == 120
    assert "Teilnehmende in dieser Auswahl: 120" in response.content.decode()


def test_an_unknown_filter_value_is_named_and_left_out_not_taken_for_everything(client, rp_editor, seeded):
    client.force_login(rp_editor)
    response = client.get(reverse(PAGE), {"grant_recipient": 999999, "budget_year": 2025})
    assert response.context["stats"].participants == 25  # the valid filter still applies
    assert "Bitte eine gültige Auswahl treffen" in response.content.decode()


# --- small cells ---------------------------------------------------------------


def test_counts_below_five_are_suppressed_and_one_small_cell_takes_another_with_it():
    assert suppression([20, 30, 3, 4]) == ["shown", "shown", "small", "small"]
    # 3 alone would be total minus the rest: the smallest shown cell is hidden too.
    assert suppression([20, 30, 3]) == ["hidden", "shown", "small"]
    # The hidden cells together hold fewer than 5 (0 + 1): hide more until they hold 5.
    assert suppression([40, 6, 1, 0]) == ["shown", "hidden", "small", "small"]
    assert suppression([8, 3, 1, 0]) == ["hidden", "small", "small", "small"]
    assert suppression([30]) == ["shown"]
    assert suppression([3]) == ["small"]
    assert suppression([50, 7, 9]) == ["shown", "shown", "shown"]


def test_no_suppressed_cell_can_be_computed_from_the_total(seeded):
    """Total minus the shown cells is never a single small number."""
    for table in statistics.compute(measure_type=MeasureType.objects.get(code="M3")).tables:
        if table.kind != "counts":
            continue
        suppressed = [row.count for row in table.rows if not row.is_shown]
        if table.total >= 5 and suppressed and any(row.is_shown for row in table.rows):
            assert len(suppressed) >= 2 and sum(suppressed) >= 5, table.key


def small_world(measure_a):
    """12 participants: 8 female, 3 male, 1 diverse; 2 with both answers to one question."""
    genders = {g.code: g for g in Gender.objects.all()}
    question = Question.objects.filter(block__code="ausbildungsreife").first()
    for number in range(12):
        code = "weiblich" if number < 8 else "maennlich" if number < 11 else "divers"
        participant = make_participant(measure_a, f"K-{number:02d}", gender=genders[code], birth_year=2005)
        if number < 2:
            Answer.objects.create(participant=participant, question=question, phase=AnswerPhase.ENTRY, value=False)
            Answer.objects.create(participant=participant, question=question, phase=AnswerPhase.EXIT, value=True)
    return question


def table_cells(html, key):
    table = re.search(rf'<table class="listing" data-table="{key}">(.*?)</table>', html, re.S).group(1)
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", table, re.S)]


def test_small_cells_show_as_below_five_in_table_chart_and_excel(client, rp_editor, measure_a):
    small_world(measure_a)
    client.force_login(rp_editor)
    html = client.get(reverse(PAGE)).content.decode()
    cells = table_cells(html, "geschlecht")
    # männlich 3, divers 1, keine Angabe 0, nicht erfasst 0: "< 5"; weiblich 8 hidden ("•"), total 12 shown
    assert cells[3:6] == ["weiblich", HIDDEN, "–"]
    assert cells[6:9] == ["männlich", "&lt; 5", "–"]
    assert cells[9:12] == ["divers", "&lt; 5", "–"]
    assert cells[-3:] == ["Insgesamt", "12", "100,0 %"]
    chart = re.search(r'<svg[^>]*id="chart-geschlecht".*?</svg>', html, re.S).group(0)
    assert "männlich: &lt; 5" in chart and "weiblich: •" in chart
    assert ">3<" not in chart and ">8<" not in chart and ">1<" not in chart
    assert chart.count("<rect") == 0  # no bar for a suppressed cell
    # Two participants with both answers: no share at all.
    progress = table_cells(html, "fortschritt-m1")
    assert progress[6:] == ["Ausbildungs- und Qualifizierungsreife", progress[7], "&lt; 5", "–", "–", "–"]
    workbook = load_workbook(BytesIO(client.get(reverse(EXCEL), {"tabelle": "geschlecht"}).content))
    values = sheet_rows(workbook.worksheets[0])
    assert ["männlich", SMALL, "–"] in values and ["weiblich", HIDDEN, "–"] in values
    assert ["Insgesamt", 12, 1.0] in values
    assert 3 not in [value for row in values for value in row] and 8 not in [value for row in values for value in row]


def test_a_selection_of_fewer_than_five_shows_no_number_at_all(client, rp_editor, measure_a):
    for number in range(3):
        make_participant(measure_a, f"W-{number}", birth_year=2004)
    stats = statistics.compute()
    for table in stats.tables:
        assert all(row.display == SMALL for row in table.rows if table.kind == "counts"), table.key
        if table.kind == "counts":
            assert table.total_display == SMALL
    client.force_login(rp_editor)
    html = client.get(reverse(PAGE)).content.decode()
    assert "Teilnehmende in dieser Auswahl: &lt; 5 (weniger als 5: alle Zahlen unterdrückt)" in html
    main = html.split('class="aqb-filters', 1)[1]
    assert not re.search(r">\s*3\s*<|Auswahl: 3", main)


# --- page, charts and Excel --------------------------------------------------------


def test_every_chart_has_its_table_and_a_download(client, rp_editor, seeded):
    client.force_login(rp_editor)
    response = client.get(reverse(PAGE))
    html = response.content.decode()
    tables = response.context["stats"].tables
    assert len(tables) == 9  # seven counts, two measure types with question blocks
    for table in tables:
        section = re.search(rf'<section[^>]*id="statistik-{table.key}".*?</section>', html, re.S).group(0)
        assert section.count("<svg") == 1 and 'role="img"' in section and "aria-label=" in section
        assert f'<title>{table.title}</title>'.replace("„", "&bdquo;") in section or f"<title>{table.title}" in section
        assert section.count("<table") == 1
        assert f"tabelle={table.key}" in section
    assert 'fill="#' in html and "<script" not in re.sub(r"<head>.*?</head>", "", html, flags=re.S).split(
        'id="statistik-')[1]


def test_excel_has_one_sheet_per_table_with_the_page_numbers(client, rp_editor, seeded):
    client.force_login(rp_editor)
    stats = client.get(reverse(PAGE), {"budget_year": 2026}).context["stats"]
    response = client.get(reverse(EXCEL), {"budget_year": 2026})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert 'filename="statistik.xlsx"' in response["Content-Disposition"]
    workbook = load_workbook(BytesIO(response.content))
    assert len(workbook.worksheets) == len(stats.tables)
    numbers = []
    for sheet, table in zip(workbook.worksheets, stats.tables, strict=True):
        rows = sheet_rows(sheet)
        assert rows[0] == [table.title]
        assert "Budgetjahr: 2026" in rows[1][0]
        start = rows.index(table.headers)
        body = rows[start + 1:start + 1 + len(table.rows)]
        assert body == table.excel_rows
        # The same as the page: each number is the page's text, each mark the page's mark.
        for excel_row, page_row in zip(body, table.display_rows, strict=True):
            for value, text, number_format in zip(excel_row, page_row, table.excel_formats, strict=True):
                if isinstance(value, str):  # a label or a suppression mark
                    assert value == text
                elif number_format == "0.0%":  # a share (1.0 comes back as 1)
                    assert statistics.format_share(value) == text
                elif number_format.startswith("+"):  # change in percentage points
                    assert text.endswith(f"{abs(value):.1f}".replace(".", ","))
                else:
                    assert f"{value:,}".replace(",", ".") == text
        numbers += [value for row in body for value in row[1:] if isinstance(value, int) and value >= 5]
    assert numbers, "shown counts are numbers in Excel, not texts"


def test_excel_of_one_table_and_an_unknown_table(client, rp_editor, seeded):
    client.force_login(rp_editor)
    response = client.get(reverse(EXCEL), {"tabelle": "verbleib"})
    assert 'filename="statistik-verbleib.xlsx"' in response["Content-Disposition"]
    workbook = load_workbook(BytesIO(response.content))
    assert [sheet.title for sheet in workbook.worksheets] == ["Verbleib nach Austritt"]
    assert client.get(reverse(EXCEL), {"tabelle": "gibt-es-nicht"}).status_code == 404


def test_a_catalogue_label_that_looks_like_a_formula_stays_text_in_excel(client, rp_editor, seeded):
    Gender.objects.filter(code="divers").update(label='=HYPERLINK("http://example.org";"x")')
    client.force_login(rp_editor)
    sheet = load_workbook(BytesIO(client.get(reverse(EXCEL), {"tabelle": "geschlecht"}).content)).worksheets[0]
    cells = [cell for row in sheet.iter_rows() for cell in row if str(cell.value).startswith("=HYPERLINK")]
    assert len(cells) == 1 and cells[0].data_type == "s"


# --- queries -----------------------------------------------------------------


def sheet_rows(sheet):
    """The sheet's rows without the empty cells openpyxl pads them with to the widest row."""
    rows = []
    for row in sheet.iter_rows():
        values = [cell.value for cell in row]
        while values and values[-1] is None:
            values.pop()
        rows.append(values)
    return rows


def count_queries(client, user):
    with CaptureQueriesContext(connection) as queries:
        statistics.compute()
    compute_queries = len(queries)
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse(PAGE)).status_code == 200
    return compute_queries, len(queries)


def test_the_number_of_queries_does_not_grow_with_the_data(client, rp_editor, measure_a, measure_a2, measure_b):
    rng = random.Random(3)
    seed_participants(measure_a, 6, rng, "S")
    seed_participants(measure_a2, 6, rng, "SZ")
    few = count_queries(client, rp_editor)
    seed_participants(measure_a, 60, rng, "T")
    seed_participants(measure_a2, 60, rng, "TZ")
    seed_participants(measure_b, 60, rng, "TB")
    many = count_queries(client, rp_editor)
    assert few == many
    assert few[0] <= 13  # one per table or catalogue, not per participant


# --- who may see it ----------------------------------------------------------------


@pytest.mark.parametrize("name", [PAGE, EXCEL])
def test_grant_recipients_and_providers_get_404(client, seeded, ze_kassel, provider_a, ze_fulda, rp_editor, name):
    for user in (ze_kassel, provider_a, ze_fulda):
        client.force_login(user)
        assert client.get(reverse(name)).status_code == 404
        assert client.get(reverse(name), {"tabelle": "geschlecht"}).status_code == 404
    client.force_login(rp_editor)
    assert client.get(reverse(name)).status_code == 200


def test_only_the_rp_has_the_menu_entry(client, rp_editor, ze_kassel, provider_a):
    url = reverse(PAGE)
    client.force_login(rp_editor)
    assert f'"{url}"' in client.get("/admin/").content.decode()
    for user in (ze_kassel, provider_a):
        client.force_login(user)
        assert f'"{url}"' not in client.get("/admin/").content.decode()


def test_the_page_speaks_german_only(client, rp_editor, seeded):
    client.force_login(rp_editor)
    html = client.get(reverse(PAGE)).content.decode()
    main = html.split('class="aqb-filters', 1)[1]  # the page's own part, charts included
    visible = re.sub(r"<[^>]+>", " ", re.sub(r"<(script|style)\b.*?</\1>", " ", main, flags=re.S))
    for word in ("Statistics", "Download", "Total", "Filter by", "Wagtail", "Chart", "Share", "Count", "None"):
        assert word not in visible, word
    assert "Teilnehmende nach Geschlecht" in visible and "Alle Tabellen als Excel-Datei herunterladen" in visible
    assert "Altersgruppen: unter 18, 18–20, 21–24, 25 und älter" in visible
