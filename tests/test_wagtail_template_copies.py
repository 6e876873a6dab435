"""Our two copies of Wagtail admin templates follow the installed Wagtail (issue 11, item 6).

Neither change has a narrower hook: Wagtail 8.0's home page renders the "search all pages" box
outside any block, and the account summary's English editor-guide link has no setting. So the
copies stay, and this test fails as soon as an upgraded Wagtail changes the original under a
copy: then re-apply our change (each copy's comment says which) to the new original and update
the hash here.
"""

import hashlib
from pathlib import Path

import pytest
import wagtail

ORIGINALS = Path(wagtail.__file__).parent / "admin" / "templates"
COPIES = Path(__file__).resolve().parent.parent / "aqb_monitoring" / "templates"

# Template name -> sha256 of the Wagtail original the copy was made from (Wagtail 8.0.1).
COPIED_FROM = {
    "wagtailadmin/home.html": "7eb3ee7b5a9d1355b79a97fdc4c6a9c8612821bb1cdccf24efdd7a36c827c17d",
    "wagtailadmin/home/account_summary.html": "ff5c7d30e46778c38af5557c0fd08c0139f71f8a539c791501ed9664f6ec6837",
}


@pytest.mark.parametrize("name", sorted(COPIED_FROM))
def test_the_original_of_each_copied_wagtail_template_is_unchanged(name):
    original = hashlib.sha256((ORIGINALS / name).read_bytes()).hexdigest()
    assert original == COPIED_FROM[name], (
        f"Wagtail's {name} changed: re-apply our change to the new original in aqb_monitoring/templates/{name} "
        f"and set its hash here.")


def test_every_copied_wagtail_template_is_pinned_here():
    """A template of ours under a Wagtail name either extends the original (a narrow block override)
    or is a copy pinned above."""
    copies = set()
    for path in (COPIES / "wagtailadmin").rglob("*.html"):
        name = str(path.relative_to(COPIES))
        if (ORIGINALS / name).exists() and f'extends "{name}"' not in path.read_text():
            copies.add(name)
    assert copies == set(COPIED_FROM)
