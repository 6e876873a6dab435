"""Small fixes from a walkthrough as provider, ZE and RP: no English Wagtail leftovers for
tenants, German values in the RP's listings, and icons in the admin's message boxes."""

import datetime
import re

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory
from wagtail.admin.menu import help_menu
from wagtail.admin.templatetags.wagtailadmin_tags import avatar_url

from aqb_monitoring.models import MeasureType


def help_menu_names(user):
    request = RequestFactory().get("/admin/")
    request.user = user
    return [item.name for item in help_menu.menu_items_for_request(request)]


def test_tenants_get_no_english_wagtail_guides_in_the_help_menu(provider_a, ze_kassel):
    for user in (provider_a, ze_kassel):
        names = help_menu_names(user)
        assert "editor-guide" not in names
        assert not any(name.startswith("whats-new-in-wagtail") for name in names)


def test_rp_keeps_the_wagtail_editor_guide(rp_editor):
    assert "editor-guide" in help_menu_names(rp_editor)


def test_admin_home_has_no_english_editor_guide_link(client, provider_a, measure_a):
    client.force_login(provider_a)
    page = client.get("/admin/").content.decode()
    assert "guide.wagtail.org" not in page
    assert "Benutzerkonto" in page


def test_avatars_are_not_fetched_from_gravatar(provider_a):
    assert "gravatar" not in avatar_url(provider_a)
    assert "gravatar" not in avatar_url(AnonymousUser())


def test_catalogue_listing_shows_active_as_ja_nein(client, rp_editor):
    MeasureType.objects.filter(code="M4").update(is_active=False)
    client.force_login(rp_editor)
    page = client.get("/admin/kataloge/measuretype/").content.decode()
    cells = re.findall(r"<td\s*>\s*(\S+)\s*</td>", page)
    assert cells.count("ja") == 3 and cells.count("nein") == 1
    assert "True" not in cells and "False" not in cells


def test_measure_master_listing_shows_closing_day_as_tt_mm_jjjj(client, rp_editor, measure_a):
    measure_a.closed_at = datetime.datetime(2026, 1, 20, 10, 0, tzinfo=datetime.UTC)
    measure_a.save()
    client.force_login(rp_editor)
    page = client.get("/admin/stammdaten/massnahmen/").content.decode()
    assert "20.01.2026" in page


@pytest.mark.parametrize("url", ["/admin/monitoring/massnahmen/{pk}/", "/admin/excel/massnahmen/{pk}/import/"])
def test_message_boxes_carry_their_icon(client, provider_a, measure_a, url):
    """Wagtail's help-block leaves room for an icon; without one the box shows an empty gap."""
    measure_a.closed_at = datetime.datetime(2026, 1, 20, tzinfo=datetime.UTC)
    measure_a.save()
    client.force_login(provider_a)
    page = client.get(url.format(pk=measure_a.pk)).content.decode()
    start = page.index('class="help-block help-')
    box = page[start:page.index("</p>", start)]
    assert "<svg" in box


def test_admin_home_offers_page_search_only_to_users_with_pages(client, provider_a, ze_kassel, rp_editor):
    """ZE and providers may explore no page: the box only led to "keinen Zugang"."""
    for user in (provider_a, ze_kassel):
        client.force_login(user)
        assert "Alle Seiten suchen" not in client.get("/admin/").content.decode()
    client.force_login(rp_editor)
    assert "Alle Seiten suchen" in client.get("/admin/").content.decode()
