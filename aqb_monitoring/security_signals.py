"""The security log's receivers (issue 13): log-ins, log-outs, failed log-ins, locks, password changes.

Connected in `MonitoringConfig.ready()`. Password changes have no Django signal: `User.save()` runs
the password validators' `password_changed` hook after `set_password()`, and the post_save receiver
here sees the same moment (`instance._password` is still set). The request that caused it (who,
from which address, through which page) comes from `CurrentRequestMiddleware`, which also writes
the event only once the view has answered: if the stored password is still the new one and the
code that changed it did not log it itself (services.accounts logs one-time passwords and chosen
passwords with their own details), one entry is added; never two for the same change.

A failed log-in is stored with the attempted address lower-cased, never the password.
"""

from contextvars import ContextVar

from axes.signals import user_locked_out
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_save
from django.utils import timezone

from .login_protection import ADDRESS, normalise_email, refused_while_locked
from .models import SecurityEvent
from .security_log import SecurityEventKind, record_security_event

_current_request = ContextVar("aqb_current_request", default=None)
_pending_password_events = ContextVar("aqb_pending_password_events", default=None)


class CurrentRequestMiddleware:
    """Keeps the request being served at hand for receivers that Django calls without one (password changes)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _current_request.set(request)
        pending = _pending_password_events.set([])
        try:
            response = self.get_response(request)
            record_pending_password_events(request)
            return response
        finally:
            _pending_password_events.reset(pending)
            _current_request.reset(token)


def current_request():
    return _current_request.get()


def _account_for(email):
    if not email:
        return None
    return get_user_model().objects.filter(email=email).first()


def on_logged_in(sender, request, user, **kwargs):
    record_security_event(SecurityEventKind.LOGIN, request=request, actor=user, user=user)


def on_logged_out(sender, request, user, **kwargs):
    if user is None:
        return
    record_security_event(SecurityEventKind.LOGOUT, request=request, actor=user, user=user)


def on_login_failed(sender, credentials, request=None, **kwargs):
    from django.conf import settings

    email = normalise_email((credentials or {}).get(settings.AXES_USERNAME_FORM_FIELD) or (credentials or {}).get("email"))
    detail = {"refused_while_locked": True} if refused_while_locked(request) else {}
    record_security_event(
        SecurityEventKind.LOGIN_FAILED, request=request, actor=None, user=_account_for(email), email=email, **detail
    )


def on_locked_out(sender, request=None, username=None, ip_address=None, **kwargs):
    """axes' `user_locked_out`: logged once, when the lock begins (not for each refused attempt during it)."""
    if refused_while_locked(request):
        return
    email = normalise_email(username)
    scope = getattr(request, "aqb_lock_reason", None) or "account"
    record_security_event(
        SecurityEventKind.LOCKED, request=request, actor=None, user=_account_for(email) if scope != ADDRESS else None,
        email=email, scope=scope,
    )


def on_user_saved(sender, instance, created, raw=False, **kwargs):
    """A stored password was replaced: PASSWORD_RESET through the e-mailed link, else PASSWORD_CHANGED."""
    if created or raw or getattr(instance, "_password", None) is None:
        return
    request = current_request()
    acting = getattr(request, "user", None) if request is not None else None
    acting = acting if acting is not None and acting.is_authenticated else None
    url_name = getattr(getattr(request, "resolver_match", None), "url_name", None)
    if acting is None and request is not None:
        # Anonymous: the reset link of the e-mail (or another link sent by mail, e.g. an invitation).
        _record_or_defer(SecurityEventKind.PASSWORD_RESET, request, None, instance, {"via": url_name or ""})
        return
    detail = {}
    if acting is not None and acting.pk != instance.pk:
        detail["set_by_other"] = True
    if request is None:
        detail["via"] = "system"
    _record_or_defer(SecurityEventKind.PASSWORD_CHANGED, request, acting, instance, detail)


def _record_or_defer(kind, request, actor, user, detail):
    pending = _pending_password_events.get()
    if request is None or pending is None:
        record_security_event(kind, request=request, actor=actor, user=user, **detail)
        return
    pending.append((kind, actor, user, user.password, timezone.now(), detail))


def record_pending_password_events(request):
    """After the view: log each password change that stuck and that its code did not log itself."""
    pending = _pending_password_events.get() or []
    while pending:
        kind, actor, user, stored_hash, since, detail = pending.pop(0)
        if not get_user_model().objects.filter(pk=user.pk, password=stored_hash).exists():
            continue  # rolled back, or replaced again within the request (that change is pending too)
        logged = SecurityEvent.objects.filter(
            user_id=user.pk, at__gte=since,
            kind__in=[SecurityEventKind.PASSWORD_CHANGED, SecurityEventKind.PASSWORD_RESET],
        )
        if not logged.exists():
            record_security_event(kind, request=request, actor=actor, user=user, **detail)


def connect():
    user_model = get_user_model()
    user_logged_in.connect(on_logged_in, dispatch_uid="aqb_security_login")
    user_logged_out.connect(on_logged_out, dispatch_uid="aqb_security_logout")
    user_login_failed.connect(on_login_failed, dispatch_uid="aqb_security_login_failed")
    user_locked_out.connect(on_locked_out, dispatch_uid="aqb_security_locked")
    post_save.connect(on_user_saved, sender=user_model, dispatch_uid="aqb_security_password")
