"""The RP's report views (issue 12): inbox with filters, review steps posted from the report page,
reopening a closed measure; all of it a 404 for grant recipients and providers."""

import datetime

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from aqb_monitoring.formatting import format_date
from aqb_monitoring.models import (
    AuditEntry,
    Measure,
    Report,
    ReportKind,
    ReportReview,
    ReturnReason,
    ReviewState,
)
from aqb_monitoring.reporting.review_views import review_context
from aqb_monitoring.services.reports import do_review_report, do_submit_report
from tests.conftest import make_measure

DURING = datetime.date(2026, 6, 1)
INBOX = "aqb_reports:inbox"


def zero_report(user, measure):
    """A zero report: no participants needed, and it closes the measure."""
    return do_submit_report(user, measure, ReportKind.ZERO, today=DURING)


def texts(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def inbox(client, user, **params):
    client.force_login(user)
    response = client.get(reverse(INBOX), params)
    assert response.status_code == 200
    return response


def references(response):
    return [row["report"].reference for row in response.context["rows"]]


@pytest.fixture
def report_a(ze_kassel, measure_a):
    return zero_report(ze_kassel, measure_a)


@pytest.fixture
def report_b(ze_fulda, measure_b):
    return zero_report(ze_fulda, measure_b)


# ---------------------------------------------------------------------------
# Only the RP
# ---------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["ze_kassel", "provider_a"])
def test_everything_is_404_for_ze_and_provider(client, request, who, report_a, measure_a):
    user = request.getfixturevalue(who)
    client.force_login(user)
    assert client.get(reverse(INBOX)).status_code == 404
    assert client.post(reverse("aqb_reports:review", args=[report_a.pk]), {"state": "accepted"}).status_code == 404
    assert client.get(reverse("aqb_reports:reopen", args=[measure_a.pk])).status_code == 404
    assert client.post(reverse("aqb_reports:reopen", args=[measure_a.pk]), {"reason": "x"}).status_code == 404
    assert not ReportReview.objects.exists()
    assert Measure.objects.get(pk=measure_a.pk).is_closed


@pytest.mark.django_db
def test_anonymous_gets_no_inbox(client):
    response = client.get(reverse(INBOX))
    assert response.status_code in (302, 404)


@pytest.mark.django_db
def test_review_context_is_empty_for_others(rf, ze_kassel, rp_editor, report_a):
    request = rf.get("/")
    request.user = ze_kassel
    assert review_context(request, report_a) == {}
    request.user = rp_editor
    context = review_context(request, report_a)
    assert context["can_take_in_review"] and context["can_accept"] and context["can_return"]
    assert context["review_url"] == reverse("aqb_reports:review", args=[report_a.pk])


# ---------------------------------------------------------------------------
# Inbox
# ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_inbox_lists_open_reports_oldest_first(client, rp_editor, report_a, report_b):
    do_review_report(rp_editor, report_b, ReviewState.IN_REVIEW)
    response = inbox(client, rp_editor)
    assert references(response) == [report_a.reference, report_b.reference]
    content = response.content.decode()
    assert "Nullmeldung" in content
    assert "AQB26-KS-M1-01" in content and "Landkreis Fulda" in content
    assert "in Prüfung" in content and "eingegangen" in content
    assert format_date(report_a.submitted_at) in content  # the local day (at 23:30 UTC it is tomorrow in Kassel)
    assert reverse("aqb_reports:report_detail", args=[report_a.pk]) in content


@pytest.mark.django_db
def test_inbox_filters_by_state(client, rp_editor, report_a, report_b):
    do_review_report(rp_editor, report_a, ReviewState.ACCEPTED)
    assert references(inbox(client, rp_editor)) == [report_b.reference]
    assert references(inbox(client, rp_editor, state="accepted")) == [report_a.reference]
    assert references(inbox(client, rp_editor, state="received")) == [report_b.reference]
    # "alle": the open ones first
    assert references(inbox(client, rp_editor, state="alle")) == [report_b.reference, report_a.reference]


@pytest.mark.django_db
def test_inbox_filters_by_grant_recipient_kind_and_year(client, rp_editor, ze_kassel, kassel, fulda, report_a, report_b):
    assert references(inbox(client, rp_editor, grant_recipient=kassel.pk)) == [report_a.reference]
    assert references(inbox(client, rp_editor, grant_recipient=fulda.pk)) == [report_b.reference]
    assert references(inbox(client, rp_editor, kind="zero")) == [report_a.reference, report_b.reference]
    assert references(inbox(client, rp_editor, kind="annual")) == []
    later = make_measure("AQB27-KS-M1-01", kassel, budget_year=2027)
    report_later = do_submit_report(ze_kassel, later, ReportKind.ZERO, today=datetime.date(2027, 6, 1))
    assert references(inbox(client, rp_editor, budget_year=2027)) == [report_later.reference]
    assert report_later.reference not in references(inbox(client, rp_editor, budget_year=2026))


@pytest.mark.django_db
def test_inbox_queries_do_not_grow_with_rows(client, rp_editor, ze_kassel, kassel, django_assert_max_num_queries):
    client.force_login(rp_editor)
    zero_report(ze_kassel, make_measure("AQB26-KS-M1-10", kassel))
    with django_assert_max_num_queries(20) as few:
        client.get(reverse(INBOX))
    for number in range(11, 19):
        zero_report(ze_kassel, make_measure(f"AQB26-KS-M1-{number}", kassel))
    with django_assert_max_num_queries(len(few.captured_queries)) as many:
        response = client.get(reverse(INBOX), {"state": "alle"})
    assert len(response.context["rows"]) == 9
    assert len(many.captured_queries) <= len(few.captured_queries)


# ---------------------------------------------------------------------------
# Review steps
# ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_review_is_post_only(client, rp_editor, report_a):
    client.force_login(rp_editor)
    assert client.get(reverse("aqb_reports:review", args=[report_a.pk])).status_code == 405


@pytest.mark.django_db
def test_take_in_review_then_accept(client, rp_editor, report_a):
    client.force_login(rp_editor)
    url = reverse("aqb_reports:review", args=[report_a.pk])
    response = client.post(url, {"state": "in_review"})
    assert response.status_code == 302
    assert response["Location"] == reverse("aqb_reports:report_detail", args=[report_a.pk])
    assert any("in Prüfung" in text for text in texts(response))
    response = client.post(url, {"state": "accepted"})
    assert any("angenommen" in text for text in texts(response))
    assert list(ReportReview.objects.filter(report=report_a).values_list("state", flat=True)) == ["in_review", "accepted"]
    # accepted is final: nothing more is offered, a further step is refused
    request = response.wsgi_request
    context = review_context(request, Report.objects.get(pk=report_a.pk))
    assert not context["can_review"]
    response = client.post(url, {"state": "returned", "note": "zu spät"})
    assert any("kann nicht mehr" in text for text in texts(response))
    assert ReportReview.objects.filter(report=report_a).count() == 2


@pytest.mark.django_db
def test_return_with_reason_reopens_closed_measure(client, rp_editor, report_a, measure_a):
    assert Measure.objects.get(pk=measure_a.pk).is_closed
    reason = ReturnReason.objects.filter(is_active=True).first()
    client.force_login(rp_editor)
    response = client.post(reverse("aqb_reports:review", args=[report_a.pk]),
                           {"state": "returned", "reasons": [reason.pk], "note": "Bitte prüfen"})
    assert response.status_code == 302
    assert any("zurückgegeben" in text for text in texts(response))
    step = ReportReview.objects.get(report=report_a)
    assert step.state == ReviewState.RETURNED and step.note == "Bitte prüfen"
    assert list(step.reasons.all()) == [reason]
    assert step.decided_by == rp_editor
    assert not Measure.objects.get(pk=measure_a.pk).is_closed


@pytest.mark.django_db
def test_return_without_reason_is_refused_and_writes_nothing(client, rp_editor, report_a, measure_a):
    client.force_login(rp_editor)
    audit_before = AuditEntry.objects.count()
    response = client.post(reverse("aqb_reports:review", args=[report_a.pk]), {"state": "returned", "note": "  "})
    assert response.status_code == 302
    assert response["Location"] == reverse("aqb_reports:report_detail", args=[report_a.pk])
    assert any("Rückgabegrund" in text for text in texts(response))
    assert not ReportReview.objects.exists()
    assert AuditEntry.objects.count() == audit_before
    assert Measure.objects.get(pk=measure_a.pk).is_closed


@pytest.mark.django_db
def test_unknown_state_or_inactive_reason_is_refused(client, rp_editor, report_a):
    client.force_login(rp_editor)
    url = reverse("aqb_reports:review", args=[report_a.pk])
    assert client.post(url, {"state": "received"}).status_code == 302
    inactive = ReturnReason.objects.create(code="alt", label="Alter Grund", is_active=False)
    response = client.post(url, {"state": "returned", "reasons": [inactive.pk]})
    assert any("nicht (mehr) verfügbar" in text for text in texts(response))
    assert not ReportReview.objects.exists()


@pytest.mark.django_db
def test_review_context_offers_only_allowed_steps_and_history(rf, rp_editor, report_a):
    do_review_report(rp_editor, report_a, ReviewState.IN_REVIEW)
    request = rf.get("/")
    request.user = rp_editor
    context = review_context(request, report_a)
    assert not context["can_take_in_review"]
    assert context["can_accept"] and context["can_return"]
    assert [step.state for step in context["review_history"]] == ["in_review"]
    assert all(reason.is_active for reason in context["return_reasons"])


@pytest.mark.django_db
def test_report_page_shows_review_form_to_rp_only(client, rp_editor, ze_kassel, report_a):
    url = reverse("aqb_reports:report_detail", args=[report_a.pk])
    client.force_login(rp_editor)
    content = client.get(url).content.decode()
    assert "In Prüfung nehmen" in content and "Annehmen" in content and "Zurückgeben" in content
    client.force_login(ze_kassel)
    content = client.get(url).content.decode()
    assert "In Prüfung nehmen" not in content


# ---------------------------------------------------------------------------
# Reopening a measure
# ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_reopen_form_and_success(client, rp_editor, report_a, measure_a):
    client.force_login(rp_editor)
    url = reverse("aqb_reports:reopen", args=[measure_a.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert "Maßnahme wieder öffnen" in response.content.decode()
    response = client.post(url, {"reason": "Nachmeldung eines Teilnehmers"})
    assert response.status_code == 302
    assert response["Location"] == reverse("aqb_monitoring:measure", args=[measure_a.pk])
    assert any("wieder geöffnet" in text for text in texts(response))
    assert not Measure.objects.get(pk=measure_a.pk).is_closed


@pytest.mark.django_db
def test_reopen_needs_a_reason_and_writes_nothing(client, rp_editor, report_a, measure_a):
    client.force_login(rp_editor)
    audit_before = AuditEntry.objects.count()
    response = client.post(reverse("aqb_reports:reopen", args=[measure_a.pk]), {"reason": "   "})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert Measure.objects.get(pk=measure_a.pk).is_closed
    assert AuditEntry.objects.count() == audit_before


@pytest.mark.django_db
def test_reopen_open_measure_is_refused_on_the_form(client, rp_editor, measure_a):
    client.force_login(rp_editor)
    audit_before = AuditEntry.objects.count()
    response = client.post(reverse("aqb_reports:reopen", args=[measure_a.pk]), {"reason": "Versehen"})
    assert response.status_code == 200
    assert "Die Maßnahme ist nicht abgeschlossen." in response.content.decode()
    assert AuditEntry.objects.count() == audit_before


@pytest.mark.django_db
def test_menu_item_for_rp_with_open_count(client, rp_editor, ze_kassel, report_a):
    client.force_login(rp_editor)
    content = client.get(reverse("wagtailadmin_home")).content.decode()
    assert "Meldungseingang (1)" in content
    client.force_login(ze_kassel)
    assert "Meldungseingang" not in client.get(reverse("wagtailadmin_home")).content.decode()
