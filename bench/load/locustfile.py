"""The users of the load benchmark (bench/bench_load.py starts locust with this file; not run alone).

Three kinds of users against the production server on 127.0.0.1:

- anonymous visitors: home page, the public pages it links, search, the participant template;
- providers and grant recipients: log in once with a demo login (seed_demo), then list their
  measures, open a measure, open a participant and save it (a real POST of the form with its
  CSRF token and `version`, flipping one yes/no answer that is already filled in).

Stages come from the environment (AQB_LOAD_STAGES "10,50,100", AQB_LOAD_WARMUP and AQB_LOAD_SECONDS):
each stage first spawns its users and lets them log in (the warm-up), then the statistics are
reset and measured for AQB_LOAD_SECONDS; at the end of each phase one JSON line goes to
AQB_LOAD_RESULTS. Every save the server confirmed (redirect after the POST) is one JSON line in
AQB_LOAD_SAVES, checked against the database afterwards.

The server sets Secure cookies (production, behind the TLS proxy); the client talks plain HTTP on
loopback and says `X-Forwarded-Proto: https`, as the proxy would, so it must send them anyway.
"""

import http.cookiejar
import json
import os
import random
import re
import time
from html.parser import HTMLParser
from urllib.parse import urlsplit

from locust import HttpUser, LoadTestShape, between, events, task
from locust.exception import StopUser

PASSWORD = os.environ.get("AQB_LOAD_PASSWORD", "AQBdemo#!2026")
PROVIDER_LOGINS = ["traeger.nordhessen@aqb-demo.de", "traeger.jugendwerkstatt@aqb-demo.de", "traeger.fulda@aqb-demo.de"]
GRANT_RECIPIENT_LOGINS = ["ze.kassel@aqb-demo.de", "ze.fulda@aqb-demo.de"]
SEARCH_WORDS = ["Teilnehmende", "Ausbildung", "Budget", "Förderung", "Maßnahme", "Kassel", "Antrag", "Fulda"]
# Yes/no answers whose change alters neither the status nor a rule (only a filled one is flipped).
HARMLESS_FIELDS = ["migration_background", "severely_disabled"]
STALE_MESSAGE = "Der Datensatz wurde inzwischen geändert"

_secure_ok = http.cookiejar.DefaultCookiePolicy.return_ok_secure


def _return_ok_secure(policy, cookie, request):
    host = urlsplit(request.get_full_url()).hostname
    return host == "127.0.0.1" or _secure_ok(policy, cookie, request)


http.cookiejar.DefaultCookiePolicy.return_ok_secure = _return_ok_secure


def _wait_time():
    low, _, high = os.environ.get("AQB_LOAD_WAIT", "1,3").partition(",")
    return between(float(low), float(high or low))


def _append(path_variable, record):
    path = os.environ.get(path_variable)
    if path:
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")


class FormFields(HTMLParser):
    """The fields of the first <form method="post"> as a browser would send them (and whether any is disabled)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.fields = {}
        self.disabled = False
        self._in_form = False
        self._done = False
        self._select = None
        self._select_first = None
        self._select_chosen = False
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if self._done:
            return
        if tag == "form" and (attrs.get("method") or "").lower() == "post":
            self._in_form = True
            return
        if not self._in_form:
            return
        name = attrs.get("name")
        if tag in ("input", "select", "textarea") and name and "disabled" in attrs:
            self.disabled = True
        if tag == "input" and name:
            kind = (attrs.get("type") or "text").lower()
            if kind in ("checkbox", "radio"):
                if "checked" in attrs:
                    self.fields[name] = attrs.get("value") or "on"
            elif kind not in ("submit", "button", "image", "file"):
                self.fields[name] = attrs.get("value") or ""
        elif tag == "select" and name:
            self._select, self._select_first, self._select_chosen = name, None, False
        elif tag == "option" and self._select:
            value = attrs.get("value") or ""
            if self._select_first is None:
                self._select_first = value
            if "selected" in attrs and not self._select_chosen:
                self.fields[self._select] = value
                self._select_chosen = True
        elif tag == "textarea" and name:
            self._textarea = name
            self.fields[name] = ""

    def handle_endtag(self, tag):
        if tag == "select" and self._select:
            if not self._select_chosen:
                self.fields[self._select] = self._select_first or ""
            self._select = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "form" and self._in_form:
            self._in_form, self._done = False, True

    def handle_data(self, data):
        if self._textarea:
            self.fields[self._textarea] += data


def form_fields(html):
    parser = FormFields()
    parser.feed(html)
    return parser


class PortalUser(HttpUser):
    abstract = True
    wait_time = _wait_time()

    def on_start(self):
        self.client.headers.update({"X-Forwarded-Proto": "https", "User-Agent": "aqb-bench-load"})
        self.origin = "https://" + urlsplit(self.host).netloc

    def post(self, path, data, name):
        headers = {"Referer": self.origin + path, "Origin": self.origin}
        return self.client.post(path, data=data, headers=headers, name=name, allow_redirects=False,
                                catch_response=True)


class AnonymousVisitor(PortalUser):
    """Public site: home page, its pages, search, the participant template."""

    weight = 2
    pages = ["/"]

    def on_start(self):
        super().on_start()
        response = self.client.get("/", name="Startseite")
        links = {link for link in re.findall(r'href="(/[^"#?]*)"', response.text or "")
                 if not link.startswith(("/static/", "/admin/", "/documents/", "/media/", "/downloads/teilnehmende"))}
        self.pages = sorted(links) or ["/"]

    @task(3)
    def home(self):
        self.client.get("/", name="Startseite")

    @task(4)
    def public_page(self):
        self.client.get(random.choice(self.pages), name="Öffentliche Seite")

    @task(2)
    def search(self):
        self.client.get(f"/suche/?q={random.choice(SEARCH_WORDS)}", name="Suche")

    @task(1)
    def template(self):
        with self.client.get("/downloads/teilnehmende-vorlage.xlsx", name="Vorlage (Excel)",
                             catch_response=True) as response:
            if response.status_code == 200 and not response.content.startswith(b"PK"):
                response.failure("keine .xlsx-Datei")


class Clerk(PortalUser):
    """Logs in once, then lists, opens and saves."""

    abstract = True
    logins = []
    _next = 0

    def on_start(self):
        super().on_start()
        cls = type(self)
        self.email = cls.logins[cls._next % len(cls.logins)]
        cls._next += 1
        self.measures = []
        self.participants = {}
        page = self.client.get("/admin/login/", name="Anmeldung (Formular)")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text or "")
        if not token:
            raise StopUser()
        data = {"csrfmiddlewaretoken": token.group(1), "username": self.email, "password": PASSWORD, "next": "/admin/"}
        with self.post("/admin/login/", data, "Anmeldung (Absenden)") as response:
            if response.status_code != 302 or response.headers.get("Location") != "/admin/":
                # No second try: django-axes locks an account after 6 failed log-ins.
                response.failure(f"Anmeldung von {self.email} fehlgeschlagen (Status {response.status_code})")
                raise StopUser()
            response.success()
        self.list_measures()

    @task(2)
    def list_measures(self):
        response = self.client.get("/admin/monitoring/", name="Meine Maßnahmen")
        found = sorted(set(re.findall(r'href="(/admin/monitoring/massnahmen/\d+/)"', response.text or "")))
        if found:
            self.measures = found

    @task(3)
    def open_measure(self):
        if not self.measures:
            return
        measure = random.choice(self.measures)
        query = random.choice(["", "", "?sort=entry", "?sort=-pseudonym"])
        response = self.client.get(measure + query, name="Maßnahme (Teilnehmendenliste)")
        found = sorted(set(re.findall(r'href="(' + re.escape(measure) + r'teilnehmende/\d+/)"', response.text or "")))
        if found:
            self.participants[measure] = found

    @task(4)
    def edit_participant(self):
        if not self.participants:
            self.open_measure()
            if not self.participants:
                return
        path = random.choice(random.choice(list(self.participants.values())))
        page = self.client.get(path, name="Teilnehmende(r) öffnen")
        if page.status_code != 200:
            return
        form = form_fields(page.text)
        if form.disabled or "version" not in form.fields:
            return  # closed measure: read only
        filled = [name for name in HARMLESS_FIELDS if form.fields.get(name) in ("True", "False")]
        if not filled:
            return
        field = random.choice(filled)
        old = form.fields[field]
        new = "False" if old == "True" else "True"
        data = dict(form.fields, **{field: new, "save": ""})
        time.sleep(random.uniform(0.3, 1.0))  # the clerk reads and changes the answer
        with self.post(path, data, "Teilnehmende(r) speichern") as response:
            if response.status_code == 302 and response.headers.get("Location") == path:
                response.success()
                _append("AQB_LOAD_SAVES", {
                    "participant": int(path.rstrip("/").rsplit("/", 1)[1]), "path": path, "user": self.email,
                    "field": field, "old": old, "new": new, "at": time.time(),
                })
            elif response.status_code == 200 and STALE_MESSAGE in (response.text or ""):
                # Someone else saved this record meanwhile: refused without a lost update, as it should be.
                response.success()
                _append("AQB_LOAD_SAVES", {"conflict": True, "path": path, "user": self.email})
                return
            else:
                response.failure(f"nicht gespeichert (Status {response.status_code})")
                return
        self.client.get(path, name="Teilnehmende(r) nach dem Speichern")


class Provider(Clerk):
    weight = 2
    logins = PROVIDER_LOGINS


class GrantRecipient(Clerk):
    weight = 1
    logins = GRANT_RECIPIENT_LOGINS


def _stages():
    return [int(value) for value in os.environ.get("AQB_LOAD_STAGES", "10").split(",") if value.strip()]


class Stages(LoadTestShape):
    """Per stage: warm-up (spawn, log in), then the measured phase; statistics reset in between."""

    def __init__(self):
        super().__init__()
        self.stages = _stages()
        self.warmup = float(os.environ.get("AQB_LOAD_WARMUP", "10"))
        self.seconds = float(os.environ.get("AQB_LOAD_SECONDS", "30"))
        self.phase = None
        self.phase_started = None

    def _report(self, stage_users, phase):
        stats = self.runner.stats
        elapsed = time.monotonic() - self.phase_started
        entries = []
        for entry in stats.entries.values():
            entries.append({
                "name": entry.name, "method": entry.method, "requests": entry.num_requests,
                "failures": entry.num_failures, "p50": entry.get_response_time_percentile(0.5),
                "p95": entry.get_response_time_percentile(0.95), "avg": entry.avg_response_time,
            })
        errors = [{"name": error.name, "method": error.method, "error": str(error.error), "count": error.occurrences}
                  for error in stats.errors.values()]
        _append("AQB_LOAD_RESULTS", {
            "users": stage_users, "phase": phase, "seconds": elapsed, "running": self.runner.user_count,
            "entries": entries, "errors": errors,
        })
        stats.reset_all()

    def tick(self):
        run_time = self.get_run_time()
        offset = 0.0
        for index, users in enumerate(self.stages):
            for phase, length in (("warmup", self.warmup), ("measure", self.seconds)):
                if run_time < offset + length:
                    key = (index, phase)
                    if key != self.phase:
                        if self.phase is not None:
                            self._report(self.stages[self.phase[0]], self.phase[1])
                        else:
                            self.runner.stats.reset_all()
                        self.phase, self.phase_started = key, time.monotonic()
                    previous = self.stages[index - 1] if index else 0
                    spawn_rate = max(2.0, (users - previous) / max(1.0, self.warmup / 2))
                    return users, spawn_rate
                offset += length
        if self.phase is not None:
            self._report(self.stages[self.phase[0]], self.phase[1])
            self.phase = None
        return None


@events.quitting.add_listener
def _exit_code(environment, **_kwargs):
    environment.process_exit_code = 0  # bench_load.py judges the run, not locust
