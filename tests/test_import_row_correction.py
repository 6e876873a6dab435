"""The import preview's inline correction of one row in the participant form (issue 10 item 17).

The page shows the participant form's steps, fields, help texts and question blocks filled with the row's
texts; "Korrektur prüfen" hands the texts back to the importer (excel.jobs.correct_row), whose messages
appear at their fields. Seen from the clerk's side and from another tenant's.
"""

import datetime

import pytest
from bs4 import BeautifulSoup
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from aqb_monitoring.excel import views as excel_views
from aqb_monitoring.forms import HELP_TEXTS
from aqb_monitoring.models import (
    EducationLevel,
    Gender,
    ImportJob,
    ImportJobStatus,
    Participant,
    ParticipantGoal,
    Question,
)

from .conftest import make_measure, make_participant
from .excel_files import red_row, workbook_bytes, yellow_row

pytestmark = pytest.mark.django_db


def upload(client, measure, rows):
    client.post(reverse("aqb_excel:measure_import", args=[measure.pk]),
                {"file": SimpleUploadedFile("teilnehmende.xlsx", workbook_bytes(rows))})
    job = ImportJob.objects.get()
    assert job.status == ImportJobStatus.PREVIEW
    return job


def row_url(job, number=2):
    return reverse("aqb_excel:job_row", args=[job.pk, number])


def form_data(response):
    """What the correction form posts back unchanged (ja/nein as True/False, catalogue entries by id)."""
    return {field.name: "" if field.value() is None else field.value() for field in response.context["form"]}


def html(response):
    return BeautifulSoup(response.content.decode(), "html.parser")


def field_wrapper(soup, name):
    """The participant form's wrapper of one field (label, widget, help text, errors)."""
    return soup.find(attrs={"name": name}).find_parent(class_="w-field__wrapper")


def selected(soup, name):
    option = soup.find("select", attrs={"name": name}).find("option", selected=True)
    return option.get_text(strip=True) if option else None


def preview_row(job, number=2):
    job.refresh_from_db()
    return next(row for row in job.preview["rows"] if row["row"] == number)


# ---------------------------------------------------------------------------
# The page: the participant form, filled with the row
# ---------------------------------------------------------------------------


def test_the_correction_page_shows_the_participant_forms_steps_fields_and_help_texts(client, ze_kassel, measure_a):
    client.force_login(ze_kassel)
    job = upload(client, measure_a, [red_row(measure_a, "R-1")])
    response = client.get(row_url(job))
    assert response.status_code == 200
    soup = html(response)
    steps = [link.get_text(" ", strip=True) for link in soup.select("[data-aqb-step-link]")]
    assert [step.split(" bitte")[0] for step in steps] == ["1. Eintritt", "2. Fragen bei Eintritt", "3. Austritt"]
    assert [section["data-aqb-step"] for section in soup.select("section[data-aqb-step]")] == [
        "eintritt", "fragen-eintritt", "austritt"]
    assert "aqb_monitoring/js/participant_form.js" in response.content.decode()
    # Same widgets, labels and help texts as the participant form: a date text field, a select for the TN-Ziel.
    entry_date = soup.find("input", attrs={"name": "entry_date"})
    assert entry_date["placeholder"] == "TT.MM.JJJJ" and entry_date["type"] == "text"
    assert soup.find("select", attrs={"name": "goal"}).has_attr("data-aqb-goal-select")
    assert str(HELP_TEXTS["birth_year"]) in field_wrapper(soup, "birth_year").get_text()
    assert "Geburtsjahr" in field_wrapper(soup, "birth_year").find("label").get_text()
    assert soup.find("select", attrs={"name": "migration_background"}).find_all("option")[1].get_text() == "ja"
    # Each question block names the TN-Ziele that switch it on, for participant_form.js.
    goal = ParticipantGoal.objects.get(code="ausbildungsreife")
    block = soup.find("fieldset", attrs={"data-aqb-block": "ausbildungsreife"})
    assert str(goal.pk) in block["data-aqb-goals"].split() and block["data-aqb-always"] == "false"
    assert soup.find(string="Korrektur prüfen") is not None


def test_the_rows_texts_are_filled_in_as_the_form_shows_them(client, ze_kassel, measure_a):
    question = Question.objects.get(code="ausbildungsreife-berufswahl")
    client.force_login(ze_kassel)
    entry = measure_a.start_date + datetime.timedelta(days=31)
    job = upload(client, measure_a, [yellow_row(measure_a, "Y-1", **{
        "TN-Ziel": "Verbesserung der Ausbildungsreife der Teilnehmer", "Migrationshintergrund": "ja",
        f"Eintritt: {question.label}": "nein"})])
    soup = html(client.get(row_url(job)))
    assert soup.find("input", attrs={"name": "pseudonym"})["value"] == "Y-1"
    assert soup.find("input", attrs={"name": "entry_date"})["value"] == entry.strftime("%d.%m.%Y")
    assert soup.find("input", attrs={"name": "birth_year"})["value"] == str(measure_a.start_date.year - 20)
    assert selected(soup, "gender") == "weiblich"
    assert selected(soup, "goal") == "Verbesserung der Ausbildungsreife der Teilnehmer"
    assert selected(soup, "migration_background") == "ja" and selected(soup, "single_parent") == "nein"
    assert selected(soup, f"entry__{question.code}") == "nein"
    assert selected(soup, "destination") == "Auswählen"


def test_a_text_that_fits_no_list_entry_is_shown_as_in_the_file_and_left_for_the_clerk_to_choose(
        client, ze_kassel, measure_a):
    client.force_login(ze_kassel)
    job = upload(client, measure_a, [yellow_row(measure_a, "Y-1", **{
        "Geschlecht": "w", "Migrationshintergrund": "vielleicht", "Geburtsjahr": "neunzehn",
        "Eintrittsdatum": "32.01.2026"})])
    soup = html(client.get(row_url(job)))
    assert selected(soup, "gender") == "Auswählen"
    assert "In der Datei: „w“" in soup.find(attrs={"data-aqb-warning": "gender"}).get_text()
    assert selected(soup, "migration_background") == "Auswählen"
    assert "In der Datei: „vielleicht“" in soup.find(attrs={"data-aqb-warning": "migration_background"}).get_text()
    assert "In der Datei: „neunzehn“" in soup.find(attrs={"data-aqb-warning": "birth_year"}).get_text()
    # A date text stays in its text field as typed, with the importer's message at it.
    assert soup.find("input", attrs={"name": "entry_date"})["value"] == "32.01.2026"
    assert field_wrapper(soup, "entry_date").select(".error-message")


def test_only_active_entries_are_offered_but_an_inactive_one_named_by_the_row_stays_selected(
        client, ze_kassel, measure_a):
    Gender.objects.filter(label="divers").update(is_active=False)
    client.force_login(ze_kassel)
    job = upload(client, measure_a, [yellow_row(measure_a, "Y-1"), yellow_row(measure_a, "Y-2", Geschlecht="divers")])
    options = [option.get_text() for option in html(client.get(row_url(job, 2))).find(
        "select", attrs={"name": "gender"}).find_all("option")]
    assert "divers" not in options and "weiblich" in options
    assert selected(html(client.get(row_url(job, 3))), "gender") == "divers"


def test_the_rows_reasons_are_shown_at_their_fields_and_mark_their_step(client, ze_kassel, measure_a):
    client.force_login(ze_kassel)
    job = upload(client, measure_a, [red_row(measure_a, "R-1")])
    soup = html(client.get(row_url(job)))
    assert "Pflichtangabe bei Eintritt" in field_wrapper(soup, "gender").get_text()
    assert "Pflichtangabe bei Eintritt" in field_wrapper(soup, "education_level").get_text()
    assert "Pflichtangabe" not in field_wrapper(soup, "birth_year").get_text()
    assert "bitte prüfen" in soup.find(attrs={"data-aqb-step-link": "eintritt"}).get_text()
    assert "bitte prüfen" not in soup.find(attrs={"data-aqb-step-link": "austritt"}).get_text()


# ---------------------------------------------------------------------------
# Posting: the texts go through the importer's rules
# ---------------------------------------------------------------------------


def test_posting_hands_the_importer_the_texts_it_parses_and_the_row_becomes_new(client, ze_kassel, measure_a):
    client.force_login(ze_kassel)
    job = upload(client, measure_a, [red_row(measure_a, "R-1")])
    data = form_data(client.get(row_url(job)))
    data.update({"gender": Gender.objects.get(label="männlich").pk,
                 "education_level": EducationLevel.objects.get(label="Hauptschulabschluss").pk})
    response = client.post(row_url(job), data)
    assert response.status_code == 302 and response.url.endswith("#zeile-2")
    job.refresh_from_db()
    cells = job.corrections["2"]
    entry = measure_a.start_date + datetime.timedelta(days=31)
    assert cells["entry_date"] == entry.strftime("%d.%m.%Y")
    assert cells["gender"] == "männlich" and cells["education_level"] == "Hauptschulabschluss"
    assert cells["migration_background"] == "nein" and cells["birth_year"] == str(measure_a.start_date.year - 20)
    assert cells["goal"] == "Vermittlung der Teilnehmer in Ausbildung" and cells["exit_date"] == ""
    assert preview_row(job)["action"] == "create"
    assert "Zeile 2 wurde korrigiert und neu geprüft." in client.get(response.url).content.decode()
    assert not Participant.objects.exists()  # saved only by "Übernehmen"


def test_a_changed_row_shows_the_files_values_and_its_correction_stays_a_change(client, ze_kassel, measure_a):
    make_participant(measure_a, "U-1", gender=None)
    client.force_login(ze_kassel)
    job = upload(client, measure_a, [yellow_row(measure_a, "U-1")])
    assert preview_row(job)["action"] == "update"
    response = client.get(row_url(job))
    assert selected(html(response), "gender") == "weiblich"  # the file's value, not the stored (empty) one
    data = form_data(response)
    data["gender"] = Gender.objects.get(label="männlich").pk
    assert client.post(row_url(job), data).status_code == 302
    row = preview_row(job)
    assert row["action"] == "update" and row["changes"]["gender"] == ["", "männlich"]
    assert Participant.objects.get(pseudonym="U-1").gender is None


def test_a_correction_the_rules_still_refuse_stays_on_the_form_with_the_message_at_its_field(
        client, ze_kassel, measure_a):
    client.force_login(ze_kassel)
    job = upload(client, measure_a, [yellow_row(measure_a, "Y-1")])
    data = form_data(client.get(row_url(job)))
    data["birth_year"] = "1900"
    response = client.post(row_url(job), data)
    assert response.status_code == 200
    soup = html(response)
    assert field_wrapper(soup, "birth_year").select(".error-message")
    assert "Zeile 2 wurde neu geprüft und wird noch nicht übernommen." in response.content.decode()
    assert soup.find("input", attrs={"name": "birth_year"})["value"] == "1900"
    assert preview_row(job)["action"] == "rejected"  # the preview knows the corrected row as well


def test_a_field_in_the_wrong_format_is_refused_before_the_importer_sees_it(client, ze_kassel, measure_a):
    client.force_login(ze_kassel)
    job = upload(client, measure_a, [red_row(measure_a, "R-1")])
    data = form_data(client.get(row_url(job)))
    data["exit_date"] = "31.02.2026"
    response = client.post(row_url(job), data)
    assert response.status_code == 200
    assert field_wrapper(html(response), "exit_date").select(".error-message")
    assert "Die Korrektur wurde nicht geprüft." in response.content.decode()
    job.refresh_from_db()
    assert job.corrections == {}


def test_a_column_the_measure_does_not_ask_is_offered_to_be_emptied(client, ze_kassel, kassel, provider_org_a):
    measure = make_measure("AQB26-KS-M2-01", kassel, provider_org_a, type_code="M2")
    client.force_login(ze_kassel)
    job = upload(client, measure, [yellow_row(measure, "Y-1")])  # with a TN-Ziel, which only M1 asks
    assert preview_row(job)["action"] == "rejected"
    response = client.get(row_url(job))
    soup = html(response)
    extra = soup.find(attrs={"data-aqb-extra-columns": True})
    assert extra is not None and "TN-Ziel" in extra.get_text()
    assert "nur bei Maßnahmen der Art M1" in field_wrapper(soup, "goal").get_text()
    assert soup.find("select", attrs={"name": "exam_passed"}) is not None  # M2 asks "Prüfung bestanden?"
    data = form_data(response)
    data["goal"] = ""
    assert client.post(row_url(job), data).status_code == 302
    assert preview_row(job)["action"] == "create"


def test_a_wrong_measure_number_can_be_emptied(client, ze_kassel, measure_a):
    client.force_login(ze_kassel)
    job = upload(client, measure_a, [yellow_row(measure_a, "Y-1", **{"Maßnahmennummer": "AQB26-FD-M1-09"})])
    response = client.get(row_url(job))
    assert "gehört zur Maßnahme AQB26-FD-M1-09" in field_wrapper(html(response), "measure_number").get_text()
    data = form_data(response)
    data["measure_number"] = ""
    client.post(row_url(job), data)
    assert preview_row(job)["action"] == "create"


# ---------------------------------------------------------------------------
# Refusals: another tenant, a job that is no longer a preview
# ---------------------------------------------------------------------------


def test_a_provider_of_another_organisation_gets_404_and_nothing_changes(client, ze_kassel, provider_b, measure_a):
    client.force_login(ze_kassel)
    job = upload(client, measure_a, [red_row(measure_a, "R-1")])
    data = form_data(client.get(row_url(job)))
    data["gender"] = Gender.objects.get(label="männlich").pk
    before = job.preview
    client.force_login(provider_b)
    assert client.get(row_url(job)).status_code == 404
    assert client.post(row_url(job), data).status_code == 404
    job.refresh_from_db()
    assert job.corrections == {} and job.preview == before


def test_a_job_taken_meanwhile_refuses_the_correction_in_german(client, ze_kassel, measure_a, monkeypatch):
    client.force_login(ze_kassel)
    job = upload(client, measure_a, [red_row(measure_a, "R-1")])
    data = form_data(client.get(row_url(job)))
    real_layout = excel_views.Layout

    def taken_meanwhile():  # another tab clicks "Übernehmen" between opening and the lock
        ImportJob.objects.filter(pk=job.pk).update(status=ImportJobStatus.TAKING)
        return real_layout()

    monkeypatch.setattr(excel_views, "Layout", taken_meanwhile)
    response = client.post(row_url(job), data, follow=True)
    assert "Die Korrektur ist nicht möglich: Der Import wird gerade übernommen" in response.content.decode()
    job.refresh_from_db()
    assert job.corrections == {}


def test_a_discarded_job_sends_the_clerk_back_without_a_form(client, ze_kassel, measure_a):
    client.force_login(ze_kassel)
    job = upload(client, measure_a, [red_row(measure_a, "R-1")])
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJobStatus.DISCARDED)
    response = client.post(row_url(job), {"pseudonym": "R-2"})
    assert response.status_code == 302 and response.url == reverse("aqb_excel:job", args=[job.pk])
    job.refresh_from_db()
    assert job.corrections == {}


def test_a_measure_closed_meanwhile_refuses_the_correction_with_403(client, ze_kassel, measure_a):
    from django.utils import timezone

    client.force_login(ze_kassel)
    job = upload(client, measure_a, [red_row(measure_a, "R-1")])
    data = form_data(client.get(row_url(job)))
    type(measure_a).objects.filter(pk=measure_a.pk).update(closed_at=timezone.now())
    assert client.get(row_url(job)).status_code == 403
    assert client.post(row_url(job), data).status_code == 403
    job.refresh_from_db()
    assert job.corrections == {}
