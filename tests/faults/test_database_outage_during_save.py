"""The database goes away while a clerk saves a participant (issue 14): the clerk gets the German error
page, nothing is half-written (no record without its answers or its audit entry), and the next save
works again without anybody restarting anything. Simulated on every database; on PostgreSQL the
connection is also killed for real with pg_terminate_backend."""

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from aqb_monitoring.models import Answer, AuditEntry, Participant, ParticipantGoal

from ..participant_values import all_answers, entry_values
from ..test_participant_form import post_data
from .conftest import BreakConnection

pytestmark = pytest.mark.django_db(transaction=True)


def save(ze_kassel, measure, pseudonym, breaker=None):
    client = Client(raise_request_exception=False)
    client.force_login(ze_kassel)
    goal = ParticipantGoal.objects.get(code="ausbildungsreife")  # a goal whose question block applies
    values = {**entry_values(measure, pseudonym=pseudonym, goal=goal), "entry_answers": all_answers(measure, goal)}
    url = reverse("aqb_monitoring:participant_add", args=[measure.pk])
    if breaker is None:
        return client.post(url, post_data(values))
    with connection.execute_wrapper(breaker):
        response = client.post(url, post_data(values))
    connection.close()  # as Django does after a request whose connection broke
    return response


def test_a_connection_lost_in_the_middle_of_a_save_writes_nothing_and_says_so_in_german(
        ze_kassel, measure_a, break_kind):
    breaker = BreakConnection('INSERT INTO "aqb_monitoring_auditentry"', kind=break_kind)
    response = save(ze_kassel, measure_a, "AUSFALL-1", breaker)
    assert breaker.broken == 1
    assert response.status_code == 500
    page = response.content.decode()
    assert "Es ist ein Fehler aufgetreten" in page and "Traceback" not in page
    assert not Participant.objects.filter(pseudonym="AUSFALL-1").exists()
    assert not Answer.objects.exists() and not AuditEntry.objects.exists()

    # The next save works on a new connection: nothing to restart.
    response = save(ze_kassel, measure_a, "AUSFALL-1")
    assert response.status_code == 302
    participant = Participant.objects.get(pseudonym="AUSFALL-1")
    assert Answer.objects.filter(participant=participant).exists()
    assert AuditEntry.objects.filter(participant_id=participant.pk).count() == 1


def test_a_database_that_is_down_when_the_save_starts_gives_the_german_page(ze_kassel, measure_a):
    breaker = BreakConnection("SELECT", times=10_000)
    response = save(ze_kassel, measure_a, "AUSFALL-2", breaker)
    assert response.status_code == 500
    assert "Es ist ein Fehler aufgetreten" in response.content.decode()
    assert not Participant.objects.filter(pseudonym="AUSFALL-2").exists()
