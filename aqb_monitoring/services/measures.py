"""State changes of measures: closing (V10) and reopening."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import permissions
from ..models import AuditAction, Measure, Participant, ParticipantStatus
from .common import ServiceError, audit, locked_measure

# ---------------------------------------------------------------------------
# Closing and reopening a measure
# ---------------------------------------------------------------------------


def check_close_measure(user, measure, *, today=None):
    """Reasons why the ZE cannot close the measure now (docs/domain-rules.md §8.3): every participant green,
    the measure has ended, the user is the grant recipient (or the RP), not closed yet."""
    today = today or timezone.localdate()
    if measure.is_closed:
        return [_("Die Maßnahme ist bereits abgeschlossen.")]
    if not measure.measure_type.has_participant_monitoring:
        return [_("Für Maßnahmen dieser Art werden keine Teilnehmenden erfasst; ein Maßnahmenabschluss wird nicht gemeldet.")]
    reasons = []
    if not permissions.can_edit(user, measure):
        reasons.append(_("Sie dürfen diese Maßnahme nicht abschließen."))
    elif permissions.is_provider(user):
        reasons.append(
            _("Den Maßnahmenabschluss meldet der Zuwendungsempfänger; Träger melden ihm die vollständige Erfassung.")
        )
    if measure.end_date > today:
        reasons.append(
            _("Die Maßnahme endet erst am %(date)s; der Abschluss ist danach möglich.")
            % {"date": measure.end_date.strftime("%d.%m.%Y")}
        )
    incomplete = list(
        Participant.objects.filter(measure=measure)
        .exclude(status=ParticipantStatus.GREEN)
        .order_by("pseudonym")
        .values_list("pseudonym", flat=True)
    )
    if incomplete:
        shown = ", ".join(incomplete[:20]) + (" …" if len(incomplete) > 20 else "")
        reasons.append(
            _("%(count)d Teilnehmende sind noch nicht vollständig erfasst (Status nicht grün): %(ids)s")
            % {"count": len(incomplete), "ids": shown}
        )
    return reasons


@transaction.atomic
def do_close_measure(user, measure, *, today=None):
    """Close the measure: afterwards its participants cannot be changed or deleted (V10)."""
    measure = locked_measure(measure)
    reasons = check_close_measure(user, measure, today=today)
    if reasons:
        raise ServiceError(reasons)
    measure.closed_at = timezone.now()
    measure.closed_by = user
    measure.save(update_fields=["closed_at", "closed_by", "updated_at"])
    audit(user, measure, None, AuditAction.CLOSE)
    return measure


def check_reopen_measure(user, measure, reason=""):
    reasons = []
    if not permissions.is_authority(user):
        reasons.append(_("Nur das Regierungspräsidium kann eine abgeschlossene Maßnahme wieder öffnen."))
    if not measure.is_closed:
        reasons.append(_("Die Maßnahme ist nicht abgeschlossen."))
    if not (reason or "").strip():
        reasons.append(_("Bitte einen Grund für das Wiederöffnen angeben."))
    return reasons


@transaction.atomic
def do_reopen_measure(user, measure, reason):
    """The RP reopens a closed measure; the reason is logged [ours, docs/domain-rules.md §8.4]."""
    measure = locked_measure(measure)
    reasons = check_reopen_measure(user, measure, reason)
    if reasons:
        raise ServiceError(reasons)
    closed_at = measure.closed_at
    measure.closed_at = None
    measure.closed_by = None
    measure.save(update_fields=["closed_at", "closed_by", "updated_at"])
    audit(
        user,
        measure,
        None,
        AuditAction.REOPEN,
        {str(Measure._meta.get_field("closed_at").verbose_name): [timezone.localtime(closed_at).strftime("%d.%m.%Y %H:%M"), ""]},
        note=reason.strip(),
    )
    return measure


