"""The invitation link: a one-time token valid for AQB_INVITATION_VALID_HOURS, and the e-mail carrying it.

The token is Django's password-reset token with its own salt and lifetime. It hashes the password,
the last log-in and the time of the latest invitation, so it dies when the user chooses a password,
logs in, or is invited again. The mail is rendered by a django-tasks task after the commit and
delivered like every mail of the portal (`notifications.deliver_with_retries`: retries, failures
listed for the RP); its text, with the link, is erased from the `Notification` once delivered.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.encoding import force_bytes
from django.utils.http import base36_to_int, urlsafe_base64_encode
from django_tasks import task

log = logging.getLogger(__name__)


def valid_for():
    return timedelta(hours=settings.AQB_INVITATION_VALID_HOURS)


class InvitationTokenGenerator(PasswordResetTokenGenerator):
    key_salt = "aqb_monitoring.users.invitations.InvitationTokenGenerator"

    def _make_hash_value(self, user, timestamp):
        invited = "" if user.invited_at is None else user.invited_at.replace(microsecond=0, tzinfo=None)
        return f"{super()._make_hash_value(user, timestamp)}{invited}{user.is_active}"

    def check_token(self, user, token):
        """Django's check, with the invitation's own lifetime instead of PASSWORD_RESET_TIMEOUT."""
        if not (user and token):
            return False
        try:
            ts_b36, _hash = token.split("-")
            ts = base36_to_int(ts_b36)
        except ValueError:
            return False
        if not any(
            constant_time_compare(self._make_token_with_timestamp(user, ts, secret), token)
            for secret in [self.secret, *self.secret_fallbacks]
        ):
            return False
        return self._num_seconds(self._now()) - ts <= valid_for().total_seconds()


invitation_token = InvitationTokenGenerator()


def invitation_path(user):
    uidb64 = urlsafe_base64_encode(force_bytes(user.pk))
    return reverse("aqb_invitation:accept", args=[uidb64, invitation_token.make_token(user)])


def absolute_url(path):
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path


def invitation_state(user, now=None):
    """"offen", "abgelaufen" or "" (never invited, or logged in already): what the user list shows."""
    if user.last_login is not None or user.invited_at is None:
        return ""
    now = now or timezone.now()
    return "offen" if user.invited_at + valid_for() > now else "abgelaufen"


def render_invitation(user):
    """Subject, text and HTML of the invitation mail, with the absolute link to the choose-password page."""
    context = {
        "user": user,
        "organisation": user.organisation,
        "url": absolute_url(invitation_path(user)),
        "link_label": "Passwort festlegen",
        "hours": settings.AQB_INVITATION_VALID_HOURS,
        "login_url": absolute_url(reverse("wagtailadmin_login")),
        "new_link_url": absolute_url(reverse("aqb_invitation:request")),
    }
    subject = " ".join(render_to_string("aqb_monitoring/mail/invitation.subject", context).split())
    context["subject"] = subject
    text = render_to_string("aqb_monitoring/mail/invitation.txt", context)
    html = render_to_string("aqb_monitoring/mail/invitation.html", context)
    return subject, text, html


@task()
def send_invitation_mail(user_id):
    """Deliver the invitation of a user who is still active and has never logged in."""
    from ..models import User

    user = User.objects.select_related("organisation").filter(
        pk=user_id, is_active=True, last_login__isnull=True, invited_at__isnull=False).first()
    if user is None:
        return "nicht mehr nötig"
    from ..notifications import deliver_with_retries, store

    subject, text, html = render_invitation(user)
    return deliver_with_retries(store([user.email], subject, text, html))
