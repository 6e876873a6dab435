"""The forced first password change (issue 13): a one-time password opens nothing but the change form.

A logged-in user with `must_change_password` who asks for any admin URL is sent to the form where
they choose their own password; only that form, the log-out and the admin's static helpers stay
reachable. The flag is cleared when the new password is saved (services.accounts.do_choose_password).
"""

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse

# Admin URLs a user with a one-time password may still open (besides the change form itself).
OPEN_ADMIN_URL_NAMES = ("wagtailadmin_logout", "wagtailadmin_login", "wagtailadmin_sprite",
                        "wagtailadmin_javascript_catalog")


class ForcePasswordChangeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self._open_paths = None

    def open_paths(self):
        if self._open_paths is None:
            self._open_paths = {reverse("aqb_users:change_password")} | {reverse(name) for name in OPEN_ADMIN_URL_NAMES}
        return self._open_paths

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and getattr(user, "must_change_password", False)
            and request.path.startswith(reverse("wagtailadmin_home"))
            and request.path not in self.open_paths()
            and not request.path.startswith(settings.STATIC_URL)
        ):
            return redirect(reverse("aqb_users:change_password"))
        return self.get_response(request)
