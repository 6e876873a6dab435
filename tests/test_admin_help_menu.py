"""'Hilfe' in the admin leads to the portal's own guidance (issue 10, item 6)."""

import pytest
from django.test import RequestFactory
from wagtail.admin.menu import help_menu


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
