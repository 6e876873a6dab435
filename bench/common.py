"""What the benchmarks share (not a benchmark itself; `make bench` runs only bench/bench_*.py).

Each script calls `use_throwaway_database(prefix)` at its top, before anything imports Django: the
settings read DATABASE_URL and MEDIA_ROOT when Django is set up, so they must point at a fresh
temporary folder first (never the development database). Then `setup_django()`, seeding, and
`timed()` for the median time and the query count of a page.

`seed_programme()` is the programme the board and the statistics benchmarks measure: grant
recipients with measures, participants and reports per budget year, written in bulk.
"""

import datetime
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent



# The programme's data set at 1x (Hesse: 26 grant recipients, 900 measures and 30,000 participants a
# budget year over three years) and its growth, shared by the board and statistics benchmarks.
QUICK = "--quick" in sys.argv
SIZE = 5 if QUICK else 1  # divisor of the data set; --quick seeds a fifth (for a busy machine)
RECIPIENTS = 26
MEASURES_PER_YEAR = 900 // SIZE
PARTICIPANTS_PER_YEAR = 30_000 // SIZE
YEARS = (2024, 2025, 2026)
GROWTH = 10
REPEAT = 3 if QUICK else 5

def use_throwaway_database(prefix):
    """Points Django at a new SQLite file in a temporary folder (or in $AQB_BENCH_DIR) and runs tasks
    at once; returns the folder. Call before importing anything that imports Django's settings."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    work = Path(os.environ.get("AQB_BENCH_DIR") or tempfile.mkdtemp(prefix=f"aqb-bench-{prefix}-"))
    os.environ["DATABASE_URL"] = f"sqlite:///{work / 'bench.sqlite3'}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aqb_site.settings")
    os.environ["MEDIA_ROOT"] = str(work / "media")
    os.environ["TASKS_BACKEND"] = "django_tasks.backends.immediate.ImmediateBackend"
    return work


def setup_django(debug=None):
    """Sets Django up on the throw-away database and migrates it. `debug=False` times as in production
    (DEBUG keeps every statement); the query counts of `timed` do not depend on it."""
    import django
    from django.conf import settings
    from django.core.management import call_command

    django.setup()
    if debug is not None:
        settings.DEBUG = debug
    # A logged-in session is saved again every 5 minutes (aqb_monitoring/sessions.py): after a long
    # seed or a slow download that save would land in a counted request as extra queries of no page.
    settings.AQB_SESSION_REFRESH_SECONDS = 10**9
    call_command("migrate", verbosity=0, interactive=False)
    # As Django's test runner does: keep the connection across requests (no reconnect is timed).
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)


def de(number):
    """1.000 rather than 1,000."""
    return f"{number:,}".replace(",", ".")


def verdict(ok):
    return "PASS" if ok else "FAIL"


class Timing(tuple):
    """(wall seconds, CPU seconds, queries) of one page: medians of the repeated requests."""

    wall = property(lambda self: self[0])
    cpu = property(lambda self: self[1])
    queries = property(lambda self: self[2])

    def __str__(self):
        return f"{self.wall * 1000:.0f} ms (CPU {self.cpu * 1000:.0f} ms, {self.queries} Abfragen)"


def timed(client, url, repeat):
    """Median wall-clock and CPU seconds of `repeat` requests (after one warm-up) and the query count of
    one request (counted through an execute wrapper, which sees every statement whatever DEBUG says).

    The CPU time is this process's (`time.process_time`): Python and SQLite both run in it, so it is
    the work the request costs, whatever else the machine runs at the same time; the wall-clock time
    also holds the waits for a core on a busy machine."""
    from django.db import connection

    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    executed = []

    def count(execute, sql, params, many, context):
        executed.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        client.get(url)
    wall, cpu = [], []
    for _ in range(repeat):
        started, started_cpu = time.perf_counter(), time.process_time()
        client.get(url)
        wall.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    return Timing((statistics.median(wall), statistics.median(cpu), len(executed)))


def timed_pair(client, url_a, url_b, repeat):
    """(Timing of `url_a`, Timing of `url_b`) for a ratio of two pages: their requests alternate, so a
    spell of load on a shared machine falls on both, and each time is the best of `repeat` (wall clock
    and CPU), the cost of the request itself without the other processes' noise. Query counts as in
    `timed`."""
    from django.db import connection

    counts = []
    for url in (url_a, url_b):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        executed = []

        def count(execute, sql, params, many, context, executed=executed):
            executed.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            client.get(url)
        counts.append(len(executed))
    times = {url_a: ([], []), url_b: ([], [])}
    for _ in range(repeat):
        for url in (url_a, url_b):
            started, started_cpu = time.perf_counter(), time.process_time()
            client.get(url)
            times[url][0].append(time.perf_counter() - started)
            times[url][1].append(time.process_time() - started_cpu)
    return tuple(Timing((min(times[url][0]), min(times[url][1]), number))
                 for url, number in zip((url_a, url_b), counts, strict=True))


def authority_client():
    """A test Client logged in as an RP user (created once)."""
    from django.test import Client

    from aqb_monitoring.models import Organisation, OrganisationKind, User

    authority, _created = Organisation.objects.get_or_create(kind=OrganisationKind.AUTHORITY, name="RP Kassel")
    user = User.objects.filter(email="rp@bench.example").first()
    if user is None:
        user = User.objects.create_user("rp@bench.example", "x", organisation=authority)
        user.groups.add(authority.group)  # the organisation's group opens the admin
    client = Client()
    client.force_login(user)
    return client


def _abbreviation(number):
    """AA, AB, … ZZ: unique grant-recipient abbreviations."""
    return chr(65 + number // 26) + chr(65 + number % 26)


def seed_programme(first_recipient, recipients, *, measures_per_year, participants_per_year, years,
                   recipients_per_share, answers=False):
    """`recipients` grant recipients (numbered from `first_recipient`), each with its share of the
    measures and participants of every budget year (the share of one of `recipients_per_share`),
    annual reports sent, returned and in review, interim dates on every fourth measure, two of three
    measures of past years closed. Participants get a status (a quarter red, a quarter yellow, half
    green), a gender and a birth year; green ones an exit date, a destination and an exit reason.
    With `answers`, every third participant answers two questions of the question blocks at entry and
    at exit (the statistics' progress tables)."""
    from aqb_monitoring.models import (
        Answer,
        Destination,
        ExitReason,
        Gender,
        GrantRecipient,
        InterimDueDate,
        Measure,
        MeasureType,
        Participant,
        ProgrammeLine,
        Question,
        Report,
        ReportReview,
    )

    types = list(MeasureType.objects.filter(code__in=["M1", "M2", "M3"]))
    lines = list(ProgrammeLine.objects.order_by("sort_order"))
    genders = list(Gender.objects.all()) + [None]
    destinations = list(Destination.objects.all())
    reasons = list(ExitReason.objects.all())
    questions = list(Question.objects.order_by("pk")[:2]) if answers else []
    grant_recipients = [
        GrantRecipient.objects.create(name=f"Gebietskörperschaft {number + 1:03d}", abbreviation=_abbreviation(number))
        for number in range(first_recipient, first_recipient + recipients)
    ]
    measures_per_recipient = measures_per_year // recipients_per_share
    participants_per_measure = participants_per_year // measures_per_year
    closed_at = datetime.datetime(years[-1], 2, 1, tzinfo=datetime.UTC)
    statuses = ("red", "yellow", "green", "green")
    reference = Report.objects.count()
    for year in years:
        measures = []
        for recipient in grant_recipients:
            for number in range(measures_per_recipient):
                measures.append(Measure(
                    number=f"AQB{year % 100}-{recipient.abbreviation}-M1-{number + 1:03d}", title="Benchmark",
                    measure_type=types[number % len(types)], programme_line=lines[number % len(lines)],
                    start_date=datetime.date(year, 1, 1), end_date=datetime.date(year, 12, 31),
                    grant_recipient=recipient, budget_year=year, planned_participants=participants_per_measure,
                    # Two of three measures of past years are closed; the rest owe their closing report.
                    closed_at=closed_at if year < years[-1] and number % 3 else None,
                ))
        measures = Measure.objects.bulk_create(measures, batch_size=2000)
        interim = [InterimDueDate(measure=m, due_date=datetime.date(year, 6, 30)) for m in measures[::4]]
        InterimDueDate.objects.bulk_create(interim, batch_size=5000)
        reports = []
        for index, measure in enumerate(measures):
            if year < years[-1] and index % 2:
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
                status = statuses[number % len(statuses)]
                done = status == "green"
                batch.append(Participant(
                    measure=measure, pseudonym=f"TN-{number:04d}", status=status, entry_date=measure.start_date,
                    birth_year=1960 + number % 45, gender=genders[number % len(genders)],
                    exit_date=measure.end_date if done else None,
                    destination=destinations[number % len(destinations)] if done and destinations else None,
                    exit_reason=reasons[number % len(reasons)] if done and reasons else None,
                ))
                if len(batch) == 10_000:
                    _participants(batch, questions, Participant, Answer)
                    batch = []
        _participants(batch, questions, Participant, Answer)


def _participants(batch, questions, participant_model, answer_model):
    created = participant_model.objects.bulk_create(batch)
    if not questions:
        return
    answers = [
        answer_model(participant=participant, question=question, phase=phase,
                     value=(index + position + (phase == "exit")) % 3 != 0)
        for index, participant in enumerate(created) if index % 3 == 0
        for position, question in enumerate(questions)
        for phase in ("entry", "exit")
    ]
    answer_model.objects.bulk_create(answers, batch_size=10_000)
