"""The dashboard's box "Fällig in den nächsten 30 Tagen" (issue 15): a ZE or provider sees every report its
own open measures owe within 30 days, overdue ones marked, nothing of another tenant; the RP has no box
(its completeness board shows everybody); the box costs a constant number of queries."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from aqb_monitoring.models import InterimDueDate, Measure, Report

from .conftest import make_measure

pytestmark = pytest.mark.django_db

DASHBOARD = "/admin/monitoring/"


def closing_in(days, number, grant_recipient, provider=None):
    """A measure whose closing report (four weeks after its end) is due in `days` days (negative: overdue)."""
    end = timezone.localdate() + datetime.timedelta(days=days) - datetime.timedelta(weeks=4)
    # Ten days long, so that an annual report falls due within 30 days only around January (see the count test).
    return make_measure(number, grant_recipient, provider, start_date=end - datetime.timedelta(days=10), end_date=end,
                        budget_year=end.year)


def box_of(client, user):
    client.force_login(user)
    page = client.get(DASHBOARD).content.decode()
    client.logout()
    if 'id="due-box"' not in page:
        return None
    start = page.rindex("<section", 0, page.index('id="due-box"'))
    return page[start:page.index("</section>", start)]


def test_grant_recipient_sees_its_reports_due_within_30_days(client, ze_kassel, kassel, provider_org_a):
    soon = closing_in(10, "AQB26-KS-M1-30", kassel, provider_org_a)
    late = closing_in(-3, "AQB26-KS-M1-31", kassel, provider_org_a)
    later = closing_in(45, "AQB26-KS-M1-32", kassel, provider_org_a)
    InterimDueDate.objects.create(measure=later, due_date=timezone.localdate() + datetime.timedelta(days=30))
    box = box_of(client, ze_kassel)
    assert "Fällig in den nächsten 30 Tagen" in box
    assert "Maßnahmenabschluss (in 10 Tagen)" in box and soon.number in box
    assert "Maßnahmenabschluss (überfällig seit 3 Tagen)" in box and late.number in box
    assert 'class="aqb-overdue"' in box
    assert "aqb-summary--red" in box.split(">", 1)[0]  # the box itself is red while something is overdue
    assert "Zwischenmeldung (in 30 Tagen)" in box  # the 30th day is still in the box
    assert "Maßnahmenabschluss (in 45 Tagen)" not in box
    assert box.index(late.number) < box.index(soon.number) < box.index("Zwischenmeldung")  # most urgent first


def test_closed_measures_and_sent_reports_are_not_in_the_box(client, ze_kassel, kassel, provider_org_a):
    closed = closing_in(5, "AQB26-KS-M1-33", kassel, provider_org_a)
    closed.closed_at = timezone.now()
    closed.save(update_fields=["closed_at"])
    sent = closing_in(6, "AQB26-KS-M1-34", kassel, provider_org_a)
    InterimDueDate.objects.create(measure=sent, due_date=timezone.localdate() + datetime.timedelta(days=8))
    Report.objects.create(reference="2026-000099", kind="interim", measure=sent, period_start=sent.start_date,
                          period_end=timezone.localdate(), grant_recipient_name=kassel.name)
    box = box_of(client, ze_kassel)
    assert closed.number not in box
    assert "Maßnahmenabschluss (in 6 Tagen)" in box and "Zwischenmeldung" not in box


def test_box_shows_only_the_users_own_measures(client, ze_kassel, ze_fulda, provider_a, provider_b, kassel, fulda,
                                               provider_org_a, provider_org_a2, provider_org_b):
    own = closing_in(10, "AQB26-KS-M1-35", kassel, provider_org_a)
    sibling = closing_in(11, "AQB26-KS-M1-36", kassel, provider_org_a2)  # same ZE, another provider
    foreign = closing_in(12, "AQB26-FD-M1-35", fulda, provider_org_b)
    box = box_of(client, provider_a)
    assert own.number in box and sibling.number not in box and foreign.number not in box
    box = box_of(client, ze_kassel)
    assert own.number in box and sibling.number in box and foreign.number not in box
    box = box_of(client, ze_fulda)
    assert foreign.number in box and own.number not in box and sibling.number not in box
    box = box_of(client, provider_b)
    assert foreign.number in box and own.number not in box


def test_an_empty_box_says_nothing_is_due(client, ze_kassel, kassel):
    closing_in(60, "AQB26-KS-M1-37", kassel)
    assert "Keine Meldung fällig oder überfällig." in box_of(client, ze_kassel)


def test_rp_has_no_box(client, rp_editor, kassel):
    closing_in(10, "AQB26-KS-M1-38", kassel)
    assert box_of(client, rp_editor) is None


def test_box_queries_do_not_grow_with_measures(client, ze_kassel, kassel, provider_org_a):
    client.force_login(ze_kassel)
    for i in range(3):
        closing_in(5 + i, f"AQB26-KS-M1-{40 + i}", kassel, provider_org_a)
    with CaptureQueriesContext(connection) as few:
        client.get(DASHBOARD)
    for i in range(3, 40):
        measure = closing_in(5 + i % 20, f"AQB26-KS-M1-{40 + i}", kassel, provider_org_a)
        InterimDueDate.objects.create(measure=measure, due_date=timezone.localdate() + datetime.timedelta(days=2))
    with CaptureQueriesContext(connection) as many:
        page = client.get(DASHBOARD).content.decode()
    assert len(many) == len(few)
    # 40 closing and 37 interim reports, plus any annual report due within 30 days (in January); 20 shown.
    today = timezone.localdate()
    annual = sum(1 for measure in Measure.objects.all() for year in range(measure.start_date.year, measure.end_date.year + 1)
                 if (datetime.date(year + 1, 1, 31) - today).days <= 30)
    assert f"und {40 + 37 + annual - 20} weitere Fristen" in page
