"""A double click on a create form makes one object and no error page (issue 14).

On PostgreSQL the two posts arrive at the same moment, from two threads with their own database
connections; SQLite serialises every write, so there they come one after the other. Either way:
one object, no 500, and the second answer says in German what happened.
"""

import threading

import pytest
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from aqb_monitoring.models import ChangeRequest, Participant, ParticipantStatus, Report, User
from aqb_monitoring.services import ServiceError, accounts
from aqb_monitoring.services.participants import save_participant
from aqb_monitoring.validation import RuleContext
from tests.conftest import make_participant

PARALLEL = connection.vendor == "postgresql"
pytestmark = pytest.mark.django_db(transaction=PARALLEL)


def signed_in(user):
    client = Client(raise_request_exception=False)  # a server error comes back as the 500 a user would see
    client.force_login(user)
    return client


def double_post(user, url, data):
    """The same form sent twice by `user`: [first answer, second answer]."""
    clients = [signed_in(user), signed_in(user)]
    if not PARALLEL:
        return [client.post(url, data) for client in clients]
    answers = [None, None]
    start = threading.Barrier(2)

    def post(number):
        try:
            start.wait(timeout=30)
            answers[number] = clients[number].post(url, data)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=post, args=(number,)) for number in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return answers


def statuses(answers):
    return sorted(answer.status_code for answer in answers)


def test_a_double_click_on_a_new_participant_saves_one(provider_a, measure_a):
    url = reverse("aqb_monitoring:participant_add", args=[measure_a.pk])
    answers = double_post(provider_a, url, {"pseudonym": "BWN-0100", "entry_date": "01.02.2026"})
    assert 500 not in statuses(answers)
    assert Participant.objects.filter(measure=measure_a, pseudonym="BWN-0100").count() == 1
    refused = [answer for answer in answers if answer.status_code == 200]
    assert len(refused) == 1 and "ist in dieser Maßnahme bereits vergeben" in refused[0].content.decode()


def test_the_duplicate_id_is_checked_with_the_ids_as_they_are_under_the_lock(provider_a, measure_a):
    context = RuleContext.for_measure(measure_a)
    assert "BWN-0100" not in context.pseudonyms  # what the first form read
    make_participant(measure_a, "BWN-0100")  # the other click, saved meanwhile
    with pytest.raises(ServiceError) as refusal:
        save_participant(provider_a, measure_a, {"pseudonym": "BWN-0100", "entry_date": None}, context=context)
    assert "bereits vergeben" in " ".join(refusal.value.errors["pseudonym"])
    assert Participant.objects.filter(pseudonym="BWN-0100").count() == 1


def test_a_duplicate_the_rules_missed_becomes_the_forms_german_message(provider_a, measure_a, monkeypatch):
    make_participant(measure_a, "BWN-0100")
    monkeypatch.setattr(RuleContext, "pseudonyms", property(lambda self: {}))  # as if the rule had not seen it
    with pytest.raises(ServiceError) as refusal:
        save_participant(provider_a, measure_a, {"pseudonym": "BWN-0100", "entry_date": None})
    assert "bereits vergeben" in " ".join(refusal.value.errors["pseudonym"])
    assert Participant.objects.filter(pseudonym="BWN-0100").count() == 1


def test_a_double_click_on_send_report_sends_one(ze_kassel, measure_a):
    make_participant(measure_a, "BWN-0001", status=ParticipantStatus.YELLOW)
    url = reverse("aqb_reports:submit", args=[measure_a.pk, "zwischenmeldung"])
    answers = double_post(ze_kassel, url, {"submission_key": "doppelklick-1"})
    assert statuses(answers) == [302, 302]
    report = Report.objects.get()
    assert {answer["Location"] for answer in answers} == {reverse("aqb_reports:report_detail", args=[report.pk])}


def test_a_double_click_on_a_change_request_asks_once(ze_kassel, measure_a):
    url = reverse("aqb_reports:change_request_add", args=[measure_a.pk])
    answers = double_post(ze_kassel, url, {"field_name": "end_date", "proposed_value": "30.11.2026",
                                           "reason": "Laut Änderungsbescheid"})
    assert 500 not in statuses(answers) and 302 in statuses(answers)
    assert ChangeRequest.objects.filter(measure=measure_a).count() == 1


def test_a_double_click_on_a_new_user_creates_one(ze_kassel, provider_org_a):
    data = {"first_name": "Nina", "last_name": "Neu", "email": "neu@example.org", "organisation": provider_org_a.pk,
            "access": "invite"}
    answers = double_post(ze_kassel, reverse("aqb_users:add"), data)
    assert 500 not in statuses(answers) and 302 in statuses(answers)
    assert User.objects.filter(email="neu@example.org").count() == 1
    refused = [answer for answer in answers if answer.status_code == 200]
    assert len(refused) == 1 and "Zu dieser E-Mail-Adresse gibt es bereits ein Konto" in refused[0].content.decode()


def test_a_user_the_check_missed_becomes_the_forms_german_message(ze_kassel, provider_org_a, monkeypatch):
    values = {"first_name": "Nina", "last_name": "Neu", "email": "neu@example.org", "organisation": provider_org_a}
    accounts.do_create_user(ze_kassel, values, invite=False)
    monkeypatch.setattr(accounts, "check_create_user", lambda actor, values: {})  # the other click's check passed
    with pytest.raises(ServiceError) as refusal:
        accounts.do_create_user(ze_kassel, values, invite=False)
    assert refusal.value.errors == {"email": ["Zu dieser E-Mail-Adresse gibt es bereits ein Konto."]}
    assert User.objects.filter(email="neu@example.org").count() == 1


def test_every_admin_page_loads_the_double_click_guard_as_a_file(provider_a, measure_a):
    page = signed_in(provider_a).get(reverse("aqb_monitoring:participant_add", args=[measure_a.pk])).content.decode()
    assert "aqb_monitoring/js/double_submit.js" in page


def test_the_guard_disables_the_buttons_and_ignores_a_second_submit():
    from django.contrib.staticfiles import finders

    script = open(finders.find("aqb_monitoring/js/double_submit.js"), encoding="utf-8").read()
    assert 'addEventListener("submit"' in script and "event.preventDefault()" in script
    assert "button.disabled = true" in script and "pageshow" in script


COUNT_SUBMITS = """() => {
    window.aqbSubmits = 0;
    // Last in line (window, bubbling): counts each submit that would leave the page, then keeps the page.
    window.addEventListener("submit", (event) => {
        if (!event.defaultPrevented) { window.aqbSubmits += 1; }
        event.preventDefault();
    });
}"""


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_in_the_browser_a_double_click_submits_once_and_disables_the_button(page, live_server, provider_a, measure_a):
    from playwright.sync_api import expect

    from tests.conftest import login_in_browser

    login_in_browser(page, live_server, provider_a)
    page.goto(live_server.url + reverse("aqb_monitoring:participant_add", args=[measure_a.pk]))
    page.fill("[name=pseudonym]", "BWN-0100")
    page.evaluate(COUNT_SUBMITS)
    page.dblclick("button[name=save]")
    expect(page.locator("button[name=save]")).to_be_disabled()
    page.click("button[name=save]", force=True)  # a third click, on the disabled button
    assert page.evaluate("window.aqbSubmits") == 1
