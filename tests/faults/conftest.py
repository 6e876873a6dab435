"""Fault injection (issue 14): every test below tests/faults/ is marked `faults`, and the helpers
they share: the database task backend, a worker that runs in the test's thread without
sleeping, and ways to break the database connection (simulated on SQLite, for real on
PostgreSQL with pg_terminate_backend from a second connection)."""

from pathlib import Path

import pytest
from django.db import connection, connections
from django.db.utils import OperationalError

from aqb_monitoring.worker import ResilientWorker

HERE = Path(__file__).parent


def pytest_collection_modifyitems(items):
    for item in items:
        if HERE in Path(item.path).parents:
            item.add_marker(pytest.mark.faults)


on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="braucht PostgreSQLs pg_terminate_backend / needs PostgreSQL's pg_terminate_backend "
           "(the SQLite run simulates the dropped connection instead)")


@pytest.fixture
def database_tasks(settings):
    """Tasks go to the database queue, as in production, instead of running at once."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@pytest.fixture
def private_root(settings, tmp_path):
    settings.AQB_PRIVATE_ROOT = tmp_path / "private"
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path / "private" / "tmp" / "uploads")
    Path(settings.FILE_UPLOAD_TEMP_DIR).mkdir(parents=True)
    return settings.AQB_PRIVATE_ROOT


def files_below(folder):
    return sorted(str(path.relative_to(folder)) for path in Path(folder).rglob("*") if path.is_file())


class TestWorker(ResilientWorker):
    """The worker as `manage.py run_worker --batch` runs it, with its waits recorded instead of slept."""

    __test__ = False

    def __init__(self, **options):
        self.waits = []
        defaults = {"queue_names": ["default"], "interval": 0, "batch": True, "backend_name": "default",
                    "startup_delay": False, "max_tasks": None, "worker_id": "faults-worker", "excluded_queue_names": []}
        super().__init__(**{**defaults, **options}, sleep=self.waits.append)

    @property
    def backoff(self):
        """The waits after database errors (the idle interval is 0)."""
        return [wait for wait in self.waits if wait]


def terminate_own_backend():
    """Kill this thread's PostgreSQL connection from a second connection, as a database restart does."""
    with connection.connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    finally:
        other.close()


class BreakConnection:
    """An execute wrapper that breaks the connection at the n-th statement containing `marker`.

    kind "simulated": the statement raises OperationalError, as a dropped connection does
    (any database); kind "terminated": the connection is killed with pg_terminate_backend just
    before the statement runs (PostgreSQL), so the statement and what follows really fail.
    `times` breaks that many statements in a row.
    """

    def __init__(self, marker, *, kind="simulated", at=1, times=1):
        self.marker, self.kind, self.at, self.times = marker, kind, at, times
        self.seen = 0
        self.broken = 0

    def __call__(self, execute, sql, params, many, context):
        if self.marker in sql and self.broken < self.times:
            self.seen += 1
            if self.seen >= self.at:
                self.broken += 1
                if self.kind == "terminated":
                    terminate_own_backend()
                else:
                    raise OperationalError("server closed the connection unexpectedly (simulated)")
        return execute(sql, params, many, context)


@pytest.fixture(params=["simulated", pytest.param("terminated", marks=on_postgresql)])
def break_kind(request):
    return request.param
