"""The RP's completeness board ("Vollständigkeit", oversight/board.py and board_views.py).

The expected numbers are worked out by hand from the seeded dates below (not by calling the
board's or the deadlines' functions), on a fixed day, 01.03.2027.
"""

import datetime
import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from aqb_monitoring.models import (
    GrantRecipient,
    InterimDueDate,
    Measure,
    MeasureType,
    Participant,
    ProgrammeLine,
    Report,
    ReportReview,
)
from aqb_monitoring.oversight.board import add_measures, board_measures, build_board

from .conftest import make_measure, make_participant
from .test_admin_no_english import leftovers, visible_text

TODAY = datetime.date(2027, 3, 1)
BOARD = "aqb_board:index"
EXPORT = "aqb_board:export"


def days_since(date):
    return (TODAY - date).days


@pytest.fixture
def today(monkeypatch):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args, **kwargs: TODAY)
    return TODAY


def participants(measure, prefix, red=0, yellow=0, green=0):
    number = 0
    for status, count in (("red", red), ("yellow", yellow), ("green", green)):
        for _ in range(count):
            number += 1
            make_participant(measure, f"{prefix}-{number:03d}", status=status)


def report(measure, kind, reference, period_end, year=None, returned=False):
    sent = Report.objects.create(reference=reference, kind=kind, measure=measure, period_start=measure.start_date,
                                 period_end=period_end, reporting_year=year,
                                 grant_recipient_name=measure.grant_recipient.name)
    if returned:
        ReportReview.objects.create(report=sent, state="returned", note="Bitte korrigieren")
    return sent


@pytest.fixture
def programme(today, measure_a, measure_a2, measure_b, fulda, provider_org_b):
    """Kassel: A (ended 31.12.2026, nothing sent: closing and annual 2026 overdue) and A2 (runs to the end
    of 2027: annual 2026 sent after a returned one, interim date 15.02.2027 missed). Fulda: B (closed)
    and a 2027 measure with nothing due yet. Werra-Meißner: an M4 measure (owes nothing)."""
    measure_a.planned_participants = 20
    measure_a.save()
    participants(measure_a, "KA", red=2, yellow=1, green=3)

    measure_a2.end_date = datetime.date(2027, 12, 31)
    measure_a2.programme_line = ProgrammeLine.objects.get(code="schutzschirm")
    measure_a2.save()
    InterimDueDate.objects.create(measure=measure_a2, due_date=datetime.date(2027, 2, 15))
    report(measure_a2, "annual", "AQB-2027-000001", datetime.date(2026, 12, 31), year=2026, returned=True)
    report(measure_a2, "annual", "AQB-2027-000002", datetime.date(2026, 12, 31), year=2026)
    participants(measure_a2, "JW", green=1)

    measure_b.planned_participants = 5
    measure_b.closed_at = datetime.datetime(2027, 1, 10, tzinfo=datetime.UTC)
    measure_b.save()
    report(measure_b, "closing", "AQB-2027-000003", datetime.date(2026, 12, 31))
    participants(measure_b, "FP", green=4)

    fulda_2027 = make_measure("AQB27-FD-M2-01", fulda, provider_org_b, type_code="M2", budget_year=2027,
                              planned_participants=10)
    participants(fulda_2027, "FQ", red=1)

    werra = GrantRecipient.objects.create(name="Werra-Meißner-Kreis", abbreviation="ESW")
    staff = make_measure("AQB26-ESW-M4-01", werra, type_code="M4")
    return {"a": measure_a, "a2": measure_a2, "b": measure_b, "fulda_2027": fulda_2027, "staff": staff,
            "kassel": measure_a.grant_recipient, "fulda": fulda, "werra": werra}


def figures_of(figures):
    return {name: getattr(figures, name) for name in (
        "measures", "due", "overdue", "overdue_days", "submitted", "returned", "red", "yellow", "green", "planned",
        "recorded")}


# --- contents ------------------------------------------------------------------------------------


def test_each_measure_shows_its_unsent_due_reports_overdue_days_sent_returned_records_and_participants(programme):
    board = build_board(board_measures(), today=TODAY)
    rows = {row.number: row for recipient in board.recipients for row in recipient.measures}
    a = rows["AQB26-KS-M1-01"]
    # Closing due 28.01.2027 (four weeks after 31.12.2026), annual 2026 due 31.01.2027: both unsent.
    assert [(due.kind, due.date) for due in a.due_dates] == [
        ("closing", datetime.date(2027, 1, 28)), ("annual", datetime.date(2027, 1, 31))]
    assert figures_of(a.figures) == {
        "measures": 1, "due": 2, "overdue": 2, "overdue_days": days_since(datetime.date(2027, 1, 28)),
        "submitted": 0, "returned": 0, "red": 2, "yellow": 1, "green": 3, "planned": 20, "recorded": 6}
    assert a.figures.overdue_days == 32
    a2 = rows["AQB26-KS-M3-01"]
    assert [(due.kind, due.date) for due in a2.due_dates] == [("interim", datetime.date(2027, 2, 15))]
    assert figures_of(a2.figures) == {
        "measures": 1, "due": 1, "overdue": 1, "overdue_days": 14, "submitted": 1, "returned": 1,
        "red": 0, "yellow": 0, "green": 1, "planned": 0, "recorded": 1}
    b = rows["AQB26-FD-M1-01"]
    assert b.due_dates == [] and b.next_due is None
    assert (b.figures.submitted, b.figures.green, b.figures.planned) == (1, 4, 5)
    later = rows["AQB27-FD-M2-01"]
    assert later.due_dates == [] and (later.next_due.kind, later.next_due.date) == ("closing", datetime.date(2028, 1, 28))
    assert rows["AQB26-ESW-M4-01"].due_dates == [] and rows["AQB26-ESW-M4-01"].next_due is None


def test_grant_recipients_and_their_measures_are_sorted_most_overdue_first_with_sums_and_programme_totals(programme):
    board = build_board(board_measures(), today=TODAY)
    assert [r.grant_recipient.name for r in board.recipients] == [
        "Landkreis Kassel", "Landkreis Fulda", "Werra-Meißner-Kreis"]
    kassel, fulda, werra = board.recipients
    assert [row.number for row in kassel.measures] == ["AQB26-KS-M1-01", "AQB26-KS-M3-01"]
    # Fulda: the measure with a coming deadline before the closed one that owes nothing.
    assert [row.number for row in fulda.measures] == ["AQB27-FD-M2-01", "AQB26-FD-M1-01"]
    assert figures_of(kassel.figures) == {
        "measures": 2, "due": 3, "overdue": 3, "overdue_days": 32, "submitted": 1, "returned": 1,
        "red": 2, "yellow": 1, "green": 4, "planned": 20, "recorded": 7}
    assert figures_of(fulda.figures) == {
        "measures": 2, "due": 0, "overdue": 0, "overdue_days": 0, "submitted": 1, "returned": 0,
        "red": 1, "yellow": 0, "green": 4, "planned": 15, "recorded": 5}
    assert figures_of(board.totals) == {
        "measures": 5, "due": 3, "overdue": 3, "overdue_days": 32, "submitted": 2, "returned": 1,
        "red": 3, "yellow": 1, "green": 8, "planned": 35, "recorded": 12}


def test_a_grant_recipients_figures_counted_by_the_database_equal_the_sums_of_its_measure_rows(programme):
    late = make_measure("AQB25-FD-M1-01", programme["fulda"], budget_year=2025)
    InterimDueDate.objects.create(measure=late, due_date=datetime.date(2025, 6, 30))
    participants(late, "FL", red=1, green=2)
    board = build_board(board_measures(), today=TODAY)
    totals = {name: 0 for name in figures_of(board.totals)}
    for recipient in board.recipients:
        expected = {name: 0 for name in totals}
        for row in recipient.measures:
            for name, value in figures_of(row.figures).items():
                expected[name] = max(expected[name], value) if name == "overdue_days" else expected[name] + value
        assert figures_of(recipient.figures) == expected, recipient.grant_recipient.name
        for name, value in expected.items():
            totals[name] = max(totals[name], value) if name == "overdue_days" else totals[name] + value
    assert figures_of(board.totals) == totals
    fulda = next(r for r in board.recipients if r.grant_recipient == programme["fulda"])
    assert fulda.figures.due == 3  # the 2025 measure: interim 30.06.2025, annual 2025, closing


def test_measure_rows_are_built_only_for_the_grant_recipients_asked_for(programme):
    board = build_board(board_measures(), today=TODAY, with_measures=False)
    assert [r.grant_recipient.name for r in board.recipients] == [
        "Landkreis Kassel", "Landkreis Fulda", "Werra-Meißner-Kreis"]
    assert all(r.measures == [] for r in board.recipients) and board.totals.measures == 5
    add_measures(board.recipients[:1], board_measures(), TODAY)
    assert [row.number for row in board.recipients[0].measures] == ["AQB26-KS-M1-01", "AQB26-KS-M3-01"]
    assert board.recipients[0].measures[0].measure.title == programme["a"].title
    assert board.recipients[1].measures == []


def test_a_grant_recipient_with_more_overdue_days_comes_before_one_with_more_overdue_reports(programme):
    late = make_measure("AQB25-FD-M1-01", programme["fulda"], budget_year=2025)  # closing due 28.01.2026
    board = build_board(board_measures(), today=TODAY)
    assert [r.grant_recipient.name for r in board.recipients][:2] == ["Landkreis Fulda", "Landkreis Kassel"]
    assert board.recipients[0].figures.overdue_days == days_since(datetime.date(2026, 1, 28))
    assert board.recipients[0].measures[0].measure_id == late.pk


def test_the_page_opens_each_grant_recipient_into_its_measures_in_urgent_order(client, rp_editor, programme):
    client.force_login(rp_editor)
    response = client.get(reverse(BOARD))
    assert response.status_code == 200
    page = response.content.decode()
    details = re.findall(r'<details class="aqb-board-recipient[^"]*" id="ze-(\d+)">(.*?)</details>', page, re.S)
    assert [int(pk) for pk, _body in details] == [programme["kassel"].pk, programme["fulda"].pk, programme["werra"].pk]
    kassel_body = details[0][1]
    assert kassel_body.index("AQB26-KS-M1-01") < kassel_body.index("AQB26-KS-M3-01")
    assert "AQB26-FD-M1-01" not in kassel_body
    assert "Maßnahmenabschluss (28.01.2027)" in kassel_body and "Zwischenmeldung (15.02.2027)" in kassel_body
    total = page[page.index("aqb-board-total"):]
    assert "Programm gesamt" in total and "35 / 12" in total
    assert "Stand 01.03.2027" in page


def test_the_page_is_german_only(client, rp_editor, programme):
    client.force_login(rp_editor)
    text = visible_text(client.get(reverse(BOARD)).content.decode())
    assert leftovers(text) == []
    assert "Vollständigkeit" in text and "Überfällig seit (Tagen)" in text


def test_ten_grant_recipients_per_page_the_most_urgent_first_and_the_programme_totals_on_every_page(
        client, rp_editor, programme):
    for number in range(10):
        recipient = GrantRecipient.objects.create(name=f"Stadt {number:02d}", abbreviation=f"S{number:02d}")
        make_measure(f"AQB27-S{number:02d}-M1-01", recipient, budget_year=2027)
    client.force_login(rp_editor)
    first = client.get(reverse(BOARD)).content.decode()
    second = client.get(reverse(BOARD), {"p": 2}).content.decode()
    first_ids = re.findall(r'<details class="aqb-board-recipient[^"]*" id="ze-(\d+)">', first)
    second_ids = re.findall(r'<details class="aqb-board-recipient[^"]*" id="ze-(\d+)">', second)
    assert len(first_ids) == 10 and len(second_ids) == 3 and not set(first_ids) & set(second_ids)
    assert first_ids[0] == str(programme["kassel"].pk)
    for page in (first, second):
        assert "Programm gesamt" in page and "35 / 12" in page[page.index("aqb-board-total"):]


# --- filters -----------------------------------------------------------------------------------------


def numbers_on(client, query):
    page = client.get(reverse(BOARD), query).content.decode()
    return set(re.findall(r"AQB\d\d-[A-Z]+-M\d-\d\d", page))


def test_filters_by_budget_year_measure_type_programme_line_and_grant_recipient(client, rp_editor, programme):
    client.force_login(rp_editor)
    everything = {"AQB26-KS-M1-01", "AQB26-KS-M3-01", "AQB26-FD-M1-01", "AQB27-FD-M2-01", "AQB26-ESW-M4-01"}
    assert numbers_on(client, {}) == everything
    assert numbers_on(client, {"budget_year": 2027}) == {"AQB27-FD-M2-01"}
    assert numbers_on(client, {"measure_type": MeasureType.objects.get(code="M3").pk}) == {"AQB26-KS-M3-01"}
    line = ProgrammeLine.objects.get(code="schutzschirm").pk
    assert numbers_on(client, {"programme_line": line}) == {"AQB26-KS-M3-01"}
    assert numbers_on(client, {"grant_recipient": programme["fulda"].pk}) == {"AQB26-FD-M1-01", "AQB27-FD-M2-01"}
    assert numbers_on(client, {"grant_recipient": programme["fulda"].pk, "budget_year": 2026}) == {"AQB26-FD-M1-01"}
    # A filter value that is not offered is left out rather than failing; the valid ones still apply.
    assert numbers_on(client, {"budget_year": "abc"}) == everything
    assert numbers_on(client, {"budget_year": 2027, "grant_recipient": 999999}) == {"AQB27-FD-M2-01"}


def test_the_totals_follow_the_filters(client, rp_editor, programme):
    client.force_login(rp_editor)
    board = client.get(reverse(BOARD), {"budget_year": 2026}).context["board"]
    assert (board.totals.measures, board.totals.planned, board.totals.recorded) == (4, 25, 11)


# --- Excel ---------------------------------------------------------------------------------------------


def sheet_rows(response, name):
    workbook = load_workbook(io.BytesIO(response.content))
    return [list(row) for row in workbook[name].iter_rows(values_only=True)]


def test_the_excel_file_holds_the_same_rows_and_numbers_as_the_page(client, rp_editor, programme):
    client.force_login(rp_editor)
    response = client.get(reverse(EXPORT))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="vollstaendigkeit-2027-03-01.xlsx"'
    recipients = sheet_rows(response, "Zuwendungsempfänger")
    assert recipients[0][:5] == ["Zuwendungsempfänger", "Maßnahmen", "Fällig, nicht abgegeben", "Überfällig",
                                 "Überfällig seit (Tagen)"]
    assert recipients[1] == ["Landkreis Kassel", 2, 3, 3, 32, 1, 1, 2, 1, 4, 20, 7]
    assert recipients[2][0] == "Landkreis Fulda" and recipients[3][0] == "Werra-Meißner-Kreis"
    assert recipients[4] == ["Programm gesamt", 5, 3, 3, 32, 2, 1, 3, 1, 8, 35, 12]
    measures = sheet_rows(response, "Maßnahmen")
    assert [row[1] for row in measures[1:]] == [
        "AQB26-KS-M1-01", "AQB26-KS-M3-01", "AQB27-FD-M2-01", "AQB26-FD-M1-01", "AQB26-ESW-M4-01"]
    first = dict(zip(measures[0], measures[1], strict=True))
    assert first["Zuwendungsempfänger"] == "Landkreis Kassel" and first["Budgetjahr"] == 2026
    assert (first["Überfällig seit (Tagen)"], first["Rot"], first["Teilnehmende erfasst"]) == (32, 2, 6)
    assert first["Nächste Frist"] == "Maßnahmenabschluss: überfällig seit 32 Tagen"
    assert first["Nächste Frist am"] == "28.01.2027" and first["Abgeschlossen"] == "nein"
    filtered = sheet_rows(client.get(reverse(EXPORT), {"grant_recipient": programme["fulda"].pk}), "Maßnahmen")
    assert [row[1] for row in filtered[1:]] == ["AQB27-FD-M2-01", "AQB26-FD-M1-01"]


def test_texts_in_the_excel_file_never_act_as_formulas(client, rp_editor, programme):
    Measure.objects.filter(pk=programme["a"].pk).update(title='=HYPERLINK("http://boese.example";"Hier")')
    GrantRecipient.objects.filter(pk=programme["werra"].pk).update(name="@SUMME(A1)")
    client.force_login(rp_editor)
    workbook = load_workbook(io.BytesIO(client.get(reverse(EXPORT)).content))
    title = next(row[2] for row in workbook["Maßnahmen"].iter_rows() if row[1].value == "AQB26-KS-M1-01")
    assert title.data_type == "s" and title.value.startswith("=HYPERLINK") and title.quotePrefix
    name = next(row[0] for row in workbook["Zuwendungsempfänger"].iter_rows() if row[0].value == "@SUMME(A1)")
    assert name.data_type == "s" and name.quotePrefix


# --- queries -----------------------------------------------------------------------------------------


def bulk_measures(grant_recipient, count, offset):
    measure_type = MeasureType.objects.get(code="M1")
    line = ProgrammeLine.objects.get(code="standard")
    measures = Measure.objects.bulk_create([
        Measure(number=f"AQB25-KS-M1-{offset + i:03d}", title="Last", measure_type=measure_type, programme_line=line,
                start_date=datetime.date(2025, 1, 1), end_date=datetime.date(2025, 12, 31),
                grant_recipient=grant_recipient, budget_year=2025, planned_participants=3)
        for i in range(count)
    ])
    Participant.objects.bulk_create([
        Participant(measure=measure, pseudonym=f"P-{n}", status=("red", "yellow", "green")[n], entry_date=measure.start_date)
        for measure in measures for n in range(3)
    ])
    InterimDueDate.objects.bulk_create([InterimDueDate(measure=m, due_date=datetime.date(2025, 6, 30)) for m in measures])
    for number, measure in enumerate(measures[:3]):
        report(measure, "annual", f"AQB-2026-{offset + number:06d}", datetime.date(2025, 12, 31), year=2025,
               returned=number == 0)


def queries_of(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_page_and_the_excel_file_need_as_many_queries_for_1000_measures_as_for_10(client, rp_editor, kassel, today):
    fulda = GrantRecipient.objects.create(name="Landkreis Fulda", abbreviation="FD")
    client.force_login(rp_editor)
    bulk_measures(kassel, 5, 0)
    bulk_measures(fulda, 5, 5)
    client.get(reverse(BOARD))  # session and menu caches settle
    small_page, small_export = queries_of(client, reverse(BOARD)), queries_of(client, reverse(EXPORT))
    board = client.get(reverse(BOARD)).context["board"]
    assert board.totals.measures == 10 and board.totals.recorded == 30 and board.totals.returned == 2

    assert small_page > 5 and small_export > 5  # the counting works (a count of 0 would prove nothing)
    bulk_measures(kassel, 990, 10)
    assert queries_of(client, reverse(BOARD)) == small_page
    assert queries_of(client, reverse(EXPORT)) == small_export
    board = client.get(reverse(BOARD)).context["board"]
    assert board.totals.measures == 1000 and board.totals.recorded == 3000 and board.totals.returned == 3


# --- who may see it ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", [BOARD, EXPORT])
def test_grant_recipients_and_providers_get_a_404(client, programme, ze_kassel, ze_fulda, provider_a, provider_b, name):
    for user in (ze_kassel, ze_fulda, provider_a, provider_b):
        client.force_login(user)
        assert client.get(reverse(name)).status_code == 404, user
        client.logout()


def test_only_the_rp_sees_the_menu_entry(client, rp_editor, ze_kassel, provider_a):
    client.force_login(rp_editor)
    assert reverse(BOARD) in client.get(reverse("wagtailadmin_home")).content.decode()
    for user in (ze_kassel, provider_a):
        client.force_login(user)
        assert reverse(BOARD) not in client.get(reverse("wagtailadmin_home")).content.decode()
