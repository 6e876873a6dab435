"""W1: a participant ID that looks like a personal name is warned about (yellow, not blocking) on every
entry point: the form, the Excel upload preview, `manage.py import_participants`. The record is still
saved and imported, and its status is what the rules V1-V10 give."""

import io
import tempfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from aqb_monitoring import services
from aqb_monitoring.models import ImportJob, Participant, ParticipantStatus
from aqb_monitoring.validation import (
    RuleContext,
    participant_warnings,
    pseudonym_looks_like_name,
    validate_participant,
)

from .excel_files import workbook_bytes, yellow_row
from .participant_values import entry_values
from .test_participant_form import post_data

pytestmark = pytest.mark.django_db

NAME_LIKE = [
    "Anna Schmidt",  # two capitalised words (also refused by V2 for the blank)
    "AnnaSchmidt",  # the same without a separator
    "Anna-Schmidt",
    "SchmidtAnna",
    "Jörg Müller",
    "Kim Li",  # short names count
    "Mueller1990-03-04",  # a name-like word plus an ISO date
    "Anna 04.03.1990",  # plus a German date
    "Mueller04031990",  # plus eight digits that are a date
    "Anna-040390",  # plus six digits that are a date
]
PSEUDONYMS = [
    "BWN-0004",
    "KS-2026-017",
    "TN12",
    "P-1",
    "TN-Kassel-01",  # one capitalised word (a place) and a counter
    "TnKassel",  # "Tn" has no vowel: an abbreviation
    "Mueller",  # a single word is not enough
    "Mueller1990",  # a bare year is not a date
    "Anna-000123",  # a counter that is no calendar date
    "KS-20260317",  # a date, but no name-like word
    "MUELLER",  # capitals read as an abbreviation
    "Gruppe-A-12",
    "",
]


@pytest.mark.parametrize("pseudonym", NAME_LIKE)
def test_an_id_that_looks_like_a_name_is_recognised(pseudonym):
    assert pseudonym_looks_like_name(pseudonym)


@pytest.mark.parametrize("pseudonym", PSEUDONYMS)
def test_a_real_pseudonym_is_not_mistaken_for_a_name(pseudonym):
    assert not pseudonym_looks_like_name(pseudonym)


def test_the_warning_is_german_and_names_the_id():
    warnings = participant_warnings({"pseudonym": "AnnaSchmidt"})
    assert list(warnings) == ["pseudonym"]
    assert "„AnnaSchmidt“ sieht aus wie ein Name" in warnings["pseudonym"][0]
    assert "trotzdem gespeichert" in warnings["pseudonym"][0]
    assert participant_warnings({"pseudonym": "KS-2026-017"}) == {}


@pytest.mark.parametrize("values", [{"pseudonym": ""}, {"pseudonym": None}, {}])
def test_a_record_without_an_id_gets_no_name_warning(values):
    """The missing ID is V1's business (a blocking error), not a name that needs a warning."""
    assert participant_warnings(values) == {}


def test_the_warning_neither_blocks_nor_changes_the_status(measure_a):
    context = RuleContext.for_measure(measure_a)
    warned = validate_participant(entry_values(measure_a, pseudonym="AnnaSchmidt"), context=context)
    plain = validate_participant(entry_values(measure_a, pseudonym="KS-2026-017"), context=context)
    assert warned.is_valid and warned.warnings["pseudonym"]
    assert plain.warnings == {}
    assert warned.status == plain.status == ParticipantStatus.YELLOW


def test_an_invalid_name_id_gets_the_warning_beside_the_blocking_error(measure_a):
    result = validate_participant(entry_values(measure_a, pseudonym="Anna Schmidt"), context=RuleContext.for_measure(measure_a))
    assert "keine Leerzeichen" in result.errors["pseudonym"][0]
    assert result.warnings["pseudonym"]


# ---------------------------------------------------------------------------
# Every entry point shows it and saves (or takes) the record
# ---------------------------------------------------------------------------

NAME_ID = "AnnaSchmidt"


def through_form(client, user, measure):
    client.force_login(user)
    url = reverse("aqb_monitoring:participant_add", args=[measure.pk])
    response = client.post(url, post_data(entry_values(measure, pseudonym=NAME_ID)), follow=True)
    assert response.status_code == 200
    page = response.content.decode()
    shown = [str(message) for message in response.context["messages"]]
    # after the save: as a message, and on the reopened record's ID field (yellow)
    assert any("sieht aus wie ein Name" in message for message in shown)
    assert 'class="help-block help-warning aqb-field-warning"' in page and 'data-aqb-warning="pseudonym"' in page
    return page


def through_excel(client, user, measure):
    client.force_login(user)
    content = workbook_bytes([yellow_row(measure, NAME_ID), yellow_row(measure, "KS-2026-017")])
    client.post(reverse("aqb_excel:measure_import", args=[measure.pk]),
                {"file": SimpleUploadedFile("teilnehmende.xlsx", content)})
    job = ImportJob.objects.get(measure=measure)
    rows = {row["participant_id"]: row for row in job.preview["rows"]}
    assert [row["action"] for row in job.preview["rows"]] == ["create", "create"]  # counts unchanged
    assert rows[NAME_ID]["warnings"]["pseudonym"] and "pseudonym" not in rows["KS-2026-017"]["warnings"]
    page = client.get(reverse("aqb_excel:job", args=[job.pk])).content.decode()
    assert "sieht aus wie ein Name" in page and "help-warning" in page
    assert "Übernehmen (2 Zeilen)" in page
    client.post(reverse("aqb_excel:job_take", args=[job.pk]))
    return page


def through_cli(client, user, measure):
    content = workbook_bytes([yellow_row(measure, NAME_ID)])
    out = io.StringIO()
    with tempfile.NamedTemporaryFile(suffix=".xlsx") as file:
        file.write(content)
        file.flush()
        call_command("import_participants", measure.number, file.name, stdout=out, stderr=io.StringIO())
    text = out.getvalue()
    assert "1 neu" in text and "0 nicht übernommen" in text
    assert f"Zeile 2 ({NAME_ID}): Hinweis: Teilnehmenden-ID:" in text and "sieht aus wie ein Name" in text
    return text


def through_service(client, user, measure):
    participant, result = services.save_participant(user, measure, entry_values(measure, pseudonym=NAME_ID))
    assert result.warnings["pseudonym"]
    return participant


@pytest.mark.parametrize("entry_point", [through_form, through_excel, through_cli, through_service],
                         ids=["form", "excel", "cli", "service"])
def test_every_entry_point_warns_and_still_saves(entry_point, client, ze_kassel, measure_a):
    entry_point(client, ze_kassel, measure_a)
    participant = Participant.objects.get(measure=measure_a, pseudonym=NAME_ID)
    assert participant.status == ParticipantStatus.YELLOW


def test_the_cli_json_lists_the_warning_of_the_row(measure_a):
    content = workbook_bytes([yellow_row(measure_a, NAME_ID), yellow_row(measure_a, "KS-2026-017")])
    out = io.StringIO()
    with tempfile.NamedTemporaryFile(suffix=".xlsx") as file:
        file.write(content)
        file.flush()
        call_command("import_participants", measure_a.number, file.name, "--dry-run", "--json", stdout=out)
    import json

    rows = json.loads(out.getvalue())["rows"]
    assert "sieht aus wie ein Name" in rows[0]["warnings"]["Teilnehmenden-ID"][0]
    assert "warnings" not in rows[1]


def test_a_form_with_errors_keeps_the_warning_on_the_id_field(client, ze_kassel, measure_a):
    client.force_login(ze_kassel)
    values = entry_values(measure_a, pseudonym=NAME_ID, birth_year=1900)  # V3 blocks
    response = client.post(reverse("aqb_monitoring:participant_add", args=[measure_a.pk]), post_data(values))
    page = response.content.decode()
    assert response.status_code == 200 and not Participant.objects.exists()
    assert 'data-aqb-warning="pseudonym"' in page and "sieht aus wie ein Name" in page


def test_a_real_pseudonym_shows_no_warning_in_the_form(client, ze_kassel, measure_a):
    client.force_login(ze_kassel)
    response = client.post(reverse("aqb_monitoring:participant_add", args=[measure_a.pk]),
                           post_data(entry_values(measure_a, pseudonym="KS-2026-017")), follow=True)
    assert Participant.objects.filter(pseudonym="KS-2026-017").exists()
    assert "data-aqb-warning" not in response.content.decode()
    assert not any("sieht aus wie ein Name" in str(message) for message in response.context["messages"])


def test_the_other_tenant_sees_no_warning_and_saves_nothing(client, ze_fulda, measure_a):
    client.force_login(ze_fulda)
    response = client.post(reverse("aqb_monitoring:participant_add", args=[measure_a.pk]),
                           post_data(entry_values(measure_a, pseudonym=NAME_ID)))
    assert response.status_code == 404
    assert "sieht aus wie ein Name" not in response.content.decode()
    assert not Participant.objects.exists()
