"""Response headers that differ between the public site and the administration.

The public site is strict: its Content-Security-Policy allows scripts and styles only from
the site itself (no inline script, no `eval`), and no page may be shown in a frame
(`X-Frame-Options: DENY`, `frame-ancestors 'none'`). The administration is as strict as
Wagtail allows: Wagtail's widgets (date pickers, inline panels) still write small inline
scripts and styles, so `/admin/` gets its own policy with `'unsafe-inline'` for those two, and
`SAMEORIGIN` framing, because the page preview shows the page in a frame of the editor.

Both policies are plain settings (CONTENT_SECURITY_POLICY for the public site,
AQB_ADMIN_CONTENT_SECURITY_POLICY for the administration), built by django-csp.
"""

from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings


def is_admin_path(request):
    """Below /admin/, or Wagtail's preview of a page: a made-up request to the page's public address
    (`is_dummy`), run through the middleware inside an admin view and shown in the editor's frame."""
    return request.path_info.startswith(settings.AQB_ADMIN_PATH_PREFIX) or getattr(request, "is_dummy", False)


class PortalCSPMiddleware(CSPMiddleware):
    """django-csp's middleware, with the administration's policy for paths below /admin/."""

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only=report_only)
        if not report_only and parts.config is None and is_admin_path(request):
            return PolicyParts(
                config=settings.AQB_ADMIN_CONTENT_SECURITY_POLICY["DIRECTIVES"],
                update=parts.update, replace=parts.replace, nonce=parts.nonce,
            )
        return parts


class AdminFramingMiddleware:
    """`X-Frame-Options: SAMEORIGIN` for the administration (page preview); DENY stays everywhere else.

    Listed after Django's XFrameOptionsMiddleware, so it sees the response first; that middleware
    leaves a header that is already set alone.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if is_admin_path(request) and "X-Frame-Options" not in response:
            response["X-Frame-Options"] = "SAMEORIGIN"
        return response
