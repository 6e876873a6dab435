"""Reports to the RP (DOMAIN.md §8, handbook 5.5–5.8) and the RP's review of them.

The grant recipient sends four kinds per measure: Jahresmeldung and Zwischenmeldung (every
participant yellow or green), Maßnahmenabschluss (every participant green, the measure has
ended; closes the measure) and Nullmeldung (no participants; closes it as well). Each
`check_*` lists every reason a submission would fail, so the ZE (and the provider, who cannot
send) sees them all before clicking. A report is an immutable record with a reference number
that is unique and gap-free per year, and a snapshot of every participant row as it was sent.
"""

import datetime
from dataclasses import dataclass, field

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import notifications, permissions
from ..formatting import format_date
from ..models import (
    AuditAction,
    Measure,
    Participant,
    ParticipantStatus,
    ReferenceCounter,
    Report,
    ReportKind,
    ReportReview,
    ReviewState,
)
from .common import ServiceError, audit, locked_measure

SHOWN_IDS = 20  # a reason names at most this many records, then "…"


@dataclass
class Reason:
    """Why a report cannot be sent, with the records to fix ((pk, participant ID) pairs, for links)."""

    message: str
    participants: list = field(default_factory=list)

    def __str__(self):
        return self.message


def display_name(user):
    if user is None or getattr(user, "pk", None) is None:
        return str(user or "")
    return user.get_full_name() or user.email


# ---------------------------------------------------------------------------
# Which report, for which period
# ---------------------------------------------------------------------------


def annual_years(measure, today=None):
    """The calendar years an annual report can cover: those the measure ran in, up to this year."""
    today = today or timezone.localdate()
    return list(range(measure.start_date.year, min(measure.end_date.year, today.year) + 1))


def default_annual_year(measure, today=None):
    """The previous year while it is open (the report is due by 31 January), else this year."""
    today = today or timezone.localdate()
    years = annual_years(measure, today)
    reported = set(_live_reports(measure, ReportKind.ANNUAL).values_list("reporting_year", flat=True))
    open_years = [year for year in years if year not in reported]
    if not open_years:
        return years[-1] if years else today.year
    return today.year - 1 if today.year - 1 in open_years else open_years[-1]


def annual_batch_years(today=None):
    """The years the "Jahresmeldung für alle Maßnahmen" page offers: this year and the three before."""
    today = today or timezone.localdate()
    return list(range(today.year - 3, today.year + 1))


def annual_batch_year(text, today=None):
    """The year asked for on the "Jahresmeldung für alle Maßnahmen" page (`text` as typed or chosen): a year from
    2000 up to this one, else the previous year (its annual reports are due by 31 January)."""
    today = today or timezone.localdate()
    text = text or ""
    return int(text) if text.isdigit() and 2000 <= int(text) <= today.year else today.year - 1


def closes_measure(kind):
    """Whether sending a report of `kind` closes the measure: the closing report and the zero report."""
    return kind in (ReportKind.CLOSING, ReportKind.ZERO)


def offered_report_kinds(user, measure, has_participants=None):
    """The kinds of report the measure page offers to send: none to the RP, for a closed measure or one whose
    type records no participants; the zero report only while the measure has no participants, the annual,
    interim and closing reports only once it has some (docs/domain-rules.md §8.2). Whether sending one
    would pass now is `check_submit_report`."""
    if permissions.is_authority(user) or measure.is_closed or not measure.measure_type.has_participant_monitoring:
        return []
    if has_participants is None:
        has_participants = Participant.objects.filter(measure=measure).exists()
    return [ReportKind.ANNUAL, ReportKind.INTERIM, ReportKind.CLOSING] if has_participants else [ReportKind.ZERO]


def period_of(measure, kind, year=None, today=None):
    """(start, end) the report covers: the measure's run, for the annual report cut to its year,
    for the interim report up to today."""
    today = today or timezone.localdate()
    start, end = measure.start_date, measure.end_date
    if kind == ReportKind.ANNUAL:
        start, end = max(start, datetime.date(year, 1, 1)), min(end, datetime.date(year, 12, 31))
    elif kind == ReportKind.INTERIM:
        end = min(end, today)
    return start, max(start, end)


# A report waits for the RP's decision while it is received or in review (docs/domain-rules.md §8.3).
OPEN_STATES = (ReviewState.RECEIVED, ReviewState.IN_REVIEW)


def open_reports(queryset):
    """The reports of `queryset` that wait for the RP's decision (OPEN_STATES), with their state annotated."""
    return with_state(queryset).filter(state__in=OPEN_STATES)


def with_state(queryset):
    """Reports annotated with `state`: the latest review step, "eingegangen" without one."""
    return queryset.with_state()


def state_of(report):
    state = getattr(report, "state", None)
    if state is None:
        latest = report.reviews.order_by("-decided_at", "-id").first()
        state = latest.state if latest else ReviewState.RECEIVED
    return state


def _live_reports(measure, kind):
    """Reports of this kind for the measure that were not returned (a returned one is sent again)."""
    return Report.objects.filter(measure=measure, kind=kind).live()


# ---------------------------------------------------------------------------
# Submitting
# ---------------------------------------------------------------------------


def _participants_with(measure, statuses):
    return list(
        Participant.objects.filter(measure=measure, status__in=statuses).order_by("pseudonym").values_list("pk", "pseudonym")
    )


def _status_reason(records, status_label):
    shown = ", ".join(pseudonym for _pk, pseudonym in records[:SHOWN_IDS]) + (" …" if len(records) > SHOWN_IDS else "")
    return Reason(
        _("%(count)d Teilnehmende mit Status %(status)s: %(ids)s") % {"count": len(records), "status": status_label, "ids": shown},
        records,
    )


def _not_green(measure, empty_message):
    """Reasons for the closing report and the provider's signal: every record must be green, and there must be one."""
    reasons = []
    for status, label in ((ParticipantStatus.RED, _("rot")), (ParticipantStatus.YELLOW, _("gelb"))):
        records = _participants_with(measure, [status])
        if records:
            reasons.append(_status_reason(records, label))
    if not reasons and not Participant.objects.filter(measure=measure).exists():
        reasons.append(Reason(empty_message))
    return reasons


def check_submit_report(user, measure, kind, *, year=None, today=None):
    """Every reason why `do_submit_report` would refuse (list of Reason), or []: permission, the
    measure's state, the kind's condition on the participants, and a report already sent."""
    today = today or timezone.localdate()
    reasons = []
    if not permissions.can_view(user, measure):
        return [Reason(_("Sie dürfen diese Maßnahme nicht sehen."))]
    if permissions.is_provider(user):
        reasons.append(Reason(_("Meldungen an das Regierungspräsidium sendet der Zuwendungsempfänger. Sie können die "
                                "Datensätze vorher vervollständigen und ihm die vollständige Erfassung melden.")))
    elif not permissions.is_grant_recipient(user) or not permissions.editable_measures_for(user).filter(pk=measure.pk).exists():
        if not measure.is_closed:
            reasons.append(Reason(_("Meldungen sendet der Zuwendungsempfänger der Maßnahme.")))
    if measure.is_closed:
        return reasons + [Reason(_("Die Maßnahme ist abgeschlossen; sie kann nichts mehr melden, bis das "
                                   "Regierungspräsidium sie wieder öffnet."))]
    if not measure.measure_type.has_participant_monitoring:
        return reasons + [Reason(_("Für Maßnahmen dieser Art werden keine Teilnehmenden erfasst und keine Meldungen "
                                   "abgegeben."))]
    if kind == ReportKind.ANNUAL:
        years = annual_years(measure, today)
        if year not in years:
            reasons.append(Reason(_("Eine Jahresmeldung ist für %(year)s nicht möglich: die Maßnahme läuft vom %(start)s "
                                    "bis %(end)s.") % {"year": year, "start": format_date(measure.start_date),
                                                         "end": format_date(measure.end_date)}))
        else:
            sent = _live_reports(measure, kind).filter(reporting_year=year).first()
            if sent is not None:
                reasons.append(Reason(_("Die Jahresmeldung %(year)s wurde bereits am %(when)s abgesendet (%(reference)s).")
                                      % {"year": year, "reference": sent.reference,
                                         "when": format_date(sent.submitted_at)}))
    if kind == ReportKind.INTERIM:
        sent = _live_reports(measure, kind).filter(period_end=period_of(measure, kind, today=today)[1]).first()
        if sent is not None:
            reasons.append(Reason(_("Eine Zwischenmeldung mit Stand %(date)s wurde bereits abgesendet (%(reference)s).")
                                  % {"date": format_date(sent.period_end), "reference": sent.reference}))
    if kind in (ReportKind.ANNUAL, ReportKind.INTERIM):
        red = _participants_with(measure, [ParticipantStatus.RED])
        if red:
            reasons.append(_status_reason(red, _("rot")))
        if not red and not Participant.objects.filter(measure=measure).exists():
            reasons.append(Reason(_("Die Maßnahme hat keine Teilnehmenden; dafür gibt es die Nullmeldung.")))
    elif kind == ReportKind.CLOSING:
        if measure.end_date > today:
            reasons.append(Reason(_("Die Maßnahme endet erst am %(date)s; der Abschluss ist danach möglich.")
                                  % {"date": format_date(measure.end_date)}))
        reasons += _not_green(measure, _("Die Maßnahme hat keine Teilnehmenden; dafür gibt es die Nullmeldung."))
    elif kind == ReportKind.ZERO:
        count = Participant.objects.filter(measure=measure).count()
        if count:
            reasons.append(Reason(_("Die Nullmeldung ist nur ohne Teilnehmende möglich; die Maßnahme hat %(count)d.")
                                  % {"count": count}))
    return reasons


def next_reference(year):
    """AQB-<year>-<six digits>: the year's counter raised under a row lock in the caller's transaction."""
    ReferenceCounter.objects.get_or_create(year=year)
    counter = ReferenceCounter.objects.select_for_update().get(year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"AQB-{year}-{counter.last:06d}"


def build_snapshot(measure):
    """Every participant row of the measure in the export layout, as the cells were shown (text)."""
    from ..excel.export import participant_rows
    from ..excel.layout import Layout

    layout = Layout()
    rows = [[_cell_text(value) for value in values]
            for values in participant_rows(layout, Participant.objects.filter(measure=measure))]
    return {"headers": layout.headers, "keys": [column.key for column in layout.columns], "rows": rows}


def _cell_text(value):
    if value is None:
        return ""
    if isinstance(value, datetime.date):
        return format_date(value)
    return str(value)


def do_submit_report(user, measure, kind, *, year=None, today=None, at=None, submission_key=None):
    """Send a report: pre-check under the measure's lock, number, snapshot, and for the closing and zero
    report the measure closed. A `submission_key` already used returns that report (double click); the key
    of another measure's report is refused.
    `at` is the moment of sending (now; the demo data dates its reports in the past)."""
    with transaction.atomic():
        at = at or timezone.now()
        today = today or timezone.localdate(at)
        measure = locked_measure(measure)
        if submission_key:
            sent = Report.objects.filter(submission_key=submission_key).first()
            if sent is not None and sent.measure_id == measure.pk:
                return sent
            if sent is not None:  # the key of another measure's report: a forged or stale form, not a double click
                raise ServiceError([_("Das Formular ist nicht mehr gültig. Bitte laden Sie die Seite neu und senden "
                                      "Sie die Meldung dann erneut.")])
        if kind == ReportKind.ANNUAL and year is None:
            year = default_annual_year(measure, today)
        reasons = check_submit_report(user, measure, kind, year=year, today=today)
        if reasons:
            raise ServiceError([str(reason) for reason in reasons])
        start, end = period_of(measure, kind, year=year, today=today)
        snapshot = build_snapshot(measure)
        full = Measure.objects.select_related("grant_recipient").get(pk=measure.pk)
        previous = Report.objects.filter(measure=measure, kind=kind).order_by("-submitted_at", "-id").first()
        report = Report.objects.create(
            reference=next_reference(today.year),
            kind=kind,
            measure=measure,
            period_start=start,
            period_end=end,
            reporting_year=year if kind == ReportKind.ANNUAL else None,
            submitted_by=user if getattr(user, "pk", None) else None,
            submitted_by_name=display_name(user),
            grant_recipient_name=full.grant_recipient.name,
            participant_count=len(snapshot["rows"]),
            snapshot=snapshot,
            previous=previous,
            submission_key=submission_key or None,
            submitted_at=at,
        )
        audit(user, measure, None, AuditAction.REPORT, {_("Meldung"): ["", f"{report.get_kind_display()} {report.reference}"]})
        if closes_measure(kind):
            measure.closed_at = at
            measure.closed_by = user if getattr(user, "pk", None) else None
            measure.save(update_fields=["closed_at", "closed_by", "updated_at"])
            audit(user, measure, None, AuditAction.CLOSE, note=report.reference)
        return report


# ---------------------------------------------------------------------------
# What changed between two snapshots (a resubmission against the returned report)
# ---------------------------------------------------------------------------


@dataclass
class SnapshotDiff:
    added: list = field(default_factory=list)  # participant IDs
    removed: list = field(default_factory=list)
    changed: list = field(default_factory=list)  # (participant ID, [(header, old, new)])

    def __bool__(self):
        return bool(self.added or self.removed or self.changed)


def snapshot_diff(old, new):
    """Participants added, removed and changed (per column header) from snapshot `old` to `new`."""
    def by_id(snapshot):
        keys = snapshot.get("keys", [])
        position = keys.index("pseudonym") if "pseudonym" in keys else 0
        return {row[position]: dict(zip(snapshot["headers"], row, strict=False)) for row in snapshot.get("rows", [])}

    before, after = by_id(old or {}), by_id(new or {})
    diff = SnapshotDiff(added=sorted(set(after) - set(before)), removed=sorted(set(before) - set(after)))
    for pseudonym in sorted(set(before) & set(after)):
        headers = list(dict.fromkeys([*before[pseudonym], *after[pseudonym]]))
        changes = [(header, before[pseudonym].get(header, ""), after[pseudonym].get(header, ""))
                   for header in headers if before[pseudonym].get(header, "") != after[pseudonym].get(header, "")]
        if changes:
            diff.changed.append((pseudonym, changes))
    return diff


# ---------------------------------------------------------------------------
# The RP's review: eingegangen → in Prüfung → angenommen | zurückgegeben
# ---------------------------------------------------------------------------

NEXT_STATES = {
    ReviewState.RECEIVED: {ReviewState.IN_REVIEW, ReviewState.ACCEPTED, ReviewState.RETURNED},
    ReviewState.IN_REVIEW: {ReviewState.ACCEPTED, ReviewState.RETURNED},
    ReviewState.ACCEPTED: set(),
    ReviewState.RETURNED: set(),
}


def check_review_report(user, report, state, *, reasons=(), note=""):
    """Why the RP cannot move the report to `state` now, or []."""
    problems = []
    if not permissions.is_authority(user):
        problems.append(_("Nur das Regierungspräsidium prüft Meldungen."))
    current = state_of(report)
    if state not in NEXT_STATES.get(current, set()):
        problems.append(_("Die Meldung ist %(current)s und kann nicht mehr auf „%(state)s“ gesetzt werden.")
                        % {"current": ReviewState(current).label, "state": ReviewState(state).label})
    if state == ReviewState.RETURNED and not reasons and not (note or "").strip():
        problems.append(_("Bitte mindestens einen Rückgabegrund wählen oder eine Begründung schreiben."))
    return problems


def do_review_report(user, report, state, *, reasons=(), note="", at=None):
    """One review step. Returning a closing or zero report reopens its measure, so the ZE can fix and resend.
    `at` is the moment of the decision (now; the demo data dates its reviews in the past)."""
    with transaction.atomic():
        measure = locked_measure(report.measure)
        report = with_state(Report.objects.filter(pk=report.pk)).select_related("measure").get()
        problems = check_review_report(user, report, state, reasons=reasons, note=note)
        if problems:
            raise ServiceError(problems)
        review = ReportReview.objects.create(report=report, state=state, note=(note or "").strip(),
                                             decided_by=user if getattr(user, "pk", None) else None,
                                             decided_by_name=display_name(user), decided_at=at or timezone.now())
        if reasons:
            review.reasons.set(reasons)
        labels = ", ".join(str(reason) for reason in reasons)
        audit(user, measure, None, AuditAction.REVIEW,
              {_("Meldung %(reference)s") % {"reference": report.reference}: [str(ReviewState(state_of(report)).label),
                                                                                str(ReviewState(state).label)]},
              note="; ".join(part for part in (labels, review.note) if part))
        reopened = False
        if state == ReviewState.RETURNED and closes_measure(report.kind) and measure.is_closed:
            measure.closed_at = None
            measure.closed_by = None
            measure.save(update_fields=["closed_at", "closed_by", "updated_at"])
            audit(user, measure, None, AuditAction.REOPEN, note=_("Meldung %(reference)s zurückgegeben") % {
                "reference": report.reference})
            reopened = True
        if state in (ReviewState.ACCEPTED, ReviewState.RETURNED):
            notifications.notify_grant_recipient(measure, "report_decided", {
                "report": report, "state_label": str(ReviewState(state).label), "returned": state == ReviewState.RETURNED,
                "reasons": [str(reason) for reason in reasons], "note": review.note, "reopened": reopened,
                "url": notifications.admin_url(reverse("aqb_reports:report_detail", args=[report.pk])),
                "link_label": _("Meldung im AQB-Portal öffnen"),
            })
        return review


# ---------------------------------------------------------------------------
# The provider's "Dateneingabe abgeschlossen" (handbook 5.6): a signal to the ZE, no report
# ---------------------------------------------------------------------------


def check_signal_data_complete(user, measure):
    """Why the provider cannot signal completion now: not its measure to edit, closed, or records not green."""
    if not permissions.is_provider(user) and not permissions.is_grant_recipient(user):
        return [Reason(_("Die abgeschlossene Dateneingabe meldet der Träger dem Zuwendungsempfänger."))]
    if measure.is_closed:
        return [Reason(_("Die Maßnahme ist bereits abgeschlossen."))]
    if not permissions.can_edit(user, measure):
        return [Reason(_("Sie dürfen die Teilnehmenden dieser Maßnahme nicht bearbeiten."))]
    return _not_green(measure, _("Die Maßnahme hat keine Teilnehmenden; der Zuwendungsempfänger gibt dafür die "
                                 "Nullmeldung ab."))


def do_signal_data_complete(user, measure):
    """Record the signal on the measure (audit) and e-mail the grant recipient's users; reports nothing to the RP."""
    with transaction.atomic():
        measure = locked_measure(measure)
        reasons = check_signal_data_complete(user, measure)
        if reasons:
            raise ServiceError([str(reason) for reason in reasons])
        count = Participant.objects.filter(measure=measure).count()
        entry = audit(user, measure, None, AuditAction.DATA_COMPLETE, {_("Teilnehmende"): ["", str(count)]})
        full = Measure.objects.select_related("grant_recipient", "provider").get(pk=measure.pk)
        notifications.notify_grant_recipient(full, "data_complete", {
            "provider_name": full.provider.name if full.provider_id else display_name(user), "count": count,
            "url": notifications.admin_url(reverse("aqb_monitoring:measure", args=[measure.pk])),
            "link_label": _("Maßnahme im AQB-Portal öffnen"),
        })
        return entry
