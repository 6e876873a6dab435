"""Deadline reminders (issue 15): `manage.py send_reminders` and the task `aqb_monitoring.tasks.send_reminders`.

Once a day (cron or systemd timer, README "Erinnerungen an Fristen"):

- The grant recipient's addresses (its contact address and its active users) are reminded of every
  annual, interim and closing report the measure owes (`deadlines.scheduled_reports`) 14 days and
  3 days before the due date and on the first day it is overdue.
- The provider's addresses (the grant recipient's if the measure has no provider) are reminded of a
  measure that ends within 14 days while it still has red or yellow records (14 and 3 days before its end).

Each step is a window, so a missed day catches up without sending a stale step: the 14-day step is
sent from 14 to 4 days before, the 3-day step from 3 days before to the due date, the overdue step
from the first to the `OVERDUE_CATCH_UP_DAYS`-th day overdue. Today's step is sent if it was not
sent before; older steps of the same date are not sent any more.

Every address gets one mail listing all its items. What went out is recorded as `SentReminder`
(unique per measure, kind, due date, step and address) in the same transaction as the mail's
`Notification`: a second run on the same day finds the rows and sends nothing twice, and two runs at
the same time cannot both record the same row.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .. import notifications
from ..deadlines import prefetch_for_deadlines, scheduled_reports
from ..formatting import format_date
from ..models import (
    InterimDueDate,
    Measure,
    Participant,
    ParticipantStatus,
    ReminderKind,
    ReminderStep,
    SentReminder,
)

OVERDUE_CATCH_UP_DAYS = 7
RECORDS_REMINDER_DAYS = 14
# (step, fewest days before the due date, most days before it): today's step is the one whose window holds today.
REPORT_STEPS = (
    (ReminderStep.DAYS_14, 4, 14),
    (ReminderStep.DAYS_3, 0, 3),
    (ReminderStep.OVERDUE, -OVERDUE_CATCH_UP_DAYS, -1),
)
RECORDS_STEPS = REPORT_STEPS[:2]
# The latest due date of a measure's reports lies at most this long after its end (the annual report of
# its last year: 31 January of the following year, at most 396 days after 1 January).
LATEST_DUE_AFTER_END = datetime.timedelta(days=400)
REPORT_SLUGS = {ReminderKind.ANNUAL: "jahresmeldung", ReminderKind.INTERIM: "zwischenmeldung",
                ReminderKind.CLOSING: "abschluss"}


def step_for(days, steps=REPORT_STEPS):
    """Today's step for a due date `days` days ahead (negative: overdue), or None outside every window."""
    return next((step for step, fewest, most in steps if fewest <= days <= most), None)


@dataclass
class Item:
    """One due item of one mail."""

    measure: Measure
    kind: str
    due_date: datetime.date
    step: str
    days: int
    url: str
    red: int = 0
    yellow: int = 0

    @property
    def key(self):
        return (self.measure.pk, self.kind, self.due_date, self.step)

    @property
    def label(self):
        return ReminderKind(self.kind).label

    @property
    def when(self):
        if self.days < 0:
            return ngettext("seit %(n)d Tag überfällig", "seit %(n)d Tagen überfällig", -self.days) % {"n": -self.days}
        if self.days == 0:
            return _("heute fällig")
        return ngettext("fällig in %(n)d Tag", "fällig in %(n)d Tagen", self.days) % {"n": self.days}

    @property
    def is_overdue(self):
        return self.days < 0

    @property
    def is_records(self):
        return self.kind == ReminderKind.RECORDS


@dataclass
class Run:
    """What a run sent (or, dry, would send): per address its items."""

    today: datetime.date
    dry_run: bool
    sent: dict = field(default_factory=dict)  # address -> [Item]
    skipped: int = 0  # items already reminded at this step

    def lines(self):
        day = format_date(self.today)
        verb = _("würde senden") if self.dry_run else _("gesendet")
        lines = []
        for address, items in self.sent.items():
            parts = ", ".join(
                f"{item.measure.number} {item.label} {format_date(item.due_date)} "
                f"({ReminderStep(item.step).label})" for item in items)
            lines.append(f"{address}: {parts}")
        count = sum(len(items) for items in self.sent.values())
        mails = ngettext("%(n)d E-Mail", "%(n)d E-Mails", len(self.sent)) % {"n": len(self.sent)}
        items = ngettext("%(n)d Frist", "%(n)d Fristen", count) % {"n": count}
        skipped = ngettext("%(n)d Frist war schon erinnert", "%(n)d Fristen waren schon erinnert",
                           self.skipped) % {"n": self.skipped}
        lines.append(_("Erinnerungen zum %(day)s (%(verb)s): %(mails)s mit %(items)s; %(skipped)s.") % {
            "day": day, "verb": verb, "mails": mails, "items": items, "skipped": skipped})
        return lines


def _candidates(today):
    """Open measures with monitoring that may have a due date in a window around today."""
    earliest = today - datetime.timedelta(days=OVERDUE_CATCH_UP_DAYS)
    interim_ahead = InterimDueDate.objects.filter(measure=OuterRef("pk"), due_date__gte=earliest)
    return (Measure.objects.filter(closed_at__isnull=True, measure_type__has_participant_monitoring=True)
            .filter(Q(end_date__gte=earliest - LATEST_DUE_AFTER_END) | Exists(interim_ahead)))


def report_items(today):
    """(organisation, Item) of every report step due today."""
    measures = prefetch_for_deadlines(_candidates(today).select_related("grant_recipient")).order_by("number")
    for measure in measures:
        for due in scheduled_reports(measure, today):
            step = step_for(due.days)
            if step is None:
                continue
            url = reverse("aqb_reports:submit", args=[measure.pk, REPORT_SLUGS[due.kind]])
            if due.kind == ReminderKind.ANNUAL:
                url += f"?year={due.date.year - 1}"
            yield measure.grant_recipient, Item(measure, due.kind, due.date, step, due.days, notifications.admin_url(url))


def records_items(today):
    """(organisation, Item) of every measure ending within 14 days with red or yellow records."""
    measures = list(_candidates(today).filter(end_date__gte=today,
                                              end_date__lte=today + datetime.timedelta(days=RECORDS_REMINDER_DAYS))
                    .select_related("grant_recipient", "provider").order_by("number"))
    counts = defaultdict(dict)
    for row in (Participant.objects.filter(measure__in=[m.pk for m in measures],
                                           status__in=[ParticipantStatus.RED, ParticipantStatus.YELLOW])
                .values("measure_id", "status").annotate(n=Count("pk")).order_by()):
        counts[row["measure_id"]][row["status"]] = row["n"]
    for measure in measures:
        red, yellow = counts[measure.pk].get(ParticipantStatus.RED, 0), counts[measure.pk].get(ParticipantStatus.YELLOW, 0)
        days = (measure.end_date - today).days
        step = step_for(days, RECORDS_STEPS)
        if step is None or not (red or yellow):
            continue
        url = notifications.admin_url(reverse("aqb_monitoring:measure", args=[measure.pk]))
        item = Item(measure, ReminderKind.RECORDS, measure.end_date, step, days, url, red=red, yellow=yellow)
        yield measure.provider or measure.grant_recipient, item


def plan(today):
    """address -> [Item] of today's steps, before looking at what was sent."""
    addresses_of = {}
    planned = defaultdict(list)
    for organisation, item in [*report_items(today), *records_items(today)]:
        if organisation.pk not in addresses_of:
            addresses_of[organisation.pk] = notifications.grant_recipient_addresses(organisation)
        for address in addresses_of[organisation.pk]:
            planned[address].append(item)
    return planned


def _already_sent(planned):
    """(address, measure id, kind, due date, step) of the planned items already reminded, in one query."""
    items = [item for address_items in planned.values() for item in address_items]
    if not items:
        return set()
    return set(SentReminder.objects.filter(
        recipient__in=list(planned), measure_id__in={item.measure.pk for item in items},
        due_date__in={item.due_date for item in items},
    ).values_list("recipient", "measure_id", "kind", "due_date", "step"))


def send_reminders(today=None, dry_run=False):
    """Send today's reminders once; returns the Run (its `lines()` say what happened, in German)."""
    today = today or timezone.localdate()
    run = Run(today=today, dry_run=dry_run)
    dashboard = notifications.admin_url(reverse("aqb_monitoring:dashboard"))
    planned = plan(today)
    done = _already_sent(planned)
    for address, items in planned.items():
        new = [item for item in items if (address, *item.key) not in done]
        run.skipped += len(items) - len(new)
        if not new:
            continue
        new.sort(key=lambda item: (item.due_date, item.measure.number, item.kind))
        if not dry_run:
            try:
                with transaction.atomic():
                    notification = notifications.notify(None, [address], "reminder", {
                        "items": new, "reports": [item for item in new if not item.is_records],
                        "records": [item for item in new if item.is_records],
                        "url": dashboard, "link_label": _("Meine Maßnahmen öffnen"),
                    })
                    SentReminder.objects.bulk_create([
                        SentReminder(measure=item.measure, kind=item.kind, due_date=item.due_date, step=item.step,
                                     recipient=address, notification=notification) for item in new])
            except IntegrityError:  # a run at the same time recorded them first: it sends the mail
                continue
        run.sent[address] = new
    return run


def parse_date(text):
    """A TT.MM.JJJJ date, or ValueError with a German message."""
    try:
        return datetime.datetime.strptime(text.strip(), "%d.%m.%Y").date()
    except ValueError:
        raise ValueError(_("„%(text)s“ ist kein gültiges Datum. Bitte im Format TT.MM.JJJJ angeben, "
                           "z. B. 31.01.2027.") % {"text": text}) from None
