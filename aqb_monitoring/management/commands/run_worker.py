"""`manage.py run_worker`: django-tasks' `db_worker` with the same options, surviving database outages.

See aqb_monitoring/worker.py: database errors are logged and retried with back-off instead of
ending the process; SIGTERM/SIGINT stop it cleanly. `make run`, `make worker` and the systemd
unit deploy/aqb-worker.service start this command.
"""

import os

from django.core.management.base import CommandError
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV, run_with_reloader
from django_tasks_db.management.commands import db_worker

from aqb_monitoring.worker import ResilientWorker


class Command(db_worker.Command):
    help = (
        "Führt Hintergrundaufträge aus (wie db_worker); übersteht Ausfälle der Datenbank: wartet 1, 2, 4 … "
        "höchstens 30 Sekunden und versucht es erneut. SIGTERM/SIGINT beenden ihn nach dem laufenden Auftrag."
    )

    def handle(self, *, verbosity, queue_name, interval, batch, backend_name, startup_delay, reload, max_tasks,
               worker_id, exclude_queues, **options):
        self.configure_logging(verbosity)
        if reload and batch:
            reload = False
        queue_names = queue_name.split(",")
        excluded_queue_names = exclude_queues.split(",") if exclude_queues else []
        if excluded_queue_names and "*" not in queue_names:
            raise CommandError("--exclude-queues can only be used with --queue-name=*")
        worker = ResilientWorker(
            queue_names=queue_names, interval=interval, batch=batch, backend_name=backend_name,
            startup_delay=startup_delay, max_tasks=max_tasks, worker_id=worker_id,
            excluded_queue_names=excluded_queue_names,
        )
        if reload:
            if os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":
                worker.configure_signals()  # only the reloader's child runs the loop
            run_with_reloader(worker.run)
        else:
            worker.configure_signals()
            worker.run()
