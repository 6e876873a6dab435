"""German error pages that Django would otherwise answer in English (issue 14).

400, 403, 404 and 500 are the templates of the same names in `templates/`; the CSRF failure
("403 Forbidden, CSRF verification failed") is this view (CSRF_FAILURE_VIEW); a refusal in the
admin is AdminPermissionDeniedMiddleware's page (issue 10, item 4).
"""

from django.http import HttpResponseForbidden
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.utils.html import escape
from django.utils.translation import gettext


def csrf_failure(request, reason=""):
    """A form whose security token was missing or stale: what to do, in German; Django logs the reason."""
    return HttpResponseForbidden(render_to_string("403_csrf.html"), content_type="text/html; charset=utf-8")


class AdminPermissionDeniedMiddleware:
    """A refusal in the admin gets a German 403 page with the portal's name and a link to the start page.

    Wagtail's `require_admin_access` catches every PermissionDenied raised by an admin view (ours
    and Wagtail's) and answers with a redirect to the dashboard and the message "Sorry, you do not
    have permission to access this area." (wagtail.admin.auth.permission_denied); Django's 403
    handler never sees it. This middleware recognises that answer by its message, takes the message
    back and answers 403 with aqb_monitoring/admin_403.html instead. Requests from scripts
    (X-Requested-With) get Wagtail's plain 403 unchanged.
    """

    WAGTAIL_MESSAGE = "Sorry, you do not have permission to access this area."

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code != 302 or not request.path.startswith("/admin/"):
            return response
        storage = getattr(request, "_messages", None)
        queued = getattr(storage, "_queued_messages", [])
        refusals = [message for message in queued if self.is_refusal(message)]
        if not refusals:
            return response
        storage._queued_messages = [message for message in queued if message not in refusals]
        return TemplateResponse(request, "aqb_monitoring/admin_403.html", status=403).render()

    def is_refusal(self, message):
        """Wagtail's message is its HTML snippet around the (translated) sentence."""
        text = str(message.message)
        return any(escape(sentence) in text for sentence in (gettext(self.WAGTAIL_MESSAGE), self.WAGTAIL_MESSAGE))
