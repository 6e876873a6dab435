"""Uploaded documents are checked by their content, not by their name.

Wagtail's document field checks the extension (WAGTAILDOCS_EXTENSIONS) and the size
(WAGTAILDOCS_MAX_UPLOAD_SIZE). A renamed file passes both: an executable called
``antrag.pdf``, an HTML page called ``liste.csv``. `DocumentForm` (WAGTAILDOCS_DOCUMENT_FORM_BASE,
used by every upload: single, multiple and in the chooser) therefore also looks at the bytes:
each extension has the signature its format starts with or the archive structure it has.
"""

import zipfile

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from wagtail.documents.forms import BaseDocumentForm

HEAD_BYTES = 64 * 1024

# Signatures of formats that must never pass as text (executables, archives, office, PDF, images).
BINARY_SIGNATURES = (
    b"PK\x03\x04", b"PK\x05\x06", b"%PDF", b"MZ", b"\x7fELF", b"\xd0\xcf\x11\xe0", b"\x89PNG", b"\xff\xd8\xff",
    b"GIF8", b"\x1f\x8b", b"7z\xbc\xaf", b"Rar!", b"\xca\xfe\xba\xbe", b"\xcf\xfa\xed\xfe",
)

# Office Open XML: a zip with [Content_Types].xml and the folder of its application.
OOXML_FOLDERS = {"docx": "word/", "xlsx": "xl/", "pptx": "ppt/"}
OPENDOCUMENT_TYPES = {"odt": b"application/vnd.oasis.opendocument.text"}

FORMAT_NAMES = {
    "pdf": "PDF-Dokument", "docx": "Word-Dokument (.docx)", "xlsx": "Excel-Arbeitsmappe (.xlsx)",
    "pptx": "PowerPoint-Präsentation (.pptx)", "odt": "OpenDocument-Text (.odt)", "rtf": "RTF-Dokument",
    "zip": "ZIP-Archiv", "txt": "Textdatei", "csv": "CSV-Datei",
}


class ContentMismatch(Exception):
    pass


def _head(upload):
    upload.seek(0)
    head = upload.read(HEAD_BYTES)
    upload.seek(0)
    return head


def _zip_names(upload):
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            return [info.filename for info in archive.infolist()]
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as error:
        raise ContentMismatch from error
    finally:
        upload.seek(0)


def _check_ooxml(upload, extension):
    names = _zip_names(upload)
    folder = OOXML_FOLDERS[extension]
    if "[Content_Types].xml" not in names or not any(name.startswith(folder) for name in names):
        raise ContentMismatch


def _check_opendocument(upload, extension):
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            mimetype = archive.read("mimetype") if "mimetype" in archive.namelist() else b""
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, RuntimeError) as error:
        raise ContentMismatch from error
    finally:
        upload.seek(0)
    if mimetype.strip() != OPENDOCUMENT_TYPES[extension]:
        raise ContentMismatch


def _check_text(head):
    if head.startswith(BINARY_SIGNATURES) or b"\x00" in head:
        raise ContentMismatch
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = head.decode(encoding)
        except UnicodeDecodeError:
            continue
        # A cut in the middle of a multi-byte character at the end of the head is not an error.
        controls = sum(1 for char in text if ord(char) < 32 and char not in "\t\r\n\f")
        if controls:
            raise ContentMismatch
        return
    raise ContentMismatch


def check_document_content(upload, extension):
    """Raise ContentMismatch unless the bytes of `upload` are a file of the kind its extension names."""
    extension = extension.lower()
    head = _head(upload)
    if not head:
        raise ContentMismatch
    if extension == "pdf":
        if b"%PDF-" not in head[:1024]:
            raise ContentMismatch
    elif extension in OOXML_FOLDERS:
        _check_ooxml(upload, extension)
    elif extension in OPENDOCUMENT_TYPES:
        _check_opendocument(upload, extension)
    elif extension == "zip":
        _zip_names(upload)
    elif extension == "rtf":
        if not head.startswith(b"{\\rtf"):
            raise ContentMismatch
    elif extension in {"txt", "csv"}:
        _check_text(head)
    else:
        # An extension added to WAGTAILDOCS_EXTENSIONS without a check here is refused until it has one.
        raise ContentMismatch


class DocumentForm(BaseDocumentForm):
    """Wagtail's document form plus the content check of every new file (WAGTAILDOCS_DOCUMENT_FORM_BASE)."""

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if not upload or "file" not in self.changed_data:
            return upload
        maximum = getattr(settings, "WAGTAILDOCS_MAX_UPLOAD_SIZE", None)
        if maximum is not None and upload.size > maximum:
            raise forms.ValidationError(
                _("Die Datei ist zu groß (%(size)s). Erlaubt sind höchstens %(maximum)s.")
                % {"size": filesizeformat(upload.size), "maximum": filesizeformat(maximum)},
                code="file_too_large",
            )
        extension = upload.name.rsplit(".", 1)[-1].lower() if "." in upload.name else ""
        try:
            check_document_content(upload, extension)
        except ContentMismatch:
            expected = FORMAT_NAMES.get(extension, extension or _("ohne Endung"))
            raise forms.ValidationError(
                _("Der Inhalt der Datei passt nicht zu ihrer Endung „.%(extension)s“ (erwartet: %(format)s). "
                  "Bitte laden Sie die Originaldatei hoch (nicht nur umbenannt).")
                % {"extension": extension, "format": expected},
                code="content_mismatch",
            ) from None
        return upload
