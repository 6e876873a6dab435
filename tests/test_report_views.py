"""The grant recipient's report pages (issue 12): pre-check with links, one confirmation, the report page
and its Excel file, the measure page's report section, and every page from the other tenant's side."""

import datetime
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from aqb_monitoring.models import ParticipantStatus, Report, ReportKind
from aqb_monitoring.services.reports import do_submit_report
from tests.conftest import make_participant

DURING = datetime.date(2026, 6, 1)


def submit_url(measure, slug):
    return reverse("aqb_reports:submit", args=[measure.pk, slug])


@pytest.mark.django_db
def test_precheck_links_every_red_record_and_offers_no_send_button(client, ze_kassel, measure_a):
    red = make_participant(measure_a, "BWN-0004", status=ParticipantStatus.RED)
    client.force_login(ze_kassel)
    html = client.get(submit_url(measure_a, "zwischenmeldung")).content.decode()
    assert "1 Teilnehmende mit Status rot: BWN-0004" in html
    assert reverse("aqb_monitoring:participant_edit", args=[measure_a.pk, red.pk]) in html
    assert "Meldung absenden" not in html


@pytest.mark.django_db
def test_grant_recipient_sends_an_interim_report_once_even_when_posting_twice(client, ze_kassel, measure_a):
    make_participant(measure_a, "BWN-0001", status=ParticipantStatus.YELLOW)
    client.force_login(ze_kassel)
    page = client.get(submit_url(measure_a, "zwischenmeldung")).content.decode()
    assert "Meldung absenden" in page
    key = page.split('name="submission_key" value="')[1].split('"')[0]
    first = client.post(submit_url(measure_a, "zwischenmeldung"), {"submission_key": key})
    second = client.post(submit_url(measure_a, "zwischenmeldung"), {"submission_key": key})
    report = Report.objects.get()
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == reverse("aqb_reports:report_detail", args=[report.pk])
    detail = client.get(first["Location"]).content.decode()
    assert report.reference in detail and "BWN-0001" in detail and "eingegangen" in detail
    measure_page = client.get(reverse("aqb_monitoring:measure", args=[measure_a.pk])).content.decode()
    assert report.reference in measure_page


@pytest.mark.django_db
def test_a_form_key_of_another_measures_report_is_refused_in_german_and_sends_nothing(client, ze_kassel, measure_a,
                                                                                     measure_a2):
    make_participant(measure_a, "BWN-0001", status=ParticipantStatus.GREEN)
    make_participant(measure_a2, "BWN-0002", status=ParticipantStatus.GREEN)
    client.force_login(ze_kassel)
    client.post(submit_url(measure_a, "zwischenmeldung"), {"submission_key": "schon-benutzt"})
    response = client.post(submit_url(measure_a2, "zwischenmeldung"), {"submission_key": "schon-benutzt"}, follow=True)
    assert response.status_code == 200
    assert "Das Formular ist nicht mehr gültig. Bitte laden Sie die Seite neu" in response.content.decode()
    assert list(Report.objects.values_list("measure", flat=True)) == [measure_a.pk]


@pytest.mark.django_db
def test_provider_sees_the_precheck_but_its_post_sends_nothing(client, provider_a, measure_a):
    make_participant(measure_a, "BWN-0001", status=ParticipantStatus.GREEN)
    client.force_login(provider_a)
    html = client.get(submit_url(measure_a, "zwischenmeldung")).content.decode()
    assert "sendet der Zuwendungsempfänger" in html and "Meldung absenden" not in html
    client.post(submit_url(measure_a, "zwischenmeldung"), {"submission_key": "x"})
    assert not Report.objects.exists()


@pytest.mark.django_db
def test_zero_report_button_only_without_participants(client, ze_kassel, measure_a):
    client.force_login(ze_kassel)
    page = client.get(reverse("aqb_monitoring:measure", args=[measure_a.pk])).content.decode()
    assert submit_url(measure_a, "nullmeldung") in page and submit_url(measure_a, "abschluss") not in page
    make_participant(measure_a, "BWN-0001", status=ParticipantStatus.GREEN)
    page = client.get(reverse("aqb_monitoring:measure", args=[measure_a.pk])).content.decode()
    assert submit_url(measure_a, "nullmeldung") not in page and submit_url(measure_a, "abschluss") in page


@pytest.mark.django_db
def test_report_excel_holds_the_reference_and_the_rows_as_sent(client, ze_kassel, measure_a):
    make_participant(measure_a, "=BWN-0001", status=ParticipantStatus.YELLOW)
    report = do_submit_report(ze_kassel, measure_a, ReportKind.INTERIM, today=DURING)
    client.force_login(ze_kassel)
    response = client.get(reverse("aqb_reports:report_download", args=[report.pk]))
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook["Meldung"]["B1"].value == report.reference
    rows = list(workbook["Teilnehmende"].iter_rows(values_only=True))
    assert rows[0][0] == "Aktenzeichen" and rows[1][0] == report.reference
    assert "=BWN-0001" in rows[1]  # a text, not a formula
    assert workbook["Teilnehmende"].cell(row=2, column=rows[0].index("Teilnehmenden-ID") + 1).data_type == "s"


@pytest.mark.django_db
@pytest.mark.parametrize("user_fixture", ["ze_fulda", "provider_b", "provider_a2"])
def test_other_tenants_get_404_for_every_report_page(client, request, user_fixture, ze_kassel, measure_a):
    report = do_submit_report(ze_kassel, measure_a, ReportKind.ZERO, today=DURING)
    client.force_login(request.getfixturevalue(user_fixture))
    for url in (
        submit_url(measure_a, "nullmeldung"),
        reverse("aqb_reports:report_detail", args=[report.pk]),
        reverse("aqb_reports:report_download", args=[report.pk]),
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(submit_url(measure_a, "nullmeldung"), {"submission_key": "y"}).status_code == 404
    assert Report.objects.count() == 1


@pytest.mark.django_db
def test_provider_of_the_measure_sees_its_reports(client, provider_a, ze_kassel, measure_a):
    report = do_submit_report(ze_kassel, measure_a, ReportKind.ZERO, today=DURING)
    client.force_login(provider_a)
    assert client.get(reverse("aqb_reports:report_detail", args=[report.pk])).status_code == 200


@pytest.mark.django_db
def test_rp_sees_reopen_on_a_closed_measure_and_no_report_buttons(client, rp_editor, ze_kassel, measure_a):
    do_submit_report(ze_kassel, measure_a, ReportKind.ZERO, today=DURING)
    client.force_login(rp_editor)
    page = client.get(reverse("aqb_monitoring:measure", args=[measure_a.pk])).content.decode()
    assert reverse("aqb_reports:reopen", args=[measure_a.pk]) in page
    assert submit_url(measure_a, "nullmeldung") not in page


@pytest.mark.django_db
def test_grant_recipient_sends_the_annual_report_for_all_eligible_measures_in_one_go(
        client, ze_kassel, measure_a, measure_a2):
    from tests.conftest import make_measure

    make_participant(measure_a, "BWN-0001", status=ParticipantStatus.YELLOW)
    make_participant(measure_a2, "JWK-0001", status=ParticipantStatus.RED)
    other_year = make_measure("AQB24-KS-M1-01", measure_a.grant_recipient, budget_year=2024)
    make_participant(other_year, "KS-0001", status=ParticipantStatus.GREEN)
    url = reverse("aqb_reports:annual_all") + "?year=2026"
    client.force_login(ze_kassel)
    page = client.get(url).content.decode()
    assert "bereit zum Absenden" in page and "Status rot: JWK-0001" in page
    assert other_year.number not in page
    key = page.split('name="batch_key" value="')[1].split('"')[0]
    result = client.post(reverse("aqb_reports:annual_all"), {"year": "2026", "batch_key": key}).content.decode()
    report = Report.objects.get()
    assert report.measure == measure_a and report.reporting_year == 2026
    assert f"abgesendet: <a href=\"{reverse('aqb_reports:report_detail', args=[report.pk])}\">{report.reference}" in result
    assert "nicht abgesendet:" in result and "Status rot: JWK-0001" in result
    client.post(reverse("aqb_reports:annual_all"), {"year": "2026", "batch_key": key})  # the same click again
    assert Report.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("user_fixture", ["provider_a", "rp_editor"])
def test_only_grant_recipients_have_the_annual_report_for_all(client, request, user_fixture, measure_a):
    make_participant(measure_a, "BWN-0001", status=ParticipantStatus.YELLOW)
    client.force_login(request.getfixturevalue(user_fixture))
    url = reverse("aqb_reports:annual_all")
    assert client.get(url).status_code == 404 and client.post(url, {"year": "2026"}).status_code == 404
    assert not Report.objects.exists()
