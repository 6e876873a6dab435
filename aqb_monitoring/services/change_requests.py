"""Change requests for a measure's master data (handbook chapter 4, "Änderungsanfrage").

The master data belong to the RP. A grant recipient asks for a correction of one field (proposed value
as typed, reason); nothing changes until an RP user applies it, which goes through
`services.measures.do_save_measure` (every master-data rule, the audit entry), or rejects it with reasons
from the `RejectionReason` catalogue and/or free text. Each decision e-mails the grant recipient.
Each `check_*` returns the reasons its `do_*` would refuse ({form field: [German messages]}), or {}.
"""

import datetime

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import measures as rules
from .. import notifications, permissions
from ..formatting import format_date
from ..models import AuditAction, ChangeRequest, ChangeRequestField, ChangeRequestState, Measure, Provider
from ..validation import NON_FIELD
from .common import ServiceError, audit, locked_measure
from .measures import check_save_measure, do_save_measure
from .reports import display_name

REQUESTABLE_FIELDS = tuple(ChangeRequestField.values)
DATE_FORMAT = "%d.%m.%Y"
MAX_TITLE = Measure._meta.get_field("title").max_length


def field_label(name):
    return rules.field_label(name) if name in REQUESTABLE_FIELDS else name


def shown_proposal(change_request):
    """The proposed value as users read it; an empty provider means the ZE runs the measure itself."""
    if change_request.field_name == ChangeRequestField.PROVIDER and not change_request.proposed_value.strip():
        return _("kein Träger (der Zuwendungsempfänger führt die Maßnahme selbst durch)")
    return change_request.proposed_value


def providers_of(measure):
    """The providers a measure may be given: those of its grant recipient."""
    return Provider.objects.filter(grant_recipient_id=measure.grant_recipient_id).order_by("name")


def parse_proposal(measure, field, text):
    """(value, errors): the typed text as the field's value, or German messages why it is not one."""
    text = (text or "").strip()
    if field not in REQUESTABLE_FIELDS:
        return None, [_("Dieses Feld kann nicht per Änderungsanfrage geändert werden.")]
    if field == ChangeRequestField.TITLE:
        if not text:
            return None, [_("Bitte den neuen Titel angeben.")]
        if len(text) > MAX_TITLE:
            return None, [_("Der Titel darf höchstens %(max)d Zeichen lang sein.") % {"max": MAX_TITLE}]
        return text, []
    if field in (ChangeRequestField.START_DATE, ChangeRequestField.END_DATE):
        try:
            value = datetime.datetime.strptime(text, DATE_FORMAT).date()
        except ValueError:
            return None, [_("Bitte ein Datum im Format TT.MM.JJJJ angeben, z. B. 31.12.2026.")]
        if field == ChangeRequestField.START_DATE and value > measure.end_date:
            return None, [_("Der neue Beginn %(start)s liegt nach dem Ende der Maßnahme (%(end)s).") % {
                "start": rules.format_date(value), "end": rules.format_date(measure.end_date)}]
        if field == ChangeRequestField.END_DATE and value < measure.start_date:
            return None, [_("Das neue Ende %(end)s liegt vor dem Beginn der Maßnahme (%(start)s).") % {
                "end": rules.format_date(value), "start": rules.format_date(measure.start_date)}]
        return value, []
    if field == ChangeRequestField.PLANNED_PARTICIPANTS:
        if not text.isdigit():
            return None, [_("Bitte die geplante Teilnehmendenzahl als ganze Zahl (0 oder mehr) angeben.")]
        value = int(text)
        if value > 2_147_483_647:
            return None, [_("Die geplante Teilnehmendenzahl ist zu groß.")]
        return value, []
    # provider: the name of one of the grant recipient's providers; empty: the ZE runs it itself
    if not text:
        return None, []
    matches = [provider for provider in providers_of(measure) if provider.name.casefold() == text.casefold()]
    if len(matches) != 1:
        names = ", ".join(provider.name for provider in providers_of(measure))
        return None, [(_("„%(name)s“ ist kein Träger des Zuwendungsempfängers. Möglich sind: %(names)s; "
                         "leer lassen, wenn der Zuwendungsempfänger die Maßnahme selbst durchführt.")
                       if names else
                       _("„%(name)s“ ist kein Träger des Zuwendungsempfängers; für ihn ist kein Träger erfasst. "
                         "Leer lassen, wenn der Zuwendungsempfänger die Maßnahme selbst durchführt."))
                      % {"name": text, "names": names}]
    return matches[0], []


def _same_as_stored(measure, field, value):
    return rules.shown(field, value) == rules.shown(field, getattr(measure, field))


# ---------------------------------------------------------------------------
# The grant recipient asks
# ---------------------------------------------------------------------------


def may_request(user, measure):
    """Only the measure's own grant recipient, with view permission."""
    return (permissions.is_grant_recipient(user) and measure.grant_recipient_id == user.organisation_id
            and permissions.can_view(user, measure))


def check_request_change(user, measure, field, text, reason):
    """Why `do_request_change` would refuse, per form field ("field_name", "proposed_value", "reason", "__all__")."""
    if not may_request(user, measure):
        return {NON_FIELD: [_("Nur der Zuwendungsempfänger der Maßnahme kann eine Änderung der Stammdaten anfragen.")]}
    if measure.is_closed:
        return {NON_FIELD: [_("Die Maßnahme ist abgeschlossen; ihre Stammdaten werden nicht mehr geändert.")]}
    errors = {}
    if field not in REQUESTABLE_FIELDS:
        errors["field_name"] = [_("Bitte ein Feld wählen, das geändert werden soll.")]
    else:
        value, problems = parse_proposal(measure, field, text)
        if problems:
            errors["proposed_value"] = problems
        elif _same_as_stored(measure, field, value):
            errors["proposed_value"] = [_("Der vorgeschlagene Wert entspricht dem aktuellen Wert (%(value)s).") % {
                "value": rules.shown(field, getattr(measure, field)) or _("leer")}]
        if ChangeRequest.objects.filter(measure=measure, field_name=field, state=ChangeRequestState.OPEN).exists():
            errors.setdefault("field_name", []).append(
                _("Für „%(field)s“ gibt es bereits eine offene Änderungsanfrage; bitte die Entscheidung des "
                  "Regierungspräsidiums abwarten.") % {"field": field_label(field)})
    if not (reason or "").strip():
        errors["reason"] = [_("Bitte begründen Sie die Änderung.")]
    return errors


def do_request_change(user, measure, field, text, reason):
    """Store the request (the measure itself is not changed). Returns the ChangeRequest; raises ServiceError."""
    with transaction.atomic():
        measure = locked_measure(measure)  # one open request per field, even for two clicks at once
        errors = check_request_change(user, measure, field, text, reason)
        if errors:
            raise ServiceError(errors)
        request = ChangeRequest.objects.create(
            measure=measure, field_name=field, proposed_value=(text or "").strip(), reason=reason.strip(),
            requested_by=user, requested_by_name=display_name(user),
        )
        audit(user, measure, None, AuditAction.CHANGE_REQUEST, {field_label(field): ["", request.proposed_value]},
              note=request.reason)
        return request


# ---------------------------------------------------------------------------
# The RP decides
# ---------------------------------------------------------------------------


def _decision_refusal(user, change_request):
    if not permissions.is_authority(user):
        return {NON_FIELD: [_("Nur das Regierungspräsidium entscheidet über Änderungsanfragen.")]}
    if change_request.state != ChangeRequestState.OPEN:
        return {NON_FIELD: [_("Die Änderungsanfrage ist bereits entschieden (%(state)s).") % {
            "state": ChangeRequestState(change_request.state).label}]}
    return {}


def may_view_request(user, change_request):
    """Who may open a change request's page: the RP, and the grant recipient that may ask for its measure
    (read-only); providers and other tenants may not (docs/domain-rules.md §1.3)."""
    return permissions.is_authority(user) or may_request(user, change_request.measure)


def may_decide(user, change_request):
    """Whether the user may decide on the request now: the RP, while it is open."""
    return not _decision_refusal(user, change_request)


def check_apply_change(user, change_request):
    """Why applying would be refused now: not the RP, decided already, the value no longer valid, or any
    master-data rule of `check_save_measure` (closed measure, dates vs recorded participants …)."""
    refusal = _decision_refusal(user, change_request)
    if refusal:
        return refusal
    measure = change_request.measure
    value, problems = parse_proposal(measure, change_request.field_name, change_request.proposed_value)
    if problems:
        return {NON_FIELD: problems}
    return check_save_measure(user, measure, {change_request.field_name: value})


def _locked_request(change_request):
    return ChangeRequest.objects.select_for_update(of=("self",)).select_related("measure").get(pk=change_request.pk)


def _notify(change_request, measure):
    applied = change_request.state == ChangeRequestState.APPLIED
    notifications.notify_grant_recipient(measure, "change_request_decided", {
        "change_request": change_request, "field_label": field_label(change_request.field_name),
        "proposed": shown_proposal(change_request), "old_value": change_request.old_value,
        "state_label": str(ChangeRequestState(change_request.state).label), "applied": applied,
        "reasons": [str(reason) for reason in change_request.rejection_reasons.all()],
        "note": change_request.decision_note,
        "url": notifications.admin_url(reverse("aqb_reports:change_request_detail", args=[change_request.pk])),
        "link_label": _("Änderungsanfrage im AQB-Portal öffnen"),
    })


def do_apply_change(user, change_request, note=""):
    """Apply the proposed value through `do_save_measure` (its refusals refuse the apply; nothing is written)."""
    with transaction.atomic():
        measure = locked_measure(change_request.measure)
        change_request = _locked_request(change_request)
        refusal = _decision_refusal(user, change_request)
        if refusal:
            raise ServiceError(refusal)
        field = change_request.field_name
        value, problems = parse_proposal(change_request.measure, field, change_request.proposed_value)
        if problems:
            raise ServiceError({NON_FIELD: problems})
        old_value = rules.shown(field, getattr(change_request.measure, field))
        audit_note = _("Änderungsanfrage von %(who)s vom %(when)s übernommen: %(reason)s") % {
            "who": change_request.requested_by_name or _("unbekannt"),
            "when": format_date(change_request.requested_at),
            "reason": change_request.reason}
        if (note or "").strip():
            audit_note += "\n" + note.strip()
        do_save_measure(user, measure, {field: value}, note=audit_note)  # raises ServiceError; the atomic rolls back
        change_request.state = ChangeRequestState.APPLIED
        change_request.old_value = old_value[:300]
        change_request.decision_note = (note or "").strip()
        change_request.decided_by = user if getattr(user, "pk", None) else None
        change_request.decided_by_name = display_name(user)
        change_request.decided_at = timezone.now()
        change_request.save()
        _notify(change_request, Measure.objects.select_related("grant_recipient").get(pk=measure.pk))
        return change_request


def check_reject_change(user, change_request, reasons=(), note=""):
    refusal = _decision_refusal(user, change_request)
    if refusal:
        return refusal
    if not reasons and not (note or "").strip():
        return {NON_FIELD: [_("Bitte mindestens einen Ablehnungsgrund wählen oder eine Begründung schreiben.")]}
    return {}


def do_reject_change(user, change_request, reasons=(), note=""):
    """Reject with catalogue reasons and/or free text; the measure stays as it is."""
    with transaction.atomic():
        measure = locked_measure(change_request.measure)
        change_request = _locked_request(change_request)
        errors = check_reject_change(user, change_request, reasons, note)
        if errors:
            raise ServiceError(errors)
        change_request.state = ChangeRequestState.REJECTED
        change_request.decision_note = (note or "").strip()
        change_request.decided_by = user if getattr(user, "pk", None) else None
        change_request.decided_by_name = display_name(user)
        change_request.decided_at = timezone.now()
        change_request.save()
        if reasons:
            change_request.rejection_reasons.set(reasons)
        audit(user, measure, None, AuditAction.CHANGE_REQUEST_REJECTED,
              {field_label(change_request.field_name): [change_request.proposed_value, ""]},
              note="; ".join(part for part in ([str(reason) for reason in reasons] + [change_request.decision_note]) if part))
        _notify(change_request, Measure.objects.select_related("grant_recipient").get(pk=measure.pk))
        return change_request
