"""German error pages that Django would otherwise answer in English (issue 14).

400, 403, 404 and 500 are the templates of the same names in `templates/`; the CSRF failure
("403 Forbidden, CSRF verification failed") is this view (CSRF_FAILURE_VIEW).
"""

from django.http import HttpResponseForbidden
from django.template.loader import render_to_string


def csrf_failure(request, reason=""):
    """A form whose security token was missing or stale: what to do, in German; Django logs the reason."""
    return HttpResponseForbidden(render_to_string("403_csrf.html"), content_type="text/html; charset=utf-8")
