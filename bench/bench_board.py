"""Benchmark of the RP's completeness board "Vollständigkeit" (issue 15), run by `make bench`.

On a throw-away SQLite database (a temp folder, never the development database), seeded in bulk
with statuses and report states set directly:

- 1x: 26 grant recipients, per budget year 900 measures and 30,000 participants, over 3 years
  (2,700 measures, 90,000 participants), with sent, returned and missing reports;
- 10x: the same again nine times over (260 grant recipients, 27,000 measures, 900,000 participants).

Prints the median time of the board page (first page, no filter, as the RP through Django's test
Client) and of its Excel download at 1x and at 10x, their ratio against the 1x baseline of this
run, and the query counts, then PASS/FAIL per target:

- page time at 10x <= 2x the time at 1x;
- the page and the download need the same number of queries at 1x and at 10x.

    DEBUG=1 .venv/bin/python bench/bench_board.py [--quick]

`--quick` seeds a fifth of each size (for a busy machine); the ratio target stays the same.
"""

import datetime
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
WORK = Path(os.environ.get("AQB_BENCH_DIR") or tempfile.mkdtemp(prefix="aqb-bench-board-"))
os.environ["DATABASE_URL"] = f"sqlite:///{WORK / 'bench.sqlite3'}"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aqb_site.settings")
os.environ["MEDIA_ROOT"] = str(WORK / "media")
os.environ["TASKS_BACKEND"] = "django_tasks.backends.immediate.ImmediateBackend"

QUICK = "--quick" in sys.argv
SIZE = 5 if QUICK else 1  # divisor of the data set
RECIPIENTS = 26
MEASURES_PER_YEAR = 900 // SIZE
PARTICIPANTS_PER_YEAR = 30_000 // SIZE
YEARS = (2024, 2025, 2026)
GROWTH = 10
REPEAT = 3 if QUICK else 5
MAX_RATIO = 2.0


def setup_django():
    """Without DEBUG, as in production (DEBUG keeps every statement); the query counts are taken
    with CaptureQueriesContext, which logs them regardless."""
    import django
    from django.conf import settings
    from django.core.management import call_command

    django.setup()
    settings.DEBUG = False
    call_command("migrate", verbosity=0, interactive=False)
    # As Django's test runner does: keep the connection across requests (no reconnect is timed).
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)


def abbreviation(number):
    """AA, AB, … ZZ: unique grant-recipient abbreviations."""
    return chr(65 + number // 26) + chr(65 + number % 26)


def seed(first_recipient, recipients):
    """`recipients` grant recipients (numbered from `first_recipient`), each with its share of the
    measures and participants of every budget year, reports and review states set directly."""
    from aqb_monitoring.models import (
        GrantRecipient,
        InterimDueDate,
        Measure,
        MeasureType,
        Participant,
        ProgrammeLine,
        Report,
        ReportReview,
    )

    types = list(MeasureType.objects.filter(code__in=["M1", "M2", "M3"]))
    lines = list(ProgrammeLine.objects.order_by("sort_order"))
    grant_recipients = [
        GrantRecipient.objects.create(name=f"Gebietskörperschaft {number + 1:03d}", abbreviation=abbreviation(number))
        for number in range(first_recipient, first_recipient + recipients)
    ]
    measures_per_recipient = MEASURES_PER_YEAR // RECIPIENTS
    participants_per_measure = PARTICIPANTS_PER_YEAR // MEASURES_PER_YEAR
    closed_at = datetime.datetime(2026, 2, 1, tzinfo=datetime.UTC)
    statuses = ("red", "yellow", "green", "green")
    reference = Report.objects.count()
    for year in YEARS:
        measures = []
        for recipient in grant_recipients:
            for number in range(measures_per_recipient):
                measures.append(Measure(
                    number=f"AQB{year % 100}-{recipient.abbreviation}-M1-{number + 1:03d}", title="Benchmark",
                    measure_type=types[number % len(types)], programme_line=lines[number % len(lines)],
                    start_date=datetime.date(year, 1, 1), end_date=datetime.date(year, 12, 31),
                    grant_recipient=recipient, budget_year=year, planned_participants=participants_per_measure,
                    # Two of three measures of past years are closed; the rest owe their closing report.
                    closed_at=closed_at if year < 2026 and number % 3 else None,
                ))
        measures = Measure.objects.bulk_create(measures, batch_size=2000)
        interim = [InterimDueDate(measure=m, due_date=datetime.date(year, 6, 30)) for m in measures[::4]]
        InterimDueDate.objects.bulk_create(interim, batch_size=5000)
        reports = []
        for index, measure in enumerate(measures):
            if year < 2026 and index % 2:
                reference += 1
                reports.append(Report(
                    reference=f"AQB-B-{reference:08d}", kind="annual", measure=measure,
                    period_start=measure.start_date, period_end=measure.end_date, reporting_year=year,
                    grant_recipient_name=measure.grant_recipient.name, participant_count=participants_per_measure,
                ))
        reports = Report.objects.bulk_create(reports, batch_size=2000)
        reviews = [ReportReview(report=report, state=("accepted", "returned", "in_review")[index % 3])
                   for index, report in enumerate(reports)]
        ReportReview.objects.bulk_create(reviews, batch_size=5000)
        batch = []
        for measure in measures:
            for number in range(participants_per_measure):
                batch.append(Participant(
                    measure=measure, pseudonym=f"TN-{number:04d}", status=statuses[number % len(statuses)],
                    entry_date=measure.start_date, birth_year=2000,
                ))
                if len(batch) == 10_000:
                    Participant.objects.bulk_create(batch)
                    batch = []
        Participant.objects.bulk_create(batch)


def timed(client, url):
    """Median seconds of REPEAT requests (after one warm-up) and the query count of one (counted
    through an execute wrapper, which sees every statement whatever DEBUG says)."""
    from django.db import connection

    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    executed = []

    def count(execute, sql, params, many, context):
        executed.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        client.get(url)
    times = []
    for _ in range(REPEAT):
        started = time.perf_counter()
        client.get(url)
        times.append(time.perf_counter() - started)
    return statistics.median(times), len(executed)


def de(number):
    """1.000 rather than 1,000."""
    return f"{number:,}".replace(",", ".")


def verdict(ok):
    return "PASS" if ok else "FAIL"


def main():
    setup_django()
    from django.test import Client
    from django.urls import reverse

    from aqb_monitoring.models import Measure, Organisation, OrganisationKind, Participant, User

    authority = Organisation.objects.create(kind=OrganisationKind.AUTHORITY, name="RP Kassel")
    rp_user = User.objects.create_user("rp@bench.example", "x", organisation=authority)
    rp_user.groups.add(authority.group)  # the organisation's group opens the admin
    client = Client()
    client.force_login(rp_user)
    page_url, export_url = reverse("aqb_board:index"), reverse("aqb_board:export")
    print(f"Datenbank: {WORK / 'bench.sqlite3'}{' (--quick: ein Fünftel der Datenmenge)' if QUICK else ''}")

    results = {}
    for label, first, count in (("1x", 0, RECIPIENTS), ("10x", RECIPIENTS, RECIPIENTS * (GROWTH - 1))):
        started = time.perf_counter()
        seed(first, count)
        print(f"{label}: {de(Organisation.objects.filter(kind=OrganisationKind.GRANT_RECIPIENT).count())} "
              f"Zuwendungsempfänger, {de(Measure.objects.count())} Maßnahmen, "
              f"{de(Participant.objects.count())} Teilnehmende (Seed {time.perf_counter() - started:.1f} s)")
        results[label] = {"page": timed(client, page_url), "export": timed(client, export_url)}
        page, export = results[label]["page"], results[label]["export"]
        print(f"{label}: Seite {page[0] * 1000:.0f} ms ({page[1]} Abfragen), "
              f"Excel {export[0] * 1000:.0f} ms ({export[1]} Abfragen)")

    failures = 0
    for part, name in (("page", "Seite"), ("export", "Excel")):
        (small, small_queries), (big, big_queries) = results["1x"][part], results["10x"][part]
        ratio = big / small
        ok_queries = small_queries == big_queries
        failures += not ok_queries
        if part == "page":
            ok_ratio = ratio <= MAX_RATIO
            failures += not ok_ratio
            target = f"(Ziel ≤ {MAX_RATIO}) {verdict(ok_ratio)}"
        else:
            target = "(nur berichtet)"
        print(f"Vollständigkeit {name}: 1x {small * 1000:.0f} ms, 10x {big * 1000:.0f} ms, Verhältnis {ratio:.2f} "
              f"{target}; Abfragen {small_queries} / {big_queries} {verdict(ok_queries)}")
    print("Gesamt:", verdict(failures == 0))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
