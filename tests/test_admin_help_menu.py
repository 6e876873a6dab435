"""'Hilfe' in the admin leads to the portal's own guidance (issue 10, item 6)."""

import re

import pytest
from django.test import RequestFactory
from django.urls import reverse
from wagtail.admin.menu import help_menu

from tests.conftest import make_measure


def help_menu_items(user):
    request = RequestFactory().get("/admin/")
    request.user = user
    return help_menu.menu_items_for_request(request)


@pytest.mark.parametrize("role", ["rp_editor", "ze_kassel", "provider_a"])
def test_help_menu_links_to_the_portals_guidance_for_every_role(request, public_site, role):
    user = request.getfixturevalue(role)
    items = help_menu_items(user)

    labels = [str(item.label) for item in items]
    assert labels[:2] == ["Hinweise zum Monitoring", "Kontakt und Support"]
    assert items[0].url.rstrip("/").endswith("/hinweise")
    assert items[1].url.rstrip("/").endswith("/kontakt")


def _page_text(response):
    """The page as a user reads it, including the sidebar's labels (JSON, possibly with escaped umlauts)."""
    html = response.content.decode()
    return html + html.encode().decode("unicode_escape", errors="ignore")


def test_the_guidance_names_every_button_and_menu_exactly_as_the_portal_shows_it(
        client, public_site, provider_a, measure_a, kassel, provider_org_a):
    """Each name the guidance quotes in bold („…“) is on the log-in page or an admin page a provider meets
    (a button, a menu entry or a list entry such as a Verbleib)."""
    from aqb_content.models import GuidancePage

    measure_a.successor = make_measure("AQB27-KS-M1-01", kassel, provider_org_a, budget_year=2027)
    measure_a.save(update_fields=["successor"])

    quoted = set()
    for guidance in GuidancePage.objects.live():
        quoted |= set(re.findall(r"<b>„([^“<]+)“</b>", str(guidance.body)))
    assert {"Meine Maßnahmen", "Teilnehmende(n) erfassen", "Benutzerkonto"} <= quoted

    shown = _page_text(client.get("/admin/login/")) + _page_text(client.get("/admin/password_reset/"))
    client.force_login(provider_a)
    pages = ("/admin/", reverse("aqb_monitoring:measure", args=[measure_a.pk]),
             reverse("aqb_monitoring:participant_add", args=[measure_a.pk]), "/admin/account/")
    for url in pages:
        response = client.get(url, follow=True)
        assert response.status_code == 200, url
        shown += _page_text(response)
    missing = sorted(name for name in quoted if name not in shown)
    assert missing == []
