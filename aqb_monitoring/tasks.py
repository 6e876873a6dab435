"""Background work of the monitoring (django-tasks; `manage.py db_worker` runs it)."""

from django_tasks import task

from .models import Measure
from .status import recompute_for_measure


@task()
def recompute_statuses(measure_ids=None):
    """Recompute stored statuses after a rule-relevant catalogue change (e.g. a new question).

    Runs per measure, so a worker never holds more than one measure's rows in memory.
    """
    measures = Measure.objects.filter(measure_type__has_participant_monitoring=True).select_related("measure_type")
    if measure_ids is not None:
        measures = measures.filter(pk__in=measure_ids)
    return sum(recompute_for_measure(measure) for measure in measures.iterator())


@task()
def purge_expired_data(dry_run=False):
    """The daily retention purge (see `manage.py purge_expired_data`); returns its report lines."""
    from .services.retention import purge_expired_data as purge

    return purge(dry_run=dry_run).lines()


@task()
def send_reminders(dry_run=False):
    """The daily deadline reminders (see `manage.py send_reminders`); returns its report lines."""
    from .oversight.reminders import send_reminders as send

    return send(dry_run=dry_run).lines()
