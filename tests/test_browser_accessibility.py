"""axe-core on every public page type: zero violations (BITV 2.0 / WCAG 2.1 AA rules that a machine can check)."""

from pathlib import Path

import pytest

from aqb_content.demo import seed_content
from tests.conftest import RecordingReport

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
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


def test_public_pages_have_no_axe_violations(page, live_server):
    seed_content(RecordingReport())
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
    assert found == {}
