"""Log-in protection (issue 13): the lock per account, the limit per address, the lock page, unlocking.

The handbook's rule is per **account**: after `AXES_FAILURE_LIMIT` (6) failed log-ins the account
is locked for `AXES_COOLOFF_TIME` (30 minutes), from whatever addresses the attempts came. On top,
one address (IP) is refused after `AQB_IP_FAILURE_LIMIT` (30) failures across any accounts within
the same time, against password spraying.

django-axes counts one limit for all lockout parameters (`AXES_LOCKOUT_PARAMETERS =
["username", "ip_address"]` locks by username *or* by address, both against the same number), so
`PortalAxesHandler` replaces its count: the account's failures, raised to the account limit when the
address has reached its own, higher limit. Attempts are counted under the lower-cased address
(`normalised_username`), so `Anna@…` and `anna@…` are one account for the lock as for the log-in.

Password-reset requests are limited per address and per IP by counting the request events of the
security log (`SecurityEvent`), which every app server shares through the database: no cache needed.
"""

from datetime import timedelta

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_cool_off, get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Max, Q, Sum
from django.shortcuts import render
from django.utils import timezone
from django_tasks import task
from wagtail.admin.forms.auth import PasswordResetForm

from .models import SecurityEvent
from .security_log import SecurityEventKind, client_address, record_security_event

ACCOUNT = "account"
ADDRESS = "address"


def normalise_email(value):
    return (value or "").strip().lower()


def normalised_username(request, credentials=None):
    """AXES_USERNAME_CALLABLE: the log-in address as typed, trimmed and lower-cased (one account, one count)."""
    if credentials:
        value = credentials.get(settings.AXES_USERNAME_FORM_FIELD)
    else:
        data = getattr(request, "data", None) or getattr(request, "POST", {})
        value = data.get(settings.AXES_USERNAME_FORM_FIELD)
    return normalise_email(value) or None


def ip_failure_limit():
    return int(getattr(settings, "AQB_IP_FAILURE_LIMIT", 30))


def refused_while_locked(request):
    """Whether this attempt was refused because a lock was already in force (not the attempt that locks).

    The axes backend marks a refused attempt before the failure signal; the handler marks the attempt
    that reaches the limit while handling the signal. The answer is taken the first time it is asked
    (by the handler or by the security log's receiver, whichever runs first) and kept on the request.
    """
    if request is None:
        return False
    if not hasattr(request, "aqb_refused_while_locked"):
        request.aqb_refused_while_locked = bool(getattr(request, "axes_locked_out", False))
    return request.aqb_refused_while_locked


class PortalAxesHandler(AxesDatabaseHandler):
    """axes' database handler with two limits: per account (AXES_FAILURE_LIMIT) and per address (higher)."""

    def failure_counts(self, request, credentials=None):
        """(failures of the account, failures from the address) within the cool-off time, one query."""
        username = get_client_username(request, credentials)
        address = getattr(request, "axes_ip_address", None) or client_address(request)
        recent = AccessAttempt.objects.filter(attempt_time__gte=get_cool_off_threshold(request))
        sums = {}
        if username:
            sums["account"] = Sum("failures_since_start", filter=Q(username=username))
        if address:
            sums["address"] = Sum("failures_since_start", filter=Q(ip_address=address))
        totals = recent.aggregate(**sums) if sums else {}
        return totals.get("account") or 0, totals.get("address") or 0

    def get_failures(self, request, credentials=None):
        account, address = self.failure_counts(request, credentials)
        account_limit = get_failure_limit(request, credentials)
        if account >= account_limit:
            request.aqb_lock_reason = ACCOUNT
            return account
        if address >= ip_failure_limit():
            request.aqb_lock_reason = ADDRESS
            return max(account, account_limit)
        return account

    def user_login_failed(self, sender, credentials, request=None, **kwargs):
        refused_while_locked(request)
        return super().user_login_failed(sender, credentials, request=request, **kwargs)

    def reset_user_attempts(self, request, credentials=None):
        """A successful log-in clears the account's count, not its address's (no reset by logging in elsewhere)."""
        username = get_client_username(request, credentials)
        if not username:
            return 0
        count, _ = AccessAttempt.objects.filter(username=username).delete()
        return count


# ---------------------------------------------------------------------------
# The lock page
# ---------------------------------------------------------------------------


def duration_text(delta):
    """'30 Minuten', '1 Stunde', '1 Stunde und 30 Minuten' (German, for the lock page)."""
    minutes = max(1, round(delta.total_seconds() / 60))
    hours, minutes = divmod(minutes, 60)
    parts = []
    if hours:
        parts.append(f"{hours} Stunde" if hours == 1 else f"{hours} Stunden")
    if minutes:
        parts.append(f"{minutes} Minute" if minutes == 1 else f"{minutes} Minuten")
    return " und ".join(parts)


def support_contact(request):
    """Whom a locked-out user calls: the public site's footer contact (the AQB team), else the RP's address."""
    try:
        from aqb_content.models import FooterSettings

        contact = FooterSettings.for_request(request).footer_contact
    except Exception:  # noqa: BLE001  (no site for this host: fall back below)
        contact = None
    if contact is not None:
        return {"contact": contact}
    from .models import Organisation, OrganisationKind

    email = (
        Organisation.objects.filter(kind=OrganisationKind.AUTHORITY).exclude(contact_email="")
        .values_list("contact_email", flat=True).first()
    )
    return {"contact_email": email or "AQBudget@rpks.hessen.de"}


def lockout_response(request, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: the German lock page with its duration, end time and whom to call (HTTP 429)."""
    cool_off = get_cool_off(request) or timedelta(minutes=30)
    reason = getattr(request, "aqb_lock_reason", None)
    if reason is None:
        handler = PortalAxesHandler()
        handler.get_failures(request, credentials)
        reason = getattr(request, "aqb_lock_reason", ACCOUNT)
    username = get_client_username(request, credentials)
    address = getattr(request, "axes_ip_address", None) or client_address(request)
    attempts = AccessAttempt.objects.filter(attempt_time__gte=get_cool_off_threshold(request))
    attempts = attempts.filter(username=username) if reason == ACCOUNT else attempts.filter(ip_address=address)
    last = attempts.aggregate(last=Max("attempt_time"))["last"] or timezone.now()
    context = {
        "reason": reason,
        "duration": duration_text(cool_off),
        "locked_until": timezone.localtime(last + cool_off),
        "failure_limit": get_failure_limit(request, credentials) if reason == ACCOUNT else ip_failure_limit(),
        **support_contact(request),
    }
    return render(request, settings.AXES_LOCKOUT_TEMPLATE, context, status=settings.AXES_HTTP_RESPONSE_CODE)


# ---------------------------------------------------------------------------
# Locked accounts and addresses, unlocking (the RP's page "Gesperrte Konten")
# ---------------------------------------------------------------------------


def _recent_attempts():
    return AccessAttempt.objects.filter(attempt_time__gte=timezone.now() - (get_cool_off() or timedelta(minutes=30)))


def locked_accounts():
    """[{'email', 'failures', 'last_attempt', 'locked_until', 'user'}] of accounts locked now, newest first."""
    from .models import User

    cool_off = get_cool_off() or timedelta(minutes=30)
    rows = list(
        _recent_attempts().exclude(username__isnull=True).exclude(username="")
        .values("username").annotate(failures=Sum("failures_since_start"), last_attempt=Max("attempt_time"))
        .filter(failures__gte=get_failure_limit(None, None)).order_by("-last_attempt")
    )
    users = {user.email: user for user in User.objects.filter(email__in=[row["username"] for row in rows])
             .select_related("organisation")}
    return [
        {"email": row["username"], "failures": row["failures"], "last_attempt": row["last_attempt"],
         "locked_until": row["last_attempt"] + cool_off, "user": users.get(row["username"])}
        for row in rows
    ]


def locked_addresses():
    """[{'ip_address', 'failures', 'accounts', 'last_attempt', 'locked_until'}] of addresses refused now."""
    cool_off = get_cool_off() or timedelta(minutes=30)
    rows = (
        _recent_attempts().exclude(ip_address__isnull=True)
        .values("ip_address").annotate(failures=Sum("failures_since_start"), last_attempt=Max("attempt_time"))
        .filter(failures__gte=ip_failure_limit()).order_by("-last_attempt")
    )
    return [{**row, "locked_until": row["last_attempt"] + cool_off} for row in rows]


def unlock_account(email, *, request):
    """Delete the account's failed attempts (its lock ends now) and log UNLOCKED. Returns whether it was locked."""
    from .models import User

    email = normalise_email(email)
    was_locked = any(row["email"] == email for row in locked_accounts())
    if not was_locked:
        return False
    AccessAttempt.objects.filter(username=email).delete()
    record_security_event(
        SecurityEventKind.UNLOCKED, request=request, user=User.objects.filter(email=email).first(), email=email,
        scope=ACCOUNT,
    )
    return True


def unlock_address(ip_address, *, request):
    """Delete the failed attempts from one address (its lock ends now) and log UNLOCKED."""
    was_locked = any(row["ip_address"] == ip_address for row in locked_addresses())
    if not was_locked:
        return False
    AccessAttempt.objects.filter(ip_address=ip_address).delete()
    record_security_event(SecurityEventKind.UNLOCKED, request=request, scope=ADDRESS, unlocked_address=ip_address)
    return True


# ---------------------------------------------------------------------------
# Password reset: limited per address and per IP, same answer for every address
# ---------------------------------------------------------------------------


def reset_limits():
    return (
        int(getattr(settings, "AQB_PASSWORD_RESET_LIMIT_PER_ADDRESS", 3)),
        int(getattr(settings, "AQB_PASSWORD_RESET_LIMIT_PER_IP", 20)),
        timedelta(minutes=int(getattr(settings, "AQB_PASSWORD_RESET_LIMIT_MINUTES", 60))),
    )


def password_reset_throttled(email, ip_address):
    """Whether a new reset mail for `email` from `ip_address` would exceed a limit (requests of the window)."""
    per_address, per_ip, window = reset_limits()
    recent = SecurityEvent.objects.filter(kind=SecurityEventKind.PASSWORD_RESET_REQUESTED, at__gte=timezone.now() - window)
    if recent.filter(email=email).count() >= per_address:
        return True
    return bool(ip_address) and recent.filter(ip_address=ip_address).count() >= per_ip


class ThrottledPasswordResetForm(PasswordResetForm):
    """WAGTAILADMIN_USER_PASSWORD_RESET_FORM: sends no mail beyond the limits, and answers the same either way.

    Every request is logged (PASSWORD_RESET_REQUESTED, also for unknown addresses: that is what the
    limits count); the view then shows the same "done" page whether a mail went out or not. The
    request itself does the same work for every address (one look-up for the log) and sends
    nothing; after the commit a task finds the account, renders the mail and delivers it
    (issue 14: a slow or refusing mail server neither delays the answer nor reveals an account).
    """

    def save(self, domain_override=None, subject_template_name="registration/password_reset_subject.txt",
             email_template_name="registration/password_reset_email.html", use_https=False,
             token_generator=None, from_email=None, request=None, html_email_template_name=None,
             extra_email_context=None):
        from django.contrib.sites.shortcuts import get_current_site
        from django.db import transaction

        email = normalise_email(self.cleaned_data["email"])
        from .models import User

        throttled = password_reset_throttled(email, client_address(request))
        record_security_event(  # one look-up of the account for known and unknown addresses alike
            SecurityEventKind.PASSWORD_RESET_REQUESTED, request=request, actor=None,
            user=User.objects.filter(email=email).first(), email=email, throttled=throttled,
        )
        if throttled:
            return
        site = get_current_site(request)
        arguments = {
            "email": email, "domain": domain_override or site.domain, "site_name": domain_override or site.name,
            "use_https": bool(use_https), "subject_template_name": subject_template_name,
            "email_template_name": email_template_name, "html_email_template_name": html_email_template_name,
        }
        transaction.on_commit(lambda: send_password_reset_mail.enqueue(**arguments), robust=True)


@task()
def send_password_reset_mail(email, domain, site_name, use_https, subject_template_name, email_template_name,
                             html_email_template_name=None):
    """Render the reset mail for each active account of `email` (Django's rules) and deliver it with retries."""
    from django.contrib.auth.tokens import default_token_generator
    from django.template import loader
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    from .notifications import deliver_with_retries, store

    results = []
    for user in PasswordResetForm().get_users(email):
        context = {
            "email": user.email, "domain": domain, "site_name": site_name,
            "uid": urlsafe_base64_encode(force_bytes(user.pk)), "user": user,
            "token": default_token_generator.make_token(user), "protocol": "https" if use_https else "http",
        }
        subject = loader.render_to_string(subject_template_name, context)
        text = loader.render_to_string(email_template_name, context)
        html = loader.render_to_string(html_email_template_name, context) if html_email_template_name else ""
        results.append(deliver_with_retries(store([user.email], subject, text, html)))
    return ", ".join(results) or "kein Konto"
