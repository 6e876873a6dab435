"""Load benchmark of the production server (issue 13), run by `make bench`.

Starts the site as `make serve-production` does (DEBUG off, migrate, collectstatic, gunicorn with
3 workers) on 127.0.0.1 with a free port, on a throw-away database filled by `manage.py seed_demo`,
and runs locust headless (bench/load/locustfile.py) at 10, 50 and 100 users: anonymous visitors
(home page, public pages, search, template download), providers and grant recipients who log in
with the demo logins, list their measures, open a measure, open a participant and save it (the
real form POST with CSRF token and version). Each stage has a warm-up (users arrive and log in)
and a measured phase of fixed length; locust and every command have a time limit.

Prints per stage requests/s, p50/p95 per page and the errors, then checks in the database that
every save the server confirmed (redirect after the POST) is stored and has its audit entry.
PASS when no request failed and no confirmed save is missing; exit code 1 otherwise.

The database, in this order:
- AQB_BENCH_DATABASE_URL: used as given (a throw-away database: it is migrated and seeded);
- DATABASE_URL naming PostgreSQL: a database `aqb_bench` on the same server is dropped and created
  anew with those credentials (the role needs CREATEDB; the database of DATABASE_URL is not touched);
- else the local PostgreSQL cluster (Debian), started as `.ci/run` does, role `aqb`, database `aqb_bench`;
- else SQLite in a temporary folder, with a note (the figures then say little about production).

    .venv/bin/python bench/bench_load.py            # 10, 50, 100 users, 15 s warm-up + 45 s each
    .venv/bin/python bench/bench_load.py --quick    # 10 users, 10 s: a smoke run
"""

import argparse
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
PYTHON = ROOT / ".venv" / "bin" / "python"
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
LOCUST = ROOT / ".venv" / "bin" / "locust"
LOCUSTFILE = ROOT / "bench" / "load" / "locustfile.py"
BENCH_DATABASE = "aqb_bench"
COMMAND_TIMEOUT = 600
START_TIMEOUT = 90
ORDER = ["Startseite", "Öffentliche Seite", "Suche", "Vorlage (Excel)", "Anmeldung (Formular)", "Anmeldung (Absenden)",
         "Meine Maßnahmen", "Maßnahme (Teilnehmendenliste)", "Teilnehmende(r) öffnen", "Teilnehmende(r) speichern",
         "Teilnehmende(r) nach dem Speichern"]


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def run(command, env=None, timeout=COMMAND_TIMEOUT, what=None):
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)
    if result.returncode != 0:
        print(result.stdout[-3000:], result.stderr[-3000:], sep="\n")
        raise SystemExit(f"{what or ' '.join(map(str, command))} ist fehlgeschlagen (Exit-Code {result.returncode}).")
    return result


def with_database(url, name):
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))


def recreate_database(url):
    """DROP and CREATE `aqb_bench` on the server of `url`, connected to the maintenance database `postgres`."""
    import psycopg

    maintenance = with_database(url, "postgres")
    with psycopg.connect(maintenance.replace("postgres://", "postgresql://", 1), autocommit=True,
                         connect_timeout=10) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {BENCH_DATABASE} WITH (FORCE)")
        connection.execute(f"CREATE DATABASE {BENCH_DATABASE}")
    return with_database(url, BENCH_DATABASE)


def local_cluster():
    """Start Debian's PostgreSQL cluster as .ci/run does; role aqb, database aqb_bench. None if not installed."""
    if not shutil.which("pg_lsclusters") or not list(Path("/usr/lib/postgresql").glob("*/bin/postgres")):
        return None
    sudo = [] if os.geteuid() == 0 else ["sudo", "-n"]
    clusters = subprocess.run(["pg_lsclusters", "-h"], capture_output=True, text=True, timeout=30).stdout.split("\n")
    clusters = [line.split() for line in clusters if line.strip()]
    if not clusters:
        version = sorted(p.name for p in Path("/usr/lib/postgresql").iterdir())[-1]
        subprocess.run([*sudo, "pg_createcluster", version, "main"], capture_output=True, timeout=120, check=True)
        clusters = [line.split() for line in subprocess.run(["pg_lsclusters", "-h"], capture_output=True, text=True,
                                                            timeout=30).stdout.split("\n") if line.strip()]
    version, name, port = clusters[0][:3]
    subprocess.run([*sudo, "pg_ctlcluster", version, name, "start"], capture_output=True, timeout=120)
    for _ in range(30):
        if subprocess.run(["pg_isready", "-h", "127.0.0.1", "-p", port, "-q"], timeout=10).returncode == 0:
            break
        time.sleep(1)
    else:
        return None

    def as_postgres(sql):
        psql = f"psql -p {int(port)} -q -v ON_ERROR_STOP=1"
        command = ["su", "postgres", "-c", psql] if os.geteuid() == 0 else ["sudo", "-n", "-u", "postgres", "sh", "-c", psql]
        subprocess.run(command, input=sql, capture_output=True, text=True, timeout=60, check=True)

    as_postgres("DO $x$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'aqb') THEN "
                "CREATE ROLE aqb LOGIN PASSWORD 'aqb' CREATEDB; END IF; END $x$;")
    return recreate_database(f"postgres://aqb:aqb@127.0.0.1:{port}/postgres")


def choose_database(workdir):
    """(DATABASE_URL, description) as described in the module's docstring."""
    explicit = os.environ.get("AQB_BENCH_DATABASE_URL")
    if explicit:
        return explicit, "PostgreSQL (AQB_BENCH_DATABASE_URL)" if explicit.startswith("postgres") else explicit
    given = os.environ.get("DATABASE_URL", "")
    try:
        if given.startswith(("postgres://", "postgresql://")):
            return recreate_database(given), f"PostgreSQL, Datenbank {BENCH_DATABASE} auf dem Server von DATABASE_URL"
        url = local_cluster()
        if url:
            return url, f"PostgreSQL (lokaler Cluster), Datenbank {BENCH_DATABASE}"
    except Exception as error:  # any failure here means: no PostgreSQL
        print(f"Hinweis: PostgreSQL nicht nutzbar ({error.__class__.__name__}: {str(error)[:200]})")
    print("Hinweis: PostgreSQL ist nicht verfügbar, der Lasttest läuft auf SQLite. Die Zahlen sagen wenig über den "
          "Betrieb (SQLite schreibt nur nacheinander).")
    return f"sqlite:///{workdir / 'bench.sqlite3'}", "SQLite (Ersatz, nicht der Betrieb)"


def server_environment(workdir, database_url):
    """What .ci/production-check sets: DEBUG off, the proxy header, a random key; nothing of the developer's settings."""
    env = {k: v for k, v in os.environ.items()
           if k not in {"DEBUG", "PYTEST_VERSION", "PYTEST_XDIST_WORKER", "DJANGO_SETTINGS_MODULE", "TASKS_BACKEND",
                        "DATABASE_URL", "MEDIA_ROOT"}}
    env.update({
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "AQB_VAR_DIR": str(workdir / "var"),
        "PRIVATE_ROOT": str(workdir / "private"),
        "SECURE_PROXY_SSL_HEADER": "X-Forwarded-Proto",
        "LOG_LEVEL": "ERROR",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "DATABASE_URL": database_url,
    })
    return env


def wait_until_up(port, process, log):
    import http.client

    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit("gunicorn hat sich beendet:\n" + log.read_text()[-3000:])
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            connection.request("GET", "/admin/login/", headers={"X-Forwarded-Proto": "https"})
            status = connection.getresponse().status
            connection.close()
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(0.5)
    raise SystemExit(f"gunicorn antwortet nach {START_TIMEOUT} s nicht:\n" + log.read_text()[-3000:])


def stop(process):
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


def read_lines(path):
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def ms(value):
    return f"{value:.0f} ms" if value is not None else "–"


def print_phase(phase):
    entries = sorted((e for e in phase["entries"] if e["requests"]), key=lambda e: (ORDER.index(e["name"]) if e["name"] in ORDER else 99, e["name"]))
    total = sum(e["requests"] for e in entries)
    failures = sum(e["failures"] for e in entries)
    seconds = max(phase["seconds"], 0.001)
    print(f"   {total} Anfragen in {seconds:.0f} s = {total / seconds:.1f} Anfragen/s, {failures} Fehler, "
          f"{phase['running']} Benutzer aktiv")
    for entry in entries:
        print(f"     {entry['name']:<38} {entry['method']:<4} {entry['requests']:>6}  p50 {ms(entry['p50']):>8}  "
              f"p95 {ms(entry['p95']):>8}  Fehler {entry['failures']}")
    for error in phase["errors"]:
        print(f"     FEHLER {error['count']}× {error['method']} {error['name']}: {error['error'][:200]}")
    return failures


VERIFY = r"""
import json, sys
from collections import Counter
import django
django.setup()
from aqb_monitoring.models import AuditAction, AuditEntry, Participant
from aqb_monitoring.formatting import display_value
from django.utils.dateparse import parse_datetime

saves = [json.loads(line) for line in open(sys.argv[1], encoding="utf-8") if line.strip()]
saves = [save for save in saves if not save.get("conflict")]
started = parse_datetime(sys.argv[2])
missing, wrong_value = [], []
by_participant = {}
for save in saves:
    by_participant.setdefault(save["participant"], []).append(save)
participants = Participant.objects.in_bulk(list(by_participant))
audit_rows = 0
for pk, own in by_participant.items():
    participant = participants.get(pk)
    if participant is None:
        missing.extend(f"Teilnehmende(r) {pk} fehlt ganz" for _save in own)
        continue
    entries = list(AuditEntry.objects.filter(participant_id=pk, action=AuditAction.CHANGE, timestamp__gte=started)
                   .select_related("user").order_by("timestamp", "id"))
    audit_rows += len(entries)
    available = Counter()
    for entry in entries:
        for label, pair in (entry.changes or {}).items():
            available[(entry.user.email if entry.user else "", str(label), json.dumps(pair, ensure_ascii=False))] += 1
    for save in own:
        label = str(Participant._meta.get_field(save["field"]).verbose_name)
        pair = [str(display_value(save["old"] == "True")), str(display_value(save["new"] == "True"))]
        key = (save["user"], label, json.dumps(pair, ensure_ascii=False))
        if available[key] > 0:
            available[key] -= 1
        else:
            missing.append(f"{save['path']} ({save['user']}, {label} {pair[0]} → {pair[1]}): kein Protokolleintrag")
    for field in {save["field"] for save in own}:
        label = str(Participant._meta.get_field(field).verbose_name)
        last = next((entry for entry in reversed(entries) if label in (entry.changes or {})), None)
        stored = str(display_value(getattr(participant, field)))
        if last is None or str(last.changes[label][1]) != stored:
            wrong_value.append(f"{participant.pk} {label}: gespeichert {stored!r}, letzter Protokolleintrag "
                               f"{last.changes[label][1] if last else None!r}")
print(json.dumps({"saves": len(saves), "participants": len(by_participant), "audit_rows": audit_rows,
                  "missing": missing, "wrong_value": wrong_value}))
"""


def verify(env, saves_path, started_iso):
    result = subprocess.run([str(PYTHON), "-c", VERIFY, str(saves_path), started_iso], cwd=ROOT,
                            env={**env, "DJANGO_SETTINGS_MODULE": "aqb_site.settings"}, capture_output=True, text=True,
                            timeout=COMMAND_TIMEOUT)
    if result.returncode != 0:
        print(result.stderr[-3000:])
        return None
    return json.loads(result.stdout.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description="Lasttest des Produktionsservers (locust, ohne Oberfläche).")
    parser.add_argument("--quick", action="store_true", help="Kurzlauf: 10 Benutzer, 10 s")
    parser.add_argument("--stages", help="Benutzerzahlen der Stufen, z. B. 10,50,100")
    parser.add_argument("--seconds", type=float, help="gemessene Sekunden je Stufe")
    parser.add_argument("--warmup", type=float, help="Sekunden Anlauf je Stufe (Benutzer kommen und melden sich an)")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn-Worker (wie make serve-production: 3)")
    parser.add_argument("--keep", action="store_true", help="Arbeitsordner behalten")
    args = parser.parse_args()
    stages = args.stages or ("10" if args.quick else "10,50,100")
    seconds = args.seconds or (10 if args.quick else 45)
    warmup = args.warmup if args.warmup is not None else (5 if args.quick else 15)
    stage_list = [int(value) for value in stages.split(",")]
    locust_limit = len(stage_list) * (seconds + warmup) + 30

    started = time.monotonic()
    workdir = Path(tempfile.mkdtemp(prefix="aqb-bench-load-"))
    database_url, database = choose_database(workdir)
    env = server_environment(workdir, database_url)
    print(f"Lasttest: {database}; Stufen {stages} Benutzer, je {warmup:.0f} s Anlauf + {seconds:.0f} s Messung; "
          f"Arbeitsordner {workdir}", flush=True)

    collect = subprocess.Popen([str(PYTHON), "manage.py", "collectstatic", "--noinput"], cwd=ROOT, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    run([str(PYTHON), "manage.py", "migrate", "--noinput"], env, what="manage.py migrate")
    run([str(PYTHON), "manage.py", "seed_demo"], env, what="manage.py seed_demo")
    run([str(PYTHON), "manage.py", "update_index"], env, what="manage.py update_index")
    _out, errors = collect.communicate(timeout=COMMAND_TIMEOUT)
    if collect.returncode != 0:
        print(errors[-3000:])
        raise SystemExit("collectstatic ist fehlgeschlagen.")
    print(f"Datenbank migriert und mit den Demodaten gefüllt nach {time.monotonic() - started:.0f} s", flush=True)

    port = free_port()
    log = workdir / "gunicorn.log"
    with log.open("w") as log_file:
        server = subprocess.Popen(
            [str(GUNICORN), "aqb_site.wsgi:application", "--bind", f"127.0.0.1:{port}", "--workers", str(args.workers),
             "--timeout", "120", "--graceful-timeout", "30", "--error-logfile", "-"],
            cwd=ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT, start_new_session=True)
    results_path, saves_path = workdir / "stufen.jsonl", workdir / "speicherungen.jsonl"
    locust_log = workdir / "locust.log"
    try:
        wait_until_up(port, server, log)
        print(f"gunicorn ({args.workers} Worker, DEBUG aus) auf 127.0.0.1:{port}", flush=True)
        from datetime import UTC, datetime

        run_started = datetime.now(UTC).isoformat()
        locust_env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "DATABASE_URL"}}
        locust_env.update({"AQB_LOAD_STAGES": stages, "AQB_LOAD_SECONDS": str(seconds),
                           "AQB_LOAD_WARMUP": str(warmup), "AQB_LOAD_RESULTS": str(results_path),
                           "AQB_LOAD_SAVES": str(saves_path)})
        with locust_log.open("w") as log_file:
            try:
                subprocess.run(
                    [str(LOCUST), "-f", str(LOCUSTFILE), "--headless", "--host", f"http://127.0.0.1:{port}",
                     "--run-time", f"{locust_limit:.0f}s", "--stop-timeout", "10", "--only-summary",
                     "--loglevel", "WARNING"],
                    cwd=ROOT, env=locust_env, stdout=log_file, stderr=subprocess.STDOUT, timeout=locust_limit + 60)
            except subprocess.TimeoutExpired:
                print(f"locust hat die Zeitgrenze von {locust_limit + 60:.0f} s überschritten und wurde beendet.")
    finally:
        stop(server)

    failures = 0
    phases = read_lines(results_path)
    measured = {phase["users"]: phase for phase in phases if phase["phase"] == "measure"}
    for phase in phases:
        title = "Messung" if phase["phase"] == "measure" else "Anlauf (Benutzer kommen, Anmeldungen)"
        print(f"== {phase['users']} Benutzer: {title}")
        failures += print_phase(phase)
    missing_stages = [users for users in stage_list if users not in measured]
    if missing_stages:
        print(f"FEHLER: keine Messung für {missing_stages} Benutzer (locust-Log: {locust_log}):")
        print(locust_log.read_text(errors="replace")[-3000:])
    print("== Zusammenfassung")
    for users in stage_list:
        phase = measured.get(users)
        if phase:
            total = sum(e["requests"] for e in phase["entries"])
            worst = max((e["p95"] or 0 for e in phase["entries"]), default=0)
            print(f"   {users:>4} Benutzer: {total / max(phase['seconds'], 0.001):6.1f} Anfragen/s, "
                  f"höchstes p95 {worst:.0f} ms, Fehler {sum(e['failures'] for e in phase['entries'])}")

    if locust_log.exists() and "CPU usage" in locust_log.read_text(errors="replace"):
        print("Hinweis: locust selbst war zeitweise über 90 % CPU ausgelastet (locust.log); die Zeiten enthalten "
              "dann auch Wartezeit im Lastgenerator.")
    saves = read_lines(saves_path)
    conflicts = sum(1 for save in saves if save.get("conflict"))
    check = verify(env, saves_path, run_started) if saves_path.exists() else {
        "saves": 0, "participants": 0, "audit_rows": 0, "missing": [], "wrong_value": []}
    ok_saves = check is not None and not check["missing"] and not check["wrong_value"] and check["saves"] > 0
    if check is None:
        print("== Speicherungen: Prüfung in der Datenbank ist fehlgeschlagen FAIL")
    else:
        print(f"== Speicherungen: {check['saves']} bestätigt (Umleitung nach dem POST) an {check['participants']} "
              f"Teilnehmenden, {check['audit_rows']} Protokolleinträge seit dem Start; {conflicts} Konflikte "
              f"(Datensatz zwischenzeitlich geändert: korrekt abgewiesen)")
        for line in (check["missing"] + check["wrong_value"])[:20]:
            print(f"   FEHLT: {line}")
        print(f"   jede bestätigte Speicherung in der Datenbank und im Protokoll: {'PASS' if ok_saves else 'FAIL'}"
              + ("" if check["saves"] else " (keine einzige Speicherung)"))
    by_user = Counter(save["user"] for save in saves if not save.get("conflict"))
    if by_user:
        print("   je Login: " + ", ".join(f"{user} {count}" for user, count in sorted(by_user.items())))
    ok_errors = failures == 0 and not missing_stages
    print(f"Fehlerfrei: {'PASS' if ok_errors else 'FAIL'} ({failures} Fehler)")
    ok = ok_errors and ok_saves
    print(f"Gesamt: {'PASS' if ok else 'FAIL'} ({time.monotonic() - started:.0f} s)")
    if ok and not args.keep:
        shutil.rmtree(workdir, ignore_errors=True)
    else:
        print(f"Arbeitsordner: {workdir} (gunicorn.log, locust.log, stufen.jsonl, speicherungen.jsonl)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
