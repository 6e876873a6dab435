"""Benchmark of the RP's page "Statistik" (issue 15), run by `make bench`.

On a throw-away SQLite database (a temp folder, never the development database), seeded in bulk by
the board benchmark's seeding (`common.seed_programme`), with what the statistics count: gender,
birth year, status, exit date, destination and exit reason, and for every third participant two
questions of the question blocks answered at entry and at exit:

- 1x: 26 grant recipients, per budget year 900 measures and 30,000 participants, over 3 years
  (2,700 measures, 90,000 participants, 60,000 answers);
- 10x: the same again nine times over (27,000 measures, 900,000 participants, 600,000 answers).

Prints the median time and the query count of the page (no filter, and filtered to one budget year)
at 1x and at 10x and the ratio against the 1x baseline of this run, then PASS/FAIL per target:

- the same number of queries at 1x and at 10x (every table is one grouped query, whatever the data);
- time at 10x <= 12x the time at 1x, judged on the request's CPU time in this process (Python and
  SQLite both run in it: `common.timed`; the wall-clock on a shared machine mostly measures what
  else runs, it is printed beside). The statistics are aggregates over every selected participant
  and answer (counts per status, gender, age group, …; entry answers joined to exit answers), so
  their cost grows with the data by nature; nothing is stored in advance. The target says it grows
  no worse than linearly: 10x the data in at most 10x the time, with 20 % for the grouping's sorts
  (n log n) and a busy machine;
- the page at 1x (Hesse's three budget years) within 2 s of CPU time (the wait on a server that
  is not busy): a page the RP waits for without wondering whether it still loads.

    DEBUG=1 .venv/bin/python bench/bench_statistics.py [--quick]

`--quick` seeds a fifth of each size (for a busy machine); the targets stay the same.
"""

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402  (sets the database up before Django is imported)

WORK = common.use_throwaway_database("statistics")

from common import GROWTH, MEASURES_PER_YEAR, PARTICIPANTS_PER_YEAR, QUICK, RECIPIENTS, REPEAT, YEARS  # noqa: E402

MAX_RATIO = 12.0
MAX_SECONDS_1X = 2.0


def main():
    common.setup_django(debug=False)
    from django.urls import reverse

    from aqb_monitoring.models import Answer, Measure, Participant

    de, verdict = common.de, common.verdict
    client = common.authority_client()
    pages = {"alle": reverse("aqb_statistics:index"),
             f"Budgetjahr {YEARS[-1]}": reverse("aqb_statistics:index") + f"?budget_year={YEARS[-1]}"}
    print(f"Datenbank: {WORK / 'bench.sqlite3'}{' (--quick: ein Fünftel der Datenmenge)' if QUICK else ''}")

    results = {}
    for label, first, count in (("1x", 0, RECIPIENTS), ("10x", RECIPIENTS, RECIPIENTS * (GROWTH - 1))):
        started = time.perf_counter()
        common.seed_programme(first, count, measures_per_year=MEASURES_PER_YEAR,
                              participants_per_year=PARTICIPANTS_PER_YEAR, years=YEARS,
                              recipients_per_share=RECIPIENTS, answers=True)
        print(f"{label}: {de(Measure.objects.count())} Maßnahmen, {de(Participant.objects.count())} Teilnehmende, "
              f"{de(Answer.objects.count())} Antworten (Seed {time.perf_counter() - started:.1f} s)")
        results[label] = {}
        for name, url in pages.items():
            results[label][name] = common.timed(client, url, REPEAT)
            print(f"{label}: Statistik ({name}) {results[label][name]}")

    failures = 0
    for name in pages:
        small, big = results["1x"][name], results["10x"][name]
        ratio, wall_ratio = big.cpu / small.cpu, big.wall / small.wall
        ok_ratio, ok_queries, ok_small = ratio <= MAX_RATIO, small.queries == big.queries, small.cpu <= MAX_SECONDS_1X
        failures += (not ok_ratio) + (not ok_queries) + (not ok_small)
        print(f"Statistik ({name}): CPU 1x {small.cpu * 1000:.0f} ms (Ziel ≤ {MAX_SECONDS_1X * 1000:.0f} ms) "
              f"{verdict(ok_small)}, 10x {big.cpu * 1000:.0f} ms, Verhältnis {ratio:.2f} (Ziel ≤ {MAX_RATIO:.0f}) "
              f"{verdict(ok_ratio)}; Uhrzeit 1x {small.wall * 1000:.0f} ms, 10x {big.wall * 1000:.0f} ms, "
              f"Verhältnis {wall_ratio:.2f}; Abfragen {small.queries} / {big.queries} {verdict(ok_queries)}")
    print("Gesamt:", verdict(failures == 0))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
