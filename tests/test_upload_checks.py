"""Every upload is checked by its content, not by its name, and too large files get a German message.

Documents: aqb_content.documents.DocumentForm (WAGTAILDOCS_DOCUMENT_FORM_BASE). Images:
Wagtail reads them with Willow, which tells the format by content. Excel and CSV imports:
the reader's child process and the measure import decide by content
(tests/test_hostile_uploads.py has the hostile workbooks; here the plainly renamed files).
"""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Collection

from aqb_content.documents import ContentMismatch, check_document_content
from aqb_monitoring.models import ImportJob, ImportJobStatus

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
EXECUTABLE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200
RTF = b"{\\rtf1\\ansi Hallo}"


def zip_bytes(members):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


DOCX = zip_bytes({"[Content_Types].xml": "<Types/>", "word/document.xml": "<w:document/>"})
XLSX = zip_bytes({"[Content_Types].xml": "<Types/>", "xl/workbook.xml": "<workbook/>"})
PPTX = zip_bytes({"[Content_Types].xml": "<Types/>", "ppt/presentation.xml": "<p/>"})
ODT = zip_bytes({"mimetype": "application/vnd.oasis.opendocument.text", "content.xml": "<office/>"})
PLAIN_ZIP = zip_bytes({"liesmich.txt": "Hallo"})


def upload(content, name):
    return SimpleUploadedFile(name, content)


# ---------------------------------------------------------------------------
# The content check itself
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(("extension", "content"), [
    ("pdf", PDF), ("docx", DOCX), ("xlsx", XLSX), ("pptx", PPTX), ("odt", ODT), ("zip", PLAIN_ZIP), ("zip", DOCX),
    ("rtf", RTF), ("txt", "Übersicht der Fristen\n".encode()), ("txt", "Fristen für Träger\n".encode("cp1252")),
    ("csv", "Nummer;Titel\r\n1;Maßnahme\r\n".encode("utf-8-sig")),
])
def test_a_file_whose_content_matches_its_extension_passes(extension, content):
    check_document_content(upload(content, f"datei.{extension}"), extension)


@pytest.mark.parametrize(("extension", "content"), [
    ("pdf", EXECUTABLE), ("pdf", DOCX), ("pdf", b""), ("docx", XLSX), ("docx", PLAIN_ZIP), ("docx", PDF),
    ("xlsx", DOCX), ("xlsx", b"PK\x03\x04kaputt"), ("pptx", DOCX), ("odt", DOCX), ("zip", PDF), ("rtf", PDF),
    ("txt", EXECUTABLE), ("txt", PDF), ("csv", DOCX), ("csv", b"a;b\x00;c"), ("csv", b"\x1b[31m;b"),
    ("exe", EXECUTABLE),
])
def test_a_renamed_file_is_refused(extension, content):
    with pytest.raises(ContentMismatch):
        check_document_content(upload(content, f"datei.{extension}"), extension)


# ---------------------------------------------------------------------------
# Documents through the administration
# ---------------------------------------------------------------------------


@pytest.fixture
def editor(client, rp_editor, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(rp_editor)
    return client


def add_document(client, content, name, title="Merkblatt"):
    return client.post(reverse("wagtaildocs:add"), {
        "title": title, "file": upload(content, name), "collection": Collection.get_first_root_node().pk})


def test_an_editor_uploads_a_real_pdf(editor):
    response = add_document(editor, PDF, "merkblatt.pdf")
    assert response.status_code == 302
    assert get_document_model().objects.filter(title="Merkblatt").exists()


def test_an_executable_named_pdf_is_refused_with_a_german_message(editor):
    response = add_document(editor, EXECUTABLE, "merkblatt.pdf")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Der Inhalt der Datei passt nicht zu ihrer Endung „.pdf“" in html
    assert "PDF-Dokument" in html
    assert not get_document_model().objects.exists()


def test_a_renamed_word_file_is_refused_in_the_multiple_upload_too(editor):
    response = editor.post(reverse("wagtaildocs:add_multiple"), {"files[]": upload(DOCX, "tabelle.xlsx")},
                           headers={"x-requested-with": "XMLHttpRequest"})
    assert response.status_code == 200
    assert response.json()["success"] is False
    assert "passt nicht zu ihrer Endung" in str(response.json())
    assert not get_document_model().objects.exists()


def test_replacing_the_file_of_a_document_is_checked_too(editor):
    assert add_document(editor, PDF, "merkblatt.pdf").status_code == 302
    document = get_document_model().objects.get()
    response = editor.post(reverse("wagtaildocs:edit", args=[document.pk]), {
        "title": "Merkblatt", "file": upload(b"<html><script>alert(1)</script>", "merkblatt.pdf"),
        "collection": document.collection_id})
    assert response.status_code == 200
    assert "passt nicht zu ihrer Endung" in response.content.decode()
    document.refresh_from_db()
    assert document.file.read().startswith(b"%PDF")


def test_editing_only_the_title_keeps_the_file_without_a_new_check(editor):
    assert add_document(editor, PDF, "merkblatt.pdf").status_code == 302
    document = get_document_model().objects.get()
    response = editor.post(reverse("wagtaildocs:edit", args=[document.pk]), {
        "title": "Merkblatt 2026", "collection": document.collection_id})
    assert response.status_code == 302
    document.refresh_from_db()
    assert document.title == "Merkblatt 2026"


def test_a_too_large_document_gets_a_german_message(editor, settings):
    settings.WAGTAILDOCS_MAX_UPLOAD_SIZE = 1024
    response = add_document(editor, PDF + b"0" * 2048, "gross.pdf")
    assert response.status_code == 200
    html = response.content.decode()
    assert "zu groß" in html
    assert "too big" not in html and "Maximum" not in html
    assert not get_document_model().objects.exists()


def test_an_extension_outside_the_list_is_refused_in_german(editor):
    response = add_document(editor, EXECUTABLE, "programm.exe")
    assert response.status_code == 200
    assert "ist nicht erlaubt" in response.content.decode()
    assert not get_document_model().objects.exists()


def test_a_provider_cannot_upload_documents_at_all(client, provider_a, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(provider_a)
    response = add_document(client, PDF, "merkblatt.pdf")
    assert response.status_code == 404
    assert not get_document_model().objects.exists()


# ---------------------------------------------------------------------------
# Images
# ---------------------------------------------------------------------------


def png_bytes():
    from wagtail.images.tests.utils import get_test_image_file

    return get_test_image_file().file.getvalue()


def add_image(client, content, name):
    return client.post(reverse("wagtailimages:add"), {
        "title": "Logo", "file": upload(content, name), "collection": Collection.get_first_root_node().pk})


def test_an_editor_uploads_a_real_png(editor):
    assert add_image(editor, png_bytes(), "logo.png").status_code == 302
    assert get_image_model().objects.filter(title="Logo").exists()


@pytest.mark.parametrize(("content", "name"), [(PDF, "logo.png"), (b"<svg onload='alert(1)'/>", "logo.png"),
                                               (EXECUTABLE, "logo.jpg")])
def test_a_file_that_is_no_image_is_refused_as_an_image(editor, content, name):
    response = add_image(editor, content, name)
    assert response.status_code == 200
    assert not get_image_model().objects.exists()


def test_an_image_named_as_another_format_is_refused(editor):
    response = add_image(editor, png_bytes(), "logo.jpg")
    assert response.status_code == 200
    assert not get_image_model().objects.exists()


def test_svg_images_are_not_accepted(editor, settings):
    assert "svg" not in settings.WAGTAILIMAGES_EXTENSIONS
    response = add_image(editor, b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
                         "logo.svg")
    assert response.status_code == 200
    assert not get_image_model().objects.exists()


def test_a_too_large_image_gets_a_german_message(editor, settings):
    settings.WAGTAILIMAGES_MAX_UPLOAD_SIZE = 100
    response = add_image(editor, png_bytes(), "logo.png")
    assert response.status_code == 200
    assert "zu groß" in response.content.decode()
    assert not get_image_model().objects.exists()


# ---------------------------------------------------------------------------
# Excel and CSV imports: the name is not what counts
# ---------------------------------------------------------------------------


def test_a_pdf_named_xlsx_is_refused_by_the_participant_import(client, ze_kassel, measure_a, settings, tmp_path,
                                                               django_capture_on_commit_callbacks):
    settings.AQB_PRIVATE_ROOT = tmp_path
    client.force_login(ze_kassel)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("aqb_excel:measure_import", args=[measure_a.pk]),
                               {"file": upload(PDF, "teilnehmende.xlsx")})
    assert response.status_code == 302
    job = ImportJob.objects.get()
    assert job.status == ImportJobStatus.FAILED
    assert "Excel" in job.error or "beschädigt" in job.error


def test_a_too_large_participant_import_gets_a_german_message(client, ze_kassel, measure_a, monkeypatch):
    from aqb_monitoring.excel import views as excel_views

    monkeypatch.setattr(excel_views.UploadForm, "max_bytes", 10)
    client.force_login(ze_kassel)
    response = client.post(reverse("aqb_excel:measure_import", args=[measure_a.pk]),
                           {"file": upload(XLSX, "teilnehmende.xlsx")})
    assert response.status_code == 200
    assert "größer als 100 MB" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_an_executable_named_csv_is_refused_by_the_measure_import(client, rp_editor):
    client.force_login(rp_editor)
    response = client.post(reverse("aqb_measure_import:upload"), {"file": upload(EXECUTABLE, "massnahmen.csv")},
                           follow=True)
    assert response.status_code == 200 and response.context["job"].status == "failed"
    text = response.content.decode()
    assert "weder eine Excel-Datei (.xlsx) noch eine CSV-Datei" in text or "nicht UTF-8" in text
