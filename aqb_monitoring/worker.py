"""The task worker that outlives the database: `manage.py run_worker`.

django-tasks' own `db_worker` exits on the first database error outside its "database is
locked" retry (a PostgreSQL restart, a dropped connection): large imports, search-index
updates and status recomputation then wait until someone starts it again. This worker runs
the same claim/run loop, but a database error closes the connection, is logged (German and
English) and retried after 1, 2, 4 … at most 30 seconds, for as long as it takes. SIGTERM and
SIGINT still stop it cleanly (after the current task; a second signal at once).

A task that an outage cut off is marked failed once the database is back; a task that can
safely run twice (RETRY_AFTER_DATABASE_ERROR, e.g. reading an import into its preview) is
queued again, so the job completes without anybody clicking. Every minute the worker also
fails Excel imports whose worker died (excel/housekeeping.py), so their page offers
"Erneut starten" and "Verwerfen" even if nobody opens it.
"""

import logging
import random
import time

from django.db import close_old_connections, connections
from django.db.utils import Error as DatabaseError  # OperationalError, InterfaceError, …
from django.db.utils import OperationalError
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction, is_locked_database_exception

log = logging.getLogger(__name__)

FIRST_DELAY = 1.0
MAX_DELAY = 30.0
HOUSEKEEPING_EVERY = 60.0

# Tasks that may run again after the database went away under them: they check the state they
# work on before they write (a preview is read only while its job waits for it; a status
# recomputation is idempotent). Mail-sending tasks are not here: a mail may already be out.
RETRY_AFTER_DATABASE_ERROR = frozenset({
    "aqb_monitoring.excel.tasks.build_preview",
    "aqb_monitoring.tasks.recompute_statuses",
})


def backoff_delays(first=FIRST_DELAY, most=MAX_DELAY):
    """1, 2, 4, 8, 16, 30, 30, … seconds."""
    delay = first
    while True:
        yield min(delay, most)
        delay = min(delay * 2, most)


# A lost or refused connection; not a query the database rejects (IntegrityError, DataError …),
# which would fail again however often it is repeated.
CONNECTION_ERRORS = ("django.db.utils.OperationalError", "django.db.utils.InterfaceError")
# How often one task (same path and arguments) is queued again after outages, per worker process.
MAX_REQUEUES = 5


def is_database_error(exception_class_path):
    return exception_class_path in CONNECTION_ERRORS


class ResilientWorker(Worker):
    """django_tasks_db's Worker whose loop survives database outages (see the module docstring)."""

    def __init__(self, *args, sleep=time.sleep, clock=time.monotonic, housekeeping_every=HOUSEKEEPING_EVERY, **kwargs):
        super().__init__(*args, **kwargs)
        self.sleep = sleep
        self.clock = clock
        self.housekeeping_every = housekeeping_every
        self.outages = 0  # database errors in a row; 0 while the database answers
        self.delays = None
        self.interrupted = []  # task results an outage cut off, settled once the database is back
        self.requeued = {}  # (task path, arguments) -> times queued again
        self._next_housekeeping = 0.0

    # -- the loop -----------------------------------------------------------------------------

    def run(self):
        log.info("Task-Worker gestartet / task worker started (worker_id=%s, queues=%s)",
                 self.worker_id, ",".join(self.queue_names))
        if self.startup_delay and self.interval:
            self.sleep(random.random())  # noqa: S311 - several workers starting together spread out
        while self.running:
            try:
                finished = self.step()
            except DatabaseError as error:
                self.database_unavailable(error)
                continue
            if finished:
                return

    def step(self):
        """One round: settle what an outage left, housekeeping, claim and run one task. True: the worker is done."""
        close_old_connections()
        if self.interrupted:
            self.settle_interrupted()
        self.housekeeping()
        task_result, retrieved = self.claim()
        self.recovered()
        if task_result is not None:
            self.run_task(task_result)
            try:
                task_result.refresh_from_db(fields=["status", "exception_class_path"])
            except DatabaseError:
                self.interrupted.append(task_result)
                raise
            if task_result.status == TaskResultStatus.FAILED and is_database_error(task_result.exception_class_path):
                # The task's own queries failed (a dropped connection): wait for the database, then settle it.
                self.interrupted.append(task_result)
                raise OperationalError(f"{task_result.task_path}: Verbindung im Auftrag verloren / connection lost in task")

        if self.batch and retrieved and task_result is None:
            log.info("Keine Aufträge mehr / no more tasks (worker_id=%s).", self.worker_id)
            return True
        if self.max_tasks is not None and self._run_tasks >= self.max_tasks:
            log.info("Höchstzahl von %d Aufträgen erreicht / ran the maximum of %d tasks.",
                     self._run_tasks, self._run_tasks)
            return True
        close_old_connections()
        if self.running and task_result is None:
            self.sleep(self.interval)
        return False

    def claim(self):
        """The next ready task, claimed for this worker (as db_worker does); (None, False) while the database is locked."""
        tasks = DBTaskResult.objects.ready().filter(backend_name=self.backend_name)
        if not self.process_all_queues:
            tasks = tasks.filter(queue_name__in=self.queue_names)
        if self.excluded_queue_names:
            tasks = tasks.exclude(queue_name__in=self.excluded_queue_names)
        try:
            with exclusive_transaction(tasks.db):
                task_result = tasks.get_locked()
                if task_result is not None:
                    task_result.claim(self.worker_id)
        except DatabaseError as error:
            if isinstance(error, OperationalError) and error.args and is_locked_database_exception(error):
                return None, False
            raise
        return task_result, True

    def run_task(self, db_task_result):
        try:
            super().run_task(db_task_result)
        except DatabaseError:
            # The task ran, but its result could not be stored: settle it once the database is back.
            self.interrupted.append(db_task_result)
            raise

    # -- outages ------------------------------------------------------------------------------

    def database_unavailable(self, error):
        """Close the broken connections and wait (1, 2, 4 … 30 s) before the next attempt."""
        for connection in connections.all(initialized_only=True):
            try:
                connection.close()
            except DatabaseError:
                pass  # a connection the server dropped cannot be closed politely
        if self.outages == 0:
            self.delays = backoff_delays()
        self.outages += 1
        delay = next(self.delays)
        log.warning(
            "Datenbank nicht erreichbar (%s: %s); neuer Versuch in %g s (Versuch %d). / "
            "Database unavailable; retrying in %g s (attempt %d).",
            type(error).__name__, str(error).strip().splitlines()[0] if str(error).strip() else "-",
            delay, self.outages, delay, self.outages)
        if self.running:
            self.sleep(delay)

    def recovered(self):
        if self.outages:
            log.warning("Datenbank wieder erreichbar nach %d Fehlversuchen. / Database reachable again after %d "
                        "failed attempts.", self.outages, self.outages)
            self.outages = 0

    def settle_interrupted(self):
        """Tasks cut off by an outage: marked failed (if still "running"); the safe ones are queued again."""
        while self.interrupted:
            result = self.interrupted[0]
            status = DBTaskResult.objects.filter(pk=result.pk).values_list("status", flat=True).first()
            if status in (None, TaskResultStatus.SUCCESSFUL):
                self.interrupted.pop(0)  # its result was stored after all
                continue
            DBTaskResult.objects.filter(pk=result.pk, status=TaskResultStatus.RUNNING).update(
                status=TaskResultStatus.FAILED, finished_at=timezone.now(),
                exception_class_path="django.db.utils.OperationalError")
            key = (result.task_path, repr(result.args_kwargs))
            self.requeued[key] = self.requeued.get(key, 0) + 1
            if result.task_path in RETRY_AFTER_DATABASE_ERROR and self.requeued[key] <= MAX_REQUEUES:
                again = result.task.enqueue(*result.args_kwargs["args"], **result.args_kwargs["kwargs"])
                log.warning("Auftrag %s (%s) nach Datenbankfehler neu eingereiht als %s. / Task requeued after a "
                            "database error.", result.pk, result.task_path, again.id)
            else:
                log.warning("Auftrag %s (%s) durch Datenbankfehler abgebrochen, nicht wiederholt. / Task cut off by a "
                            "database error, not retried.", result.pk, result.task_path)
            self.interrupted.pop(0)

    # -- housekeeping -------------------------------------------------------------------------

    def housekeeping(self):
        """Every HOUSEKEEPING_EVERY seconds: fail Excel imports whose worker died (their page then offers a restart)."""
        now = self.clock()
        if now < self._next_housekeeping:
            return
        self._next_housekeeping = now + self.housekeeping_every
        from .excel.housekeeping import fail_stale_jobs

        failed = fail_stale_jobs()
        if failed:
            log.warning("Unterbrochene Importe als fehlgeschlagen markiert / interrupted imports failed: %s",
                        ", ".join(str(pk) for pk in failed))
