"""The monitoring demo data: idempotent, valid by the rules, every status, scoped per tenant."""

import datetime

import pytest
from django.db.models import Count
from django.utils import timezone

from aqb_monitoring import demo, permissions
from aqb_monitoring.models import Measure, Participant, ParticipantStatus, User
from aqb_monitoring.status import recompute_for_measure


class Report:
    def __init__(self):
        self.lines = []

    def created(self, kind, name):
        self.lines.append(("created", kind, name))

    def changed(self, kind, name):
        self.lines.append(("changed", kind, name))


@pytest.fixture
def seeded(db):
    report = Report()
    demo.seed_accounts(report)
    demo.seed_monitoring(report)
    return report


def test_second_run_changes_nothing(seeded):
    counts = (Measure.objects.count(), Participant.objects.count())
    again = Report()
    demo.seed_accounts(again)
    demo.seed_monitoring(again)
    assert again.lines == []
    assert (Measure.objects.count(), Participant.objects.count()) == counts


def test_measures_of_every_type_in_both_years_with_successors(seeded):
    for year in (2025, 2026):
        types = set(Measure.objects.filter(budget_year=year).values_list("measure_type__code", flat=True))
        assert types == {"M1", "M2", "M3", "M4"}
    assert Measure.objects.get(number="AQB25-KS-M1-01").successor.number == "AQB26-KS-M1-01"
    # Closed by their reports: the closing report of AQB25-FD-M2-01, the zero report of AQB26-KS-M3-02.
    assert set(Measure.objects.filter(closed_at__isnull=False).values_list("number", flat=True)) == {
        demo.CLOSED_MEASURE, demo.ZERO_MEASURE}


def test_participants_in_every_status_and_valid_by_the_rules(seeded):
    for measure in Measure.objects.select_related("measure_type"):
        count = measure.participants.count()
        if not measure.measure_type.has_participant_monitoring or measure.number == demo.ZERO_MEASURE:
            assert count == 0
            continue
        assert 20 <= count <= 70, measure.number
        # The stored status is what the rules compute.
        assert recompute_for_measure(measure) == 0, measure.number
    statuses = dict(Participant.objects.values_list("status").annotate(n=Count("id")).order_by())
    assert all(statuses.get(status, 0) > 10 for status in ParticipantStatus.values)
    closed = Measure.objects.get(number=demo.CLOSED_MEASURE)
    assert set(closed.participants.values_list("status", flat=True)) == {ParticipantStatus.GREEN}


def test_every_kind_of_report_in_every_review_state(seeded):
    from aqb_monitoring.models import Report, ReportKind, ReviewState

    reports = list(Report.objects.with_state())
    assert {report.kind for report in reports} == set(ReportKind.values)
    assert {report.state for report in reports} == set(ReviewState.values)
    assert len({report.reference for report in reports}) == len(reports)
    # Dated when a clerk would have sent them, the number's year that of the sending, reviews after it.
    for report in reports:
        assert report.submitted_at.date() < datetime.date(2026, 11, 1)
        assert report.reference.startswith(f"AQB-{timezone.localtime(report.submitted_at).year}-")
        assert all(review.decided_at > report.submitted_at for review in report.reviews.all())


def test_birth_years_and_dates_fit_the_measure(seeded):
    for participant in Participant.objects.select_related("measure").exclude(birth_year=None):
        assert 10 <= participant.entry_date.year - participant.birth_year <= 70
        assert participant.measure.start_date <= participant.entry_date <= participant.measure.end_date
        if participant.exit_date:
            assert participant.entry_date <= participant.exit_date <= participant.measure.end_date


def test_ids_start_with_the_providers_code(seeded):
    expected = {"BWN": "Bildungswerk Nordhessen", "JWK": "Jugendwerkstatt Kassel", "FP": "Fulda Perspektiven"}
    for pseudonym, provider, ze in Participant.objects.values_list(
        "pseudonym", "measure__provider__name", "measure__grant_recipient__abbreviation"
    ):
        code = pseudonym.split("-")[0]
        assert expected.get(code) == provider if provider else code == ze


def test_carried_over_participants_enter_the_successor_on_its_start(seeded):
    carried = Participant.objects.filter(carried_over_from__isnull=False).select_related("measure", "carried_over_from")
    assert carried.exists()
    for participant in carried:
        assert participant.entry_date == participant.measure.start_date
        assert participant.carried_over_from.destination.is_carry_over


def test_demo_logins_see_their_own_measures_only(seeded):
    assert {email for email, _role in demo.DEMO_LOGINS} >= {
        "rp@aqb-demo.de",
        "ze.kassel@aqb-demo.de",
        "ze.fulda@aqb-demo.de",
        "traeger.nordhessen@aqb-demo.de",
        "traeger.jugendwerkstatt@aqb-demo.de",
        "traeger.fulda@aqb-demo.de",
    }

    def numbers(email):
        return set(permissions.measures_for(User.objects.get(email=email)).values_list("number", flat=True))

    assert numbers("rp@aqb-demo.de") == set(Measure.objects.values_list("number", flat=True))
    assert numbers("ze.kassel@aqb-demo.de") == set(Measure.objects.filter(number__contains="-KS-").values_list("number", flat=True))
    assert numbers("traeger.nordhessen@aqb-demo.de") == {"AQB25-KS-M1-01", "AQB26-KS-M1-01"}
    assert numbers("traeger.jugendwerkstatt@aqb-demo.de") == {"AQB25-KS-M2-01", "AQB26-KS-M2-01"}
    assert all("-FD-" in number for number in numbers("traeger.fulda@aqb-demo.de"))
    user = User.objects.get(email="traeger.fulda@aqb-demo.de")
    assert user.check_password(demo.DEMO_PASSWORD)
    assert user.has_perm("wagtailadmin.access_admin")


def test_change_requests_in_every_state(seeded):
    from aqb_monitoring.models import ChangeRequest, ChangeRequestState

    assert set(ChangeRequest.objects.values_list("state", flat=True)) == set(ChangeRequestState.values)
    assert Measure.objects.get(number="AQB26-FD-M1-01").title == "Startklar Ausbildung Fulda und Hünfeld"
