"""Parity of the measure write paths: the RP's master-data form (snippet create/edit views), the measure
import page (upload → "Übernehmen") and `manage.py import_measures` all save through
`services.measures.do_save_measure`, so each shared rule is tested through each of them here."""

import datetime
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from aqb_monitoring import permissions
from aqb_monitoring.measure_import import do_measure_import
from aqb_monitoring.models import AuditAction, AuditEntry, Destination, ImportJob, Measure, MeasureType, ProgrammeLine
from aqb_monitoring.services.common import ServiceError
from aqb_monitoring.services.measures import do_save_measure

from .conftest import make_measure, make_participant, make_user

ENTRY_POINTS = ["rp_form", "import_page", "import_command"]
IMPORT_HEADERS = ["Maßnahmennummer", "Titel", "Maßnahmeart", "Programmlinie", "Beginn", "Ende", "Hauptziel",
                  "Zuwendungsempfänger", "Träger", "Geplante Teilnehmende", "Budgetjahr", "Folgemaßnahme"]


def german_date(day):
    return day.strftime("%d.%m.%Y")


def state_of(measure, **overrides):
    """A measure's master data as the entry points below take it."""
    state = {"number": measure.number, "title": measure.title, "measure_type": measure.measure_type,
             "start_date": measure.start_date, "end_date": measure.end_date,
             "grant_recipient": measure.grant_recipient, "provider": measure.provider,
             "budget_year": measure.budget_year, "successor": measure.successor}
    state.update(overrides)
    return state


def csv_content(state):
    values = [state["number"], state["title"], state["measure_type"].code, "Standard", german_date(state["start_date"]),
              german_date(state["end_date"]), "", state["grant_recipient"].abbreviation,
              state["provider"].name if state["provider"] else "", "", str(state["budget_year"]),
              state["successor"].number if state.get("successor") else ""]
    lines = [";".join(IMPORT_HEADERS), ";".join(f'"{value}"' for value in values)]
    return ("\n".join(lines) + "\n").encode("utf-8")


def form_data(state, version=""):
    return {
        "number": state["number"], "title": state["title"], "measure_type": state["measure_type"].pk,
        "programme_line": ProgrammeLine.objects.get(code="standard").pk, "main_goal": "",
        "grant_recipient": state["grant_recipient"].pk, "provider": state["provider"].pk if state["provider"] else "",
        "budget_year": state["budget_year"], "start_date": german_date(state["start_date"]),
        "end_date": german_date(state["end_date"]), "planned_participants": "", "interim_due_dates_text": "",
        "successor": state["successor"].pk if state.get("successor") else "", "version": version,
    }


class Outcome:
    def __init__(self, saved, text):
        self.saved = saved
        self.text = text


def save_through(entry_point, client, user, tmp_path, capsys, state, measure=None):
    """Save `state` (over `measure`, or as a new measure) through one entry point; did it save, and what did it say."""
    if entry_point == "rp_form":
        client.force_login(user)
        if measure is None:
            response = client.post(reverse("aqb_measure_master:add"), form_data(state))
        else:
            url = reverse("aqb_measure_master:edit", args=[measure.pk])
            version = client.get(url).context["form"].initial["version"]
            response = client.post(url, form_data(state, version))
        return Outcome(response.status_code == 302, response.content.decode())
    content = csv_content(state)
    if entry_point == "import_page":
        client.force_login(user)
        client.post(reverse("aqb_measure_import:upload"), {"file": SimpleUploadedFile("massnahmen.csv", content)})
        job = ImportJob.objects.latest("pk")
        client.post(reverse("aqb_measure_import:take", args=[job.pk]))
        job.refresh_from_db()
        if job.status != "done":
            return Outcome(False, job.error)
        row = job.outcome["rows"][0]
        return Outcome(row["action"] in ("create", "update"),
                       " ".join(message for messages in row["errors"].values() for message in messages))
    path = tmp_path / "massnahmen.csv"
    path.write_bytes(content)
    capsys.readouterr()
    call_command("import_measures", str(path))
    output = capsys.readouterr().out
    counts = re.match(r"(\d+) neu, (\d+) geändert, \d+ unverändert, (\d+) nicht übernommen", output)
    created, updated, rejected = (int(count) for count in counts.groups())
    return Outcome(rejected == 0 and created + updated == 1, output)


@pytest.fixture
def open_measure(kassel, provider_org_a):
    return make_measure("AQB26-KS-M1-05", kassel, provider_org_a, title="Werkstattjahr", main_goal=None,
                        start_date=datetime.date(2026, 2, 1))


# --- shared rules through every entry point ---------------------------------------------------


@pytest.mark.parametrize("entry_point", ENTRY_POINTS)
def test_closed_measure_is_refused_on_every_path(entry_point, client, rp_editor, tmp_path, capsys, open_measure):
    Measure.objects.filter(pk=open_measure.pk).update(closed_at=timezone.now())
    open_measure.refresh_from_db()
    outcome = save_through(entry_point, client, rp_editor, tmp_path, capsys,
                           state_of(open_measure, title="Umbenannt", end_date=datetime.date(2026, 11, 30)),
                           open_measure)
    assert not outcome.saved
    assert "Die Maßnahme ist abgeschlossen" in outcome.text
    open_measure.refresh_from_db()
    assert open_measure.title == "Werkstattjahr" and open_measure.end_date == datetime.date(2026, 12, 31)


@pytest.mark.parametrize("entry_point", ENTRY_POINTS)
@pytest.mark.parametrize(("change", "message"), [
    ({"start_date": datetime.date(2026, 3, 1)}, "frühester Eintritt 10.02.2026"),  # V4
    ({"end_date": datetime.date(2026, 10, 31)}, "spätester Austritt 15.11.2026"),  # V6
])
def test_new_dates_must_keep_recorded_participants_valid(entry_point, change, message, client, rp_editor, tmp_path,
                                                         capsys, open_measure):
    make_participant(open_measure, "TN-1", entry_date=datetime.date(2026, 2, 10),
                     exit_date=datetime.date(2026, 11, 15))
    outcome = save_through(entry_point, client, rp_editor, tmp_path, capsys, state_of(open_measure, **change),
                           open_measure)
    assert not outcome.saved
    assert message in outcome.text
    open_measure.refresh_from_db()
    assert open_measure.start_date == datetime.date(2026, 2, 1) and open_measure.end_date == datetime.date(2026, 12, 31)


@pytest.mark.parametrize("entry_point", ENTRY_POINTS)
def test_carried_over_participants_pin_the_start(entry_point, client, rp_editor, tmp_path, capsys, kassel,
                                                 provider_org_a, open_measure):
    """V7: participants carried over from the previous budget entered on the start; it cannot move."""
    earlier = make_measure("AQB25-KS-M1-05", kassel, provider_org_a, budget_year=2025)
    origin = make_participant(earlier, "TN-1")
    make_participant(open_measure, "TN-1", entry_date=open_measure.start_date, carried_over_from=origin)
    outcome = save_through(entry_point, client, rp_editor, tmp_path, capsys,
                           state_of(open_measure, start_date=datetime.date(2026, 1, 15)), open_measure)
    assert not outcome.saved
    assert "der Beginn kann nicht mehr geändert werden" in outcome.text
    open_measure.refresh_from_db()
    assert open_measure.start_date == datetime.date(2026, 2, 1)


@pytest.mark.parametrize("entry_point", ENTRY_POINTS)
def test_participants_continuing_in_the_following_budget_pin_the_end(entry_point, client, rp_editor, tmp_path, capsys,
                                                                     open_measure):
    """V8: who continues in the following budget left on the end date; the end cannot move, not even later."""
    make_participant(open_measure, "TN-1", exit_date=open_measure.end_date,
                     destination=Destination.objects.get(is_carry_over=True))
    outcome = save_through(entry_point, client, rp_editor, tmp_path, capsys,
                           state_of(open_measure, end_date=datetime.date(2027, 1, 31)), open_measure)
    assert not outcome.saved
    assert "das Ende kann nicht mehr geändert werden" in outcome.text
    open_measure.refresh_from_db()
    assert open_measure.end_date == datetime.date(2026, 12, 31)


@pytest.mark.parametrize("entry_point", ENTRY_POINTS)
@pytest.mark.parametrize(("number", "overrides", "message"), [
    ("AQB26-FD-M1-07", {}, "nennt die Gebietskörperschaft FD"),
    ("AQB26-KS-M3-07", {}, "nennt die Maßnahmeart M3"),
    ("AQB26-KS-M1-07", {"budget_year": 2027}, "passt nicht zur Maßnahmennummer"),
], ids=["grant-recipient", "measure-type", "budget-year"])
def test_number_must_name_grant_recipient_type_and_year(entry_point, number, overrides, message, client, rp_editor,
                                                        tmp_path, capsys, kassel, fulda, provider_org_a):
    state = {"number": number, "title": "Neu", "measure_type": MeasureType.objects.get(code="M1"),
             "start_date": datetime.date(2026, 1, 1), "end_date": datetime.date(2026, 12, 31),
             "grant_recipient": kassel, "provider": provider_org_a, "budget_year": 2026, **overrides}
    outcome = save_through(entry_point, client, rp_editor, tmp_path, capsys, state)
    assert not outcome.saved
    assert message in outcome.text
    assert not Measure.objects.filter(number=number).exists()


@pytest.mark.parametrize("entry_point", ENTRY_POINTS)
def test_a_change_writes_one_audit_entry_with_old_and_new(entry_point, client, rp_editor, tmp_path, capsys,
                                                          open_measure):
    outcome = save_through(entry_point, client, rp_editor, tmp_path, capsys,
                           state_of(open_measure, title="Werkstattjahr plus", end_date=datetime.date(2026, 11, 30)),
                           open_measure)
    assert outcome.saved, outcome.text
    entry = AuditEntry.objects.get(measure=open_measure, action=AuditAction.CHANGE)
    assert entry.changes == {"Titel": ["Werkstattjahr", "Werkstattjahr plus"], "Ende": ["31.12.2026", "30.11.2026"]}
    assert entry.user == (None if entry_point == "import_command" else rp_editor)


@pytest.mark.parametrize("entry_point", ENTRY_POINTS)
def test_a_successor_link_is_audited_and_checked(entry_point, client, rp_editor, tmp_path, capsys, kassel, fulda,
                                                 provider_org_a, open_measure):
    later = make_measure("AQB27-KS-M1-05", kassel, provider_org_a, budget_year=2027)
    foreign = make_measure("AQB27-FD-M1-05", fulda, budget_year=2027)
    refused = save_through(entry_point, client, rp_editor, tmp_path, capsys, state_of(open_measure, successor=foreign),
                           open_measure)
    assert not refused.saved
    assert "gehört zu einem anderen Zuwendungsempfänger" in refused.text
    outcome = save_through(entry_point, client, rp_editor, tmp_path, capsys, state_of(open_measure, successor=later),
                           open_measure)
    assert outcome.saved, outcome.text
    open_measure.refresh_from_db()
    assert open_measure.successor == later
    entry = AuditEntry.objects.get(measure=open_measure, action=AuditAction.CHANGE)
    assert entry.changes == {"Folgemaßnahme": ["", "AQB27-KS-M1-05"]}


@pytest.mark.parametrize("entry_point", ENTRY_POINTS)
def test_a_measure_has_one_predecessor_at_most(entry_point, client, rp_editor, tmp_path, capsys, kassel,
                                               provider_org_a, open_measure):
    later = make_measure("AQB27-KS-M1-05", kassel, provider_org_a, budget_year=2027)
    make_measure("AQB26-KS-M1-06", kassel, provider_org_a, successor=later)
    refused = save_through(entry_point, client, rp_editor, tmp_path, capsys, state_of(open_measure, successor=later),
                           open_measure)
    assert not refused.saved
    assert ("AQB27-KS-M1-05 ist bereits Folgemaßnahme von AQB26-KS-M1-06; jede Maßnahme kann nur eine Vorgängerin "
            "haben.") in refused.text
    open_measure.refresh_from_db()
    assert open_measure.successor is None


@pytest.mark.parametrize("entry_point", ENTRY_POINTS)
def test_a_new_measure_grants_its_grant_recipient_and_provider(entry_point, client, rp_editor, ze_kassel, provider_a,
                                                               provider_b, tmp_path, capsys, kassel, provider_org_a):
    state = {"number": "AQB26-KS-M1-07", "title": "Neu", "measure_type": MeasureType.objects.get(code="M1"),
             "start_date": datetime.date(2026, 1, 1), "end_date": datetime.date(2026, 12, 31),
             "grant_recipient": kassel, "provider": provider_org_a, "budget_year": 2026}
    outcome = save_through(entry_point, client, rp_editor, tmp_path, capsys, state)
    assert outcome.saved, outcome.text
    measure = Measure.objects.get(number="AQB26-KS-M1-07")
    assert permissions.can_edit(ze_kassel, measure) and permissions.can_edit(provider_a, measure)
    assert not permissions.can_view(provider_b, measure)
    created = AuditEntry.objects.get(measure=measure, action=AuditAction.CREATE)
    assert created.changes["Maßnahmennummer"] == ["", "AQB26-KS-M1-07"]


@pytest.mark.parametrize("entry_point", ENTRY_POINTS)
def test_a_provider_change_moves_the_grants(entry_point, client, rp_editor, provider_a, provider_a2, tmp_path, capsys,
                                            provider_org_a2, open_measure):
    outcome = save_through(entry_point, client, rp_editor, tmp_path, capsys,
                           state_of(open_measure, provider=provider_org_a2), open_measure)
    assert outcome.saved, outcome.text
    assert permissions.can_view(provider_a2, open_measure) and not permissions.can_view(provider_a, open_measure)


# --- permission: RP only ------------------------------------------------------------------------


@pytest.mark.parametrize("entry_point", ["rp_form", "import_page", "service"])
def test_a_grant_recipient_cannot_write_master_data(entry_point, client, ze_kassel, open_measure):
    state = state_of(open_measure, title="gehackt")
    if entry_point == "rp_form":
        client.force_login(ze_kassel)
        edit_url = reverse("aqb_measure_master:edit", args=[open_measure.pk])
        assert client.get(edit_url).status_code == 404
        assert client.post(edit_url, form_data(state)).status_code == 404
        assert client.post(reverse("aqb_measure_master:add"), form_data(state)).status_code == 404
    elif entry_point == "import_page":
        client.force_login(ze_kassel)
        upload = SimpleUploadedFile("massnahmen.csv", csv_content(state))
        assert client.post(reverse("aqb_measure_import:upload"), {"file": upload}).status_code == 404
        assert not ImportJob.objects.exists()
        with pytest.raises(ServiceError):
            do_measure_import(csv_content(state), ze_kassel)
    else:
        with pytest.raises(ServiceError, match="Nur das Regierungspräsidium"):
            do_save_measure(ze_kassel, open_measure, {"title": "gehackt"})
    open_measure.refresh_from_db()
    assert open_measure.title == "Werkstattjahr"
    assert not AuditEntry.objects.filter(measure=open_measure).exists()


# --- form only: lost updates, create ----------------------------------------------------------


def test_a_stale_form_is_refused_naming_who_changed_the_measure_and_when(client, rp_editor, authority, open_measure):
    colleague = make_user("kollegin@rp-kassel.example.org", authority, first_name="Petra", last_name="Kollegin")
    client.force_login(rp_editor)
    url = reverse("aqb_measure_master:edit", args=[open_measure.pk])
    version = client.get(url).context["form"].initial["version"]
    do_save_measure(colleague, open_measure, {"title": "Titel der Kollegin"})

    response = client.post(url, form_data(state_of(open_measure, title="Mein Titel"),
                                          version))
    assert response.status_code == 200
    page = response.content.decode()
    assert "inzwischen von Petra Kollegin am" in page and "(Titel)" in page
    assert 'value="Mein Titel"' in page  # the clerk's input is kept
    open_measure.refresh_from_db()
    assert open_measure.title == "Titel der Kollegin"

    # Having seen the message, the clerk saves again on purpose: the form now carries the current version.
    again = dict(form_data(state_of(open_measure, title="Mein Titel")),
                 version=response.context["form"].data["version"])
    assert client.post(url, again).status_code == 302
    open_measure.refresh_from_db()
    assert open_measure.title == "Mein Titel"


def test_the_form_keeps_a_version_that_matches_the_measure(client, rp_editor, open_measure):
    client.force_login(rp_editor)
    url = reverse("aqb_measure_master:edit", args=[open_measure.pk])
    page = client.get(url).content.decode()
    assert 'name="version"' in page and open_measure.updated_at.isoformat() in page


# --- deleting --------------------------------------------------------------------------------------


def test_a_measure_with_participants_cannot_be_deleted(client, rp_editor, open_measure):
    make_participant(open_measure, "TN-1")
    client.force_login(rp_editor)
    response = client.post(reverse("aqb_measure_master:delete", args=[open_measure.pk]), follow=True)
    assert "hat 1 erfasste Teilnehmende und kann nicht gelöscht werden" in response.content.decode()
    client.post(f"/admin/bulk/aqb_monitoring/measure/delete/?id={open_measure.pk}&next=/admin/")
    assert Measure.objects.filter(pk=open_measure.pk).exists()


def test_a_measure_without_participants_can_be_deleted(client, rp_editor, open_measure):
    client.force_login(rp_editor)
    assert client.post(reverse("aqb_measure_master:delete", args=[open_measure.pk])).status_code == 302
    assert not Measure.objects.filter(pk=open_measure.pk).exists()


def test_the_service_trusts_no_missing_user_only_the_shell(open_measure):
    """The shell's operator acts as `SHELL`, named by the caller; a forgotten user is refused, not trusted."""
    from aqb_monitoring.services.common import SHELL

    with pytest.raises(ServiceError, match="Nur das Regierungspräsidium"):
        do_save_measure(None, open_measure, {"title": "ohne Benutzer"})
    do_save_measure(SHELL, open_measure, {"title": "vom Server"})
    open_measure.refresh_from_db()
    assert open_measure.title == "vom Server"
    assert AuditEntry.objects.get(measure=open_measure, action=AuditAction.CHANGE).user is None


def test_the_service_grants_explicitly_not_through_the_signal(rp_editor, ze_kassel, provider_a, kassel,
                                                              provider_org_a):
    """With the post_save safety net for direct ORM writes switched off, the service still grants."""
    from django.db.models.signals import post_save

    from aqb_monitoring.signals import measure_saved

    values = {"number": "AQB26-KS-M1-07", "title": "Neu", "measure_type": MeasureType.objects.get(code="M1"),
              "programme_line": ProgrammeLine.objects.get(code="standard"), "grant_recipient": kassel,
              "provider": provider_org_a, "budget_year": 2026, "start_date": datetime.date(2026, 1, 1),
              "end_date": datetime.date(2026, 12, 31)}
    assert post_save.disconnect(measure_saved, sender=Measure, dispatch_uid="aqb_sync_measure_grants")
    try:
        measure = do_save_measure(rp_editor, None, values)
    finally:
        post_save.connect(measure_saved, sender=Measure, dispatch_uid="aqb_sync_measure_grants")
    assert permissions.can_edit(ze_kassel, measure) and permissions.can_edit(provider_a, measure)


def test_the_form_names_a_number_given_twice_in_the_services_words(client, rp_editor, kassel, provider_org_a,
                                                                   open_measure):
    other = make_measure("AQB26-KS-M1-06", kassel, provider_org_a)
    outcome = save_through("rp_form", client, rp_editor, None, None, state_of(other, number=open_measure.number), other)
    assert not outcome.saved
    assert "Die Maßnahmennummer AQB26-KS-M1-05 gibt es bereits." in outcome.text
    assert Measure.objects.get(pk=other.pk).number == "AQB26-KS-M1-06"
