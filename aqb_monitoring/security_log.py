"""The security log (issue 13): one function that records an event, used by every account path.

Kept apart from the participants' audit (`AuditEntry`): log-ins, failed log-ins, locks and
unlocks, password changes and resets, invitations, user creation, deactivation and
organisation changes, each with who, when and from which address.
"""

from .models import SecurityEvent, SecurityEventKind

__all__ = ["SecurityEventKind", "client_address", "record_security_event"]


def client_address(request):
    """The client's address as Django sees it (REMOTE_ADDR; a proxy in front sets it via the server)."""
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def record_security_event(kind, *, request=None, actor=None, user=None, email="", **detail):
    """Store one event. `actor` defaults to the request's logged-in user; `email` to the account's address."""
    if actor is None and request is not None and getattr(request, "user", None) is not None:
        actor = request.user if request.user.is_authenticated else None
    if not email and user is not None:
        email = user.email
    return SecurityEvent.objects.create(
        kind=kind, actor=actor, user=user, email=(email or "").strip().lower()[:254],
        ip_address=client_address(request), detail=detail,
    )
