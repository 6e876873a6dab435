"""Support for `make mutants` (docs/mutation-testing.md); not used by `make test` or CI.

As a pytest plugin (`-p tests.mutation_testing`, set in pyproject.toml's [tool.mutmut]): mutmut
forks one test process per mutant, and each would otherwise migrate a new test database, which
takes minutes here. Instead every process works on its own copy of a database that
`make mutants` migrated once (path in AQB_MUTATION_DB_TEMPLATE), used as it is; each test still
runs in a transaction that is rolled back, and the copy is deleted when the process ends.

As a script (`python -m tests.mutation_testing`): prints the kill rate per module from mutmut's
result files under mutants/.
"""

import json
import os
import shutil
import sys
from collections import Counter
from pathlib import Path
from types import ModuleType

import pytest

TEMPLATE_ENV = "AQB_MUTATION_DB_TEMPLATE"
_database_copy = None


def _use_database_copy(django_db_blocker):
    """Replaces pytest-django's `django_db_setup`: the test database is this process's copy of the
    migrated template, used as it is (no migrate run)."""
    from django.conf import settings
    from django.db import connections

    with django_db_blocker.unblock():
        connection = connections["default"]
        connection.close()
        original = connection.settings_dict["NAME"]
        connection.settings_dict["NAME"] = settings.DATABASES["default"]["NAME"] = str(_database_copy)
    yield
    with django_db_blocker.unblock():
        connection.close()
        connection.settings_dict["NAME"] = settings.DATABASES["default"]["NAME"] = original


def pytest_configure(config):
    global _database_copy
    template = os.environ.get(TEMPLATE_ENV)
    if not template or not Path(template).is_file():
        raise pytest.UsageError(f"{TEMPLATE_ENV} names no migrated database; run mutation testing with `make mutants`.")
    _database_copy = Path(template).with_name(f"mutant-{os.getpid()}.sqlite3")
    shutil.copyfile(template, _database_copy)
    # Registered after pytest-django, so this fixture replaces pytest-django's.
    fixture = pytest.fixture(scope="session", name="django_db_setup")(_use_database_copy)
    holder = ModuleType("aqb_migrated_database_copy")
    holder.django_db_setup = fixture
    config.pluginmanager.register(holder, "aqb_migrated_database_copy")


def pytest_unconfigure(config):
    global _database_copy
    if _database_copy is None:
        return
    from django.db import connections

    connections.close_all()
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{_database_copy}{suffix}").unlink(missing_ok=True)
    _database_copy = None


# mutmut's exit codes (mutmut/stats.py); everything else counts as "suspicious".
STATUS_BY_EXIT_CODE = {1: "killed", 3: "killed", 0: "survived", 5: "no tests", 33: "no tests", 34: "skipped",
                       36: "timeout", 24: "timeout", -24: "timeout", 152: "timeout", 255: "timeout",
                       37: "caught by type check", None: "not checked"}


def kill_rates(mutants_dir="mutants"):
    """{module path: Counter of statuses} from mutmut's .meta files."""
    rates = {}
    for meta in sorted(Path(mutants_dir).rglob("*.py.meta")):
        codes = json.loads(meta.read_text())["exit_code_by_key"]
        module = str(meta.relative_to(mutants_dir))[: -len(".meta")]
        rates[module] = Counter(STATUS_BY_EXIT_CODE.get(code, "suspicious") for code in codes.values())
    return rates


def main():
    rates = kill_rates()
    if not rates:
        print("No results under mutants/ yet: run `make mutants` first.")
        return 1
    print(f"{'module':44} {'mutants':>7} {'killed':>7} {'survived':>8} {'not run':>7} {'other':>6} {'kill rate':>9}")
    for module, counts in rates.items():
        total = sum(counts.values())
        if not total:
            continue
        killed = counts["killed"] + counts["timeout"]
        survived = counts["survived"]
        not_run = counts["not checked"]
        other = total - killed - survived - not_run
        tried = killed + survived + other
        rate = f"{100 * killed / tried:.0f} %" if tried else "-"
        print(f"{module:44} {total:7} {killed:7} {survived:8} {not_run:7} {other:6} {rate:>9}")
    print("Kill rate = killed (incl. timeouts) / mutants tried; survivors: `mutmut results`, `mutmut show NAME`.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
