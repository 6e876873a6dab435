"""Public and admin views of the Excel template, export and import."""

from django.core.cache import cache
from django.http import HttpResponse, HttpResponseNotModified
from django.utils.http import http_date, quote_etag
from django.views.decorators.http import require_safe

from .layout import catalogue_version
from .template import XLSX_CONTENT_TYPE, build_template

TEMPLATE_FILENAME = "teilnehmende-vorlage.xlsx"


def xlsx_response(content, filename):
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_safe
def participant_template(request):
    """The blank template for everyone, built from the current catalogues.

    The catalogue version is the ETag: the workbook is built once per version and kept
    in the cache, and a browser that has the current one gets 304.
    """
    version, changed = catalogue_version()
    etag = quote_etag(version)
    if etag in [tag.strip() for tag in request.headers.get("If-None-Match", "").split(",")]:
        response = HttpResponseNotModified()
        response["ETag"] = etag
        return response
    key = f"aqb:participant-template:{version}"
    content = cache.get(key)
    if content is None:
        content = build_template()
        cache.set(key, content, timeout=None)
    response = xlsx_response(content, TEMPLATE_FILENAME)
    response["ETag"] = etag
    if changed is not None:
        response["Last-Modified"] = http_date(changed.timestamp())
    response["Cache-Control"] = "public, no-cache"
    return response
