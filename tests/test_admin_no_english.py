"""No English or technical leftovers on the admin pages a role reaches (issue 10, item 5).

Each role's pages are fetched as that role; the visible text (without scripts, styles, tags'
attributes and Wagtail's no-JavaScript notice) is scanned for words a German clerk should not
meet. A failure names the page and the word.
"""

import re

import pytest
from django.urls import reverse

LEFTOVERS = [
    "Wagtail", "Moderators", "Editors", "Update", "Locale", "None", "True", "False",
    "Root", "Explore", "Dashboard", "Settings", "Account", "Password", "Submit",
    "Cancel", "Delete", "Edit", "Search", "Save", "Sign out", "Log out", "Help",
]


def visible_text(html):
    html = re.sub(r"<(script|style|noscript|template)\b.*?</\1>", " ", html, flags=re.S)
    html = re.sub(r"<[^>]+>", " ", html)
    return " ".join(html.split())


def leftovers(text):
    """Each leftover word with the text around it, so that a failure shows where it stands."""
    found = []
    for word in LEFTOVERS:
        match = re.search(rf"(?<![\w-]){re.escape(word)}(?![\w-])", text)
        if match:
            found.append(f"{word!r} in …{text[max(match.start() - 40, 0):match.end() + 40]}…")
    return found


def tenant_pages(measure, participant):
    return [
        reverse("wagtailadmin_home"),
        reverse("aqb_monitoring:dashboard"),
        reverse("aqb_monitoring:measure", args=[measure.pk]),
        reverse("aqb_monitoring:participant_add", args=[measure.pk]),
        reverse("aqb_monitoring:participant_edit", args=[measure.pk, participant.pk]),
        reverse("wagtailadmin_account"),
    ]




def scan(client, user, urls):
    client.force_login(user)
    found = []
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, f"{url}: {response.status_code}"
        words = leftovers(visible_text(response.content.decode()))
        if words:
            found.append(f"{url}: {'; '.join(words)}")
    return found


@pytest.mark.xfail(
    strict=True,
    reason="Issue 10 item 5 not done yet: the home page's title 'Dashboard' and the account page's "
    "'Locale' panel and Wagtail name remain; remove this mark once the scan passes",
)
@pytest.mark.parametrize("role", ["ze_kassel", "provider_a"])
def test_tenant_admin_pages_have_no_english_leftovers(request, client, public_site, measure_a, participant_a, role):
    user = request.getfixturevalue(role)
    assert scan(client, user, tenant_pages(measure_a, participant_a)) == []


@pytest.mark.xfail(
    strict=True,
    reason="Issue 10 item 5 not done yet: the RP's pages still show English and Wagtail leftovers (see the failure); remove this mark once the scan passes",
)
def test_rp_admin_pages_have_no_english_leftovers(client, public_site, rp_editor, measure_a, participant_a):
    urls = tenant_pages(measure_a, participant_a) + [
        reverse("wagtailadmin_explore_root"),
        reverse("wagtailadmin_explore", args=[public_site.pk]),
        reverse("wagtaildocs:index"),
        reverse("wagtailusers_users:index"),
    ]
    assert scan(client, rp_editor, urls) == []
