"""Request bodies refused from their declared size, before anything reads them (issue 14).

Django reads a body only when a view or middleware asks for `request.POST`/`FILES`/`body` (the
CSRF check is the first to ask, in its `process_view`); a multipart body is then written in full
to disk before any form could say "too large". Two middlewares answer earlier, from the headers:

- `RequestBodyLimitMiddleware`, first in MIDDLEWARE: a body larger than the largest legitimate
  upload (`AQB_MAX_REQUEST_BYTES`: the Excel import's 100 MB plus the form around it) gets a German
  413 page; a body without a declared length (chunked) gets 411, since Django would not read it
  anyway and nobody should stream into the server; an unreadable length gets 400.
- `AnonymousUploadMiddleware`, right after Django's authentication middleware (still before any
  `process_view`): visitors who are not signed in cannot upload files at all (a multipart body
  above a few kilobytes gets 413 unread; in a smaller one file parts are dropped unstored) and send
  at most `DATA_UPLOAD_MAX_MEMORY_SIZE` bytes of form data.

The refusal pages are rendered without a request (like Django's 400 and 500 pages) and carry their
own restrictive security headers, since the middlewares that add them have not run.
"""

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler
from django.http import HttpResponse
from django.template.loader import render_to_string

MEGABYTE = 1024 * 1024

SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'self'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


def refusal(template, status, **context):
    response = HttpResponse(render_to_string(template, context), status=status, content_type="text/html; charset=utf-8")
    for name, value in SECURITY_HEADERS.items():
        response[name] = value
    return response


def declared_length(request):
    """The Content-Length as a number, 0 when absent, None when it is not a non-negative number."""
    value = request.META.get("CONTENT_LENGTH") or "0"
    try:
        length = int(value)
    except ValueError:
        return None
    return length if length >= 0 else None


def _megabytes(limit):
    return max(1, round(limit / MEGABYTE))


class RequestBodyLimitMiddleware:
    """First in MIDDLEWARE: no body above AQB_MAX_REQUEST_BYTES, none of unknown length."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        length = declared_length(request)
        if length is None:
            return refusal("400.html", 400)
        chunked = "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", "").lower()
        if chunked and not request.META.get("CONTENT_LENGTH"):
            return refusal("411.html", 411)
        limit = settings.AQB_MAX_REQUEST_BYTES
        if length > limit:
            return refusal("413.html", 413, limit_mb=_megabytes(limit), signed_in=True)
        return self.get_response(request)


class DiscardingUploadHandler(FileUploadHandler):
    """Reads a file part and keeps nothing of it: no memory, no temporary file, no entry in FILES."""

    def receive_data_chunk(self, raw_data, start):
        return None

    def file_complete(self, file_size):
        return None


class AnonymousUploadMiddleware:
    """After AuthenticationMiddleware: visitors not signed in upload no files and send only small forms.

    A multipart body is what a browser sends for a form with a file; the public forms and the log-in
    pages need none, but tools (and Django's test client) send every form that way. So a visitor's
    multipart body above AQB_ANONYMOUS_MULTIPART_MAX_BYTES is refused unread, and in a smaller one any
    file part is read and dropped (no upload handler): nothing a visitor sends is ever stored as a file.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        length = declared_length(request) or 0
        multipart = request.META.get("CONTENT_TYPE", "").lower().startswith("multipart/")
        if not (length or multipart) or self._signed_in(request):
            return self.get_response(request)
        if multipart:
            if length > settings.AQB_ANONYMOUS_MULTIPART_MAX_BYTES:
                return refusal("413.html", 413, anonymous_upload=True,
                               limit_mb=_megabytes(settings.AQB_ANONYMOUS_MULTIPART_MAX_BYTES))
            request.upload_handlers = [DiscardingUploadHandler(request)]
        elif length > settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
            return refusal("413.html", 413, limit_mb=_megabytes(settings.DATA_UPLOAD_MAX_MEMORY_SIZE))
        return self.get_response(request)

    @staticmethod
    def _signed_in(request):
        user = getattr(request, "user", None)
        return user is None or user.is_authenticated
