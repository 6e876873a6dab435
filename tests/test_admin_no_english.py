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
    # Elements with the `hidden` attribute (and no child elements) are not shown.
    html = re.sub(r"<(\w+)\b[^>]*\shidden(?:=\"[^\"]*\")?[\s>][^<]*</\1>", " ", html)
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


@pytest.mark.parametrize("role", ["ze_kassel", "provider_a"])
def test_tenant_admin_pages_have_no_english_leftovers(request, client, public_site, measure_a, participant_a, role):
    user = request.getfixturevalue(role)
    assert scan(client, user, tenant_pages(measure_a, participant_a)) == []


def test_rp_admin_pages_have_no_english_leftovers(client, public_site, rp_editor, measure_a, participant_a):
    urls = tenant_pages(measure_a, participant_a) + [
        reverse("wagtailadmin_explore_root"),
        reverse("wagtailadmin_explore", args=[public_site.pk]),
        reverse("wagtaildocs:index"),
        reverse("aqb_users:index"),
        reverse("aqb_users:add"),
        reverse("aqb_monitoring:dashboard") + "?sort=due",
    ]
    assert scan(client, rp_editor, urls) == []


def test_tenants_account_page_has_no_theme_or_locale_panel_the_rp_keeps_the_theme(client, ze_kassel, rp_editor):
    client.force_login(ze_kassel)
    page = client.get(reverse("wagtailadmin_account")).content.decode()
    assert "Altes Passwort" in page and 'name="theme-theme"' not in page and 'name="locale-current_time_zone"' not in page
    client.force_login(rp_editor)
    page = client.get(reverse("wagtailadmin_account")).content.decode()
    assert 'name="theme-theme"' in page and 'name="locale-current_time_zone"' not in page


def test_the_compiled_translations_say_what_the_po_file_says(settings):
    """locale/de/LC_MESSAGES/django.mo is compiled from django.po (msgfmt): a change of one without the other fails."""
    from pathlib import Path

    from django.utils import translation

    source = (Path(settings.BASE_DIR) / "locale" / "de" / "LC_MESSAGES" / "django.po").read_text()
    entries = re.findall(r'^msgid ((?:".*"\n)+)msgstr ((?:".*"\n?)+)', source, flags=re.M)

    def text(lines):
        return "".join(re.findall(r'"(.*)"', lines)).replace('\\"', '"')

    pairs = [(text(msgid), text(msgstr)) for msgid, msgstr in entries if text(msgid)]
    assert len(pairs) >= 8
    with translation.override("de"):
        for msgid, msgstr in pairs:
            assert translation.gettext(msgid) == msgstr, msgid


def test_rp_oversight_pages_have_no_english_leftovers(
        client, public_site, rp_editor, ze_kassel, kassel, provider_org_a, measure_a, measure_b,
        django_capture_on_commit_callbacks):
    """Vollständigkeit, Statistik and Erinnerungen with their tables filled: participants in every
    status, a reminder sent (issue 15's pages in issue 10's scan)."""
    import datetime

    from aqb_monitoring.models import Gender, ParticipantStatus
    from aqb_monitoring.oversight.reminders import send_reminders

    from .conftest import make_measure, make_participant

    genders = list(Gender.objects.all())
    statuses = list(ParticipantStatus.values)
    for number in range(24):
        make_participant(measure_a if number % 2 else measure_b, f"TN-{number:04d}", gender=genders[number % len(genders)],
                         birth_year=2000 + number % 6, status=statuses[number % len(statuses)])
    ended = make_measure("AQB26-KS-M1-10", kassel, provider_org_a, end_date=datetime.date(2026, 6, 30))
    with django_capture_on_commit_callbacks(execute=True):
        send_reminders(today=datetime.date(2026, 7, 14))  # 14 days before the closing report is due
    client.force_login(rp_editor)
    board = client.get(reverse("aqb_board:index")).content.decode()
    assert measure_a.number in board and measure_b.number in board
    assert ended.number in client.get(reverse("aqb_reminders:list")).content.decode()
    assert "<table" in client.get(reverse("aqb_statistics:index")).content.decode()
    urls = [
        reverse("aqb_board:index"),
        reverse("aqb_board:index") + "?budget_year=2026",
        reverse("aqb_statistics:index"),
        reverse("aqb_statistics:index") + "?budget_year=2026",
        reverse("aqb_reminders:list"),
    ]
    assert scan(client, rp_editor, urls) == []
