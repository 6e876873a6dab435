"""axe-core on every public page type: zero violations (BITV 2.0 / WCAG 2.1 AA rules that a machine can check)."""

from pathlib import Path

import pytest

from aqb_content.demo import seed_content
from tests.conftest import RecordingReport

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

AXE = Path(__file__).resolve().parent.parent / "vendor" / "axe-core" / "axe.min.js"
PUBLIC_PAGES = [
    "/",
    "/programm/",
    "/hinweise/",
    "/hinweise/teilnehmende-erfassen/",
    "/downloads/",
    "/aktuelles/",
    "/kontakt/",
    "/barrierefreiheit/",
    "/leichte-sprache/",
    "/suche/?q=Vorlage",
]


def test_public_pages_have_no_axe_violations(browser, live_server):
    seed_content(RecordingReport())
    # axe-core is injected as a script of our own: the public pages' Content-Security-Policy rightly
    # refuses inline scripts, so this test's browser does not apply it (browser/test_content_security_policy.py does).
    context = browser.new_context(locale="de-DE", bypass_csp=True)
    page = context.new_page()
    found = {}
    for width in (1366, 390):
        page.set_viewport_size({"width": width, "height": 844})
        for path in PUBLIC_PAGES:
            page.goto(f"{live_server.url}{path}")
            page.add_script_tag(path=str(AXE))
            result = page.evaluate("axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']})")
            for violation in result["violations"]:
                found.setdefault(f"{width} {path}", []).append(
                    (violation["id"], [node["target"] for node in violation["nodes"]][:3])
                )
    context.close()
    assert found == {}
