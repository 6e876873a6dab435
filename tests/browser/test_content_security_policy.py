"""The Content-Security-Policy in a real browser: the public site and the editors' admin work under it.

Chromium reports every blocked script, style, image or frame as a console error ("Refused to
…"/"Content Security Policy"); none may appear on the public pages (strict policy), while an
RP editor edits a page (date picker, inline panels, rich text), opens the document chooser
and the page preview (admin policy), or as a logged-in editor on the public site (userbar).
"""

import pytest
from playwright.sync_api import expect

from aqb_content.demo import seed_content
from tests.conftest import RecordingReport, login_in_browser

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def site_url(live_server):
    seed_content(RecordingReport())
    return live_server.url


@pytest.fixture
def violations(page):
    found = []
    page.on("console", lambda message: found.append(message.text + " @ " + page.url) if message.type == "error"
            and ("Content Security Policy" in message.text or "Refused to" in message.text) else None)
    return found


def test_public_pages_run_under_the_strict_policy_without_a_violation(page, site_url, violations):
    for path in ("/", "/hinweise/", "/downloads/", "/kontakt/", "/suche/?q=Teilnehmende", "/gibt-es-nicht/"):
        response = page.goto(f"{site_url}{path}")
        assert "script-src 'self'" in response.headers["content-security-policy"]
        expect(page.locator("h1")).to_be_visible()
    assert violations == []


def grant_editorial_rights(user):
    """The rights Wagtail's "Editors" group carries, given to the user's own group: an earlier committing test's
    flush may have removed Wagtail's default groups, which rp_editor otherwise joins."""
    from django.contrib.auth.models import Permission
    from wagtail.models import Collection, GroupCollectionPermission, GroupPagePermission, Page

    group = user.organisation.group
    for codename in ("add_page", "change_page", "publish_page"):
        GroupPagePermission.objects.get_or_create(group=group, page=Page.get_first_root_node(),
                                                  permission=Permission.objects.get(codename=codename))
    for codename in ("add_document", "change_document", "choose_document"):
        GroupCollectionPermission.objects.get_or_create(group=group, collection=Collection.get_first_root_node(),
                                                        permission=Permission.objects.get(codename=codename))


def test_an_editor_edits_and_previews_a_page_under_the_admin_policy(page, live_server, site_url, rp_editor, violations):
    from aqb_content.models import NewsPage

    grant_editorial_rights(rp_editor)
    news = NewsPage.objects.live().first()
    login_in_browser(page, live_server, rp_editor)
    page.goto(f"{site_url}/admin/pages/{news.pk}/edit/")
    expect(page.locator("input[name=title]")).to_have_value(news.title)
    # The date picker is one of the widgets that writes an inline script.
    page.locator("input[name=date]").click()
    expect(page.locator(".xdsoft_datetimepicker").first).to_be_attached()
    page.goto(f"{site_url}/admin/documents/chooser/")
    page.goto(f"{site_url}/admin/pages/{news.pk}/edit/")
    page.get_by_role("button", name="Vorschau").first.click()
    # The preview is the public page rendered inside the editor's frame: it must not be refused.
    expect(page.frame_locator("#w-preview-iframe").locator("h1")).to_have_text(news.title, timeout=20_000)
    page.goto(f"{site_url}/")  # the userbar of a logged-in editor on the public site
    expect(page.locator("h1")).to_be_visible()
    page.wait_for_timeout(500)
    assert violations == []
