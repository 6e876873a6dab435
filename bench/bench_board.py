"""Benchmark of the RP's completeness board "Vollständigkeit" (issue 15), run by `make bench`.

On a throw-away SQLite database (a temp folder, never the development database), seeded in bulk
with statuses and report states set directly:

- 1x: 26 grant recipients, per budget year 900 measures and 30,000 participants, over 3 years
  (2,700 measures, 90,000 participants), with sent, returned and missing reports;
- 10x: the same again nine times over (260 grant recipients, 27,000 measures, 900,000 participants).

Prints the median time of the board page (first page, no filter, as the RP through Django's test
Client) and of its Excel download at 1x and at 10x, their ratio against the 1x baseline of this
run, and the query counts, then PASS/FAIL per target:

- page time at 10x <= 2x the time at 1x. The time judged is the request's CPU time in this process
  (Python and SQLite both run in it: `common.timed`), because the wall-clock time on a shared
  machine mostly measures what else runs; the wall-clock medians and their ratio are printed beside;
- the page and the download need the same number of queries at 1x and at 10x.

    DEBUG=1 .venv/bin/python bench/bench_board.py [--quick]

`--quick` seeds a fifth of each size (for a busy machine); the ratio target stays the same.

What the page does at either size: the grant recipients' figures, their order and the programme's
totals are counted by the database in queries grouped per grant recipient (they grow with the data,
but in SQL); the measure rows (a step in Python each) and the HTML are built for the ten grant
recipients on the page only, about a thousand measures at 1x and at 10x alike. The Excel download
holds every measure, so its time grows with them (reported, no target).
"""

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402  (sets the database up before Django is imported)

WORK = common.use_throwaway_database("board")

from common import GROWTH, MEASURES_PER_YEAR, PARTICIPANTS_PER_YEAR, QUICK, RECIPIENTS, REPEAT, YEARS  # noqa: E402

REPEAT_EXPORT = 3  # the download at 10x takes a while; the median of three
MAX_RATIO = 2.0


def seed(first_recipient, recipients):
    common.seed_programme(first_recipient, recipients, measures_per_year=MEASURES_PER_YEAR,
                          participants_per_year=PARTICIPANTS_PER_YEAR, years=YEARS, recipients_per_share=RECIPIENTS)


def main():
    common.setup_django(debug=False)
    from django.urls import reverse

    from aqb_monitoring.models import Measure, Organisation, OrganisationKind, Participant

    de, verdict = common.de, common.verdict
    client = common.authority_client()
    page_url, export_url = reverse("aqb_board:index"), reverse("aqb_board:export")
    print(f"Datenbank: {WORK / 'bench.sqlite3'}{' (--quick: ein Fünftel der Datenmenge)' if QUICK else ''}")

    results = {}
    for label, first, count in (("1x", 0, RECIPIENTS), ("10x", RECIPIENTS, RECIPIENTS * (GROWTH - 1))):
        started = time.perf_counter()
        seed(first, count)
        print(f"{label}: {de(Organisation.objects.filter(kind=OrganisationKind.GRANT_RECIPIENT).count())} "
              f"Zuwendungsempfänger, {de(Measure.objects.count())} Maßnahmen, "
              f"{de(Participant.objects.count())} Teilnehmende (Seed {time.perf_counter() - started:.1f} s)")
        results[label] = {"page": common.timed(client, page_url, REPEAT),
                          "export": common.timed(client, export_url, REPEAT_EXPORT)}
        print(f"{label}: Seite {results[label]['page']}, Excel {results[label]['export']}")

    failures = 0
    for part, name in (("page", "Seite"), ("export", "Excel")):
        small, big = results["1x"][part], results["10x"][part]
        ratio, wall_ratio = big.cpu / small.cpu, big.wall / small.wall
        ok_queries = small.queries == big.queries
        failures += not ok_queries
        if part == "page":
            ok_ratio = ratio <= MAX_RATIO
            failures += not ok_ratio
            target = f"(Ziel ≤ {MAX_RATIO}) {verdict(ok_ratio)}"
        else:
            target = "(nur berichtet)"
        print(f"Vollständigkeit {name}: CPU 1x {small.cpu * 1000:.0f} ms, 10x {big.cpu * 1000:.0f} ms, "
              f"Verhältnis {ratio:.2f} {target}; Uhrzeit 1x {small.wall * 1000:.0f} ms, 10x {big.wall * 1000:.0f} ms, "
              f"Verhältnis {wall_ratio:.2f}; Abfragen {small.queries} / {big.queries} {verdict(ok_queries)}")
    print("Gesamt:", verdict(failures == 0))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
