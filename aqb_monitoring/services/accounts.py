"""State changes of user accounts (issue 13): create, change, deactivate, reactivate, invite, one-time password.

Who manages whom is answered once, by `manageable_organisations`: the RP every organisation, a grant
recipient's users their own organisation and its providers, providers nobody. A user's rights follow
from the membership of exactly one organisation's group, which these services set and nobody else
can choose; no path here makes anyone staff, superuser or a member of another group. Users are
deactivated, never deleted, so their audit entries stay attributable. Every change is recorded in
the security log.
"""

import secrets

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import permissions
from ..models import Organisation, User
from ..passwords import SPECIAL_CHARACTERS
from ..security_log import SecurityEventKind, record_security_event
from ..validation import NON_FIELD
from .common import ServiceError

# django-guardian's technical user (older databases still hold it): never listed, never managed.
GUARDIAN_ANONYMOUS_EMAIL = "AnonymousUser"
EDITABLE_FIELDS = ("first_name", "last_name", "email", "organisation")


# ---------------------------------------------------------------------------
# Scope: who manages whom
# ---------------------------------------------------------------------------


def manageable_organisations(user):
    """RP: every organisation; a grant recipient's user: its own and its providers; everyone else: none."""
    if permissions.is_authority(user):
        return Organisation.objects.all()
    if permissions.is_grant_recipient(user):
        return Organisation.objects.filter(Q(pk=user.organisation_id) | Q(grant_recipient_id=user.organisation_id))
    return Organisation.objects.none()


def manageable_users(user):
    """The users `user` may see and change on the "Benutzer" pages.

    Superusers (the RP's administrators) are managed only by superusers: otherwise an RP clerk could
    change an administrator's address and take the account over through a new invitation.
    """
    users = User.objects.exclude(email__iexact=GUARDIAN_ANONYMOUS_EMAIL)
    if getattr(user, "is_superuser", False) and user.is_active:
        return users
    return users.filter(organisation__in=manageable_organisations(user), is_superuser=False)


def can_manage_users(user):
    """The RP and grant recipients manage users (their scope always holds their own organisation); by role,
    without a query, since the menu asks on every page."""
    return permissions.is_authority(user) or permissions.is_grant_recipient(user)


def _not_allowed():
    return {NON_FIELD: [_("Diesen Benutzer dürfen Sie nicht verwalten.")]}


def _in_scope(actor, user):
    return user is not None and user.pk is not None and manageable_users(actor).filter(pk=user.pk).exists()


def _normalised(email):
    return User.objects.normalize_email((email or "").strip()).lower()


def _check_values(actor, values, user=None):
    errors = {}
    organisation = values.get("organisation")
    if organisation is None:
        errors["organisation"] = [_("Bitte wählen Sie die Organisation des Benutzers.")]
    elif not manageable_organisations(actor).filter(pk=organisation.pk).exists():
        errors["organisation"] = [_("Benutzer dieser Organisation dürfen Sie nicht anlegen oder verwalten.")]
    elif user is not None and user.pk == actor.pk and organisation.pk != user.organisation_id:
        errors["organisation"] = [_("Ihre eigene Organisation können Sie nicht ändern.")]
    email = _normalised(values.get("email"))
    if not email:
        errors["email"] = [_("Bitte geben Sie die E-Mail-Adresse an.")]
    elif User.objects.filter(email__iexact=email).exclude(pk=getattr(user, "pk", None)).exists():
        errors["email"] = [_("Zu dieser E-Mail-Adresse gibt es bereits ein Konto.")]
    return errors


def _join_organisation(user, organisation):
    """Exactly the organisation's group: the rights of a user follow from it, and from nothing else."""
    user.groups.set([organisation.group] if organisation.group_id else [])


# ---------------------------------------------------------------------------
# Create and change
# ---------------------------------------------------------------------------


def check_create_user(actor, values):
    """Why `do_create_user` would refuse (per field, German), or {}."""
    if not can_manage_users(actor):
        return {NON_FIELD: [_("Sie dürfen keine Benutzer anlegen.")]}
    return _check_values(actor, values)


def do_create_user(actor, values, *, invite=True, request=None):
    """Create an active user of one organisation without a usable password.

    `invite` sends the invitation to choose a password; otherwise the caller sets a one-time
    password with `do_set_one_time_password`. Returns the user.
    """
    with transaction.atomic():
        errors = check_create_user(actor, values)
        if errors:
            raise ServiceError(errors)
        organisation = values["organisation"]
        user = User(
            email=_normalised(values["email"]), first_name=(values.get("first_name") or "").strip(),
            last_name=(values.get("last_name") or "").strip(), organisation=organisation,
            is_active=True, is_staff=False, is_superuser=False,
        )
        user.set_unusable_password()
        try:
            with transaction.atomic():  # a second click saving the same address at the same moment (issue 14)
                user.save()
        except IntegrityError as error:
            raise ServiceError({"email": [_("Zu dieser E-Mail-Adresse gibt es bereits ein Konto.")]}) from error
        _join_organisation(user, organisation)
        record_security_event(SecurityEventKind.USER_CREATED, request=request, actor=actor, user=user,
                              organisation=organisation.name)
        if invite:
            do_send_invitation(actor, user, request=request)
        return user


def check_update_user(actor, user, values):
    if not _in_scope(actor, user):
        return _not_allowed()
    return _check_values(actor, values, user)


def do_update_user(actor, user, values, *, request=None):
    """Change names, e-mail address and organisation; an organisation change swaps the group."""
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        errors = check_update_user(actor, user, values)
        if errors:
            raise ServiceError(errors)
        values = {**values, "email": _normalised(values["email"])}
        changed = {}
        for field in ("first_name", "last_name", "email"):
            new = (values.get(field) or "").strip()
            if getattr(user, field) != new:
                changed[field] = [getattr(user, field), new]
                setattr(user, field, new)
        old_organisation = user.organisation
        new_organisation = values["organisation"]
        user.organisation = new_organisation
        user.save()
        if old_organisation is None or old_organisation.pk != new_organisation.pk:
            _join_organisation(user, new_organisation)
            record_security_event(
                SecurityEventKind.ORGANISATION_CHANGED, request=request, actor=actor, user=user,
                before=old_organisation.name if old_organisation else "", after=new_organisation.name,
            )
        if changed:
            record_security_event(SecurityEventKind.USER_CHANGED, request=request, actor=actor, user=user,
                                  changes=changed)
        return user


# ---------------------------------------------------------------------------
# Deactivate and reactivate (never delete)
# ---------------------------------------------------------------------------


def check_deactivate_user(actor, user):
    if not _in_scope(actor, user):
        return _not_allowed()
    if user.pk == actor.pk:
        return {NON_FIELD: [_("Ihr eigenes Konto können Sie nicht deaktivieren.")]}
    if not user.is_active:
        return {NON_FIELD: [_("Das Konto ist bereits deaktiviert.")]}
    return {}


def do_deactivate_user(actor, user, *, request=None):
    """The user can no longer log in; open sessions end with the next request (inactive users are refused)."""
    return _set_active(actor, user, False, check_deactivate_user, SecurityEventKind.USER_DEACTIVATED, request)


def _set_active(actor, user, active, check, event, request):
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        errors = check(actor, user)
        if errors:
            raise ServiceError(errors)
        user.is_active = active
        user.save(update_fields=["is_active"])
        record_security_event(event, request=request, actor=actor, user=user)
        return user


def check_reactivate_user(actor, user):
    if not _in_scope(actor, user):
        return _not_allowed()
    if user.is_active:
        return {NON_FIELD: [_("Das Konto ist bereits aktiv.")]}
    return {}


def do_reactivate_user(actor, user, *, request=None):
    """The user can log in again (with the password they had)."""
    return _set_active(actor, user, True, check_reactivate_user, SecurityEventKind.USER_REACTIVATED, request)


# ---------------------------------------------------------------------------
# Invitation and one-time password
# ---------------------------------------------------------------------------


def check_send_invitation(actor, user):
    """`actor` None: the user asked for a new link on the public page (no scope to check)."""
    if actor is not None and not _in_scope(actor, user):
        return _not_allowed()
    if not user.is_active:
        return {NON_FIELD: [_("Deaktivierte Benutzer erhalten keine Einladung.")]}
    if user.last_login is not None:
        return {NON_FIELD: [_("Der Benutzer hat sich bereits angemeldet; er kann „Passwort vergessen?“ nutzen.")]}
    return {}


def do_send_invitation(actor, user, *, request=None):
    """Note the invitation (which also ends every older link) and mail it after the commit."""
    with transaction.atomic():
        from ..users.invitations import send_invitation_mail

        errors = check_send_invitation(actor, user)
        if errors:
            raise ServiceError(errors)
        user.invited_at = timezone.now()
        user.save(update_fields=["invited_at"])
        record_security_event(SecurityEventKind.INVITATION_SENT, request=request, actor=actor, user=user,
                              requested_by_user=actor is None)
        user_id = user.pk
        transaction.on_commit(lambda: send_invitation_mail.enqueue(user_id), robust=True)
        return user


def generate_one_time_password(length=14):
    """A random password that meets the handbook's policy (two of each kind, the rest mixed)."""
    rng = secrets.SystemRandom()
    lower, upper = "abcdefghijkmnopqrstuvwxyz", "ABCDEFGHJKLMNPQRSTUVWXYZ"
    digits, special = "23456789", SPECIAL_CHARACTERS.replace("'", "")
    chars = [rng.choice(pool) for pool in (lower, lower, upper, upper, digits, digits, special, special)]
    chars += [rng.choice(lower + upper + digits) for _ in range(max(0, length - len(chars)))]
    rng.shuffle(chars)
    password = "".join(chars)
    return password


def check_set_one_time_password(actor, user, password):
    if not _in_scope(actor, user):
        return _not_allowed()
    if not user.is_active:
        return {NON_FIELD: [_("Das Konto ist deaktiviert.")]}
    try:
        validate_password(password, user)
    except ValidationError as error:
        return {"password": list(error.messages)}
    return {}


def do_set_one_time_password(actor, user, password=None, *, request=None):
    """Set a one-time password (generated unless given); the user must replace it at the first log-in.

    Returns the password, to be shown to the creator once and stored nowhere.
    """
    with transaction.atomic():
        password = password or generate_one_time_password()
        user = User.objects.select_for_update().get(pk=user.pk)
        errors = check_set_one_time_password(actor, user, password)
        if errors:
            raise ServiceError(errors)
        user.set_password(password)
        user.must_change_password = True
        user._sets_one_time_password = True  # users/signals.py: this password does not end the obligation
        user.save(update_fields=["password", "must_change_password"])
        record_security_event(SecurityEventKind.PASSWORD_RESET, request=request, actor=actor, user=user,
                              one_time_password=True)
        return password


def do_choose_password(user, form, *, request=None, via="change"):
    """The user chose their own password (invitation, forced change): save it. Saving the new password
    ends the obligation to change it (users/signals.py, the one place for that rule)."""
    with transaction.atomic():
        user = form.save()
        record_security_event(SecurityEventKind.PASSWORD_CHANGED, request=request, actor=user, user=user, via=via)
        return user
