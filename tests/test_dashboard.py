"""'Meine Maßnahmen': columns, search, filters, sorting, status counts, due dates, and a
constant number of queries for the dashboard, the participant list and the form."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from aqb_monitoring.deadlines import next_due_date
from aqb_monitoring.models import InterimDueDate, Measure, Participant, ParticipantStatus

from .conftest import make_measure, make_participant

DASHBOARD = "/admin/monitoring/"


def test_dashboard_lists_columns_and_status_counts(client, ze_kassel, measure_a, measure_a2):
    make_participant(measure_a, "BWN-0001", status=ParticipantStatus.RED)
    make_participant(measure_a, "BWN-0002", status=ParticipantStatus.GREEN)
    make_participant(measure_a, "BWN-0003", status=ParticipantStatus.GREEN)
    client.force_login(ze_kassel)
    response = client.get(DASHBOARD)
    rows = {m.number: m for m in response.context["measures"]}
    assert (rows[measure_a.number].red_count, rows[measure_a.number].yellow_count, rows[measure_a.number].green_count) == (1, 0, 2)
    page = response.content.decode()
    assert "01.01.2026" in page and "31.12.2026" in page and "Bildungswerk Nordhessen" in page


def test_dashboard_search_filters_and_sorting(client, ze_kassel, kassel, measure_a, measure_a2):
    old = make_measure("AQB25-KS-M2-01", kassel, type_code="M2", budget_year=2025, title="Altes Coaching")
    client.force_login(ze_kassel)

    def numbers(query):
        return [m.number for m in client.get(DASHBOARD + query).context["measures"]]

    assert numbers("?q=Jugendwerkstatt") == [measure_a2.number]
    assert numbers("?q=coaching") == [old.number]
    assert numbers("?budget_year=2025") == [old.number]
    assert numbers(f"?measure_type={measure_a2.measure_type_id}") == [measure_a2.number]
    old.closed_at = datetime.datetime(2026, 1, 20, tzinfo=datetime.UTC)
    old.save()
    assert numbers("?status=closed") == [old.number]
    assert old.number not in numbers("?status=open")
    assert numbers("?sort=number") == sorted(numbers("?sort=number"))
    assert numbers("?sort=-number") == sorted(numbers("?sort=number"), reverse=True)
    assert numbers("?sort=year")[0] == old.number


def test_next_due_date_names_the_report_and_the_days(measure_a):
    measure_a.end_date = datetime.date(2026, 6, 30)
    due = next_due_date(measure_a, today=datetime.date(2026, 6, 1))
    assert due.label == "Maßnahmenabschluss" and due.date == datetime.date(2026, 7, 28) and due.text == "in 57 Tagen"
    overdue = next_due_date(measure_a, today=datetime.date(2026, 8, 7))
    assert overdue.is_overdue and overdue.text == "überfällig seit 10 Tagen"
    measure_a.end_date = datetime.date(2026, 12, 31)
    InterimDueDate.objects.create(measure=measure_a, due_date=datetime.date(2026, 12, 15))
    assert next_due_date(measure_a, today=datetime.date(2026, 11, 23)).label == "Zwischenmeldung"
    assert next_due_date(measure_a, today=datetime.date(2026, 12, 16)).date == datetime.date(2027, 1, 28)
    measure_a.end_date = datetime.date(2027, 6, 30)  # runs over the turn of the year: annual report first
    due = next_due_date(measure_a, today=datetime.date(2026, 12, 16))
    assert due.label == "Jahresmeldung" and due.date == datetime.date(2027, 1, 31)
    measure_a.closed_at = datetime.datetime(2027, 7, 1, tzinfo=datetime.UTC)
    assert next_due_date(measure_a, today=datetime.date(2026, 12, 16)) is None


def test_a_measure_without_participant_monitoring_owes_no_report(kassel):
    m4 = make_measure("AQB24-KS-M4-01", kassel, type_code="M4", budget_year=2024)
    m1 = make_measure("AQB24-KS-M1-01", kassel, type_code="M1", budget_year=2024)
    for today in (datetime.date(2024, 6, 1), datetime.date(2025, 1, 15), datetime.date(2025, 3, 1)):
        assert next_due_date(m4, today=today) is None
    assert next_due_date(m1, today=datetime.date(2025, 3, 1)).is_overdue


@pytest.fixture
def ended_m1_and_m4(kassel, provider_org_a):
    """Two measures of the same provider that ended long ago: only the M1 owes its closing report."""
    m1 = make_measure("AQB24-KS-M1-01", kassel, provider_org_a, type_code="M1", budget_year=2024)
    m4 = make_measure("AQB24-KS-M4-01", kassel, provider_org_a, type_code="M4", budget_year=2024)
    return m1, m4


@pytest.mark.parametrize("url", [DASHBOARD, "/admin/"], ids=["dashboard", "admin-home-panel"])
def test_m4_measure_is_never_shown_overdue_in_a_list(client, ze_kassel, ended_m1_and_m4, url):
    m1, m4 = ended_m1_and_m4
    client.force_login(ze_kassel)
    page = client.get(url).content.decode()
    m1_row, m4_row = (row_of(page, measure.number) for measure in (m1, m4))
    assert "Maßnahmenabschluss: überfällig" in m1_row
    assert "überfällig" not in m4_row and "Maßnahmenabschluss" not in m4_row
    assert "ohne Teilnehmenden-Monitoring" in m4_row


def test_m4_measure_page_and_lists_agree_that_there_is_no_monitoring(client, ze_kassel, ended_m1_and_m4):
    _m1, m4 = ended_m1_and_m4
    client.force_login(ze_kassel)
    page = client.get(reverse("aqb_monitoring:measure", args=[m4.pk])).content.decode()
    assert "Für Maßnahmen dieser Art werden keine Teilnehmenden erfasst." in page
    assert "überfällig" not in page
    assert client.get(reverse("aqb_monitoring:measure", args=[m4.pk])).context["next_due"] is None


def row_of(page, number):
    """The table row (<tr>…</tr>) of the measure `number` in a rendered list."""
    start = page.index(f">{number}</a>")
    return page[page.rindex("<tr", 0, start) : page.index("</tr>", start)]


def test_admin_home_is_the_measures_panel_for_tenants(client, provider_a, measure_a, measure_b):
    client.force_login(provider_a)
    page = client.get("/admin/").content.decode()
    assert measure_a.number in page and measure_b.number not in page
    assert "Alle Maßnahmen anzeigen" in page


# --- query counts -------------------------------------------------------------


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def add_participants(measure, count, start=0):
    statuses = list(ParticipantStatus.values)
    Participant.objects.bulk_create(
        [
            Participant(measure=measure, pseudonym=f"BWN-{i:04d}", status=statuses[i % 3], entry_date=measure.start_date)
            for i in range(start, start + count)
        ]
    )


@pytest.mark.parametrize("user_fixture", ["ze_kassel", "rp_editor"])
def test_dashboard_queries_do_not_grow_with_measures(client, request, kassel, provider_org_a, user_fixture, django_assert_max_num_queries):
    client.force_login(request.getfixturevalue(user_fixture))
    for i in range(5):
        add_participants(make_measure(f"AQB26-KS-M1-{i:02d}", kassel, provider_org_a), 3)
    few = count_queries(client, DASHBOARD)
    for i in range(5, 60):
        measure = make_measure(f"AQB26-KS-M1-{i:02d}", kassel, provider_org_a)
        InterimDueDate.objects.create(measure=measure, due_date=datetime.date(2026, 12, 15))
        add_participants(measure, 3)
    assert Measure.objects.count() == 60
    many = count_queries(client, DASHBOARD)
    assert many == few
    # 20 before the reports; then the sent reports' prefetch and the RP's menu counts (open reports, requests)
    with django_assert_max_num_queries(24):
        client.get(DASHBOARD)
    with django_assert_max_num_queries(42):  # the RP's home also has Wagtail's page panels and the menu's counts
        client.get("/admin/")


def test_participant_list_queries_do_not_grow_with_participants(client, provider_a, measure_a, django_assert_max_num_queries):
    client.force_login(provider_a)
    url = reverse("aqb_monitoring:measure", args=[measure_a.pk])
    add_participants(measure_a, 5)
    few = count_queries(client, url)
    add_participants(measure_a, 55, start=5)
    many = count_queries(client, url)
    assert many == few
    with django_assert_max_num_queries(20):
        client.get(url + "?status=red&sort=-entry")


def test_participant_form_queries_do_not_grow_with_participants(client, provider_a, measure_a, django_assert_max_num_queries):
    client.force_login(provider_a)
    add_participants(measure_a, 5)
    participant = Participant.objects.filter(measure=measure_a).first()
    url = reverse("aqb_monitoring:participant_edit", args=[measure_a.pk, participant.pk])
    few = count_queries(client, url)
    add_participants(measure_a, 55, start=5)
    many = count_queries(client, url)
    assert many == few
    with django_assert_max_num_queries(30):
        client.get(url)
    with django_assert_max_num_queries(30):
        client.get(reverse("aqb_monitoring:participant_add", args=[measure_a.pk]))


# --- lists that fit (issue 10, items 8–10 and 15) -------------------------------


def test_rp_list_is_all_measures_with_grant_recipient_column_and_filter(client, rp_editor, measure_a, measure_b):
    client.force_login(rp_editor)
    response = client.get(DASHBOARD)
    page = response.content.decode()
    assert response.context["header_title"] == "Alle Maßnahmen"
    assert "Landkreis Kassel" in row_of(page, measure_a.number) and measure_b.grant_recipient.name in row_of(page, measure_b.number)
    numbers = [m.number for m in client.get(f"{DASHBOARD}?grant_recipient={measure_b.grant_recipient_id}").context["measures"]]
    assert numbers == [measure_b.number]
    assert "Alle Maßnahmen" in client.get("/admin/").content.decode()  # the menu says what the list holds


def test_grant_recipient_has_no_grant_recipient_filter_and_cannot_use_it(client, ze_kassel, measure_a, measure_b):
    client.force_login(ze_kassel)
    response = client.get(f"{DASHBOARD}?grant_recipient={measure_b.grant_recipient_id}")
    assert "grant_recipient" not in response.context["form"].fields
    assert response.context["header_title"] == "Meine Maßnahmen"
    assert [m.number for m in response.context["measures"]] == [measure_a.number]  # the parameter is ignored


def test_sorting_by_next_due_date_puts_the_latest_reports_first_and_the_owing_nothing_last(client, ze_kassel, kassel):
    late = make_measure("AQB25-KS-M1-01", kassel, budget_year=2025)  # closing overdue since January 2026
    later = make_measure("AQB26-KS-M1-01", kassel)
    done = make_measure("AQB25-KS-M2-01", kassel, type_code="M2", budget_year=2025,
                        closed_at=datetime.datetime(2026, 1, 10, tzinfo=datetime.UTC))
    none = make_measure("AQB25-KS-M4-01", kassel, type_code="M4", budget_year=2025)
    client.force_login(ze_kassel)

    def numbers(query):
        return [m.number for m in client.get(DASHBOARD + query).context["measures"]]

    assert numbers("?sort=due")[:2] == [late.number, later.number]
    assert set(numbers("?sort=due")[2:]) == {done.number, none.number}
    assert numbers("?sort=-due")[:2] == [later.number, late.number]
    assert numbers("?sort=status")[-1] == done.number and numbers("?sort=-status")[0] == done.number
    header = client.get(DASHBOARD).content.decode().split("<tbody>")[0]
    assert '<a href="?sort=due">Nächste Frist</a>' in header and '<a href="?sort=status">Status</a>' in header


def test_counts_are_dots_with_numbers_on_dashboard_and_home(client, provider_a, measure_a):
    make_participant(measure_a, "BWN-0001", status=ParticipantStatus.RED)
    client.force_login(provider_a)
    for url in (DASHBOARD, "/admin/"):
        row = row_of(client.get(url).content.decode(), measure_a.number)
        assert 'aqb-status--red' in row and 'aqb-status__dot' in row and "Rot:</span>&nbsp;1" in row


def test_home_panel_says_what_each_list_holds(client, provider_a, measure_a, kassel, provider_org_a):
    make_measure("AQB25-KS-M1-09", kassel, provider_org_a, budget_year=2025,
                 closed_at=datetime.datetime(2026, 1, 10, tzinfo=datetime.UTC))
    client.force_login(provider_a)
    page = client.get("/admin/").content.decode()
    assert "Offene Maßnahmen" in page and "1 offene Maßnahme, nach Maßnahmenende sortiert." in page
    assert "Alle Maßnahmen anzeigen, auch abgeschlossene (2)" in page


def test_participant_filter_can_be_reset(client, provider_a, measure_a):
    client.force_login(provider_a)
    page = client.get(reverse("aqb_monitoring:measure", args=[measure_a.pk]) + "?status=red").content.decode()
    form = page[page.index('aria-label="Teilnehmende filtern"'):]
    assert "Zurücksetzen" in form[: form.index("</form>")]
