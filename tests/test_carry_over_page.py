"""The carry-over page tells the clerk which entry date the successor measure gives (issue 10, item 18)."""

import datetime
import re

import pytest
from django.urls import reverse

from aqb_monitoring.models import Destination, Participant

from .conftest import make_measure, make_participant

pytestmark = pytest.mark.django_db

SUCCESSOR_START = datetime.date(2027, 2, 15)


@pytest.fixture
def successor(measure_a, kassel, provider_org_a):
    successor = make_measure("AQB27-KS-M1-01", kassel, provider_org_a, budget_year=2027, start_date=SUCCESSOR_START)
    measure_a.successor = successor
    measure_a.save()
    return successor


def continuing(measure, pseudonym, entry_date):
    return make_participant(measure, pseudonym, entry_date=entry_date, exit_date=measure.end_date,
                            destination=Destination.objects.get(is_carry_over=True))


def test_the_page_names_the_entry_date_in_the_successor_before_anything_is_taken(
        client, ze_kassel, measure_a, successor):
    continuing(measure_a, "C-1", datetime.date(2026, 3, 2))
    client.force_login(ze_kassel)
    page = client.get(reverse("aqb_excel:carry_over", args=[measure_a.pk])).content.decode()
    assert "Eintrittsdatum in der Folgemaßnahme: 15.02.2027" in page
    assert not Participant.objects.filter(measure=successor).exists()


def test_each_listed_person_shows_the_old_and_the_new_entry_date(client, provider_a, measure_a, successor):
    continuing(measure_a, "C-1", datetime.date(2026, 3, 2))
    continuing(measure_a, "C-2", datetime.date(2026, 5, 4))
    client.force_login(provider_a)
    page = client.get(reverse("aqb_excel:carry_over", args=[measure_a.pk])).content.decode()
    start = page.index('id="carry-over-candidates"')
    table = page[start:page.index("</table>", start)]
    assert "Eintrittsdatum in AQB27-KS-M1-01" in table
    rows = re.findall(r"<tr><td>(C-\d)</td><td>([\d.]+)</td><td>[\d.]*</td><td data-new-entry-date>([\d.]+)</td></tr>",
                      table)
    assert rows == [("C-1", "02.03.2026", "15.02.2027"), ("C-2", "04.05.2026", "15.02.2027")]


def test_the_date_shown_is_the_date_the_carry_over_gives(client, ze_kassel, measure_a, successor):
    continuing(measure_a, "C-1", datetime.date(2026, 3, 2))
    client.force_login(ze_kassel)
    url = reverse("aqb_excel:carry_over", args=[measure_a.pk])
    shown = re.search(r"Eintrittsdatum in der Folgemaßnahme: ([\d.]+)", client.get(url).content.decode()).group(1)
    client.post(url)
    carried = Participant.objects.get(measure=successor)
    assert carried.entry_date.strftime("%d.%m.%Y") == shown


def test_another_grant_recipient_learns_neither_the_page_nor_the_date(client, ze_fulda, measure_a, successor):
    continuing(measure_a, "C-1", datetime.date(2026, 3, 2))
    client.force_login(ze_fulda)
    url = reverse("aqb_excel:carry_over", args=[measure_a.pk])
    response = client.get(url)
    assert response.status_code == 404
    assert "15.02.2027" not in response.content.decode()
    assert client.post(url).status_code == 404
    assert not Participant.objects.filter(measure=successor).exists()
