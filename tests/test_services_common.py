"""services.common: what every write path shares — the refusal, the measure re-read under its lock, the edit rule
(V10 before the permission) and the audit entry (issue 11, mutation testing)."""

import pytest
from django.utils import timezone

from aqb_monitoring.models import AuditAction, AuditEntry, Measure
from aqb_monitoring.services import ServiceError
from aqb_monitoring.services.common import SHELL, audit, edit_refusal, locked_for_edit, locked_measure

from .conftest import make_participant

pytestmark = pytest.mark.django_db

NOT_ALLOWED = ["Sie dürfen die Teilnehmenden dieser Maßnahme nicht bearbeiten."]
CLOSED = ["Die Maßnahme ist abgeschlossen; Teilnehmende können nicht mehr geändert oder gelöscht werden."]


def test_a_refusal_without_a_field_reads_as_its_sentences_one_after_the_other():
    error = ServiceError(["Erstens.", "Zweitens."])
    assert str(error) == "Erstens. Zweitens." and error.messages == ["Erstens.", "Zweitens."]
    assert str(ServiceError("Nein.")) == "Nein."


def test_the_measure_is_read_again_with_its_type_in_one_query(measure_a, django_assert_num_queries):
    with django_assert_num_queries(1):
        fresh = locked_measure(measure_a)
        assert fresh.measure_type.code == "M1"
    assert fresh == measure_a and fresh is not measure_a


def test_a_measure_closed_in_the_meantime_is_refused_although_the_page_showed_it_open(ze_kassel, measure_a):
    Measure.objects.filter(pk=measure_a.pk).update(closed_at=timezone.now())  # another clerk's closing report
    assert not measure_a.is_closed
    with pytest.raises(ServiceError) as caught:
        locked_for_edit(ze_kassel, measure_a)
    assert caught.value.errors == {"__all__": CLOSED}


@pytest.mark.parametrize("user_fixture", ["ze_fulda", "provider_b", "provider_a2"])
def test_a_user_outside_the_measure_is_refused_in_german(request, measure_a, user_fixture):
    user = request.getfixturevalue(user_fixture)
    assert edit_refusal(user, measure_a) == {"__all__": NOT_ALLOWED}
    with pytest.raises(ServiceError) as caught:
        locked_for_edit(user, measure_a)
    assert caught.value.errors == {"__all__": NOT_ALLOWED}
    assert str(caught.value) == NOT_ALLOWED[0]


@pytest.mark.parametrize("user_fixture", ["ze_kassel", "provider_a"])
def test_the_measures_grant_recipient_and_provider_get_the_locked_measure(request, measure_a, user_fixture):
    user = request.getfixturevalue(user_fixture)
    assert edit_refusal(user, measure_a) == {}
    assert locked_for_edit(user, measure_a).pk == measure_a.pk


def test_an_audit_entry_without_changes_or_note_stores_empty_ones(ze_kassel, measure_a):
    entry = audit(ze_kassel, measure_a, None, AuditAction.CLOSE)
    entry.refresh_from_db()
    assert (entry.user, entry.measure, entry.participant, entry.pseudonym, entry.action, entry.changes, entry.note) == (
        ze_kassel, measure_a, None, "", AuditAction.CLOSE, {}, "")


def test_an_audit_entry_keeps_the_participant_its_id_the_changes_and_the_note(provider_a, measure_a):
    participant = make_participant(measure_a, "BWN-0042")
    entry = audit(provider_a, measure_a, participant, AuditAction.CHANGE, {"Geschlecht": ["", "divers"]}, note="Nachtrag")
    entry.refresh_from_db()
    assert (entry.user, entry.participant, entry.pseudonym, entry.changes, entry.note) == (
        provider_a, participant, "BWN-0042", {"Geschlecht": ["", "divers"]}, "Nachtrag")


def test_manage_py_and_a_user_without_id_are_recorded_without_a_user(measure_a):
    from aqb_monitoring.models import User

    unsaved = User(email="ungespeichert@example.org")
    for actor in (SHELL, unsaved, None):
        entry = audit(actor, measure_a, None, AuditAction.CHANGE, note=str(actor))
        entry.refresh_from_db()
        assert entry.user is None
    assert AuditEntry.objects.filter(measure=measure_a, user__isnull=True).count() == 3
    assert str(SHELL) == "manage.py"
