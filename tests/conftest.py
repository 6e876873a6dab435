"""Named users per role and tenant, so a permission test reads like the rule it checks."""

import pytest

from aqb_monitoring.models import GrantRecipient, Organisation, OrganisationKind, Provider, User

PASSWORD = "AQBtest#!2026"


def make_user(email, organisation, **extra):
    user = User.objects.create_user(email=email, password=PASSWORD, organisation=organisation, **extra)
    if organisation is not None and organisation.group_id:
        user.groups.add(organisation.group)
    return user


@pytest.fixture
def authority(db):
    return Organisation.objects.create(kind=OrganisationKind.AUTHORITY, name="RP Kassel")


@pytest.fixture
def kassel(db):
    return GrantRecipient.objects.create(name="Landkreis Kassel", abbreviation="KS")


@pytest.fixture
def fulda(db):
    return GrantRecipient.objects.create(name="Landkreis Fulda", abbreviation="FD")


@pytest.fixture
def provider_org_a(kassel):
    return Provider.objects.create(name="Bildungswerk Nordhessen", grant_recipient=kassel, contact_email="a@example.org")


@pytest.fixture
def provider_org_b(fulda):
    return Provider.objects.create(name="Fulda Perspektiven", grant_recipient=fulda, contact_email="b@example.org")


@pytest.fixture
def rp_editor(authority):
    from django.contrib.auth.models import Group

    user = make_user("rp@example.org", authority)
    user.groups.add(*Group.objects.filter(name__in=["Editors", "Moderators"]))
    return user


@pytest.fixture
def ze_kassel(kassel):
    return make_user("ze.kassel@example.org", kassel)


@pytest.fixture
def ze_fulda(fulda):
    return make_user("ze.fulda@example.org", fulda)


@pytest.fixture
def provider_a(provider_org_a):
    return make_user("traeger.a@example.org", provider_org_a)


@pytest.fixture
def provider_b(provider_org_b):
    return make_user("traeger.b@example.org", provider_org_b)


# ---------------------------------------------------------------------------
# Browser tests: Playwright for Python driving Debian's Chromium
# ---------------------------------------------------------------------------

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium per test process (Playwright cannot download its own browsers here)."""
    import os

    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, request):
    """A fresh browser page; with SCREENSHOTS=1 its last state is saved under var/screenshots/."""
    import os
    from pathlib import Path

    context = browser.new_context(locale="de-DE", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    if os.environ.get("SCREENSHOTS") == "1":
        folder = Path(__file__).resolve().parent.parent / "var" / "screenshots"
        folder.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(folder / f"{request.node.name}.png"), full_page=True)
    context.close()


def open_step_of(page, name):
    """Open the participant form's step (tab) that holds the field `name`; False when that step has no tab
    (no question block applies), so the field cannot be shown."""
    key = page.eval_on_selector(
        f"[name='{name}']", "e => { const s = e.closest('[data-aqb-step]'); return s ? s.dataset.aqbStep : null; }")
    if key is None:
        return True
    tab = page.locator(f"[data-aqb-step-link='{key}']")
    if not tab.is_visible():
        return False
    tab.click()
    return True


def login_in_browser(page, live_server, user):
    """Log in through the real Wagtail log-in form (django-axes refuses force_login's shortcut in a browser)."""
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("input[name=username]", user.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/**")


# ---------------------------------------------------------------------------
# Measures and participants (monitoring admin and permissions)
# ---------------------------------------------------------------------------


def make_measure(number, grant_recipient, provider=None, type_code="M1", budget_year=2026, **extra):
    """A measure with sensible defaults; saving it grants the ZE's and provider's groups (signals)."""
    import datetime

    from aqb_monitoring.models import MainGoal, Measure, MeasureType, ProgrammeLine

    measure_type = MeasureType.objects.get(code=type_code)
    defaults = {
        "title": f"Maßnahme {number}",
        "measure_type": measure_type,
        "programme_line": ProgrammeLine.objects.get(code="standard"),
        "start_date": datetime.date(budget_year, 1, 1),
        "end_date": datetime.date(budget_year, 12, 31),
        "main_goal": MainGoal.objects.filter(measure_types=measure_type).first(),
        "grant_recipient": grant_recipient,
        "provider": provider,
        "budget_year": budget_year,
    }
    defaults.update(extra)
    return Measure.objects.create(number=number, **defaults)


def make_participant(measure, pseudonym, **values):
    """A participant row written directly (status given or red); rules are tested elsewhere."""
    from aqb_monitoring.models import Participant

    values.setdefault("entry_date", measure.start_date)
    return Participant.objects.create(measure=measure, pseudonym=pseudonym, **values)


@pytest.fixture
def provider_org_a2(kassel):
    """A second provider of ZE Kassel (Jugendwerkstatt): provider A must not see its measures."""
    return Provider.objects.create(name="Jugendwerkstatt Kassel", grant_recipient=kassel, contact_email="jwk@example.org")


@pytest.fixture
def provider_a2(provider_org_a2):
    return make_user("traeger.jwk@example.org", provider_org_a2)


@pytest.fixture
def measure_a(kassel, provider_org_a):
    """KS measure run by provider A (Bildungswerk Nordhessen)."""
    return make_measure("AQB26-KS-M1-01", kassel, provider_org_a)


@pytest.fixture
def measure_a2(kassel, provider_org_a2):
    """KS measure run by the Jugendwerkstatt."""
    return make_measure("AQB26-KS-M3-01", kassel, provider_org_a2, type_code="M3")


@pytest.fixture
def measure_b(fulda, provider_org_b):
    """FD measure run by provider B (Fulda Perspektiven)."""
    return make_measure("AQB26-FD-M1-01", fulda, provider_org_b)


@pytest.fixture
def participant_a(measure_a):
    return make_participant(measure_a, "BWN-0001")


@pytest.fixture
def participant_b(measure_b):
    return make_participant(measure_b, "FP-0001")


# ---------------------------------------------------------------------------
# Public site: the demo page tree, contacts and documents
# ---------------------------------------------------------------------------


class RecordingReport:
    """Stands in for seed_demo's report: keeps what a seed run created or changed."""

    def __init__(self):
        self.lines = []

    def created(self, kind, name):
        self.lines.append(("created", kind, name))

    def changed(self, kind, name):
        self.lines.append(("changed", kind, name))


@pytest.fixture(scope="module")
def public_media(tmp_path_factory):
    """One media folder per test module, so that documents seeded once per module stay readable."""
    return tmp_path_factory.mktemp("public-media")


@pytest.fixture(scope="module")
def _public_site_seeded(django_db_setup, django_db_blocker, public_media):
    """Seeds the demo content once per module inside a transaction that is rolled back afterwards.

    Each test still runs in its own savepoint (the `db` fixture), so a test's changes vanish
    after it; seeding per test would cost seconds each.
    """
    from django.db import transaction
    from django.test import override_settings

    from aqb_content.demo import seed_content

    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=public_media):
        with transaction.atomic():
            seed_content(RecordingReport())
            yield
            transaction.set_rollback(True)


@pytest.fixture
def public_site(_public_site_seeded, db, settings, public_media):
    """The demo content of the public site (aqb_content.demo.seed_content); returns the home page."""
    from aqb_content.models import HomePage

    settings.MEDIA_ROOT = public_media
    return HomePage.objects.get()


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """Browser tests run last: their live server flushes the database (and Wagtail's and the
    catalogues' migration rows with it) and the browser sets DJANGO_ALLOW_ASYNC_UNSAFE, so a
    later test that reaches the database only through a fixture requested at run time, or runs
    `manage.py check --deploy`, would otherwise see their leftovers. The sort is stable.
    Other tests that commit (`django_db(transaction=True)`, e.g. two threads racing for a row)
    flush the database the same way, so they run last too and restore it with serialized_rollback."""

    def commits(item):
        marker = item.get_closest_marker("django_db")
        return item.get_closest_marker("browser") is not None or bool(marker and marker.kwargs.get("transaction"))

    items.sort(key=commits)
    # Each browser test restores the migrations' rows (catalogues, Wagtail's root page) at its
    # start, so one browser test's flush does not break the next one.
    for item in items:
        if item.get_closest_marker("browser") is not None:
            item.add_marker(pytest.mark.django_db(transaction=True, serialized_rollback=True))


@pytest.fixture(autouse=True)
def _catalogues_for_committing_tests(request):
    """Browser tests and other tests that commit run on a flushed-and-restored database; make sure
    the catalogues of the data migration are there even when an earlier test's flush removed them."""
    marker = request.node.get_closest_marker("django_db")
    committing = marker is not None and marker.kwargs.get("transaction")
    if request.node.get_closest_marker("browser") is None and not committing:
        return
    import importlib

    from django.apps import apps

    from aqb_monitoring.models import MeasureType, RejectionReason, ReturnReason

    request.getfixturevalue("transactional_db")
    if not MeasureType.objects.exists():
        importlib.import_module("aqb_monitoring.migrations.0002_seed_catalogues").seed(apps, None)
    if not ReturnReason.objects.exists():
        importlib.import_module("aqb_monitoring.migrations.0007_seed_return_reasons").seed(apps, None)
    if not RejectionReason.objects.exists():
        importlib.import_module("aqb_monitoring.migrations.0010_seed_rejection_reasons").seed(apps, None)
