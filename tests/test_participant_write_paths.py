"""Parity of the participant write paths: each shared rule through every entry point that can trigger it.

The entry points are the participant form (admin view), the Excel import in the admin (upload,
then "Übernehmen"), `manage.py import_participants`, the carry-over into the following budget,
and the services themselves. Each test is parametrised over the paths, so a path that skips
a rule fails by name.
"""

import datetime
import io
import tempfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from aqb_monitoring import services
from aqb_monitoring.excel.layout import Layout
from aqb_monitoring.models import (
    Answer,
    AuditAction,
    AuditEntry,
    Destination,
    ImportJob,
    Participant,
    ParticipantGoal,
    Question,
)
from aqb_monitoring.validation import values_from_participant

from .conftest import make_measure
from .excel_files import workbook_bytes, yellow_row
from .participant_values import all_answers, entry_values, import_row

pytestmark = pytest.mark.django_db

GOAL_LABEL = "Verbesserung der Ausbildungsreife der Teilnehmer"


# ---------------------------------------------------------------------------
# A participant with answers, and the ways to change it
# ---------------------------------------------------------------------------


@pytest.fixture
def goal():
    return ParticipantGoal.objects.get(code="ausbildungsreife")


@pytest.fixture
def stored(ze_kassel, measure_a, goal):
    """P-1 in measure_a, born 2006, with a yes to every question of the block its goal asks."""
    values = entry_values(measure_a, pseudonym="P-1", goal=goal, birth_year=2006,
                          entry_answers=all_answers(measure_a, goal))
    participant, _ = services.save_participant(ze_kassel, measure_a, values)
    return participant


def file_row(measure, pseudonym="P-1", **overrides):
    """The row of P-1 as a clerk's file has it: the active questions of its block answered "ja"."""
    answers = {column.header: "ja" for column in Layout().columns
               if column.is_answer and column.phase == "entry" and column.question_code.startswith("ausbildungsreife")}
    return yellow_row(measure, pseudonym, **{"TN-Ziel": GOAL_LABEL, "Geburtsjahr": 2006, **answers, **overrides})


def form_data(participant, client, **changes):
    """What the edit form posts: the record as the form shows it (with its hidden version), plus `changes`."""
    form = client.get(reverse("aqb_monitoring:participant_edit", args=[participant.measure_id, participant.pk]))
    assert form.status_code == 200
    data = {}
    for field in form.context["form"]:
        value = field.value()
        if isinstance(value, datetime.date):
            value = value.strftime("%d.%m.%Y")
        data[field.name] = "" if value is None else str(value)
    data.update({name: str(value) for name, value in changes.items()})
    return data


def post_form(client, participant, data):
    return client.post(reverse("aqb_monitoring:participant_edit", args=[participant.measure_id, participant.pk]), data)


def upload(client, measure, content):
    """Upload in the admin; returns the import job with its preview (None when the upload was refused)."""
    response = client.post(reverse("aqb_excel:measure_import", args=[measure.pk]),
                           {"file": SimpleUploadedFile("teilnehmende.xlsx", content)})
    job = ImportJob.objects.filter(measure=measure).order_by("-pk").first()
    return response, job


def take(client, job):
    return client.post(reverse("aqb_excel:job_take", args=[job.pk]))


def change_birth_year(path, client, user, participant, year):
    """Change P-1's birth year through `path` as `user`."""
    measure = participant.measure
    if path == "form":
        client.force_login(user)
        return post_form(client, participant, form_data(participant, client, birth_year=year))
    content = workbook_bytes([file_row(measure, Geburtsjahr=year)])
    if path == "excel":
        client.force_login(user)
        response, job = upload(client, measure, content)
        return response if job is None else take(client, job)
    if path == "cli":
        return cli_import(measure, content)
    raise AssertionError(path)


def cli_import(measure, content):
    with tempfile.NamedTemporaryFile(suffix=".xlsx") as file:
        file.write(content)
        file.flush()
        try:
            call_command("import_participants", measure.number, file.name, stdout=io.StringIO(), stderr=io.StringIO())
        except SystemExit as error:
            return error.code
    return 0


UPDATE_PATHS = ["form", "excel", "cli"]


# ---------------------------------------------------------------------------
# Closed measure (V10)
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("path", [*UPDATE_PATHS, "carry_over", "service_single", "service_bulk", "delete",
                                  "service_delete"])
def test_a_closed_measure_takes_no_change(path, client, ze_kassel, measure_a, stored, kassel, provider_org_a):
    if path == "carry_over":
        successor = make_measure("AQB27-KS-M1-01", kassel, provider_org_a, budget_year=2027)
        measure_a.successor = successor
        measure_a.save()
        Participant.objects.filter(pk=stored.pk).update(
            exit_date=measure_a.end_date, destination=Destination.objects.get(is_carry_over=True))
        successor.closed_at = timezone.now()
        successor.save()
        client.force_login(ze_kassel)
        client.post(reverse("aqb_excel:carry_over", args=[measure_a.pk]))
        assert not Participant.objects.filter(measure=successor).exists()
        return
    row = import_row(measure_a, stored, birth_year=2001)  # valid while the measure was open
    measure_a.closed_at = timezone.now()
    measure_a.save()
    before = AuditEntry.objects.count()
    if path == "service_single":
        with pytest.raises(services.ServiceError, match="abgeschlossen"):
            services.save_participant(ze_kassel, measure_a, {**values_from_participant(stored), "birth_year": 2001}, stored)
    elif path == "service_bulk":
        with pytest.raises(services.ServiceError, match="abgeschlossen"):
            services.import_participants(ze_kassel, measure_a, [row])
    elif path == "service_delete":
        with pytest.raises(services.ServiceError, match="abgeschlossen"):
            services.delete_participant(ze_kassel, stored)
    elif path == "delete":
        client.force_login(ze_kassel)
        client.post(reverse("aqb_monitoring:participant_delete", args=[measure_a.pk, stored.pk]))
    else:
        change_birth_year(path, client, ze_kassel, stored, 2001)
    stored.refresh_from_db()  # still there (a delete would raise DoesNotExist)
    assert stored.birth_year == 2006
    assert AuditEntry.objects.count() == before


# ---------------------------------------------------------------------------
# Answers to questions the RP has deactivated are kept (docs/domain-rules.md §5)
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("path", UPDATE_PATHS)
def test_answers_to_deactivated_questions_are_kept(path, client, ze_kassel, measure_a, stored, goal):
    deactivated = sorted(all_answers(measure_a, goal))[0]
    Question.objects.filter(code=deactivated).update(is_active=False)
    change_birth_year(path, client, ze_kassel, stored, 2001)
    stored.refresh_from_db()
    assert stored.birth_year == 2001
    assert Answer.objects.filter(participant=stored, question__code=deactivated, value=True).exists()
    assert Answer.objects.filter(participant=stored).count() == len(all_answers(measure_a, goal)) + 1


# ---------------------------------------------------------------------------
# Audit entry {label: [old, new]}, and updated_at moved
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("path", UPDATE_PATHS)
def test_a_change_is_audited_with_old_and_new_value(path, client, ze_kassel, measure_a, stored):
    change_birth_year(path, client, ze_kassel, stored, 2001)
    entry = AuditEntry.objects.filter(participant=stored).order_by("-pk").first()
    assert entry.action in (AuditAction.CHANGE, AuditAction.IMPORT_CHANGE)
    assert entry.changes == {"Geburtsjahr": ["2006", "2001"]}


@pytest.mark.parametrize("path", ["form", "excel", "cli", "carry_over"])
def test_a_new_record_is_audited_with_every_given_value(path, client, ze_kassel, measure_a, kassel, provider_org_a):
    client.force_login(ze_kassel)
    if path == "form":
        data = {name: value for name, value in form_data_for_new(client, measure_a).items()}
        client.post(reverse("aqb_monitoring:participant_add", args=[measure_a.pk]), data)
    elif path == "excel":
        _response, job = upload(client, measure_a, workbook_bytes([file_row(measure_a, "N-1")]))
        take(client, job)
    elif path == "cli":
        assert cli_import(measure_a, workbook_bytes([file_row(measure_a, "N-1")])) == 0
    else:
        successor = make_measure("AQB27-KS-M1-01", kassel, provider_org_a, budget_year=2027)
        measure_a.successor = successor
        measure_a.save()
        values = entry_values(measure_a, pseudonym="N-1", exit_date=measure_a.end_date,
                              destination=Destination.objects.get(is_carry_over=True))
        services.save_participant(ze_kassel, measure_a, values)
        client.post(reverse("aqb_excel:carry_over", args=[measure_a.pk]))
        measure_a = successor
    participant = Participant.objects.get(measure=measure_a, pseudonym="N-1")
    entry = AuditEntry.objects.filter(participant=participant).order_by("-pk").first()
    assert entry.action in (AuditAction.CREATE, AuditAction.IMPORT_CREATE, AuditAction.CARRY_OVER)
    assert entry.changes["Teilnehmenden-ID"] == ["", "N-1"]
    assert entry.changes["Geschlecht"] == ["", "weiblich"]


def form_data_for_new(client, measure):
    values = entry_values(measure, pseudonym="N-1")
    data = {}
    for name, value in values.items():
        if isinstance(value, datetime.date):
            value = value.strftime("%d.%m.%Y")
        elif hasattr(value, "pk"):
            value = value.pk
        data[name] = str(value)
    return data


@pytest.mark.parametrize("path", UPDATE_PATHS)
def test_a_change_moves_updated_at(path, client, ze_kassel, measure_a, stored):
    long_ago = timezone.now() - datetime.timedelta(days=30)
    Participant.objects.filter(pk=stored.pk).update(updated_at=long_ago)
    change_birth_year(path, client, ze_kassel, stored, 2001)
    stored.refresh_from_db()
    assert stored.birth_year == 2001
    assert stored.updated_at > long_ago + datetime.timedelta(days=29)


# ---------------------------------------------------------------------------
# Another grant recipient's measure: 404 in the views, ServiceError in the services
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["form", "excel", "carry_over", "service_single", "service_bulk"])
def test_another_grant_recipients_user_cannot_change_participants(path, client, ze_fulda, measure_a, stored,
                                                                  kassel, provider_org_a):
    client.force_login(ze_fulda)
    before = AuditEntry.objects.count()
    if path == "form":
        url = reverse("aqb_monitoring:participant_edit", args=[measure_a.pk, stored.pk])
        assert client.get(url).status_code == 404
        assert client.post(url, {"birth_year": "2001"}).status_code == 404
    elif path == "excel":
        response, _job = upload(client, measure_a, workbook_bytes([file_row(measure_a, Geburtsjahr=2001)]))
        assert response.status_code == 404
    elif path == "carry_over":
        measure_a.successor = make_measure("AQB27-KS-M1-01", kassel, provider_org_a, budget_year=2027)
        measure_a.save()
        assert client.post(reverse("aqb_excel:carry_over", args=[measure_a.pk])).status_code == 404
    elif path == "service_single":
        with pytest.raises(services.ServiceError, match="nicht bearbeiten"):
            services.save_participant(ze_fulda, measure_a, {**values_from_participant(stored), "birth_year": 2001}, stored)
    else:
        with pytest.raises(services.ServiceError, match="nicht bearbeiten"):
            services.import_participants(ze_fulda, measure_a, [import_row(measure_a, stored, birth_year=2001)])
        assert services.check_import_participants(ze_fulda, measure_a)
    stored.refresh_from_db()
    assert stored.birth_year == 2006
    assert AuditEntry.objects.count() == before


def test_the_bulk_service_needs_a_user_and_the_command_acts_as_the_shell(measure_a, stored):
    """`do_import` checks the permission itself: without a user nothing is written; manage.py is trusted."""
    with pytest.raises(services.ServiceError):
        services.import_participants(None, measure_a, [import_row(measure_a, stored, birth_year=2001)])
    services.import_participants(services.SHELL, measure_a, [import_row(measure_a, stored, birth_year=2001)])
    stored.refresh_from_db()
    assert stored.birth_year == 2001
    assert AuditEntry.objects.filter(participant=stored).order_by("-pk").first().user is None


# ---------------------------------------------------------------------------
# No lost update: a stale form or preview is refused, naming who changed what and when
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["form", "excel"])
def test_a_stale_form_or_preview_is_refused(path, client, ze_kassel, provider_a, measure_a, stored):
    """A provider opens P-1 (or uploads a preview); meanwhile the grant recipient changes the gender."""
    from aqb_monitoring.models import Gender

    client.force_login(provider_a)
    if path == "form":
        data = form_data(stored, client, birth_year=2001)
    else:
        _response, job = upload(client, measure_a, workbook_bytes([file_row(measure_a, Geburtsjahr=2001)]))
        assert job.preview["counts"]["update"] == 1
    services.save_participant(ze_kassel, measure_a, {**values_from_participant(stored), "gender": Gender.objects.get(code="divers")},
                              stored)
    if path == "form":
        response = post_form(client, stored, data)
        page = response.content.decode()
        assert "inzwischen geändert" in page and ze_kassel.email in page and "Geschlecht" in page
        assert response.context["form"]["birth_year"].value() == "2001"  # the clerk's input is kept
    else:
        take(client, job)
        job.refresh_from_db()
        (left_out,) = job.outcome["left_out"]
        (reason,) = left_out["errors"]["__all__"]
        assert "seit der Vorschau geändert" in reason and ze_kassel.email in reason and "Geschlecht" in reason
        assert job.outcome["updated"] == []
    stored.refresh_from_db()
    assert stored.gender.code == "divers" and stored.birth_year == 2006  # nothing overwritten
    if path == "form":  # the form now carries the version it was refused at: a second click saves
        second = post_form(client, stored, {**data, "version": response.context["form"]["version"].value()})
        assert second.status_code == 302
        stored.refresh_from_db()
        assert stored.birth_year == 2001 and stored.gender.code == "weiblich"


def test_the_refusal_says_when(ze_kassel, provider_a, measure_a, stored):
    version = services.version_of(stored)
    services.save_participant(ze_kassel, measure_a, {**values_from_participant(stored), "birth_year": 2001}, stored)
    entry = AuditEntry.objects.filter(participant=stored).order_by("-pk").first()
    with pytest.raises(services.StaleRecord) as refused:
        services.save_participant(provider_a, measure_a, values_from_participant(stored), stored, version=version)
    message = str(refused.value)
    assert timezone.localtime(entry.timestamp).strftime("%d.%m.%Y %H:%M") in message
    assert "Geburtsjahr" in message and ze_kassel.email in message


def test_a_row_whose_participant_was_deleted_since_the_preview_is_left_out(client, ze_kassel, measure_a, stored):
    client.force_login(ze_kassel)
    _response, job = upload(client, measure_a, workbook_bytes([file_row(measure_a, Geburtsjahr=2001)]))
    services.delete_participant(ze_kassel, stored)
    take(client, job)
    job.refresh_from_db()
    assert job.outcome["created"] == [] and "seit der Vorschau gelöscht" in str(job.outcome["left_out"])
    assert not Participant.objects.filter(pseudonym="P-1").exists()


def test_a_row_whose_participant_was_created_since_the_preview_is_left_out(client, ze_kassel, provider_a, measure_a):
    client.force_login(provider_a)
    _response, job = upload(client, measure_a, workbook_bytes([file_row(measure_a, "N-1")]))
    assert job.preview["counts"]["create"] == 1
    services.save_participant(ze_kassel, measure_a, entry_values(measure_a, pseudonym="N-1", birth_year=1990))
    take(client, job)
    job.refresh_from_db()
    assert job.outcome["updated"] == [] and ze_kassel.email in str(job.outcome["left_out"])
    assert Participant.objects.get(pseudonym="N-1").birth_year == 1990


@pytest.mark.parametrize("path", UPDATE_PATHS)
def test_a_carried_over_participant_keeps_entering_on_the_measures_start(path, client, ze_kassel, measure_a, stored,
                                                                         kassel, provider_org_a):
    """V7 on every path: the record's "taken over" property reaches the rules, whatever the file says."""
    predecessor = make_measure("AQB25-KS-M1-01", kassel, provider_org_a, budget_year=2025)
    earlier = Participant.objects.create(measure=predecessor, pseudonym="P-1", entry_date=predecessor.start_date)
    Participant.objects.filter(pk=stored.pk).update(carried_over_from=earlier, entry_date=measure_a.start_date)
    stored.refresh_from_db()
    later = measure_a.start_date + datetime.timedelta(days=31)
    if path == "form":
        client.force_login(ze_kassel)
        post_form(client, stored, form_data(stored, client, entry_date=later.strftime("%d.%m.%Y")))
    else:
        content = workbook_bytes([file_row(measure_a, Eintrittsdatum=later)])
        if path == "excel":
            client.force_login(ze_kassel)
            _response, job = upload(client, measure_a, content)
            take(client, job)
        else:
            cli_import(measure_a, content)
    stored.refresh_from_db()
    assert stored.entry_date == measure_a.start_date


@pytest.mark.parametrize("path", [*UPDATE_PATHS, "service_single"])
@pytest.mark.parametrize(("days_before_end", "taken"), [(1, False), (0, True)])
def test_whoever_continues_in_the_following_budget_leaves_on_the_measures_end(path, days_before_end, taken, client,
                                                                                ze_kassel, measure_a, stored):
    """V8 on every path: the Verbleib "setzt die Maßnahme im folgenden Budget fort" goes with an exit on the
    measure's end date; a day earlier is refused and nothing of the exit is stored."""
    carry_over = Destination.objects.get(is_carry_over=True)
    exit_date = measure_a.end_date - datetime.timedelta(days=days_before_end)
    if path == "form":
        client.force_login(ze_kassel)
        response = post_form(client, stored, form_data(stored, client, exit_date=exit_date.strftime("%d.%m.%Y"),
                                                       destination=carry_over.pk))
        said = response.content.decode()
    elif path == "service_single":
        try:
            services.save_participant(ze_kassel, measure_a, {**values_from_participant(stored), "exit_date": exit_date,
                                                             "destination": carry_over}, stored)
            said = ""
        except services.ServiceError as error:
            said = str(error.errors if hasattr(error, "errors") else error)
    else:
        content = workbook_bytes([file_row(measure_a, Austrittsdatum=exit_date,
                                           **{"Verbleib nach Austritt": carry_over.label})])
        said = ""
        if path == "excel":
            client.force_login(ze_kassel)
            _response, job = upload(client, measure_a, content)
            said = str(job.preview)
            take(client, job)
        else:
            with tempfile.NamedTemporaryFile(suffix=".xlsx") as file:
                file.write(content)
                file.flush()
                out = io.StringIO()
                call_command("import_participants", measure_a.number, file.name, stdout=out, stderr=io.StringIO())
                said = out.getvalue()
    stored.refresh_from_db()
    if taken:
        assert (stored.exit_date, stored.destination) == (measure_a.end_date, carry_over)
    else:
        assert (stored.exit_date, stored.destination) == (None, None)
        assert "ist das Austrittsdatum das Ende der Maßnahme" in said
