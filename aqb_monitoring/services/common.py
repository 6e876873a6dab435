"""What every service shares: the refusal, the measure lock, the edit rule (V10 + permission), the audit entry."""

from django.utils.translation import gettext as _

from .. import permissions
from ..models import ENTRY_FIELDS, EXIT_FIELDS, AuditEntry, Measure
from ..validation import NON_FIELD, check_measure_open

STORED_FIELDS = ENTRY_FIELDS + EXIT_FIELDS


class ServiceError(Exception):
    """A refused change. `errors` maps a field name (or "__all__") to German messages."""

    def __init__(self, errors):
        if isinstance(errors, str):
            errors = {NON_FIELD: [errors]}
        elif isinstance(errors, list | tuple):
            errors = {NON_FIELD: list(errors)}
        self.errors = errors
        super().__init__(" ".join(message for messages in errors.values() for message in messages))

    @property
    def messages(self):
        return [message for messages in self.errors.values() for message in messages]


class _Shell:
    """`manage.py` run by an operator on the server: trusted as the RP is, recorded without a user."""

    pk = None
    is_authenticated = True
    is_active = True
    is_superuser = True
    organisation_id = None
    organisation = None

    def __str__(self):
        return "manage.py"


SHELL = _Shell()


def not_allowed():
    return {NON_FIELD: [_("Sie dürfen die Teilnehmenden dieser Maßnahme nicht bearbeiten.")]}


def locked_measure(measure):
    """Re-read the measure under a row lock: its closed state must not change under us."""
    return Measure.objects.select_for_update(of=("self",)).select_related("measure_type").get(pk=measure.pk)


def edit_refusal(user, measure):
    """V10 first (its message explains more than "not allowed"), then the object permission."""
    closed = check_measure_open(measure)
    if closed:
        return closed
    if not permissions.can_edit(user, measure):
        return not_allowed()
    return {}


def locked_for_edit(user, measure):
    """The measure locked for this transaction, after V10 and the object permission (`edit_refusal`);
    a refusal raises ServiceError. The start of every participant write."""
    measure = locked_measure(measure)
    refusal = edit_refusal(user, measure)
    if refusal:
        raise ServiceError(refusal)
    return measure


def audit(user, measure, participant, action, changes=None, note=""):
    return AuditEntry.objects.create(
        user=user if getattr(user, "pk", None) else None,
        measure=measure,
        participant=participant,
        pseudonym=participant.pseudonym if participant is not None else "",
        action=action,
        changes=changes or {},
        note=note,
    )


def active_choices(model, values):
    """The active entries of the catalogue `model` (return or rejection reasons) that `values` (ids as a form
    posts them) name; None when one of them is unknown or was deactivated since the form was shown, so that
    the step is refused rather than taken with fewer reasons than chosen. Values that are no ids are ignored."""
    pks = [value for value in values if value.isdigit()]
    entries = list(model.objects.filter(pk__in=pks, is_active=True))
    return entries if len(entries) == len(set(pks)) else None
