"""State changes of measures: saving the master data (form and import), closing (V10) and reopening."""

from django.db import transaction
from django.urls import reverse
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from .. import measures as rules
from .. import notifications, permissions
from ..formatting import format_datetime
from ..models import AuditAction, AuditEntry, InterimDueDate, Measure
from ..status import recompute_for_measure
from ..validation import NON_FIELD
from .common import ServiceError, audit, locked_measure

# ---------------------------------------------------------------------------
# Saving a measure's master data: the RP's form and the measure import
# ---------------------------------------------------------------------------


def version_of(measure):
    """The version a form carries: the measure's `updated_at` as ISO text."""
    return measure.updated_at.isoformat() if measure is not None and measure.updated_at else ""


def check_save_measure(user, measure, values, *, version=None, changed=None, dates=None):
    """Why `do_save_measure` would refuse (per field, German), or {}.

    `user` is the RP's user, or `SHELL` for `manage.py import_measures` (the operator acts for the RP).
    `dates` are the measure's `measures.participant_dates`, when the caller read them under the same lock.
    """
    if not permissions.is_authority(user):
        return {NON_FIELD: [_("Nur das Regierungspräsidium darf die Stammdaten einer Maßnahme ändern.")]}
    if changed is None:
        changed = rules.changes(measure, values)
    if measure is not None and not changed:
        return {}  # saving what is stored changes nothing (a re-run import, an unchanged form)
    stale = _stale(measure, version)
    if stale:
        return stale
    number = values.get("number", measure.number if measure is not None else "")
    errors = {}
    if (measure is None or number != measure.number) and Measure.objects.filter(number=number).exists():
        errors["number"] = [_("Die Maßnahmennummer %(number)s gibt es bereits.") % {"number": number}]
    if dates is None and measure is not None:
        dates = rules.participant_dates([measure.pk]).get(measure.pk)
    errors = rules.merge(errors, rules.check_measure(measure, values, dates, changed))
    successor = values.get("successor")
    if successor is not None and "successor" not in errors:
        taken = Measure.objects.filter(successor=successor).exclude(pk=getattr(measure, "pk", None)).first()
        if taken is not None:
            errors["successor"] = [_("%(number)s ist bereits Folgemaßnahme von %(other)s; jede Maßnahme kann nur eine "
                                     "Vorgängerin haben.") % {"number": successor.number, "other": taken.number}]
    return errors


def _stale(measure, version):
    """The refusal of a save against a measure changed since the form was read (who, when, what)."""
    if measure is None or not version or version == version_of(measure):
        return {}
    read_at = parse_datetime(version)
    if read_at is not None and measure.updated_at is not None and measure.updated_at <= read_at:
        return {}
    latest = AuditEntry.objects.filter(measure=measure).select_related("user").order_by("-timestamp", "-id").first()
    when = format_datetime(latest.timestamp if latest else measure.updated_at)
    who = (latest.user.get_full_name() or latest.user.email) if latest and latest.user else _("einem anderen Benutzer")
    what = ", ".join(latest.changes) if latest and latest.changes else ""
    message = _("Die Maßnahme wurde inzwischen von %(who)s am %(when)s geändert%(what)s. Ihre Eingaben sind nicht "
                "gespeichert, aber unten erhalten: bitte mit dem aktuellen Stand vergleichen und erneut speichern.") % {
        "who": who, "when": when, "what": f" ({what})" if what else ""}
    return {NON_FIELD: [message]}


def do_save_measure(user, measure, values, *, version=None, note="", dates=None):
    """Create (`measure` None) or change a measure's master data: the one write path of form and import.

    Locks the measure, applies every rule of `measures.py` (closed, number, dates vs recorded participants,
    successor), writes the fields and interim dates, grants the ZE's and provider's groups (explicitly,
    not by signal), recomputes statuses when the dates or type changed, and writes one audit entry with
    old → new per field label. Returns the saved measure; raises ServiceError with German messages per field.
    """
    with transaction.atomic():
        if measure is not None:
            measure = _locked(measure)
        changed = rules.changes(measure, values)
        errors = check_save_measure(user, measure, values, version=version, changed=changed, dates=dates)
        if errors:
            raise ServiceError(errors)
        if measure is not None and not changed:
            return measure
        created = measure is None
        if created:
            measure = Measure()
        rule_fields_before = None if created else (measure.measure_type_id, measure.start_date, measure.end_date)
        grant_fields_before = None if created else (measure.grant_recipient_id, measure.provider_id)
        for name in rules.FIELDS:
            if name in values and name != "interim_due_dates":
                setattr(measure, name, values[name])
        measure._saved_by_service = True  # signals.py: grants and statuses are this function's job
        measure.save()
        if rules.field_label("interim_due_dates") in changed:
            _store_interim_dates(measure, values["interim_due_dates"])
        if grant_fields_before != (measure.grant_recipient_id, measure.provider_id):
            permissions.sync_measure_grants(measure)  # the grants follow the ZE and the provider, nothing else
        if rule_fields_before is not None and rule_fields_before != (measure.measure_type_id, measure.start_date,
                                                                      measure.end_date):
            recompute_for_measure(measure)
        audit(user, measure, None, AuditAction.CREATE if created else AuditAction.CHANGE, changed, note=note)
        return measure


def _locked(measure):
    """The measure re-read under a row lock, with everything the rules and the diff read."""
    return (
        Measure.objects.select_for_update(of=("self",))
        .select_related("measure_type", "programme_line", "main_goal", "grant_recipient", "provider", "successor")
        .prefetch_related("interim_due_dates")
        .get(pk=measure.pk)
    )


def _store_interim_dates(measure, dates):
    wanted = set(dates or [])
    have = set(InterimDueDate.objects.filter(measure=measure).values_list("due_date", flat=True))
    InterimDueDate.objects.filter(measure=measure, due_date__in=have - wanted).delete()
    InterimDueDate.objects.bulk_create([InterimDueDate(measure=measure, due_date=day) for day in sorted(wanted - have)])


def check_delete_measure(user, measure):
    if user is not None and not permissions.is_authority(user):
        return [_("Nur das Regierungspräsidium darf Maßnahmen löschen.")]
    return rules.check_delete_measure(measure)


# ---------------------------------------------------------------------------
# Reopening a measure (closing is the closing or zero report: services/reports.py)
# ---------------------------------------------------------------------------


def check_reopen_measure(user, measure, reason=""):
    reasons = []
    if not permissions.is_authority(user):
        reasons.append(_("Nur das Regierungspräsidium kann eine abgeschlossene Maßnahme wieder öffnen."))
    if not measure.is_closed:
        reasons.append(_("Die Maßnahme ist nicht abgeschlossen."))
    if not (reason or "").strip():
        reasons.append(_("Bitte einen Grund für das Wiederöffnen angeben."))
    return reasons


def do_reopen_measure(user, measure, reason):
    """The RP reopens a closed measure; the reason is logged [ours, docs/domain-rules.md §8.4]."""
    with transaction.atomic():
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
            {str(Measure._meta.get_field("closed_at").verbose_name): [format_datetime(closed_at), ""]},
            note=reason.strip(),
        )
        full = Measure.objects.select_related("grant_recipient").get(pk=measure.pk)
        notifications.notify_grant_recipient(full, "measure_reopened", {
            "reason": reason.strip(), "url": notifications.admin_url(reverse("aqb_monitoring:measure", args=[measure.pk])),
            "link_label": _("Maßnahme im AQB-Portal öffnen"),
        })
        return measure


