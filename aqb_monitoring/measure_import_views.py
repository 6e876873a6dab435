"""Admin pages of the RP's measure import: upload → preview of every row → "Übernehmen" → result.

Only the RP reaches them (viewsets.MeasureImportViewSet wraps every URL in
`authority_required`; everyone else gets a 404). No state is kept on the server between
preview and take: the preview page carries the uploaded file, zlib-packed and signed
(so the take re-reads exactly the bytes that were previewed and nobody can slip in other
ones), and the take validates it again against the data as they are then.
"""

import base64
import zlib

from django import forms
from django.core import signing
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from .measure_import import MAX_FILE_BYTES, ImportFileError, check_measure_import, do_measure_import

SIGNING_SALT = "aqb.measure-import"
TOKEN_MAX_AGE = 6 * 60 * 60  # a preview left open overnight is read again from a new upload
# Django refuses request bodies above DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB); the token stays below.
TOKEN_MAX_CHARS = 2_000_000


class UploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Datei des RP-Datenbestands (.xlsx oder .csv, höchstens 5 MB)"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".xlsx", ".csv")):
            raise forms.ValidationError(_("Bitte eine Excel-Datei (.xlsx) oder eine CSV-Datei (.csv) hochladen."))
        if upload.size > MAX_FILE_BYTES:
            raise forms.ValidationError(_("Die Datei ist größer als 5 MB. Bitte teilen Sie sie auf."))
        return upload


def pack(content):
    """The file's bytes as a signed, packed text for the preview's hidden field."""
    packed = base64.urlsafe_b64encode(zlib.compress(content, 6)).decode("ascii")
    return signing.TimestampSigner(salt=SIGNING_SALT).sign(packed)


def unpack(token):
    """The bytes packed by `pack`, or None when the token is forged, expired or too large."""
    try:
        packed = signing.TimestampSigner(salt=SIGNING_SALT).unsign(token, max_age=TOKEN_MAX_AGE)
        inflater = zlib.decompressobj()
        content = inflater.decompress(base64.urlsafe_b64decode(packed), MAX_FILE_BYTES + 1)
    except (signing.BadSignature, ValueError, zlib.error):
        return None
    return content if len(content) <= MAX_FILE_BYTES else None


def _page(request, template, title, **context):
    return TemplateResponse(request, f"aqb_monitoring/measure_import/{template}", {
        "page_title": title, "header_title": title, **context})


def upload(request):
    """GET: the upload form. POST: read and check the file, show every row (nothing is saved)."""
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        content = form.cleaned_data["file"].read()
        try:
            preview = check_measure_import(content, request.user)
        except ImportFileError as error:
            form.add_error("file", error.message)
        else:
            token = pack(content)
            if len(token) > TOKEN_MAX_CHARS:
                form.add_error("file", _(
                    "Die Datei ist für die Übernahme im Browser zu groß. Bitte teilen Sie sie auf oder importieren Sie "
                    "sie mit „manage.py import_measures“."))
            else:
                data = preview.as_dict()
                return _page(request, "preview.html", _("Maßnahmen importieren: Vorschau"), preview=data,
                             counts=data["counts"], taken=data["counts"]["create"] + data["counts"]["update"],
                             token=token, file_name=form.cleaned_data["file"].name)
    return _page(request, "upload.html", _("Maßnahmen importieren"), form=form)


@require_POST
def take(request):
    """Import the previewed file (validated again now) in one transaction and show the outcome."""
    content = unpack(request.POST.get("token", ""))
    if content is None:
        return _page(request, "upload.html", _("Maßnahmen importieren"), form=UploadForm(),
                     notice=_("Die Vorschau ist abgelaufen oder ungültig. Bitte laden Sie die Datei erneut hoch."))
    try:
        preview = do_measure_import(content, request.user)
    except ImportFileError as error:
        return _page(request, "upload.html", _("Maßnahmen importieren"), form=UploadForm(), notice=error.message)
    data = preview.as_dict()
    return _page(request, "result.html", _("Maßnahmen importieren: Ergebnis"), preview=data, counts=data["counts"],
                 file_name=request.POST.get("file_name", ""))
