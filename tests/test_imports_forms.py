"""imports/forms.py: the upload form of both importers refuses a missing, empty, wrongly named or too large file
before anything is stored, in German."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.datastructures import MultiValueDict

from aqb_monitoring.imports.forms import UploadForm


class SmallUploadForm(UploadForm):
    label = "Datei (.xlsx oder .csv, höchstens 1 KB)"
    extensions = (".xlsx", ".csv")
    max_bytes = 1024
    wrong_type_message = "Bitte eine .xlsx- oder .csv-Datei hochladen."
    too_large_message = "Die Datei ist größer als 1 KB."


def submitted(name, content=b"PK\x03\x04 Inhalt"):
    return SmallUploadForm({}, MultiValueDict({"file": [SimpleUploadedFile(name, content)]}))


@pytest.mark.parametrize("name", ["daten.xlsx", "daten.csv", "DATEN.XLSX", "Maßnahmen 2026.Csv", "a.b.xlsx"])
def test_a_file_with_an_accepted_ending_is_taken(name):
    form = submitted(name)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["file"].name == name


@pytest.mark.parametrize("name", ["daten.xls", "daten.xlsm", "daten.ods", "daten.xlsx.exe", "daten", "xlsx",
                                  "daten.csv.zip"])
def test_a_file_with_another_ending_is_refused_with_the_forms_message(name):
    form = submitted(name)
    assert not form.is_valid()
    assert form.errors["file"] == ["Bitte eine .xlsx- oder .csv-Datei hochladen."]


def test_a_file_up_to_the_limit_is_taken_and_one_byte_more_is_refused():
    assert submitted("daten.csv", b"x" * 1024).is_valid()
    form = submitted("daten.csv", b"x" * 1025)
    assert not form.is_valid()
    assert form.errors["file"] == ["Die Datei ist größer als 1 KB."]


def test_the_ending_is_checked_before_the_size():
    form = submitted("daten.pdf", b"x" * 5000)
    assert form.errors["file"] == ["Bitte eine .xlsx- oder .csv-Datei hochladen."]


def test_a_form_without_a_file_asks_for_one_in_german():
    form = SmallUploadForm({}, MultiValueDict())
    assert not form.is_valid()
    assert form.errors["file"] == ["Dieses Feld muss ausgefüllt werden."]


def test_an_empty_file_is_refused_in_german():
    form = submitted("daten.csv", b"")
    assert not form.is_valid()
    assert form.errors["file"] == ["Die übertragene Datei ist leer."]


def test_the_field_carries_the_subclasses_label():
    assert SmallUploadForm().fields["file"].label == "Datei (.xlsx oder .csv, höchstens 1 KB)"


def test_the_base_form_takes_only_xlsx():
    class Workbooks(UploadForm):
        max_bytes = 1024
        wrong_type_message = "Nur .xlsx."

    csv_form = Workbooks({}, MultiValueDict({"file": [SimpleUploadedFile("daten.csv", b"a;b")]}))
    assert csv_form.errors["file"] == ["Nur .xlsx."]
    assert Workbooks({}, MultiValueDict({"file": [SimpleUploadedFile("daten.xlsx", b"PK")]})).is_valid()
