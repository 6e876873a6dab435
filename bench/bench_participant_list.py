"""Benchmark of the participant list and the dashboard (issue 4), run by `make bench`.

On a throw-away SQLite database (a temp folder, never the development database):
100,000 participants in one measure and 1,000 in another, seeded in bulk. Prints the
median time of the participant list page for both (several requests through Django's
test Client, as a ZE user and as the RP), their ratio, the query counts, and the
dashboard's time, then PASS/FAIL per target:

- list time with 100,000 rows <= 1.5x the time with 1,000 rows: the two lists' requests alternate,
  each time is the best of REPEAT, judged on this process's CPU time (Python and SQLite both run
  in it; the wall clock, printed beside, also measures the other processes on a shared machine);
- the number of queries is the same for both lists;
- the dashboard (29 measures, 101,000 participants) answers within 0.5 s.

    DEBUG=1 .venv/bin/python bench/bench_participant_list.py
"""

import datetime
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402  (sets the database up before Django is imported)

WORK = common.use_throwaway_database("list")

BIG = 100_000
SMALL = 1_000
REPEAT = 15
MAX_RATIO = 1.5
MAX_DASHBOARD_SECONDS = 0.5


def seed():
    """Two measures of one ZE (and a few more for the dashboard), participants in bulk."""
    from aqb_monitoring.models import (
        GrantRecipient,
        MainGoal,
        Measure,
        MeasureType,
        Organisation,
        OrganisationKind,
        Participant,
        ParticipantStatus,
        ProgrammeLine,
        Provider,
        User,
    )

    recipient = GrantRecipient.objects.create(name="Landkreis Kassel", abbreviation="KS")
    provider = Provider.objects.create(name="Bildungswerk Nordhessen", grant_recipient=recipient)
    authority = Organisation.objects.create(kind=OrganisationKind.AUTHORITY, name="RP Kassel")
    ze_user = User.objects.create_user("ze@bench.example", "x", organisation=recipient)
    ze_user.groups.add(recipient.group)
    rp_user = User.objects.create_user("rp@bench.example", "x", organisation=authority)
    rp_user.groups.add(authority.group)
    measure_type = MeasureType.objects.get(code="M1")

    def measure(number):
        return Measure.objects.create(
            number=number, title="Benchmark", measure_type=measure_type,
            programme_line=ProgrammeLine.objects.get(code="standard"),
            start_date=datetime.date(2026, 1, 1), end_date=datetime.date(2026, 12, 31),
            main_goal=MainGoal.objects.filter(measure_types=measure_type).first(),
            grant_recipient=recipient, provider=provider, budget_year=2026,
        )

    big, small = measure("AQB26-KS-M1-01"), measure("AQB26-KS-M1-02")
    for i in range(3, 30):
        measure(f"AQB26-KS-M1-{i:02d}")
    statuses = list(ParticipantStatus.values)
    start = datetime.date(2026, 1, 1)
    for target, count in ((big, BIG), (small, SMALL)):
        batch = []
        for i in range(count):
            batch.append(
                Participant(
                    measure=target, pseudonym=f"BWN-{i:06d}", status=statuses[i % 3],
                    entry_date=start + datetime.timedelta(days=i % 300), birth_year=2000,
                )
            )
            if len(batch) == 5000:
                Participant.objects.bulk_create(batch)
                batch = []
        Participant.objects.bulk_create(batch)
    return big, small, ze_user, rp_user


def main():
    common.setup_django()
    de, verdict = common.de, common.verdict
    from django.test import Client
    from django.urls import reverse

    started = time.perf_counter()
    big, small, ze_user, rp_user = seed()
    print(f"Datenbank: {WORK / 'bench.sqlite3'}")
    print(f"Seed: {de(BIG)} + {de(SMALL)} Teilnehmende in {time.perf_counter() - started:.1f} s")
    failures = 0
    for label, user in (("ZE", ze_user), ("RP", rp_user)):
        client = Client()
        client.force_login(user)
        for query in ("", "?sort=-entry", "?status=red&p=3"):
            (big_time, big_cpu, big_queries), (small_time, small_cpu, small_queries) = common.timed_pair(
                client, reverse("aqb_monitoring:measure", args=[big.pk]) + query,
                reverse("aqb_monitoring:measure", args=[small.pk]) + query, REPEAT)
            ratio = big_cpu / small_cpu
            ok_ratio, ok_queries = ratio <= MAX_RATIO, big_queries == small_queries
            failures += (not ok_ratio) + (not ok_queries)
            print(
                f"{label} Teilnehmendenliste {query or '(Standard)'}: CPU {de(BIG)} Zeilen {big_cpu * 1000:.1f} ms, "
                f"{de(SMALL)} Zeilen {small_cpu * 1000:.1f} ms, Verhältnis {ratio:.2f} (Ziel ≤ {MAX_RATIO}) "
                f"{verdict(ok_ratio)} (Wanduhr {big_time * 1000:.1f} / {small_time * 1000:.1f} ms, "
                f"{big_time / small_time:.2f}); Abfragen {big_queries} / {small_queries} {verdict(ok_queries)}"
            )
        dashboard_time, _cpu, dashboard_queries = common.timed(client, reverse("aqb_monitoring:dashboard"), REPEAT)
        ok_dashboard = dashboard_time <= MAX_DASHBOARD_SECONDS
        failures += not ok_dashboard
        print(f"{label} Dashboard (29 Maßnahmen, {de(BIG + SMALL)} Teilnehmende): {dashboard_time * 1000:.1f} ms "
              f"(Ziel ≤ {MAX_DASHBOARD_SECONDS * 1000:.0f} ms) {verdict(ok_dashboard)}, "
              f"{dashboard_queries} Abfragen")
    print("Gesamt:", verdict(failures == 0))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
