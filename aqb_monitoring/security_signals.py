"""The security log's receivers (issue 13): log-ins, log-outs, failed log-ins, locks, password changes.

Connected in `MonitoringConfig.ready()`. Password changes have no Django signal: `User.save()` runs
the password validators' `password_changed` hook after `set_password()`, and the post_save receiver
here sees the same moment (`instance._password` is still set). The request that caused it (who,
from which address, through which page) comes from `CurrentRequestMiddleware`.

A failed log-in is stored with the attempted address lower-cased, never the password.
"""

from contextvars import ContextVar

from axes.signals import user_locked_out
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_save

from .login_protection import ADDRESS, normalise_email, refused_while_locked
from .security_log import SecurityEventKind, record_security_event

_current_request = ContextVar("aqb_current_request", default=None)

class CurrentRequestMiddleware:
    """Keeps the request being served at hand for receivers that Django calls without one (password changes)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _current_request.set(request)
        try:
            return self.get_response(request)
        finally:
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
        record_security_event(SecurityEventKind.PASSWORD_RESET, request=request, actor=None, user=instance,
                              via=url_name or "")
        return
    detail = {}
    if acting is not None and acting.pk != instance.pk:
        detail["set_by_other"] = True
    if request is None:
        detail["via"] = "system"
    record_security_event(SecurityEventKind.PASSWORD_CHANGED, request=request, actor=acting, user=instance, **detail)


def connect():
    user_model = get_user_model()
    user_logged_in.connect(on_logged_in, dispatch_uid="aqb_security_login")
    user_logged_out.connect(on_logged_out, dispatch_uid="aqb_security_logout")
    user_login_failed.connect(on_login_failed, dispatch_uid="aqb_security_login_failed")
    user_locked_out.connect(on_locked_out, dispatch_uid="aqb_security_locked")
    post_save.connect(on_user_saved, sender=user_model, dispatch_uid="aqb_security_password")
