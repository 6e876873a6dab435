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

With one test module, a mutant's tests start with those that killed earlier mutants of the same
function, then those that killed any mutant, then the rest in file order; a killed mutant's
remaining tests are not run at all. With several modules the tests run in file order and the
remaining tests of a killed mutant are skipped.
"""

import json
import os
from collections import Counter

import pytest

PREFIX = os.environ.get("RECHECK_PREFIX", "")
MUTANTS = [line.strip() for line in open(os.environ["RECHECK_MUTANTS"]) if line.strip()]
KILLED = {}
KILLERS_BY_FUNCTION = {}
KILLERS = Counter()
RUN = Counter()
# Optional: mutmut's mutants/mutmut-stats.json; then a mutant runs only the tests that reach its function.
REACHING = json.load(open(os.environ["RECHECK_STATS"]))["tests_by_mangled_function_name"] if os.environ.get("RECHECK_STATS") else None
OUT = os.environ["RECHECK_OUT"]


@pytest.fixture(autouse=True, params=MUTANTS, ids=[f"mutant{index}" for index in range(len(MUTANTS))])
def _mutant(request):
    if request.param in KILLED:
        pytest.skip("bereits getötet")
    os.environ["MUTANT_UNDER_TEST"] = PREFIX + request.param
    yield
    os.environ["MUTANT_UNDER_TEST"] = "none"


def _commits(item):
    marker = item.get_closest_marker("django_db")
    return marker is not None and marker.kwargs.get("transaction")


def pytest_collection_modifyitems(config, items):
    # A test that commits empties the database when it ends (the catalogues of the data migrations
    # too); in a run ordered by mutant every later test would then fail and count as a kill.
    committing = [item for item in items if _commits(item)]
    if committing:
        config.hook.pytest_deselected(items=committing)
        items[:] = [item for item in items if not _commits(item)]
    order = {name: i for i, name in enumerate(MUTANTS)}
    ranked = sorted(enumerate(items), key=lambda pair: (order[pair[1].callspec.params["_mutant"]], pair[0]))
    items[:] = [item for _index, item in ranked]


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    mutant = item.callspec.params["_mutant"]
    if report.when == "call":
        RUN[mutant] += 1
    if report.failed and mutant not in KILLED:
        KILLED[mutant] = item.originalname
        killers = KILLERS_BY_FUNCTION.setdefault(_function(mutant), [])
        if item.originalname in killers:
            killers.remove(item.originalname)
        killers.insert(0, item.originalname)
        KILLERS[item.originalname] += 1
        with open(OUT, "a") as out:
            out.write(f"{mutant} killed {item.originalname} ({report.when})\n")


def pytest_sessionfinish(session):
    with open(OUT, "a") as out:
        for mutant in MUTANTS:
            if mutant not in KILLED:
                out.write(f"{mutant} survived ({RUN[mutant]} tests run)\n")


def _function(mutant):
    return mutant.rsplit("__mutmut_", 1)[0]


def _test_id(item):
    """The item's test id as mutmut records it: without this plugin's mutant parameter."""
    base = item.nodeid.split("[", 1)[0]
    if set(item.callspec.params) == {"_mutant"}:
        return base
    # pytest joins the parameters' ids with "-"; this plugin's is one of them, "mutant<N>".
    own = f"mutant{MUTANTS.index(item.callspec.params['_mutant'])}"
    joined = item.callspec.id
    if joined.startswith(own + "-"):
        other_params = joined[len(own) + 1:]
    elif joined.endswith("-" + own):
        other_params = joined[: -len(own) - 1]
    else:
        other_params = joined.replace(f"-{own}-", "-", 1)
    return f"{base}[{other_params}]"  # "[]" for a parameter whose id is empty, as mutmut records it


def _likely_killers_first(mutant, items):
    """The order for one mutant: killers of the same function, then killers of any mutant, then the rest;
    with RECHECK_STATS only the tests that reach the mutated function."""
    own = KILLERS_BY_FUNCTION.get(_function(mutant), [])
    if REACHING is not None:
        reaching = set(REACHING.get(_function(mutant), []))
        items = [item for item in items if _test_id(item) in reaching]

    def rank(pair):
        index, item = pair
        name = item.originalname
        if name in own:
            return (0, own.index(name), index)
        if KILLERS[name]:
            return (1, -KILLERS[name], index)
        return (2, 0, index)

    return [item for _index, item in sorted(enumerate(items), key=rank)]


def pytest_runtestloop(session):
    """One module: each mutant's tests, likely killers first, until the first failure."""
    if session.testsfailed or session.config.option.collectonly:
        return None
    if len({item.module for item in session.items}) != 1:
        return None  # pytest's own loop; the autouse fixture skips a killed mutant's remaining tests
    by_mutant = {}
    for item in session.items:
        by_mutant.setdefault(item.callspec.params["_mutant"], []).append(item)
    # An item's protocol runs once the next item is known (pytest's contract: `nextitem` says which
    # fixtures to keep). Every item shares the module, so between items only the test's own fixtures
    # are torn down; the last one gets None and tears down everything.
    pending = None
    for mutant, items in by_mutant.items():
        for item in _likely_killers_first(mutant, items):
            if pending is not None:
                pending.config.hook.pytest_runtest_protocol(item=pending, nextitem=item)
                pending = None
                if session.shouldstop:
                    raise session.Interrupted(session.shouldstop)
            if mutant in KILLED:
                break
            pending = item
    if pending is not None:
        pending.config.hook.pytest_runtest_protocol(item=pending, nextitem=None)
    return True
