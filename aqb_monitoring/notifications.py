"""E-mails of the reports' life cycle (issue 12): German, plain text plus HTML, a link to the exact admin page.

`notify_grant_recipient` renders the mail and stores it as a `Notification` in the caller's
transaction; after the commit a django-tasks task delivers it through Django's e-mail backend
(console in development, SMTP by environment). A failing mail server neither loses the report nor
shows the clerk an error: the task tries again later (where the backend can defer) and what stays
undelivered is listed for the RP on the report inbox.

Every other mail of the portal takes the same road (issue 14): the password reset and the
invitation are rendered by their own tasks and stored here too (`store`, `deliver_with_retries`),
so no request ever waits for the mail server (`EMAIL_TIMEOUT` bounds each attempt in the worker).
A mail's text is erased once it is delivered or given up: a password-reset or invitation link never
outlives its delivery in the database; subject, recipients, attempts and error stay for the RP.
"""

import datetime
import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from .models import Notification, User

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
RETRY_AFTER_MINUTES = (2, 10, 30, 120)


def admin_url(path):
    """An absolute link into the admin for a mail (WAGTAILADMIN_BASE_URL + the reversed path)."""
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path


def grant_recipient_addresses(organisation):
    """The organisation's contact address and its active users' addresses, each once."""
    addresses = [organisation.contact_email] if organisation.contact_email else []
    addresses += User.objects.filter(organisation=organisation, is_active=True).order_by("email").values_list(
        "email", flat=True)
    return list(dict.fromkeys(address for address in addresses if address))


def store(recipients, subject, body_text, body_html="", measure=None):
    """One mail as a `Notification` row, not yet sent (the caller delivers or enqueues it)."""
    return Notification.objects.create(
        measure=measure, recipients=list(recipients), subject=" ".join(subject.split())[:300],
        body_text=body_text, body_html=body_html or "",
    )


def notify(measure, recipients, template, context):
    """Render `aqb_monitoring/mail/<template>.{subject,txt,html}` and deliver after the commit."""
    if not recipients:
        return None
    context = {**context, "measure": measure}
    subject = " ".join(render_to_string(f"aqb_monitoring/mail/{template}.subject", context).split())
    context["subject"] = subject  # the HTML mail's <title>
    notification = store(
        recipients, subject,
        render_to_string(f"aqb_monitoring/mail/{template}.txt", context),
        render_to_string(f"aqb_monitoring/mail/{template}.html", context), measure=measure,
    )
    transaction.on_commit(lambda: _enqueue(notification.pk), robust=True)
    return notification


def notify_grant_recipient(measure, template, context):
    return notify(measure, grant_recipient_addresses(measure.grant_recipient), template, context)


def _enqueue(notification_id, run_after=None):
    task_ = deliver_notification if run_after is None else deliver_notification.using(run_after=run_after)
    task_.enqueue(notification_id)


def deliver(notification):
    """Send one stored notification; record success or the error. True when sent."""
    message = EmailMultiAlternatives(notification.subject, notification.body_text, settings.DEFAULT_FROM_EMAIL,
                                     notification.recipients)
    if notification.body_html:
        message.attach_alternative(notification.body_html, "text/html")
    notification.attempts += 1
    try:
        message.send()
    except Exception as error:  # noqa: BLE001 - any failure of the mail backend is recorded, not raised
        log.warning("E-Mail %s nicht zugestellt: %s", notification.pk, error)
        notification.failed_at = timezone.now()
        notification.last_error = f"{type(error).__name__}: {error}"[:2000]
        notification.save(update_fields=["attempts", "failed_at", "last_error"])
        return False
    notification.sent_at = timezone.now()
    notification.last_error = ""
    _erase_body(notification)
    notification.save(update_fields=["attempts", "sent_at", "last_error", "body_text", "body_html"])
    return True


def _erase_body(notification):
    notification.body_text = notification.body_html = ""


@task()
def deliver_notification(notification_id):
    """Deliver a notification; on failure try again later while attempts remain and the backend can defer."""
    notification = Notification.objects.filter(pk=notification_id, sent_at__isnull=True).first()
    if notification is None:
        return "schon versendet"
    return deliver_with_retries(notification)


def deliver_with_retries(notification):
    """Send now; on failure plan the next attempt (back-off) or, after the last one, give up and erase the text."""
    if deliver(notification):
        return "versendet"
    if notification.attempts < MAX_ATTEMPTS and deliver_notification.get_backend().supports_defer:
        minutes = RETRY_AFTER_MINUTES[min(notification.attempts, len(RETRY_AFTER_MINUTES)) - 1]
        _enqueue(notification.pk, run_after=timezone.now() + datetime.timedelta(minutes=minutes))
        return "erneuter Versuch geplant"
    _erase_body(notification)
    notification.save(update_fields=["body_text", "body_html"])
    return "nicht zugestellt"


def delivery_state(notification):
    """The state of a stored mail in words for the RP's lists: delivered, not delivered (with the last error),
    waiting to be sent, or unknown when there is none."""
    if notification is None:
        return _("unbekannt")
    if notification.sent_at:
        return _("zugestellt")
    if notification.failed_at:
        return _("nicht zugestellt: %(error)s") % {"error": notification.last_error}
    return _("wartet auf Versand")


PENDING_TOO_LONG = datetime.timedelta(minutes=15)


def undelivered():
    """Notifications not sent: failed at least once, or waiting longer than a worker needs (worker down).
    What the RP sees on the inbox."""
    late = timezone.now() - PENDING_TOO_LONG
    return (Notification.objects.filter(sent_at__isnull=True)
            .filter(Q(failed_at__isnull=False) | Q(created_at__lt=late)).select_related("measure"))
