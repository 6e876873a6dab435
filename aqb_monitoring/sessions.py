"""Sessions end after SESSION_COOKIE_AGE (8 hours) without a request (issue 13).

Django moves a session's end on only when the session is saved. SESSION_SAVE_EVERY_REQUEST would
write the session row on every request: one more database write per page, image and script, and
on SQLite concurrent requests of one browser (the page and its icon sprite) then collide and one
of them fails with "Bad Request (400)". Instead, `SlidingSessionMiddleware` saves a logged-in
user's session at most every AQB_SESSION_REFRESH_SECONDS (5 minutes): the session then ends
between 7 h 55 min and 8 h after the last request.
"""

import time

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

REFRESHED_KEY = "_aqb_session_refreshed"


@receiver(user_logged_in, dispatch_uid="aqb_session_refreshed_at_login")
def refreshed_at_login(sender, request, user, **kwargs):
    """The log-in writes the new session anyway: it counts as the first refresh, so the next page saves nothing."""
    session = getattr(request, "session", None)
    if session is not None:
        session[REFRESHED_KEY] = int(time.time())


class SlidingSessionMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        user = getattr(request, "user", None)
        if session is None or user is None or not user.is_authenticated:
            return response
        now = int(time.time())
        if now - int(session.get(REFRESHED_KEY, 0)) >= int(getattr(settings, "AQB_SESSION_REFRESH_SECONDS", 300)):
            session[REFRESHED_KEY] = now  # marks the session modified: SessionMiddleware saves it with a new end
        return response
