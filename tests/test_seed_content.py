"""seed_demo builds the public site once; a second run changes nothing; RP editors can edit it."""

from io import StringIO

import pytest
from django.core.management import call_command
from wagtail.documents import get_document_model
from wagtail.models import GroupCollectionPermission, GroupPagePermission, Page, Revision, Site

from aqb_content.models import Contact, FooterSettings, GuidancePage, HomePage, NewsPage
from aqb_monitoring.models import User

pytestmark = pytest.mark.django_db


def counts():
    return {
        "pages": Page.objects.count(),
        "revisions": Revision.objects.count(),
        "contacts": Contact.objects.count(),
        "documents": get_document_model().objects.count(),
        "sites": Site.objects.count(),
        "footer": FooterSettings.objects.count(),
        "page_grants": GroupPagePermission.objects.count(),
        "collection_grants": GroupCollectionPermission.objects.count(),
    }


def seed():
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def test_seed_demo_twice_gives_the_same_site_and_says_nothing_changed():
    first_output = seed()
    first = counts()
    second_output = seed()
    assert counts() == first
    assert "nichts geändert" not in first_output
    assert "nichts geändert" in second_output


def test_seed_builds_the_whole_public_site():
    seed()
    home = HomePage.objects.get()
    site = Site.objects.get(is_default_site=True)
    assert site.root_page_id == home.pk
    assert not Page.objects.filter(depth=2).exclude(pk=home.pk).exists()  # Wagtail's welcome page is gone
    assert GuidancePage.objects.live().count() == 8
    assert NewsPage.objects.live().count() >= 3
    assert get_document_model().objects.count() == 9
    footer = FooterSettings.for_site(site)
    assert footer.footer_contact.email == "AQBudget@rpks.hessen.de"
    assert [page.slug for page in footer.legal_pages] == [
        "impressum",
        "datenschutz",
        "barrierefreiheit",
        "leichte-sprache",
    ]


def test_seed_links_leichte_sprache_in_a_footer_seeded_before_it_existed():
    """An installation seeded before the page came gets the page and the footer link on the next seed."""
    seed()
    footer = FooterSettings.for_site(Site.objects.get(is_default_site=True))
    footer.plain_language_page.delete()
    footer.refresh_from_db()
    assert footer.plain_language_page is None
    seed()
    footer.refresh_from_db()
    assert footer.plain_language_page.slug == "leichte-sprache" and footer.plain_language_page.live


def test_rp_demo_editor_can_edit_the_leichte_sprache_page(client):
    seed()
    client.force_login(User.objects.get(email="rp@aqb-demo.de"))
    page = Page.objects.get(slug="leichte-sprache")
    assert client.get(f"/admin/pages/{page.pk}/edit/").status_code == 200


def test_rp_demo_editor_can_edit_pages_contacts_documents_and_footer(client):
    seed()
    client.force_login(User.objects.get(email="rp@aqb-demo.de"))
    page = GuidancePage.objects.get(slug="meldungen")
    contact = Contact.objects.first()
    document = get_document_model().objects.first()
    for url in [
        f"/admin/pages/{page.pk}/edit/",
        f"/admin/pages/{HomePage.objects.get().pk}/add_subpage/",
        f"/admin/snippets/aqb_content/contact/edit/{contact.pk}/",
        "/admin/snippets/aqb_content/contact/add/",
        f"/admin/documents/edit/{document.pk}/",
        "/admin/documents/multiple/add/",
        f"/admin/settings/aqb_content/footersettings/{Site.objects.get(is_default_site=True).pk}/",
    ]:
        assert client.get(url).status_code == 200, url


def test_rp_organisation_group_holds_the_editing_rights_itself(client):
    """Without Wagtail's default groups the RP organisation still edits the site."""
    seed()
    user = User.objects.get(email="rp@aqb-demo.de")
    user.groups.remove(*user.groups.filter(name__in=["Editors", "Moderators"]))
    client.force_login(user)
    contact = Contact.objects.first()
    assert client.get(f"/admin/snippets/aqb_content/contact/edit/{contact.pk}/").status_code == 200
    assert client.get(f"/admin/pages/{GuidancePage.objects.first().pk}/edit/").status_code == 200


def test_grant_recipient_cannot_edit_public_pages_or_contacts(client, ze_kassel):
    seed()
    client.force_login(ze_kassel)
    contact = Contact.objects.first()
    page = GuidancePage.objects.first()
    for url in [f"/admin/snippets/aqb_content/contact/edit/{contact.pk}/", f"/admin/pages/{page.pk}/edit/"]:
        response = client.get(url)
        # Wagtail answers a missing permission with a redirect to the dashboard.
        assert response.status_code in (403, 404) or response.get("Location") == "/admin/", url
