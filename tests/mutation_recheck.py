"""pytest plugin: one test module against a list of mutants in one session (docs/mutation-testing.md).

Re-checks survivors of a `make mutants` run against new tests without starting a Python process
and a database copy per mutant. Run inside `mutants/` (where mutmut wrote the mutated code), with
`tests.mutation_testing` for the database:

    RECHECK_MUTANTS=survivors.txt RECHECK_OUT=out.txt MUTANT_UNDER_TEST=none \\
    AQB_MUTATION_DB_TEMPLATE=../var/mutation-template.sqlite3 DEBUG=1 \\
    ../.venv/bin/python -m pytest -q -p tests.mutation_testing -p tests.mutation_recheck tests/test_x.py

`survivors.txt` holds one full mutant name per line (`RECHECK_PREFIX` is put in front of each, for
short names). Each test runs once per mutant, mutant by mutant, until the first failure: the mutant
is killed, its remaining tests are skipped. `out.txt` gets "<mutant> killed <test> (<phase>)" lines,
then "<mutant> survived" for the rest. mutmut's trampolines read MUTANT_UNDER_TEST at every call,
so switching it between tests switches the mutant. Unlike mutmut it runs every test of the module
for a survivor, not only those that reach the mutated function: give it the module aimed at it.
"""

import os

import pytest

PREFIX = os.environ.get("RECHECK_PREFIX", "")
MUTANTS = [line.strip() for line in open(os.environ["RECHECK_MUTANTS"]) if line.strip()]
KILLED = {}
OUT = os.environ["RECHECK_OUT"]


@pytest.fixture(autouse=True, params=MUTANTS)
def _mutant(request):
    if request.param in KILLED:
        pytest.skip("bereits getötet")
    os.environ["MUTANT_UNDER_TEST"] = PREFIX + request.param
    yield
    os.environ["MUTANT_UNDER_TEST"] = "none"


def pytest_collection_modifyitems(items):
    order = {name: i for i, name in enumerate(MUTANTS)}
    ranked = sorted(enumerate(items), key=lambda pair: (order[pair[1].callspec.params["_mutant"]], pair[0]))
    items[:] = [item for _index, item in ranked]


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    mutant = item.callspec.params["_mutant"]
    if report.failed and mutant not in KILLED:
        KILLED[mutant] = item.originalname
        with open(OUT, "a") as out:
            out.write(f"{mutant} killed {item.originalname} ({report.when})\n")


def pytest_sessionfinish(session):
    with open(OUT, "a") as out:
        for mutant in MUTANTS:
            if mutant not in KILLED:
                out.write(f"{mutant} survived\n")
